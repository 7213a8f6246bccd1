#!/usr/bin/env bash
# Behaviour: four producers writing at once while a follower reads: the follower sees every
# record exactly once (1,000,000 distinct records: nothing lost, nothing duplicated).
source "$(dirname "$0")/common.sh"

per=${MILLRACE_TEST_PER_PRODUCER:-250000}
total=$((4 * per))

for p in 1 2 3 4; do
  awk -v p="$p" -v n="$per" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"id\":\"p%d-%07d\",\"producer\":%d,\"i\":%d}\n", p, i, p, i }' >"$TMP/in$p.jsonl"
done

shard create busy --shards 4 >/dev/null || fail "ks-shard create busy --shards 4 failed"

# The follower starts first, on an empty stream.
timeout 300 "$MILLRACE_BIN/ks-consume" -S "$STORE" -s busy -f --idle-exit 3s \
  >"$TMP/follow.out" 2>"$TMP/follow.err" &
follower=$!
bg_register "$follower"

start=$(date +%s)
pids=()
for p in 1 2 3 4; do
  "$MILLRACE_BIN/ks-put" -S "$STORE" -s busy -k id "$TMP/in$p.jsonl" 2>"$TMP/put$p.err" &
  pids+=($!)
  bg_register "$!"
done
for p in 1 2 3 4; do
  rc=0
  wait "${pids[p - 1]}" || rc=$?
  [[ $rc == 0 ]] || fail "producer $p exited $rc: $(head -c 400 "$TMP/put$p.err")"
done
note "4 producers put $total records in $(($(date +%s) - start)) s"

rc=0
wait "$follower" || rc=$?
[[ $rc == 0 ]] || fail "follower (ks-consume -f --idle-exit 3s) exited $rc: $(head -c 400 "$TMP/follow.err")"
note "follower done after $(($(date +%s) - start)) s"

got=$(count_lines "$TMP/follow.out")
dups=$(sort "$TMP/follow.out" | uniq -d | head -n 3)
[[ -z $dups ]] || fail "follower saw duplicated records, e.g.: $dups"
[[ $got == "$total" ]] || fail "follower saw $got records, expected $total"
cat "$TMP/in1.jsonl" "$TMP/in2.jsonl" "$TMP/in3.jsonl" "$TMP/in4.jsonl" >"$TMP/all.jsonl"
same_sorted "$TMP/all.jsonl" "$TMP/follow.out" "records seen by the follower"

# Within one shard, each producer's records appear in the order it put them.
for i in 0 1 2 3; do
  consume -s busy --shard "$(shard_id "$i")" >"$TMP/shard.out" || fail "ks-consume --shard $(shard_id "$i") failed"
  # fields split on : , } give $4 = producer, $6 = i
  awk -F'[:,}]' -v s="$i" '
    ($4 in last) && $6 + 0 <= last[$4] { printf "shard %s, producer %s: i %d after %d\n", s, $4, $6, last[$4]; bad = 1; exit }
    { last[$4] = $6 + 0; n++ }
    END { if (!bad) printf "%d\n", n; exit bad }' "$TMP/shard.out" >"$TMP/order.txt" ||
    fail "producer order broken: $(cat "$TMP/order.txt")"
  cat "$TMP/order.txt"
done | awk '{ t += $1 } END { print t }' >"$TMP/pershard.total"
assert_eq "$total" "$(cat "$TMP/pershard.total")" "records over the four shards read one by one"

note "ok"
