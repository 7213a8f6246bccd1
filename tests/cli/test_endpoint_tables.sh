#!/usr/bin/env bash
# Behaviour: kv-put and kv-get with --store http://HOST:PORT work the same on two implementations
# of the DynamoDB API, gw-serve and DynamoDB Local (AWS's own, from npm, on Debian's Java): one
# script run against each. Puts of JSON lines, GetItem, a Query by key with a sort condition,
# --reverse and --limit, a Scan with --where, updates (--merge, --add, --remove), --if-absent
# refusals, --if on the stored item, --delete. Results are checked with the aws CLI (an
# independent client) and against values worked out here from the input with jq. A batch of more
# than 25 lines with repeated keys keeps each key's last line; --emit changes gives the service's
# old images; --ttl enables the table's TTL, and expired items are not read; a missing table is exit 66; an
# --if that DynamoDB cannot evaluate the same way is exit 69, before anything is written.
source "$(dirname "$0")/common.sh"
need_tool jq
cd "$TMP"

start_gateway --sync none
start_dynamodb_local

# 60 orders of 3 users, the sort key a number.
awk 'BEGIN { for (i = 1; i <= 60; i++)
  printf "{\"user\":\"u%d\",\"ts\":%d,\"amount\":%d,\"tag\":\"t%d\",\"note\":\"caf\\u00e9 %d\"}\n", i % 3, i, i * 10, i % 4, i }' >orders.jsonl
# 1000 lines over 97 keys: each key comes again 97 lines on, four batches of 25 later, while up
# to 8 batches are in flight; its lines must still be written in input order. And 40 lines over
# 7 keys, where every batch of 25 would hold keys twice.
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "{\"id\":\"k%d\",\"v\":%d}\n", (i * 7) % 97, i }' >dups.jsonl
awk 'BEGIN { for (i = 1; i <= 40; i++) printf "{\"id\":\"k%d\",\"v\":%d}\n", i % 7, i }' >>dups.jsonl

# canon FILE: each line's JSON with sorted members (attribute order is the service's).
canon() { jq -S -c . "$1"; }
# typed_get URL TABLE KEYJSON: the item by the aws CLI, as plain JSON of its S and N attributes
# ({} when there is none: the CLI then prints nothing).
typed_get() {
  aws --endpoint-url "$1" dynamodb get-item --table-name "$2" --key "$3" --consistent-read |
    jq -n -S -c '([inputs][0].Item // {}) | with_entries(.value |= (if has("N") then (.N | tonumber) else .S end))'
}

for url in "$GW_URL" "$DL_URL"; do
  note "endpoint $url"
  kv() { "$MILLRACE_BIN/$1" -S "$url" "${@:2}"; }

  # Puts, then the table as the aws CLI sees it: every line, by key.
  expect_status 0 "put orders" kv kv-put -t orders -k user --sort-key ts --create --key-type string --sort-key-type number orders.jsonl
  n=$(aws --endpoint-url "$url" dynamodb scan --table-name orders --select COUNT | jq .Count)
  assert_eq 60 "$n" "$url: the aws CLI counts every item"
  typed_get "$url" orders '{"user":{"S":"u1"},"ts":{"N":"4"}}' >got
  jq -S -c 'select(.user == "u1" and .ts == 4)' orders.jsonl >want
  same_file want got "$url: an item as the aws CLI reads it"

  # GetItem: the line put; a key with no item is exit 1 and nothing.
  expect_status 0 "get" kv kv-get -t orders u2 5
  canon "$TMP/out" >got
  jq -S -c 'select(.user == "u2" and .ts == 5)' orders.jsonl >want
  same_file want got "$url: GetItem gives the line"
  expect_status 1 "get a missing item" kv kv-get -t orders u2 6
  assert_eq 0 "$(count_lines "$TMP/out")" "$url: no item, no line"

  # Query with a sort condition, descending, 4 items.
  expect_status 0 "query" kv kv-get -t orders --query u1 --gt 10 --reverse --limit 4
  canon "$TMP/out" >got
  jq -s -S -c 'map(select(.user == "u1" and .ts > 10)) | sort_by(-.ts) | .[:4] | .[]' orders.jsonl >want
  same_file want got "$url: --query --gt --reverse --limit"
  expect_status 0 "query between" kv kv-get -t orders --query u0 --between 9 30
  canon "$TMP/out" >got
  jq -s -S -c 'map(select(.user == "u0" and .ts >= 9 and .ts <= 30)) | sort_by(.ts) | .[]' orders.jsonl >want
  same_file want got "$url: --query --between, ascending"
  n=$(aws --endpoint-url "$url" dynamodb query --table-name orders --key-condition-expression '#u = :u AND ts BETWEEN :a AND :b' \
    --expression-attribute-names '{"#u":"user"}' --expression-attribute-values '{":u":{"S":"u0"},":a":{"N":"9"},":b":{"N":"30"}}' |
    jq .Count)
  assert_eq "$(count_lines want)" "$n" "$url: the aws CLI's Query agrees"

  # Scan with --where (evaluated as locally), in any order; with --limit, that many of them.
  expect_status 0 "scan --where" kv kv-get -t orders --scan --where 'amount >= 300 and tag in ("t1", "t2")'
  canon "$TMP/out" >got
  jq -S -c 'select(.amount >= 300 and (.tag == "t1" or .tag == "t2"))' orders.jsonl >want
  same_sorted want got "$url: --scan --where"
  expect_status 0 "scan --where --limit" kv kv-get -t orders --scan --where 'tag = "t3"' --limit 5
  assert_eq 5 "$(count_lines "$TMP/out")" "$url: --limit counts the items that satisfy --where"
  assert_eq 5 "$(jq -r .tag "$TMP/out" | grep -c '^t3$')" "$url: each satisfies --where"

  # Updates: SET, ADD and REMOVE onto the stored item (u0/3: amount 30, tag t3).
  echo '{"user":"u0","ts":3,"extra":"yes","note":"changed"}' | kv kv-put -t orders --merge || fail "$url: --merge"
  echo '{"user":"u0","ts":3,"amount":7}' | kv kv-put -t orders --add amount || fail "$url: --add"
  echo '{"user":"u0","ts":3}' | kv kv-put -t orders --merge --remove tag || fail "$url: --remove"
  typed_get "$url" orders '{"user":{"S":"u0"},"ts":{"N":"3"}}' >got
  jq -S -c 'select(.user == "u0" and .ts == 3) | .extra = "yes" | .note = "changed" | .amount += 7 | del(.tag)' orders.jsonl >want
  same_file want got "$url: --merge, --add, --remove"
  echo '{"user":"u9","ts":1,"amount":5}' | kv kv-put -t orders --add amount || fail "$url: --add to no item"
  typed_get "$url" orders '{"user":{"S":"u9"},"ts":{"N":"1"}}' >got
  assert_eq '{"amount":5,"ts":1,"user":"u9"}' "$(cat got)" "$url: --add starts from 0"

  # --if-absent: the stored items stay as they are; the new one is written.
  printf '%s\n' '{"user":"u1","ts":1,"amount":-1}' '{"user":"u1","ts":100,"amount":-1}' '{"user":"u1","ts":4,"amount":-1}' >absent.jsonl
  expect_status 0 "--if-absent" kv kv-put -t orders --if-absent -v absent.jsonl
  expect_stderr_match '1 items written, 0 deleted, 2 not written' "$url: two refused"
  typed_get "$url" orders '{"user":{"S":"u1"},"ts":{"N":"1"}}' >got
  jq -S -c 'select(.user == "u1" and .ts == 1)' orders.jsonl >want
  same_file want got "$url: a refused line leaves the item"
  assert_eq -1 "$(typed_get "$url" orders '{"user":{"S":"u1"},"ts":{"N":"100"}}' | jq .amount)" "$url: an absent key is written"

  # --if on the stored item, with --delete: the u2 orders of amount below 200 go.
  jq -c 'select(.user == "u2") | {user, ts}' orders.jsonl >u2.keys
  expect_status 0 "--if --delete" kv kv-put -t orders --delete --if 'amount < 200 and not (tag = "none")' u2.keys
  expect_status 0 "query u2" kv kv-get -t orders --query u2
  canon "$TMP/out" >got
  jq -S -c 'select(.user == "u2" and .amount >= 200)' orders.jsonl >want
  same_file want got "$url: --if ... --delete removed exactly the items it holds for"
  # Plain --delete, batched.
  jq -c 'select(.user == "u0") | {user, ts}' orders.jsonl | kv kv-put -t orders --delete || fail "$url: --delete"
  n=$(aws --endpoint-url "$url" dynamodb query --table-name orders --key-condition-expression '#u = :u' \
    --expression-attribute-names '{"#u":"user"}' --expression-attribute-values '{":u":{"S":"u0"}}' | jq .Count)
  assert_eq 0 "$n" "$url: --delete removed u0's items"

  # More than 25 lines with repeated keys: each key's last line.
  expect_status 0 "put dups" kv kv-put -t dups -k id --create dups.jsonl
  aws --endpoint-url "$url" dynamodb scan --table-name dups | jq -c '.Items[] | {id: .id.S, v: (.v.N | tonumber)}' >got
  jq -s -c 'group_by(.id) | map(last) | .[]' dups.jsonl >want
  same_sorted want got "$url: BatchWriteItem keeps each key's last line"

  # Tables: listed, described.
  expect_status 0 "list" kv kv-get --list
  assert_eq '{"TableName":"dups"}{"TableName":"orders"}' "$(tr -d '\n' <"$TMP/out")" "$url: --list"
  expect_status 0 "describe" kv kv-get --describe orders
  assert_eq '[{"AttributeName":"user","KeyType":"HASH"},{"AttributeName":"ts","KeyType":"RANGE"}]' \
    "$(jq -c .KeySchema "$TMP/out")" "$url: --describe's key schema"

  # Errors: a missing table (66), an --if DynamoDB cannot evaluate the same way (69, nothing written).
  expect_status 66 "a missing table" kv kv-put -t missing -k id <<<'{"id":"a"}'
  expect_status 66 "a missing table, read" kv kv-get -t missing --scan
  expect_status 69 "--if comparing two attributes" kv kv-put -t dups --if 'v = id' <<<'{"id":"new","v":1}'
  expect_stderr_match 'compares two attributes.*DynamoDB endpoint' "$url: the reason"
  assert_eq '{}' "$(typed_get "$url" dups '{"id":{"S":"new"}}')" "$url: nothing written"

  # --emit changes: the old image is the service's (ReturnValues ALL_OLD); an unchanged item, none.
  printf '%s\n' '{"id":"e1","v":1}' '{"id":"e1","v":2}' '{"id":"e1","v":2}' '{"id":"e2","v":3}' >emit.jsonl
  expect_status 0 "--emit changes" kv kv-put -t emits -k id --create --emit changes emit.jsonl
  jq -c '[.eventName, .Keys.id, .OldImage.v, .NewImage.v, .SequenceNumber]' "$TMP/out" >got
  printf '%s\n' '["INSERT","e1",null,1,"00000000000000000001"]' '["MODIFY","e1",1,2,"00000000000000000002"]' \
    '["INSERT","e2",null,3,"00000000000000000003"]' >want
  same_file want got "$url: --emit changes of puts"
  expect_status 0 "--emit changes of deletes" kv kv-put -t emits --delete --emit changes <<<'{"id":"e1"}'
  assert_eq '["REMOVE",2]' "$(jq -c '[.eventName, .OldImage.v]' "$TMP/out")" "$url: --emit changes of a delete"
  # --ttl: UpdateTimeToLive; an item past its time is not read, as locally, while the service
  # still holds it (it deletes expired items within days).
  printf '%s\n' '{"id":"past","exp":1000}' '{"id":"future","exp":4000000000}' '{"id":"never"}' >ttl.jsonl
  expect_status 0 "--ttl" kv kv-put -t ttls -k id --create --ttl exp ttl.jsonl
  assert_eq exp "$(aws --endpoint-url "$url" dynamodb describe-time-to-live --table-name ttls |
    jq -r .TimeToLiveDescription.AttributeName)" "$url: the aws CLI sees the TTL attribute"
  expect_status 0 "scan with a TTL" kv kv-get -t ttls --scan
  assert_eq 'future never' "$(jq -r .id "$TMP/out" | sort | tr '\n' ' ' | sed 's/ $//')" "$url: no expired item read"
  expect_status 1 "get an expired item" kv kv-get -t ttls past
  expect_status 69 "--emit changes with --merge" kv kv-put -t emits --merge --emit changes <<<'{"id":"e2","v":4}'
done

# Failures (gw-serve behind tests/tools/aws_fault_proxy.py): BatchWriteItem answered with
# UnprocessedItems three times and throttled twice loses nothing and keeps each key's last line;
# an endpoint that never recovers is exit 75 after AWS_MAX_ATTEMPTS attempts.
start_fault_proxy "$GW_URL" --partial 3 --throttle 2 --only BatchWriteItem
expect_status 0 "put through UnprocessedItems" "$MILLRACE_BIN/kv-put" -S "$PROXY_URL" -t partial -k id --create dups.jsonl
aws --endpoint-url "$GW_URL" dynamodb scan --table-name partial | jq -c '.Items[] | {id: .id.S, v: (.v.N | tonumber)}' >got
jq -s -c 'group_by(.id) | map(last) | .[]' dups.jsonl >want
same_sorted want got "UnprocessedItems sent again, each key's last line kept"
assert_eq 3 "$(grep -c 'BatchWriteItem partial' "$TMP/proxy.log")" "BatchWriteItem answered with UnprocessedItems"
assert_eq 2 "$(grep -c 'BatchWriteItem throttled' "$TMP/proxy.log")" "BatchWriteItem throttled"
start_fault_proxy "$GW_URL" --forever --only BatchWriteItem
AWS_MAX_ATTEMPTS=3 expect_status 75 "an endpoint that never recovers" "$MILLRACE_BIN/kv-put" -S "$PROXY_URL" -t partial dups.jsonl
expect_stderr_match 'BatchWriteItem.*3 attempts' "the attempts are named"
