# shellcheck shell=bash
# Helpers of the tests of ks-consume's warm runtimes (test_runtime_*.sh), sourced after
# common.sh. Their handler is tests/tools/records_handler.py: it logs what it sees and what it
# handles into per-process files of a log directory, and misbehaves on the records whose data
# asks it to ("act"); see that file. Expected values come from the input and the shards' order
# as an ordinary read gives it, and are compared with the handler's logs, ks-consume's output
# and the failure stream.

TOOLS=$MILLRACE_SRC/tests/tools
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || fail "$PYTHON is not installed"

# strict_runtime_cmd LOG STREAM [OPTION]...: the --runtime-cmd of tests/tools/strict_runtime.py
# for a run on STREAM's records (its input in $TMP/STREAM.jsonl) with the code in $TMP/fn, LOG
# for its files, the test's process group not its own; OPTIONs are its other expectations
# (--function, --region, ...; see that file), which must be what ks-consume is told.
strict_runtime_cmd() {
  local log=$1 stream=$2
  shift 2
  mkdir -p "$log"
  printf '%q ' "$PYTHON" "$TOOLS/strict_runtime.py" --log "$log" --stream "$stream" --input "$TMP/$stream.jsonl" \
    --root "$TMP/fn" --group "$(cut -d' ' -f5 /proc/$$/stat)" "$@"
}

# records_input N [K=ACT]...: N JSON lines {"n":K,"id":"r-K"}, record K with "act":ACT.
records_input() {
  local n=$1
  shift
  awk -v n="$n" -v acts="$*" 'BEGIN {
      split(acts, list, " ")
      for (i in list) { split(list[i], kv, "="); act[kv[1]] = kv[2] }
      for (i = 1; i <= n; i++)
        printf "{\"n\":%d,\"id\":\"r-%d\"%s}\n", i, i, (i in act) ? ",\"act\":\"" act[i] "\"" : ""
    }'
}

# function_dir DIR: a function's code directory holding the handler.
function_dir() {
  mkdir -p "$1"
  cp "$TOOLS/records_handler.py" "$1/"
}

# shard_order STREAM FILE: "SHARD SEQ N" for each record, in each shard's order (ks-consume's
# ordinary read).
shard_order() {
  consume -s "$1" --format envelope | jq -r '"\(.shard) \(.seq) \(.data.n)"' >"$2" ||
    fail "ks-consume -s $1 --format envelope failed"
}

# merged LOG KIND: the lines of every process's KIND file (seen, done, start, ...), each followed
# by the process id.
merged() {
  local f
  for f in "$1/$2".*; do
    [[ -e $f ]] && awk -v p="${f##*.}" '{ print $0, p }' "$f"
  done
  return 0
}

# started LOG: how many runtime processes started, as many as loaded the handler (which writes
# its start file then; one killed sooner, when ks-consume ends, is not counted).
started() { merged "$1" start | count_lines /dev/stdin; }

# served LOG: how many runtime processes were given events.
served() { { merged "$1" seen; merged "$1" ignored; } | awk '{ print $NF }' | sort -u | count_lines /dev/stdin; }

# expect_at_most MAX GOT DESCRIPTION
expect_at_most() {
  (($2 <= $1)) || fail "$3: $2, expected at most $1"
}

# expect_no_violations LOG ERR: the strict runtime reported nothing, in its files or on stderr.
expect_no_violations() {
  local v
  v=$(merged "$1" violations | head -n 5)
  [[ -z $v ]] || fail "the strict runtime found violations: ${v//$'\n'/; }"
  v=$(grep -F VIOLATION "$2" | head -n 5 || true)
  [[ -z $v ]] || fail "violations on ks-consume's stderr: ${v//$'\n'/; }"
}

# expect_handled_once LOG WANT DESCRIPTION: the numbers of the records handled (done), sorted,
# are WANT's lines, each exactly once.
expect_handled_once() {
  merged "$1" "done" | awk '{ print $4 }' | sort -n >"$1.done.n"
  local twice
  twice=$(uniq -d "$1.done.n" | head -n 5)
  [[ -z $twice ]] || fail "$3: records handled twice: ${twice//$'\n'/ }"
  same_file "$2" "$1.done.n" "$3: the records handled"
}

# expect_shard_order LOG DESCRIPTION: each shard's events came in order: an event never begins
# before the one before it (a batch is retried, bisected or resumed after a partial response
# from where it stands; the next batch is begun only once it is done).
expect_shard_order() {
  local back
  [[ -e $1/events ]] || return 0
  # Sequence numbers as zero-padded strings: they are longer than awk's doubles are exact.
  back=$(awk '{ first = sprintf("%060s", $2)
                if (($1 in last) && first < last[$1]) print $1 ": " $2 " after " shown[$1]
                last[$1] = first; shown[$1] = $2 " " $3 }' "$1/events" | head -n 3)
  [[ -z $back ]] || fail "$2: events out of their shard's order: ${back//$'\n'/; }"
}

# expect_unique_request_ids LOG: no request id was given to two processes (each process checks
# that it was given none twice).
expect_unique_request_ids() {
  local dup
  dup=$({ merged "$1" seen; merged "$1" ignored; } | awk '{ print $1, $NF }' | sort -u | awk '{ print $1 }' | uniq -d | head -n 3)
  [[ -z $dup ]] || fail "request ids given to two processes: ${dup//$'\n'/ }"
}

# expect_return_values LOG OUT [N...]: ks-consume's stdout holds the handler's return value of
# each batch handled by a plain return, as the handler makes it -- {"n":[...]} with the batch's
# numbers in order, nothing when the lowest is a multiple of 3 -- but for the batches holding
# one of the numbers N (their response is a partial batch response: not on stdout).
expect_return_values() {
  local log=$1 out=$2
  shift 2
  merged "$log" "done" | awk -v skip=" $* " '
      $5 != "ret" { next }
      !($1 in first) { first[$1] = $4; order[++k] = $1 }
      { list[$1] = list[$1] (list[$1] == "" ? "" : ",") $4; if ($4 < first[$1]) first[$1] = $4
        if (index(skip, " " $4 " ")) excluded[$1] = 1 }
      END { for (i = 1; i <= k; i++) { r = order[i]
              if (!(r in excluded) && first[r] % 3 != 0) printf "{\"n\":[%s]}\n", list[r] } }' >"$log.want.out"
  same_sorted "$log.want.out" "$out" "the handler's return values on ks-consume's stdout"
}

# expect_prefixed ERR LOG: the handler's lines (rt-out on its stdout, rt-err, rt-crash and
# rt-noise on its stderr, each naming its event's shard) are on ks-consume's stderr, each
# prefixed with that shard's id; one rt-out and one rt-err line for each event the handler got.
expect_prefixed() {
  local err=$1 log=$2 bad events
  bad=$({ grep -E '(^|: )rt-(out|err|crash|noise) ' "$err" || true; } | awk '{
      s = $0; sub(/.*rt-(out|err|crash|noise) /, "", s); sub(/ .*/, "", s)
      if (index($0, s ": rt-") != 1) print }' | head -n 3)
  [[ -z $bad ]] || fail "handler lines not prefixed with their shard id: ${bad//$'\n'/; }"
  events=$(merged "$log" seen | awk '{ print $1 }' | sort -u | count_lines /dev/stdin)
  assert_eq "$events" "$(grep -c ': rt-out ' "$err")" "rt-out lines (the handler's stdout) on ks-consume's stderr"
  assert_eq "$events" "$(grep -c ': rt-err ' "$err")" "rt-err lines (the handler's stderr) on ks-consume's stderr"
}

# expect_failure_records STREAM ORDER WANT: the failure stream holds one Lambda failure record
# per line of WANT ("FIRST_N LAST_N COUNT": a batch from record FIRST_N to LAST_N, COUNT
# records), pointing at those records by shard and sequence numbers (from ORDER, see
# shard_order), after --retries 1 (RetryAttemptsExhausted, 2 attempts, Unhandled).
expect_failure_records() {
  local stream=$1 order=$2 want=$3
  consume -s "$stream" >"$TMP/failures.jsonl" || fail "ks-consume -s $stream failed"
  jq -r '[.KinesisBatchInfo.shardId, .KinesisBatchInfo.startSequenceNumber, .KinesisBatchInfo.endSequenceNumber,
          .KinesisBatchInfo.batchSize, .requestContext.condition, .requestContext.approximateInvokeCount,
          .responseContext.functionError] | @tsv' "$TMP/failures.jsonl" | tr '\t' ' ' | sort >"$TMP/failures.got"
  awk 'NR == FNR { shard[$3] = $1; seq[$3] = $2; next }
       { printf "%s %s %s %d RetryAttemptsExhausted 2 Unhandled\n", shard[$1], seq[$1], seq[$2], $3 }' \
    "$order" "$want" | sort >"$TMP/failures.want"
  same_file "$TMP/failures.want" "$TMP/failures.got" "failure records in $stream (shard, first, last, size, condition, attempts, error)"
}

# behind STREAM GROUP: the group's records behind, over all shards (0 once all is checkpointed).
behind() {
  describe_json "$1" | jq --arg g "$2" '[.Groups[] | select(.GroupName == $g) | .Shards[].RecordsBehind] | add'
}
