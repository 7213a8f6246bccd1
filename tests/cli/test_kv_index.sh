#!/usr/bin/env bash
# Behaviour: a secondary index made through gw-serve is kept by kv-put's writes in their own
# commits: a Query of the index over the DynamoDB API (the aws CLI) and kv-get --index see each
# put, each overwrite that moves an item to another index key, and each delete, at once; an
# item without the index's key is not in it; one whose index key has the wrong type is refused
# (65), as DynamoDB refuses it. Expected items are written out from the input below.
source "$(dirname "$0")/common.sh"
need_tool /usr/bin/aws
cd "$TMP"
start_gateway
ddb() { /usr/bin/aws --endpoint-url "$GW_URL" --output json dynamodb "$@"; }

ddb create-table --table-name Fleet --billing-mode PAY_PER_REQUEST \
  --attribute-definitions AttributeName=Id,AttributeType=S AttributeName=City,AttributeType=S AttributeName=Score,AttributeType=N \
  --key-schema AttributeName=Id,KeyType=HASH \
  --global-secondary-indexes 'IndexName=by_city,KeySchema=[{AttributeName=City,KeyType=HASH},{AttributeName=Score,KeyType=RANGE}],Projection={ProjectionType=INCLUDE,NonKeyAttributes=[Owner]}' \
  >/dev/null || fail "create-table"

cat >first.jsonl <<'JSON'
{"Id":"a","City":"Oslo","Score":3,"Owner":"x","Note":"not projected"}
{"Id":"b","City":"Oslo","Score":1,"Owner":"y"}
{"Id":"c","City":"Rome","Score":2}
{"Id":"d","Score":9}
JSON
kvput -t Fleet first.jsonl || fail "kv-put"
# Oslo by Score: b (1), a (3); the projection: the keys, City, Score and Owner, in the item's order.
printf '%s\n' '{"Id":"b","City":"Oslo","Score":1,"Owner":"y"}' '{"Id":"a","City":"Oslo","Score":3,"Owner":"x"}' >want
kvget -t Fleet --index by_city --query Oslo >got || fail "kv-get --index --query"
same_file want got "kv-get --index of kv-put's items"
query_ids() { # CITY [OPTION...]: the Ids a Query of by_city gives over the API, in order
  local city=$1
  shift
  ddb query --table-name Fleet --index-name by_city "$@" \
    --key-conditions "{\"City\":{\"AttributeValueList\":[{\"S\":\"$city\"}],\"ComparisonOperator\":\"EQ\"}}" | jq -r '[.Items[].Id.S] | join(" ")'
}
assert_eq "b a" "$(query_ids Oslo)" "a Query of the index over the API"
assert_eq "a b" "$(query_ids Oslo --no-scan-index-forward)" "ScanIndexForward false"
assert_eq "c" "$(query_ids Rome)" "Rome"

# c moves to Oslo (between b and a), b is deleted; d, without City, is in no index.
echo '{"Id":"c","City":"Oslo","Score":2}' | kvput -t Fleet || fail "kv-put of the move"
echo '{"Id":"b"}' | kvput -t Fleet --delete || fail "kv-put --delete"
assert_eq "c a" "$(query_ids Oslo)" "the index after the move and the delete"
assert_eq "" "$(query_ids Rome)" "c left Rome"
assert_eq "c a" "$(kvget -t Fleet --index by_city --query Oslo | jq -r .Id | xargs)" "kv-get --index after them"
assert_eq "a c" "$(kvget -t Fleet --index by_city --scan | jq -r .Id | sort | xargs)" "kv-get --index --scan: d is not in the index"
assert_eq 2 "$(ddb describe-table --table-name Fleet | jq '.Table.GlobalSecondaryIndexes[0].ItemCount')" "the index's ItemCount"

# An index key of the wrong type is refused, and nothing of the line is written.
echo '{"Id":"e","City":5,"Score":1}' >wrong.jsonl
expect_status 65 "a wrong index key type" kvput -t Fleet wrong.jsonl
expect_stderr_match 'index by_city: key attribute City is not a string' "the error names the index"
expect_status 1 "the refused item was not written" kvget -t Fleet e
expect_status 64 "an index the table does not have" kvget -t Fleet --index nope --query Oslo
