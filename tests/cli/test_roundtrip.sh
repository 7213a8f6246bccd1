#!/usr/bin/env bash
# Behaviour: what ks-put took, ks-consume gives back byte for byte; an envelope printed by
# `ks-consume --format envelope` re-put with `ks-put --format envelope` keeps data and
# partition keys.
source "$(dirname "$0")/common.sh"

wildrydes_sample "$TMP/rides.jsonl"

# Lines whose bytes a re-serializing program would change: unicode (raw and escaped,
# surrogate pairs), every escape, numbers beyond double precision, exponents, -0, deep
# nesting, whitespace between tokens (spaces and tabs), key order, duplicate keys.
cat >"$TMP/tricky.jsonl" <<'EOF'
{"Name":"Ünïcörn 日本語 😀","note":"raw UTF-8: ß ø ñ ✓ 🦄"}
{"Name":"esc","s":"\u00e9\u65e5\ud83d\ude00 \" \\ \/ \b \f \n \r \t \u0000 end"}
{"Name":"big","n":123456789012345678901234567890,"neg":-98765432109876543210,"f":0.1000000000000000055511151231257827,"e":1E+300,"m":-0,"x":1.0e-7}
{"Name":"nested","a":{"b":{"c":{"d":[1,[2,[3,[4,{"e":null}]]]],"t":true,"f":false}}}}
{ "Name" : "spaces" ,	"tab"	:	[ 1 ,  2 ,	3 ] , "o" : { } , "l" : [ ] }
{"z":1,"Name":"order","a":2,"Name2":"dup","a":3}
{"Name":"long","s":"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"}
{"Name":"empty-string-values","s":"","o":{"":""}}
{"Name":"Night Spark","StatusTime":"2024-03-01T12:00:00.343Z","Latitude":47.641645000000000000001}
EOF

# Top-level values that are JSON but not objects (RFC 8259); stored with random keys.
cat >"$TMP/scalars.jsonl" <<'EOF'
[1,2,3]
"just a string with \"quotes\""
42
-1.5e10
true
null
{}
EOF

cat "$TMP/rides.jsonl" "$TMP/tricky.jsonl" >"$TMP/all.jsonl"

# 1. One shard: order is input order, so the output equals the input exactly.
shard create one --shards 1 >/dev/null || fail "ks-shard create one failed"
put -s one -k Name "$TMP/all.jsonl" || fail "ks-put -k Name into a 1-shard stream failed"
consume -s one >"$TMP/one.out" || fail "ks-consume -s one failed"
same_file "$TMP/all.jsonl" "$TMP/one.out" "1-shard round trip (byte for byte, in order)"

# Non-object JSON lines without a partition key field (random partition keys).
put -s one "$TMP/scalars.jsonl" || fail "ks-put of non-object JSON values failed"
consume -s one >"$TMP/one2.out" || fail "ks-consume -s one (second read) failed"
cat "$TMP/all.jsonl" "$TMP/scalars.jsonl" >"$TMP/all2.jsonl"
same_file "$TMP/all2.jsonl" "$TMP/one2.out" "round trip of arrays, strings, numbers, literals"

# Reading from stdin gives the same as reading the file.
shard create stdin --shards 1 >/dev/null || fail "ks-shard create stdin failed"
put -s stdin -k Name <"$TMP/all.jsonl" || fail "ks-put from stdin failed"
put -s stdin -k Name - <"$TMP/tricky.jsonl" || fail "ks-put from '-' failed"
consume -s stdin >"$TMP/stdin.out" || fail "ks-consume -s stdin failed"
cat "$TMP/all.jsonl" "$TMP/tricky.jsonl" >"$TMP/stdin.want"
same_file "$TMP/stdin.want" "$TMP/stdin.out" "round trip from stdin and '-'"

# 2. Four shards: merged output holds every line exactly once (order across shards is
#    by arrival time, which a batch shares, so compare as multisets).
shard create four --shards 4 >/dev/null || fail "ks-shard create four failed"
put -s four -k Name "$TMP/all.jsonl" || fail "ks-put into a 4-shard stream failed"
consume -s four >"$TMP/four.out" || fail "ks-consume -s four failed"
same_sorted "$TMP/all.jsonl" "$TMP/four.out" "4-shard round trip (multiset of lines)"

# 3. Envelope round trip into a second stream.
consume -s four --format envelope >"$TMP/env-a.jsonl" || fail "ks-consume --format envelope failed"
assert_eq "$(count_lines "$TMP/all.jsonl")" "$(count_lines "$TMP/env-a.jsonl")" "envelope line count"
jq -e . "$TMP/env-a.jsonl" >/dev/null || fail "an envelope line is not valid JSON"
# Each envelope names the stream, a shard id, a decimal seq, an ISO 8601 arrival time,
# and the partition key taken from Name; no group without -g.
bad=$(jq -c 'select((.stream != "four")
    or (.shard | test("^shardId-[0-9]{12}$") | not)
    or (.seq | type != "string" or (test("^[0-9]+$") | not))
    or (.ts | type != "string" or (test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$") | not))
    or (.pk != .data.Name)
    or has("group"))' "$TMP/env-a.jsonl" | head -n 3)
[[ -z $bad ]] || fail "malformed envelope(s): $bad"

shard create copy --shards 4 >/dev/null || fail "ks-shard create copy failed"
put -s copy --format envelope "$TMP/env-a.jsonl" || fail "ks-put --format envelope failed"
consume -s copy >"$TMP/copy.out" || fail "ks-consume -s copy failed"
same_sorted "$TMP/all.jsonl" "$TMP/copy.out" "data after an envelope round trip (byte for byte)"
consume -s copy --format envelope >"$TMP/env-b.jsonl" || fail "ks-consume -s copy --format envelope failed"
# Same (partition key, data) pairs, and each key on the same shard (same key, same count).
jq -c '[.pk, .shard, .data]' "$TMP/env-a.jsonl" >"$TMP/pairs-a"
jq -c '[.pk, .shard, .data]' "$TMP/env-b.jsonl" >"$TMP/pairs-b"
same_sorted "$TMP/pairs-a" "$TMP/pairs-b" "partition keys, shards and data after an envelope round trip"
# The re-put envelopes name the new stream.
n=$(jq -r 'select(.stream != "copy")' "$TMP/env-b.jsonl" | wc -l)
assert_eq 0 "$n" "envelopes of the copy whose stream is not 'copy'"

# Envelopes with random partition keys keep those keys too. (A record that is a top-level
# JSON string is left out: its envelope "data" is a JSON string, which the envelope format
# also uses for records that are not JSON, so it reads back as a non-JSON record.)
grep -v '^"' "$TMP/scalars.jsonl" >"$TMP/scalars-env.jsonl"
shard create env1 --shards 4 >/dev/null || fail "ks-shard create env1 failed"
put -s env1 "$TMP/scalars-env.jsonl" || fail "ks-put with random keys failed"
consume -s env1 --format envelope >"$TMP/env1.jsonl" || fail "ks-consume env1 failed"
shard create env2 --shards 4 >/dev/null || fail "ks-shard create env2 failed"
put -s env2 --format envelope "$TMP/env1.jsonl" || fail "ks-put --format envelope (random keys) failed"
consume -s env2 --format envelope >"$TMP/env2.jsonl" || fail "ks-consume env2 failed"
jq -c '[.pk, .shard, .data]' "$TMP/env1.jsonl" >"$TMP/r1"
jq -c '[.pk, .shard, .data]' "$TMP/env2.jsonl" >"$TMP/r2"
same_sorted "$TMP/r1" "$TMP/r2" "random partition keys survive an envelope round trip"
consume -s env2 >"$TMP/env2.data"
same_sorted "$TMP/scalars-env.jsonl" "$TMP/env2.data" "non-object data after an envelope round trip"

# --raw: lines that are not JSON are stored as bytes; their envelope "data" is a JSON string
# of those bytes, and `ks-put --format envelope --raw` stores the same bytes again.
printf '%s\n' 'not json at all' 'half {"json": 1' 'tab	and "quotes" and \\ backslash' 'ünïcödé 😀' >"$TMP/raw.txt"
shard create raw1 --shards 1 >/dev/null || fail "ks-shard create raw1 failed"
put -s raw1 --raw "$TMP/raw.txt" || fail "ks-put --raw failed"
consume -s raw1 >"$TMP/raw.out" || fail "ks-consume -s raw1 failed"
same_file "$TMP/raw.txt" "$TMP/raw.out" "--raw lines read back byte for byte"
consume -s raw1 --format envelope >"$TMP/raw.env" || fail "ks-consume -s raw1 --format envelope failed"
jq -j '.data + "\n"' "$TMP/raw.env" >"$TMP/raw.envdata"
same_file "$TMP/raw.txt" "$TMP/raw.envdata" "envelope data (JSON strings) of --raw records"
shard create raw2 --shards 1 >/dev/null || fail "ks-shard create raw2 failed"
put -s raw2 --format envelope --raw "$TMP/raw.env" || fail "ks-put --format envelope --raw failed"
consume -s raw2 >"$TMP/raw2.out" || fail "ks-consume -s raw2 failed"
same_file "$TMP/raw.txt" "$TMP/raw2.out" "--raw records after an envelope round trip"
expect_status 65 "ks-put of a non-JSON line without --raw" put -s raw2 "$TMP/raw.txt"

note "ok"
