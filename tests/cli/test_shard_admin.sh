#!/usr/bin/env bash
# Behaviour: ks-shard creates, lists, describes and deletes streams, in --json and human
# form; N shards split [0, 2^128-1] evenly as Kinesis (start of shard i = floor(i*2^128/N));
# shard counts are 1..1024.
source "$(dirname "$0")/common.sh"
need_bigint

# ---- create ---------------------------------------------------------------------------
expect_status 0 "ks-shard create s3 --shards 3" shard create s3 --shards 3
expect_status 0 "ks-shard --json create s1" shard --json create s1
jq -e . "$TMP/out" >/dev/null || fail "ks-shard --json create did not print one JSON document: $(head -c 300 "$TMP/out")"
expect_status 0 "ks-shard create s1024 --shards 1024" shard create s1024 --shards 1024
[[ $(stat -c %a "$STORE") == 700 ]] || fail "store directory mode is $(stat -c %a "$STORE"), expected 700"
[[ -f $STORE/data.mdb ]] || fail "no data.mdb in the store"

# An existing stream: an error that names it, and the stream is left as it was.
# (73, "cannot create", as ks-shard(1) lists it: not a usage error, the command line is fine)
expect_status 73 "ks-shard create of an existing stream" shard create s3 --shards 5
expect_stderr_match 's3' "diagnostic for creating an existing stream"

for n in 0 1025 -1 x; do
  expect_status 64 "ks-shard create bad$n --shards $n" shard create "bad$n" --shards "$n"
done
expect_status 64 "ks-put --create --shards 1025" put -s bad --create --shards 1025 /dev/null
expect_status 66 "describe of a stream whose create failed" shard describe bad0

# ---- describe: Kinesis' even split ----------------------------------------------------
shard_ranges s3 >"$TMP/r3" || fail "ks-shard --json describe s3 failed"
printf 'shardId-000000000000\t0\t113427455640312821154458202477256070484\n' >"$TMP/r3.want"
printf 'shardId-000000000001\t113427455640312821154458202477256070485\t226854911280625642308916404954512140969\n' >>"$TMP/r3.want"
printf 'shardId-000000000002\t226854911280625642308916404954512140970\t340282366920938463463374607431768211455\n' >>"$TMP/r3.want"
same_file "$TMP/r3.want" "$TMP/r3" "hash-key ranges of 3 shards"
# (the constants above, checked with bc: floor(i*2^128/3), and 2^128-1)
mapfile -t k < <(bigcalc "2^128/3" "2*2^128/3" "2^128-1")
assert_eq "113427455640312821154458202477256070485 226854911280625642308916404954512140970 340282366920938463463374607431768211455" \
  "${k[*]}" "bc's even split of 2^128 in 3"

shard_ranges s1 >"$TMP/r1" || fail "ks-shard --json describe s1 failed"
printf 'shardId-000000000000\t0\t340282366920938463463374607431768211455\n' >"$TMP/r1.want"
same_file "$TMP/r1.want" "$TMP/r1" "hash-key range of 1 shard"

# 1024 shards: ids in order, starts floor(i*2^128/1024), contiguous, ending at 2^128-1.
shard_ranges s1024 >"$TMP/r1024" || fail "ks-shard --json describe s1024 failed"
assert_eq 1024 "$(count_lines "$TMP/r1024")" "shards of s1024"
awk -F'\t' '{ printf "shardId-%012d\n", NR - 1 }' "$TMP/r1024" >"$TMP/ids.want"
cut -f1 "$TMP/r1024" >"$TMP/ids"
same_file "$TMP/ids.want" "$TMP/ids" "shard ids of s1024"
awk -F'\t' '{ printf "%d*2^128/1024\n(%d+1)*2^128/1024-1\n", NR - 1, NR - 1 }' "$TMP/r1024" >"$TMP/exprs"
mapfile -t e <"$TMP/exprs"
bigcalc "${e[@]}" | paste - - >"$TMP/r1024.want"
cut -f2,3 "$TMP/r1024" >"$TMP/r1024.got"
same_file "$TMP/r1024.want" "$TMP/r1024.got" "hash-key ranges of 1024 shards"

# describe --json: open shards, no parents, empty shards; the stream's name and retention.
d=$(describe_json s3)
assert_eq 3 "$(jq '.Shards | length' <<<"$d")" "shards in describe --json s3"
jq -e '[.. | strings] | index("s3")' <<<"$d" >/dev/null || fail "describe --json s3 does not name the stream: $d"
assert_eq 0 "$(jq '[.Shards[] | (.Records // .RecordCount // .records)] | add' <<<"$d")" "records of a new stream"

# Human form: a table naming every shard and its starting key; no terminal escapes.
expect_status 0 "ks-shard describe s3" shard describe s3
for i in 0 1 2; do grep -q "shardId-00000000000$i" "$TMP/out" || fail "human describe lacks shardId-00000000000$i"; done
grep -q 226854911280625642308916404954512140970 "$TMP/out" || fail "human describe lacks the starting key of shard 2"
if grep -q $'\033' "$TMP/out"; then fail "human describe prints terminal escapes into a pipe"; fi

# ---- list -------------------------------------------------------------------------------
gen_numbered 10 | put -s s3 -k id || fail "ks-put into s3 failed"
expect_status 0 "ks-shard --json list" shard --json list
jq -e . "$TMP/out" >/dev/null || fail "ks-shard --json list is not one JSON document"
for s in s1 s3 s1024; do
  jq -e --arg s "$s" '[.. | strings] | index($s)' "$TMP/out" >/dev/null || fail "ks-shard --json list lacks $s"
done
expect_status 0 "ks-shard list" shard list
for s in s1 s3 s1024; do grep -qw -- "$s" "$TMP/out" || fail "ks-shard list lacks $s"; done
if grep -q $'\033' "$TMP/out"; then fail "human list prints terminal escapes into a pipe"; fi
assert_eq 10 "$(describe_json s3 | jq '[.Shards[] | (.Records // .RecordCount // .records)] | add')" "records in s3 after a put of 10"

# ---- delete -----------------------------------------------------------------------------
expect_status 0 "ks-shard delete s3" shard delete s3
expect_status 66 "describe of a deleted stream" shard describe s3
expect_status 66 "ks-consume of a deleted stream" consume -s s3
expect_status 66 "delete of a deleted stream" shard delete s3
expect_status 0 "ks-shard list after delete" shard list
if grep -qw s3 "$TMP/out"; then fail "ks-shard list still shows the deleted stream s3"; fi
shard --json list | jq -e '[.. | strings] | index("s3") | not' >/dev/null || fail "ks-shard --json list still shows s3"
# A new stream of the same name starts empty, with its own shard count and sequence numbers.
expect_status 0 "re-create s3 with 2 shards" shard create s3 --shards 2
assert_eq 2 "$(describe_json s3 | jq '.Shards | length')" "shards of the re-created s3"
consume -s s3 >"$TMP/none" || fail "ks-consume of the re-created s3 failed"
assert_eq 0 "$(count_lines "$TMP/none")" "records in the re-created s3"
echo '{"id":1}' | put -s s3 --partition-key a --print >"$TMP/p" || fail "ks-put into the re-created s3 failed"
jq -e '.seq | test("^[12]0{15}1$")' "$TMP/p" >/dev/null || fail "first seq of the re-created stream is not a first seq: $(cat "$TMP/p")"

# Help and version exit 0.
expect_status 0 "ks-shard --help" shard --help
expect_status 0 "ks-shard --version" shard --version
expect_status 64 "ks-shard with an unknown command" shard frobnicate

note "ok"
