#!/usr/bin/env bash
# Behaviour: UpdateItem and DeleteItem as DynamoDB: counters from 1000 increments (ADD),
# --merge (SET) and --remove (REMOVE), --delete, --if-absent keeps the first item, --if
# writes only where the stored item satisfies the condition (the rest is counted, not an
# error), and --emit changes gives one INSERT, MODIFY or REMOVE record per change, with
# images and increasing sequence numbers; nothing for a write that changes nothing.
source "$(dirname "$0")/common.sh"

# Counters: 1000 increments spread over 3 keys, in several runs and in one.
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "{\"page\":\"p%d\",\"hits\":%d,\"bytes\":1.5}\n", i % 3, (i % 7) + 1 }' >"$TMP/hits.jsonl"
kvput -t counts -k page --create --add hits,bytes "$TMP/hits.jsonl" || fail "kv-put --add failed"
for p in p0 p1 p2; do
  want_hits=$(awk -v p="$p" -F'[":,]+' '$3 == p { s += $5 } END { print s }' "$TMP/hits.jsonl")
  want_bytes=$(awk -v p="$p" -F'[":,]+' '$3 == p { s += 1.5 } END { print s }' "$TMP/hits.jsonl")
  got=$(kvget -t counts "$p") || fail "kv-get $p failed"
  assert_eq "$want_hits" "$(jq .hits <<<"$got")" "hits of $p after 1000 increments"
  assert_eq "$want_bytes" "$(jq .bytes <<<"$got")" "bytes of $p"
done
# The same increments one line per run add up the same.
head -n 30 "$TMP/hits.jsonl" >"$TMP/thirty.jsonl"
while IFS= read -r line; do printf '%s\n' "$line" | kvput -t counts --add hits || fail "single increment failed"; done <"$TMP/thirty.jsonl"
want=$(awk -F'[":,]+' '$3 == "p1" { s += $5 } END { print s }' "$TMP/hits.jsonl" "$TMP/thirty.jsonl")
assert_eq "$want" "$(kvget -t counts p1 | jq .hits)" "hits after 30 more runs"
printf '{"page":"p1","hits":"x"}\n' >"$TMP/bad.jsonl"
expect_status 65 "--add of a string" kvput -t counts --add hits "$TMP/bad.jsonl"
expect_stderr_match 'bad\.jsonl:1: hits is not a number' "--add of a string names its line"

# --if-absent keeps the first item of each key.
printf '%s\n' '{"id":"a","v":1}' '{"id":"b","v":2}' '{"id":"a","v":3}' '{"id":"a","v":4}' >"$TMP/first.jsonl"
kvput -t first -k id --create --if-absent -v "$TMP/first.jsonl" 2>"$TMP/err" || fail "--if-absent failed"
assert_eq 1 "$(kvget -t first a | jq .v)" "--if-absent keeps the first a"
assert_eq 2 "$(kvget -t first b | jq .v)" "--if-absent writes b"
expect_stderr_match 'first\.jsonl:3: condition failed' "-v names the refused line 3"
expect_stderr_match 'first\.jsonl:4: condition failed' "-v names the refused line 4"
expect_stderr_match '2 items written, 0 deleted, 2 not written' "the summary counts the refused"

# --merge, --remove, --delete, --if, with change records.
kvput -t t -k id --create --emit changes >"$TMP/changes" <<'JSON' || fail "kv-put of t failed"
{"id":"x","a":1,"b":"keep","c":[1,2]}
{"id":"y","a":5}
JSON
printf '%s\n' '{"id":"x","a":2,"d":true}' | kvput -t t --merge --remove c --emit changes >>"$TMP/changes"
assert_eq '{"id":"x","a":2,"b":"keep","d":true}' "$(kvget -t t x)" "--merge --remove"
printf '%s\n' '{"id":"x","a":2,"d":true}' | kvput -t t --merge --emit changes >>"$TMP/changes"  # no change
printf '%s\n' '{"id":"y","a":6}' '{"id":"x","a":100}' | kvput -t t --if 'a < 5' --emit changes >>"$TMP/changes"
assert_eq '{"id":"y","a":5}' "$(kvget -t t y)" "--if 'a < 5' refuses y (a is 5)"
assert_eq '{"id":"x","a":100}' "$(kvget -t t x)" "--if 'a < 5' replaces x (a was 2)"
printf '%s\n' '{"id":"y"}' '{"id":"nothing"}' | kvput -t t --delete --emit changes >>"$TMP/changes"
expect_status 1 "deleted y" kvget -t t y
printf '%s\n' '{"id":"z","a":1}' | kvput -t t --if 'a = 1' --emit changes >>"$TMP/changes"  # no item: a is null
expect_status 1 "--if on a missing item: the condition sees null" kvget -t t z

jq -c '[.eventName, .Keys.id, (.NewImage // "-"), (.OldImage // "-"), .SequenceNumber]' "$TMP/changes" >"$TMP/got"
cat >"$TMP/want" <<'JSON'
["INSERT","x",{"id":"x","a":1,"b":"keep","c":[1,2]},"-","00000000000000000001"]
["INSERT","y",{"id":"y","a":5},"-","00000000000000000002"]
["MODIFY","x",{"id":"x","a":2,"b":"keep","d":true},{"id":"x","a":1,"b":"keep","c":[1,2]},"00000000000000000003"]
["MODIFY","x",{"id":"x","a":100},{"id":"x","a":2,"b":"keep","d":true},"00000000000000000004"]
["REMOVE","y","-",{"id":"y","a":5},"00000000000000000005"]
JSON
same_file "$TMP/want" "$TMP/got" "change records"
now=$(date +%s)
jq -e --argjson now "$now" '.ApproximateCreationDateTime | . <= $now and . > $now - 600' "$TMP/changes" >/dev/null ||
  fail "ApproximateCreationDateTime is not the epoch seconds of now"

# Change data capture: the change records into a stream, keyed by the item's key.
printf '%s\n' '{"id":"w","a":1}' '{"id":"w","a":2}' | kvput -t t --emit changes |
  put -s changes --create -k /Keys/id || fail "kv-put --emit changes | ks-put failed"
assert_eq "INSERT MODIFY" "$(consume -s changes | jq -r .eventName | tr '\n' ' ' | sed 's/ $//')" "changes in a stream"
note ok
