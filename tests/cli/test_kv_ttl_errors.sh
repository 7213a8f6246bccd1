#!/usr/bin/env bash
# Behaviour: --ttl: an item whose TTL attribute (epoch seconds) is past is never returned by
# kv-get, and later writes remove it in bounded steps, with REMOVE change records by the
# service, as DynamoDB's TTL. Bad input: the documented statuses, FILE:LINE, and every line
# before a bad one committed; --on-error skip goes on.
source "$(dirname "$0")/common.sh"

export MILLRACE_NOW=2026-11-23T10:00:00Z  # epoch 1795428000
now=1795428000
awk -v now="$now" 'BEGIN {
  for (i = 1; i <= 3000; i++) {  # items 1..1500 expire at now - 1 ... now - 1500; the rest later
    t = i <= 1500 ? now - i : now + i
    printf "{\"id\":%d,\"expires\":%d}\n", i, t
  }
}' >"$TMP/ttl.jsonl"
printf '{"id":0,"expires":"never"}\n{"id":-1}\n' >>"$TMP/ttl.jsonl"
# Put an hour before: nothing has expired yet.
MILLRACE_NOW=2026-11-23T09:00:00Z kvput -t sessions -k id --create --ttl expires "$TMP/ttl.jsonl" ||
  fail "kv-put --ttl failed"
kvget --describe sessions | jq -e '.TimeToLiveDescription == {"AttributeName":"expires","TimeToLiveStatus":"ENABLED"}' >/dev/null ||
  fail "describe: TTL not enabled on expires"
expect_status 1 "an expired item is not returned" kvget -t sessions 10
kvget -t sessions 2000 >/dev/null || fail "a live item is returned"
kvget -t sessions 0 >/dev/null || fail "an item whose TTL is not a number never expires"
kvget -t sessions --scan | jq -r .id | sort -n >"$TMP/got"
{ echo -1; echo 0; seq 1501 3000; } | sort -n | same_file /dev/stdin "$TMP/got" "scan without expired items"
# Expired items still count until removed, as DynamoDB's ItemCount.
assert_eq 3002 "$(kvget --describe sessions | jq .ItemCount)" "ItemCount before removal"

# Each write removes at most 1000 expired items, first expired first, telling who did it.
printf '{"id":5000}\n' | kvput -t sessions --emit changes >"$TMP/changes" || fail "write 1 failed"
assert_eq 1001 "$(grep -c . "$TMP/changes")" "one INSERT and 1000 REMOVEs"
assert_eq 1000 "$(jq -c 'select(.eventName == "REMOVE" and .userIdentity.principalId == "dynamodb.amazonaws.com")' "$TMP/changes" | grep -c .)" "REMOVE by the service"
assert_eq 1500 "$(jq -r 'select(.eventName == "REMOVE") | .Keys.id' "$TMP/changes" | head -n 1)" "first expired first"
assert_eq 2003 "$(kvget --describe sessions | jq .ItemCount)" "ItemCount after one write"
printf '{"id":5001}\n' | kvput -t sessions || fail "write 2 failed"
assert_eq 1504 "$(kvget --describe sessions | jq .ItemCount)" "ItemCount after two writes"
# Time passes: more items expire.
MILLRACE_NOW=2026-11-23T10:40:00Z kvget -t sessions 2000 >/dev/null && fail "item 2000 is returned after it expired"

# Bad input.
printf '%s\n' '{"id":"a","v":1}' '{"id":"b","v":2}' '{"id":"c",' '{"id":"d","v":4}' >"$TMP/bad.jsonl"
expect_status 65 "invalid JSON" kvput -t strs -k id --create "$TMP/bad.jsonl"
expect_stderr_match '^kv-put: .*bad\.jsonl:3: invalid JSON' "invalid JSON names FILE:LINE"
assert_eq '{"id":"a","v":1} {"id":"b","v":2}' "$(kvget -t strs --scan | tr '\n' ' ' | sed 's/ $//')" "the lines before the bad one are committed"
kvput -t strs --on-error skip "$TMP/bad.jsonl" 2>"$TMP/err" || fail "--on-error skip failed"
expect_stderr_match 'bad\.jsonl:3: .*skipped' "skip warns with the place"
kvget -t strs d >/dev/null || fail "the line after a skipped one is written"
for spec in '{"v":1}|no key attribute id' '{"id":5}|key attribute id is not a string' '{"id":""}|empty string' \
  '[1,2]|a JSON object' "{\"id\":\"$(head -c 600 /dev/zero | tr '\0' x)\"}|at most 495"; do
  printf '%s\n' "${spec%|*}" >"$TMP/one.jsonl"
  expect_status 65 "item ${spec:0:30}" kvput -t strs "$TMP/one.jsonl"
  expect_stderr_match "one\\.jsonl:1: .*${spec#*|}" "message for ${spec:0:30}"
done
awk 'BEGIN { printf "{\"id\":\"big\",\"x\":\""; for (i = 0; i < 410000; i++) printf "y"; print "\"}" }' >"$TMP/big.jsonl"
expect_status 65 "an item over 400 KB" kvput -t strs "$TMP/big.jsonl"
expect_stderr_match 'big\.jsonl:1: (item of|line longer)' "over 400 KB names its line"
expect_status 66 "a missing table" kvput -t missing "$TMP/one.jsonl"
expect_status 64 "a schema that disagrees" kvput -t strs -k other "$TMP/one.jsonl"
expect_status 64 "a nested key attribute" kvput -t new -k /a/b --create "$TMP/one.jsonl"
expect_status 64 "a bad --if" kvput -t strs --if 'a <' "$TMP/one.jsonl"
note ok
