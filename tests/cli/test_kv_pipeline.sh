#!/usr/bin/env bash
# Behaviour: a kv-put killed with SIGKILL in a bulk put leaves a prefix of whole items; and
# in `ks-consume -g G --checkpoint downstream --format envelope | kv-put --format envelope`
# the group's checkpoint is committed with the items, so a stop at a bad record loses
# nothing: the next run resumes at that record.
source "$(dirname "$0")/common.sh"

# kill -9: numeric keys 1..N, so a scan (by value) of a prefix is exactly 1..k.
lines=1500000
awk -v n="$lines" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":%d,\"pad\":\"kill-nine-%d\"}\n", i, i }' >"$TMP/in.jsonl"
mid=0 runs=0
# Longer delays only while no kill has come in the middle: a slower build (the sanitizers) or a
# busy machine may not have committed anything yet after 0.6s.
for delay in 0.1 0.3 0.6 1.2 2.4 4.8; do
  ((mid >= 1 && runs >= 3)) && break
  t=k${delay/./}
  "$MILLRACE_BIN/kv-put" -S "$STORE" -t "$t" -k id --create "$TMP/in.jsonl" 2>/dev/null &
  pid=$!
  bg_register "$pid"
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  kvget -t "$t" --scan >"$TMP/out" 2>/dev/null || : >"$TMP/out"  # killed before the table was made
  n=$(grep -c . "$TMP/out" || true)
  head -n "$n" "$TMP/in.jsonl" | same_file /dev/stdin "$TMP/out" "kill after ${delay}s: the items are not a prefix of whole items"
  ((n > 0 && n < lines)) && mid=$((mid + 1))
  runs=$((runs + 1))
  note "killed after ${delay}s: $n of $lines items"
done
((mid >= 1)) || fail "no run killed kv-put in the middle of its put"

# Downstream checkpoints.
shard create rides --shards 2 >/dev/null
awk 'BEGIN { for (i = 1; i <= 5000; i++) if (i == 3000) print "[\"not an item\"]"; else printf "{\"id\":%d,\"k\":\"u%d\"}\n", i, i % 17 }' |
  put -s rides || fail "ks-put failed"
expect_status 64 "--checkpoint downstream without envelopes" consume -s rides -g table --checkpoint downstream
pipeline() {
  consume -s rides -g table --checkpoint downstream --format envelope | kvput -t T -k id --create --format envelope "$@"
}
rc=0
pipeline 2>"$TMP/err" || rc=$?
assert_eq 65 "$rc" "the pipeline stops at the record that is not an item"
expect_stderr_match 'stdin:[0-9]+: an item is a JSON object' "kv-put names the bad line"
items=$(kvget --describe T | jq .ItemCount)
# The checkpoints cover exactly what was written: the records behind are the rest.
behind=$(shard describe rides --json | jq '[.Groups[] | select(.GroupName == "table") | .Shards[].RecordsBehind] | add')
assert_eq $((5000 - items)) "$behind" "records behind the group = records not in the table"
# A rerun that skips the bad record takes the rest, and nothing twice.
pipeline --on-error skip 2>/dev/null || fail "the rerun failed"
assert_eq 4999 "$(kvget --describe T | jq .ItemCount)" "every item once after the rerun"
kvget -t T --scan | jq -r .id >"$TMP/ids"
seq 1 5000 | grep -vx 3000 | same_file /dev/stdin "$TMP/ids" "ids in the table"
rc=0
pipeline 2>/dev/null || rc=$?
assert_eq 0 "$rc" "a third run"
assert_eq 4999 "$(kvget --describe T | jq .ItemCount)" "a third run finds nothing new"
note ok
