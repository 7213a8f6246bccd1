#!/usr/bin/env bash
# Behaviour: order is kept per partition key. 20,000 records over 50 keys, each with a
# per-key counter, put into 4 shards: the merged output has every record once and each
# key's counters strictly increasing; each key lives in exactly one shard.
source "$(dirname "$0")/common.sh"

seed=20260101
note "random key sequence seed: $seed"
awk -v seed="$seed" 'BEGIN {
  srand(seed)
  for (i = 1; i <= 20000; i++) {
    k = int(rand() * 50)
    c[k]++
    printf "{\"key\":\"unicorn-%02d\",\"counter\":%d,\"i\":%d}\n", k, c[k], i
  }
}' >"$TMP/in.jsonl"
assert_eq 50 "$(jq -r .key "$TMP/in.jsonl" | sort -u | wc -l | tr -d ' ')" "distinct keys in the generated input"

shard create ordered --shards 4 >/dev/null || fail "ks-shard create ordered --shards 4 failed"
# Three producers one after the other (a file, stdin, two files), so order must hold
# across separate ks-put runs and across files of one run.
head -n 7000 "$TMP/in.jsonl" >"$TMP/a"
sed -n '7001,12000p' "$TMP/in.jsonl" >"$TMP/b"
sed -n '12001,16000p' "$TMP/in.jsonl" >"$TMP/c"
tail -n +16001 "$TMP/in.jsonl" >"$TMP/d"
put -s ordered -k key "$TMP/a" || fail "ks-put (part a) failed"
put -s ordered -k key <"$TMP/b" || fail "ks-put (part b, stdin) failed"
put -s ordered -k key "$TMP/c" "$TMP/d" || fail "ks-put (parts c and d) failed"

consume -s ordered >"$TMP/out.jsonl" || fail "ks-consume -s ordered failed"
assert_eq 20000 "$(count_lines "$TMP/out.jsonl")" "records read back"
same_sorted "$TMP/in.jsonl" "$TMP/out.jsonl" "records read back (as a multiset)"

# Per key, counters strictly increasing in the merged output.
jq -r '[.key, .counter] | @tsv' "$TMP/out.jsonl" | awk -F'\t' '
  ($1 in last) && $2 <= last[$1] { printf "key %s: counter %d after %d (output line %d)\n", $1, $2, last[$1], NR; bad = 1; exit }
  { last[$1] = $2 }
  END { exit bad }' >"$TMP/order.err" || fail "per-key order broken in merged output: $(cat "$TMP/order.err")"

# Per shard: each key in one shard only, and in order there too.
for i in 0 1 2 3; do
  consume -s ordered --shard "$(shard_id "$i")" | jq -r --arg s "$i" '[$s, .key, .counter] | @tsv'
done >"$TMP/by-shard"
assert_eq 20000 "$(count_lines "$TMP/by-shard")" "records over the four shards read one by one"
multi=$(cut -f1,2 "$TMP/by-shard" | sort -u | cut -f2 | sort | uniq -d | head -n 3)
[[ -z $multi ]] || fail "keys spread over more than one shard: $multi"
awk -F'\t' '
  ($2 in last) && $3 <= last[$2] { printf "shard %s key %s: counter %d after %d\n", $1, $2, $3, last[$2]; bad = 1; exit }
  { last[$2] = $3 }
  END { exit bad }' "$TMP/by-shard" >"$TMP/order2.err" || fail "per-key order broken within a shard: $(cat "$TMP/order2.err")"
used=$(cut -f1 "$TMP/by-shard" | sort -u | wc -l | tr -d ' ')
[[ $used -ge 2 ]] || fail "50 keys landed in only $used shard(s) of 4"

note "ok"
