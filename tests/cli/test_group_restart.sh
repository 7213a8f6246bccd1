#!/usr/bin/env bash
# Behaviour: a consumer group resumes where it left off. Runs of `-g G -n 300` then one
# without -n read every record exactly once, in order; describe shows the checkpoint and
# RecordsBehind; SIGTERM of a following group member flushes, checkpoints and exits 0, and
# a restart goes on with no loss and no repeat.
source "$(dirname "$0")/common.sh"

gen_numbered 1000 >"$TMP/in.jsonl"
shard create g1 --shards 1 >/dev/null || fail "ks-shard create g1 failed"
put -s g1 "$TMP/in.jsonl" || fail "ks-put failed"

# group_json STREAM GROUP: the describe objects (one per shard) that carry RecordsBehind for
# GROUP, wherever describe --json nests them.
group_json() {
  describe_json "$1" | jq -c --arg g "$2" '
    [ .. | objects | select(has("Groups") or has("ConsumerGroups")) | (.Groups // .ConsumerGroups)[]
      | select((.GroupName // .Group // .Name) == $g) ]
    | [ .[] | .. | objects | select(has("RecordsBehind")) ]'
}

: >"$TMP/got"
for run in 1 2 3; do
  consume -s g1 -g G -n 300 >"$TMP/part$run" || fail "run $run of ks-consume -g G -n 300 failed"
  assert_eq 300 "$(count_lines "$TMP/part$run")" "records in run $run of -g G -n 300"
  cat "$TMP/part$run" >>"$TMP/got"
done
behind=$(group_json g1 G | jq '[.[].RecordsBehind] | add')
assert_eq 100 "$behind" "RecordsBehind of group G after reading 900 of 1000"
consume -s g1 -g G >"$TMP/part4" || fail "ks-consume -g G (no -n) failed"
assert_eq 100 "$(count_lines "$TMP/part4")" "records in the last run (no -n)"
cat "$TMP/part4" >>"$TMP/got"
same_file "$TMP/in.jsonl" "$TMP/got" "four runs of group G together"

# describe: checkpoint = the last sequence number (shard 0's 1000th: 1 + 16-digit 1000).
gj=$(group_json g1 G)
assert_eq 1 "$(jq length <<<"$gj")" "shards listed for group G in describe --json"
assert_eq 0 "$(jq '.[0].RecordsBehind' <<<"$gj")" "RecordsBehind of group G after reading all"
jq -e '.[0] | [.. | scalars | tostring] | index("10000000000001000")' <<<"$gj" >/dev/null ||
  fail "describe --json does not show group G's checkpoint 10000000000001000: $gj"
# Nothing more for the group; another group starts from the trim horizon.
consume -s g1 -g G >"$TMP/none" || fail "ks-consume -g G (caught up) failed"
assert_eq 0 "$(count_lines "$TMP/none")" "records for a caught-up group"
consume -s g1 -g H -n 5 >"$TMP/h" || fail "ks-consume -g H failed"
head -n 5 "$TMP/in.jsonl" >"$TMP/h.want"
same_file "$TMP/h.want" "$TMP/h" "a new group starts from the trim horizon"
# The human form of describe names the group.
shard describe g1 >"$TMP/human" || fail "ks-shard describe g1 failed"
grep -qw G "$TMP/human" || fail "human describe does not mention group G"

# New records after the group caught up: the group reads just those.
gen_numbered 50 more >"$TMP/more.jsonl"
put -s g1 "$TMP/more.jsonl" || fail "ks-put (more) failed"
consume -s g1 -g G >"$TMP/more.got" || fail "ks-consume -g G (more) failed"
same_file "$TMP/more.jsonl" "$TMP/more.got" "group G reads only the records put after it caught up"

# ---- 4 shards: each run continues every shard ---------------------------------------
shard create g4 --shards 4 >/dev/null || fail "ks-shard create g4 failed"
put -s g4 -k id "$TMP/in.jsonl" || fail "ks-put into g4 failed"
: >"$TMP/got4"
for run in 1 2 3; do
  consume -s g4 -g G -n 300 >>"$TMP/got4" || fail "run $run of ks-consume -s g4 -g G -n 300 failed"
done
consume -s g4 -g G >>"$TMP/got4" || fail "last run on g4 failed"
assert_eq 1000 "$(count_lines "$TMP/got4")" "records of four runs on 4 shards"
same_sorted "$TMP/in.jsonl" "$TMP/got4" "four runs of group G on 4 shards"
gj=$(group_json g4 G)
assert_eq 4 "$(jq length <<<"$gj")" "shards listed for group G of g4"
assert_eq 0 "$(jq '[.[].RecordsBehind] | add' <<<"$gj")" "RecordsBehind of g4's group after reading all"

# ---- SIGTERM of a follower ---------------------------------------------------------
# A slow producer writes 2000 records in 20 chunks while a group member follows; SIGTERM
# in the middle; then a restart (not following) reads the rest. Together: all, in order.
gen_numbered 2000 term >"$TMP/term.jsonl"
shard create t1 --shards 1 >/dev/null || fail "ks-shard create t1 failed"
(
  for c in $(seq 0 19); do
    sed -n "$((c * 100 + 1)),$((c * 100 + 100))p" "$TMP/term.jsonl" |
      "$MILLRACE_BIN/ks-put" -S "$STORE" -s t1 || exit 1
    sleep 0.1
  done
) 2>"$TMP/producer.err" &
producer=$!
bg_register "$producer"
"$MILLRACE_BIN/ks-consume" -S "$STORE" -s t1 -g T -f >"$TMP/t.part1" 2>"$TMP/t.err" &
follower=$!
bg_register "$follower"
# Wait until the follower has seen some records, then stop it mid-stream.
for _ in $(seq 100); do
  [[ $(count_lines "$TMP/t.part1") -ge 500 ]] && break
  sleep 0.1
done
kill -TERM "$follower"
wait_exit "$follower" 10 "ks-consume -g T -f after SIGTERM"
rc=$WAIT_RC
assert_eq 0 "$rc" "exit status of a following group member after SIGTERM"
rc=0
wait "$producer" || rc=$?
assert_eq 0 "$rc" "exit status of the slow producer ($(head -c 300 "$TMP/producer.err"))"
n1=$(count_lines "$TMP/t.part1")
[[ $n1 -gt 0 && $n1 -lt 2000 ]] || note "SIGTERM came at $n1 of 2000 records (not mid-stream)"
consume -s t1 -g T >"$TMP/t.part2" || fail "restart of group T failed"
cat "$TMP/t.part1" "$TMP/t.part2" >"$TMP/t.got"
same_file "$TMP/term.jsonl" "$TMP/t.got" "records before SIGTERM plus after restart (no loss, no repeat)"

# SIGTERM of an idle follower (caught up) exits 0 as well, and SIGINT too. (Job control
# on, so the background job does not start with SIGINT ignored, as a shell would.)
for sig in TERM INT; do
  set -m
  "$MILLRACE_BIN/ks-consume" -S "$STORE" -s t1 -g T -f >"$TMP/idle.out" 2>"$TMP/idle.err" &
  follower=$!
  set +m
  bg_register "$follower"
  sleep 0.5
  kill -"$sig" "$follower"
  wait_exit "$follower" 10 "idle ks-consume -g T -f after SIG$sig"
  rc=$WAIT_RC
  assert_eq 0 "$rc" "exit status of an idle following group member after SIG$sig"
  assert_eq 0 "$(count_lines "$TMP/idle.out")" "records printed by a caught-up follower"
done

note "ok"
