#!/usr/bin/env bash
# Behaviour: --from picks the start as GetShardIterator does: trim-horizon (default),
# latest, at:SEQ, after:SEQ, time:ISO8601 (AT_TIMESTAMP).
source "$(dirname "$0")/common.sh"

gen_numbered 100 a >"$TMP/a.jsonl"
gen_numbered 100 b >"$TMP/b.jsonl"

# ---- latest -------------------------------------------------------------------------
shard create lat --shards 2 >/dev/null || fail "ks-shard create lat failed"
put -s lat -k id "$TMP/a.jsonl" || fail "ks-put (batch a) failed"
expect_status 0 "ks-consume --from latest (no -f)" consume -s lat --from latest
assert_eq 0 "$(count_lines "$TMP/out")" "records from latest without following"
expect_status 0 "ks-consume --from trim-horizon" consume -s lat --from trim-horizon
same_sorted "$TMP/a.jsonl" "$TMP/out" "records from trim-horizon"

timeout 60 "$MILLRACE_BIN/ks-consume" -S "$STORE" -s lat --from latest -f --idle-exit 4s \
  >"$TMP/latest.out" 2>"$TMP/latest.err" &
follower=$!
bg_register "$follower"
sleep 1 # let the follower take its position before batch b arrives
put -s lat -k id "$TMP/b.jsonl" || fail "ks-put (batch b) failed"
wait_exit "$follower" 30 "ks-consume --from latest -f --idle-exit 4s"
[[ $WAIT_RC == 0 ]] || fail "ks-consume --from latest -f exited $WAIT_RC: $(head -c 300 "$TMP/latest.err")"
same_sorted "$TMP/b.jsonl" "$TMP/latest.out" "--from latest -f sees exactly the records put after it started"

# ---- at:SEQ and after:SEQ -------------------------------------------------------------
shard create seqs --shards 1 >/dev/null || fail "ks-shard create seqs failed"
put -s seqs --print "$TMP/a.jsonl" >"$TMP/print" || fail "ks-put --print failed"
assert_eq 100 "$(count_lines "$TMP/print")" "lines printed by --print"
seq40=$(sed -n 40p "$TMP/print" | jq -r .seq)
[[ $seq40 =~ ^[0-9]+$ ]] || fail "seq of the 40th record is not decimal: '$seq40'"
consume -s seqs --from "at:$seq40" >"$TMP/at" || fail "ks-consume --from at:$seq40 failed"
tail -n +40 "$TMP/a.jsonl" >"$TMP/at.want"
same_file "$TMP/at.want" "$TMP/at" "--from at:SEQ of the 40th record"
consume -s seqs --from "after:$seq40" >"$TMP/after" || fail "ks-consume --from after:$seq40 failed"
tail -n +41 "$TMP/a.jsonl" >"$TMP/after.want"
same_file "$TMP/after.want" "$TMP/after" "--from after:SEQ of the 40th record"
seq100=$(sed -n 100p "$TMP/print" | jq -r .seq)
consume -s seqs --from "after:$seq100" >"$TMP/after100" || fail "ks-consume --from after:(last) failed"
assert_eq 0 "$(count_lines "$TMP/after100")" "records after the last one"
# -n with --from
consume -s seqs --from "at:$seq40" -n 5 >"$TMP/at5" || fail "ks-consume --from at:SEQ -n 5 failed"
sed -n '40,44p' "$TMP/a.jsonl" >"$TMP/at5.want"
same_file "$TMP/at5.want" "$TMP/at5" "--from at:SEQ -n 5"
expect_status 64 "ks-consume --from at:notanumber" consume -s seqs --from at:notanumber

# at:/after: on one shard of a 4-shard stream (sequence numbers are unique in the stream).
shard create seq4 --shards 4 >/dev/null || fail "ks-shard create seq4 failed"
put -s seq4 -k id --print "$TMP/a.jsonl" >"$TMP/print4" || fail "ks-put --print (4 shards) failed"
paste -d '\t' <(jq -r '[.shard, .seq] | @tsv' "$TMP/print4") "$TMP/a.jsonl" >"$TMP/joined"
sh0=$(head -n 1 "$TMP/print4" | jq -r .shard)
awk -F'\t' -v s="$sh0" '$1 == s' "$TMP/joined" >"$TMP/sh0"
k=$(( ($(count_lines "$TMP/sh0") + 1) / 2 ))
seqk=$(sed -n "${k}p" "$TMP/sh0" | cut -f2)
consume -s seq4 --shard "$sh0" --from "at:$seqk" >"$TMP/at4" || fail "ks-consume --shard $sh0 --from at:$seqk failed"
tail -n +"$k" "$TMP/sh0" | cut -f3- >"$TMP/at4.want"
same_file "$TMP/at4.want" "$TMP/at4" "--shard $sh0 --from at:SEQ"

# ---- time:ISO8601 (AT_TIMESTAMP) ---------------------------------------------------
# Batch a arrives at 00:00, batch b at 01:00 (program clocks start at MILLRACE_NOW);
# the reader's clock is at 02:00 so neither batch is past retention.
shard create tm --shards 2 >/dev/null || fail "ks-shard create tm failed"
MILLRACE_NOW=2026-01-01T00:00:00Z put -s tm -k id "$TMP/a.jsonl" || fail "ks-put at 00:00 failed"
MILLRACE_NOW=2026-01-01T01:00:00Z put -s tm -k id "$TMP/b.jsonl" || fail "ks-put at 01:00 failed"
from_time() { MILLRACE_NOW=2026-01-01T02:00:00Z consume -s tm --from "time:$1"; }
from_time 2026-01-01T00:30:00Z >"$TMP/t1" || fail "ks-consume --from time:2026-01-01T00:30:00Z failed"
same_sorted "$TMP/b.jsonl" "$TMP/t1" "--from time:00:30Z returns exactly the second batch"
from_time 2026-01-01T01:30:00+01:00 >"$TMP/t2" || fail "ks-consume --from time with an offset failed"
same_sorted "$TMP/b.jsonl" "$TMP/t2" "--from time:01:30+01:00 (= 00:30Z) returns exactly the second batch"
from_time 2025-12-31T23:59:00Z >"$TMP/t3" || fail "ks-consume --from time before both batches failed"
cat "$TMP/a.jsonl" "$TMP/b.jsonl" >"$TMP/ab"
same_sorted "$TMP/ab" "$TMP/t3" "--from time before both batches returns both"
from_time 2026-01-01T01:30:00.000Z >"$TMP/t4" || fail "ks-consume --from time after both batches failed"
assert_eq 0 "$(count_lines "$TMP/t4")" "records from a time after both batches"
# Merged by arrival time: every record of batch a comes before every record of batch b.
MILLRACE_NOW=2026-01-01T02:00:00Z consume -s tm >"$TMP/all" || fail "ks-consume -s tm failed"
same_sorted "$TMP/ab" "$TMP/all" "both batches from the trim horizon"
last_a=$(grep -n '"id":"a-' "$TMP/all" | tail -n 1 | cut -d: -f1)
first_b=$(grep -m 1 -n '"id":"b-' "$TMP/all" | cut -d: -f1)
[[ $last_a -lt $first_b ]] || fail "merged read by arrival time: a record of 00:00 (line $last_a) after one of 01:00 (line $first_b)"
# Envelope arrival times are those of the clocks.
MILLRACE_NOW=2026-01-01T02:00:00Z consume -s tm --format envelope | jq -r '.ts[0:16]' | sort | uniq -c |
  awk '{ print $1, $2 }' >"$TMP/ts"
printf '100 2026-01-01T00:00\n100 2026-01-01T01:00\n' >"$TMP/ts.want"
same_file "$TMP/ts.want" "$TMP/ts" "envelope arrival times (ts) of the two batches"

note "ok"
