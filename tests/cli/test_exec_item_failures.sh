#!/usr/bin/env bash
# Behaviour: `ks-consume --exec` honours Lambda's partial batch response. A handler that
# reads the Lambda event with jq reports {"batchItemFailures":[{"itemIdentifier":SEQ}]} for
# one record the first time it sees it and succeeds afterwards: the records before it are
# handled once, it and the rest of its batch are retried (each handled twice at most),
# nothing is lost. The handler's other stdout lines pass through to ks-consume's stdout, the
# batchItemFailures line does not; its stderr lines come prefixed with the shard id.
source "$(dirname "$0")/common.sh"
need_tool base64

TARGET=r-333
gen_numbered 600 >"$TMP/in.jsonl"
shard create bi --shards 2 >/dev/null || fail "ks-shard create bi --shards 2 failed"
put -s bi -k id "$TMP/in.jsonl" || fail "ks-put failed"

# Each shard's ids in order, and the target's shard, by an ordinary read.
consume -s bi --format envelope >"$TMP/env.jsonl" || fail "ks-consume --format envelope failed"
t_shard=$(jq -r --arg t "$TARGET" 'select(.data.id == $t) | .shard' "$TMP/env.jsonl")
[[ -n $t_shard ]] || fail "no envelope for $TARGET"
other=$(jq -r --arg s "$t_shard" 'select(.shard != $s) | .shard' "$TMP/env.jsonl" | sort -u)
[[ -n $other ]] || fail "all 600 records in one shard"
for s in "$t_shard" "$other"; do
  consume -s bi --shard "$s" | jq -r .id >"$TMP/order.$s" || fail "ks-consume --shard $s failed"
done
t_pos=$(grep -nxF "$TARGET" "$TMP/order.$t_shard" | cut -d: -f1)
note "target $TARGET: $t_shard, position $t_pos of $(count_lines "$TMP/order.$t_shard")"
[[ $t_pos -gt 1 ]] || fail "the target is the first record of its shard; pick another"

# The handler: logs "<invocation> <shard> <id>" for each record it gets, a line on stdout and
# one on stderr; the first time it sees the target it reports it as failed (by its sequence
# number, as read from the event), else it reports no failure.
cat >"$TMP/handler.sh" <<EOF
#!/bin/sh
set -e
dir=\$1
ev=\$(cat)
inv=\$\$
shard=\$(printf '%s' "\$ev" | jq -r '.Records[0].eventID | split(":")[0]')
printf '%s' "\$ev" | jq -r --arg inv "\$inv" --arg s "\$shard" \
  '.Records[] | "\(\$inv) \(\$s) \(.kinesis.data | @base64d | fromjson | .id)"' >>"\$dir/seen.txt"
n=\$(printf '%s' "\$ev" | jq '.Records | length')
echo "passthrough \$inv \$shard \$n"
echo "diag \$inv from \$shard: \$n records" >&2
seq=\$(printf '%s' "\$ev" | jq -r --arg t "$TARGET" \
  '.Records[] | select((.kinesis.data | @base64d | fromjson | .id) == \$t) | .kinesis.sequenceNumber')
if [ -n "\$seq" ] && [ ! -e "\$dir/state" ]; then
  echo "\$inv" >"\$dir/state"
  printf '{"batchItemFailures":[{"itemIdentifier":"%s"}]}\n' "\$seq"
else
  echo '{"batchItemFailures":[]}'
fi
EOF
chmod +x "$TMP/handler.sh"

# run_group GROUP DIR [OPTIONS...]: the group handles the stream; checks everything.
run_group() {
  local g=$1 d=$2
  shift 2
  mkdir -p "$d"
  : >"$d/seen.txt"
  consume -s bi -g "$g" --exec "$TMP/handler.sh $d" "$@" >"$d/out" 2>"$d/err" ||
    fail "ks-consume -g $g --exec $* failed: $(head -c 600 "$d/err")"
  [[ -s $d/state ]] || fail "[$g] the handler never saw $TARGET"
  local first
  first=$(cat "$d/state")

  # Count how often each record was seen.
  cut -d' ' -f3 "$d/seen.txt" | sort | uniq -c | awk '{print $2, $1}' | sort >"$d/counts"
  jq -r .id "$TMP/in.jsonl" | sort >"$d/all.ids"
  cut -d' ' -f1 "$d/counts" >"$d/seen.ids"
  same_file "$d/all.ids" "$d/seen.ids" "[$g] records the handler got (each at least once)"
  local over
  over=$(awk '$2 > 2' "$d/counts" | head -n 3)
  [[ -z $over ]] || fail "[$g] records handled more than twice: ${over//$'\n'/; }"
  assert_eq 2 "$(awk -v t="$TARGET" '$1 == t {print $2}' "$d/counts")" "[$g] times the failed record $TARGET was handled"
  # Before the target in its shard, and all of the other shard: exactly once.
  head -n $((t_pos - 1)) "$TMP/order.$t_shard" | cat - "$TMP/order.$other" | sort >"$d/once.ids"
  local twice
  twice=$(join "$d/once.ids" "$d/counts" | awk '$2 != 1' | head -n 3)
  [[ -z $twice ]] || fail "[$g] records before the failed one (or in the other shard) handled more than once: ${twice//$'\n'/; }"
  # The rest of the target's first batch, after it, was retried: handled twice.
  awk -v inv="$first" '$1 == inv {print $3}' "$d/seen.txt" >"$d/first.batch"
  grep -qxF "$TARGET" "$d/first.batch" || fail "[$g] the invocation that reported $TARGET did not get it"
  sed -n "/^$TARGET\$/,\$p" "$d/first.batch" | sort >"$d/retried.ids"
  local once
  once=$(join "$d/retried.ids" "$d/counts" | awk '$2 != 2' | head -n 3)
  [[ -z $once ]] || fail "[$g] records of the failed part of the batch not handled twice: ${once//$'\n'/; }"

  # stdout: the handler's lines pass through, one per invocation; no batchItemFailures line.
  local invs
  invs=$(cut -d' ' -f1 "$d/seen.txt" | sort -u | count_lines /dev/stdin)
  if grep -qF batchItemFailures "$d/out"; then
    fail "[$g] a batchItemFailures line reached ks-consume's stdout: $(grep -F batchItemFailures "$d/out" | head -n 2)"
  fi
  assert_eq "$invs" "$(grep -c '^passthrough ' "$d/out")" "[$g] passthrough lines on ks-consume's stdout (one per invocation)"
  local stray
  stray=$(grep -v '^passthrough ' "$d/out" | head -n 3 || true)
  [[ -z $stray ]] || fail "[$g] unexpected lines on ks-consume's stdout: $stray"
  # stderr: each handler line prefixed with the shard it was handling.
  assert_eq "$invs" "$(grep -c 'diag ' "$d/err")" "[$g] handler stderr lines on ks-consume's stderr"
  local bad
  bad=$(grep 'diag ' "$d/err" | awk '{
      s = $0; sub(/.* from /, "", s); sub(/:.*/, "", s)
      if (index($0, s ": diag ") != 1) print
    }' | head -n 3)
  [[ -z $bad ]] || fail "[$g] handler stderr lines not prefixed with their shard id: $bad"

  local behind
  behind=$(describe_json bi | jq --arg g "$g" '[.Groups[] | select(.GroupName == $g) | .Shards[].RecordsBehind] | add')
  assert_eq 0 "$behind" "[$g] RecordsBehind after the run"
}

run_group G "$TMP/g"
note "G: $(count_lines "$TMP/g/seen.txt") records handled in $(count_lines "$TMP/g/out") invocations"
run_group B "$TMP/b" --bisect
note "B (--bisect): $(count_lines "$TMP/b/seen.txt") records handled in $(count_lines "$TMP/b/out") invocations"

note "ok"
