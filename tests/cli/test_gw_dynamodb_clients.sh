#!/usr/bin/env bash
# Behaviour: the DynamoDB clients work unchanged against gw-serve, and kv-get reads what they
# wrote. The aws CLI v2: create-table, put-item, get-item, batch-write-item, query (by the
# legacy --key-conditions), describe-table, list-tables, update-item with an expression and a
# condition, transact-write-items (applied, then cancelled whole), scan --filter-expression. boto3's resource layer, as tutorials
# write it: Table.put_item with Decimal numbers, a set and bytes, batch_writer (which sends
# BatchWriteItem of 25), get_item. kv-get then gives each item in the plain form millrace(7)
# documents: sets as {"$SS": …}, binary as {"$B": base64}, numbers as DynamoDB writes them.
source "$(dirname "$0")/common.sh"
need_tool /usr/bin/aws
cd "$TMP"
/usr/bin/python3 -c 'import boto3' 2>/dev/null || fail "python3-boto3 is not installed"
start_gateway
ddb() { /usr/bin/aws --endpoint-url "$GW_URL" --output json dynamodb "$@"; }

# ---- the aws CLI ------------------------------------------------------------------------------
ddb create-table --table-name UnicornSensorData \
  --attribute-definitions AttributeName=Name,AttributeType=S AttributeName=StatusTime,AttributeType=S \
  --key-schema AttributeName=Name,KeyType=HASH AttributeName=StatusTime,KeyType=RANGE \
  --billing-mode PAY_PER_REQUEST >created.json || fail "create-table"
assert_eq ACTIVE "$(jq -r .TableDescription.TableStatus created.json)" "the table's status"
ddb put-item --table-name UnicornSensorData --item \
  '{"Name":{"S":"Shadowfax"},"StatusTime":{"S":"2024-03-01T12:00:00Z"},"HealthPoints":{"N":"150"},"Tags":{"SS":["fast","white"]}}' ||
  fail "put-item"
ddb get-item --table-name UnicornSensorData --key '{"Name":{"S":"Shadowfax"},"StatusTime":{"S":"2024-03-01T12:00:00Z"}}' >got.json ||
  fail "get-item"
assert_eq 150 "$(jq -r .Item.HealthPoints.N got.json)" "get-item's HealthPoints"

# batch-write-item: the sample's first 25 rides, typed here with jq (numbers as the JSON wrote them).
wildrydes_sample rides.jsonl
head -n 25 rides.jsonl | jq -c '{PutRequest: {Item: (to_entries | map({key, value: (if (.value | type) == "number"
  then {N: (.value | tostring)} else {S: .value} end)}) | from_entries)}}' | jq -s '{UnicornSensorData: .}' >batch.json
ddb batch-write-item --request-items file://batch.json >written.json || fail "batch-write-item"
assert_eq '{}' "$(jq -c .UnprocessedItems written.json)" "UnprocessedItems"
name=$(head -n 1 rides.jsonl | jq -r .Name)
ddb query --table-name UnicornSensorData \
  --key-conditions "{\"Name\":{\"AttributeValueList\":[{\"S\":\"$name\"}],\"ComparisonOperator\":\"EQ\"}}" >query.json || fail "query"
head -n 25 rides.jsonl | jq -r --arg n "$name" 'select(.Name == $n) | .StatusTime' | sort >want.times
jq -r '.Items[].StatusTime.S' query.json >got.times
same_file want.times got.times "the query's items, by sort key"
assert_eq 26 "$(ddb describe-table --table-name UnicornSensorData | jq .Table.ItemCount)" "ItemCount"
assert_eq '["UnicornSensorData"]' "$(ddb list-tables | jq -c .TableNames)" "list-tables"

# kv-get reads what the CLI wrote: the rides, each number as DynamoDB writes it (no trailing
# zero: 47.648400 is 47.6484), which is also how jq writes the numbers it reads.
kvget -t UnicornSensorData --scan >scan.jsonl || fail "kv-get --scan"
grep -v Shadowfax scan.jsonl | sort >got.rides
head -n 25 rides.jsonl | jq -c . | sort >want.rides
same_file want.rides got.rides "kv-get's items of the CLI's batch-write-item"
assert_eq '{"Name":"Shadowfax","StatusTime":"2024-03-01T12:00:00Z","HealthPoints":150,"Tags":{"$SS":["fast","white"]}}' \
  "$(kvget -t UnicornSensorData Shadowfax 2024-03-01T12:00:00Z)" "kv-get of the CLI's put-item"

# create-table with a global secondary index, and query --index-name: the rides of one unicorn
# by time, newest first, from a table keyed by ride id. The index projects KEYS_ONLY, so each
# item has the table's key and the index's, not Fare.
ddb create-table --table-name Trips \
  --attribute-definitions AttributeName=Id,AttributeType=S AttributeName=Unicorn,AttributeType=S AttributeName=At,AttributeType=N \
  --key-schema AttributeName=Id,KeyType=HASH --billing-mode PAY_PER_REQUEST \
  --global-secondary-indexes 'IndexName=by_unicorn,KeySchema=[{AttributeName=Unicorn,KeyType=HASH},{AttributeName=At,KeyType=RANGE}],Projection={ProjectionType=KEYS_ONLY}' \
  >trips.json || fail "create-table with a GSI"
assert_eq '"by_unicorn" "ACTIVE"' "$(jq -r '.TableDescription.GlobalSecondaryIndexes[0] | "\(.IndexName|tojson) \(.IndexStatus|tojson)"' trips.json)" \
  "the index's description"
trips=(t1:Rocinante:30 t2:Bucephalus:20 t3:Rocinante:10 t4:Bucephalus:40 t5:Bucephalus:5 t6:Shadowfax:1)
for trip in "${trips[@]}"; do
  IFS=: read -r id unicorn at <<<"$trip"
  ddb put-item --table-name Trips --item "{\"Id\":{\"S\":\"$id\"},\"Unicorn\":{\"S\":\"$unicorn\"},\"At\":{\"N\":\"$at\"},\"Fare\":{\"N\":\"7\"}}" ||
    fail "put-item $id"
done
ddb query --table-name Trips --index-name by_unicorn --no-scan-index-forward \
  --key-conditions '{"Unicorn":{"AttributeValueList":[{"S":"Bucephalus"}],"ComparisonOperator":"EQ"}}' >by_unicorn.json ||
  fail "query --index-name"
# Bucephalus's trips are t2 (20), t4 (40), t5 (5): newest first, t4, t2, t5.
assert_eq 't4 40,t2 20,t5 5' "$(jq -r '[.Items[] | "\(.Id.S) \(.At.N)"] | join(",")' by_unicorn.json)" "the index's items, newest first"
assert_eq 'null' "$(jq -c '[.Items[].Fare] | first' by_unicorn.json)" "KEYS_ONLY leaves Fare out"
assert_eq 6 "$(ddb describe-table --table-name Trips | jq '.Table.GlobalSecondaryIndexes[0].ItemCount')" "the index's ItemCount: every trip has Unicorn and At"
assert_eq 't5 t2 t4' "$(kvget -t Trips --index by_unicorn --query Bucephalus | jq -r .Id | xargs)" "kv-get --index of the CLI's items"
# The same index by KeyConditionExpression: Bucephalus's trips after 10, oldest first (t2 20, t4 40).
ddb query --table-name Trips --index-name by_unicorn --key-condition-expression 'Unicorn = :u AND #at > :t' \
  --expression-attribute-names '{"#at":"At"}' --expression-attribute-values '{":u":{"S":"Bucephalus"},":t":{"N":"10"}}' >by_expression.json ||
  fail "query --index-name --key-condition-expression"
assert_eq 't2 20,t4 40' "$(jq -r '[.Items[] | "\(.Id.S) \(.At.N)"] | join(",")' by_expression.json)" "the index's items by an expression"
# ---- the aws CLI's expressions and transactions ------------------------------------------------
shadowfax='{"Name":{"S":"Shadowfax"},"StatusTime":{"S":"2024-03-01T12:00:00Z"}}'
# update-item: 150 - 30 = 120 under the condition 150 > 100, the set gaining a member.
ddb update-item --table-name UnicornSensorData --key "$shadowfax" \
  --update-expression 'SET HealthPoints = HealthPoints - :d ADD Tags :t' --condition-expression 'HealthPoints > :min' \
  --expression-attribute-values '{":d":{"N":"30"},":t":{"SS":["brave"]},":min":{"N":"100"}}' --return-values UPDATED_NEW >updated.json ||
  fail "update-item with an expression"
assert_eq 120 "$(jq -r .Attributes.HealthPoints.N updated.json)" "update-item's UPDATED_NEW HealthPoints"
assert_eq '["brave","fast","white"]' "$(jq -c '.Attributes.Tags.SS | sort' updated.json)" "update-item's UPDATED_NEW Tags"
# The same condition no longer holds once 120 - 30 would go below: 120 > 150 is false.
if ddb update-item --table-name UnicornSensorData --key "$shadowfax" --update-expression 'SET HealthPoints = :z' \
  --condition-expression 'HealthPoints > :min' --expression-attribute-values '{":z":{"N":"0"},":min":{"N":"150"}}' 2>refused.err; then
  fail "update-item succeeded against a condition that does not hold"
fi
grep -q ConditionalCheckFailedException refused.err || fail "update-item's failed condition: $(cat refused.err)"
assert_eq 120 "$(ddb get-item --table-name UnicornSensorData --key "$shadowfax" | jq -r .Item.HealthPoints.N)" "HealthPoints after the refused update"

# transact-write-items: a put, an update and a condition, all applied; then one cancelled whole.
# The condition is on the first ride: its HealthPoints as the sample has them.
ride=$(head -n 1 rides.jsonl | jq -c '{Name: {S: .Name}, StatusTime: {S: .StatusTime}}')
hp=$(head -n 1 rides.jsonl | jq -r .HealthPoints)
cat >transaction.json <<JSON
[{"Put":{"TableName":"UnicornSensorData","Item":{"Name":{"S":"Bucephalus"},"StatusTime":{"S":"2024-03-02T00:00:00Z"},"HealthPoints":{"N":"90"}},
         "ConditionExpression":"attribute_not_exists(#n)","ExpressionAttributeNames":{"#n":"Name"}}},
 {"Update":{"TableName":"UnicornSensorData","Key":{"Name":{"S":"Shadowfax"},"StatusTime":{"S":"2024-03-01T12:00:00Z"}},
            "UpdateExpression":"SET HealthPoints = HealthPoints + :ten","ExpressionAttributeValues":{":ten":{"N":"10"}}}},
 {"ConditionCheck":{"TableName":"UnicornSensorData","Key":$ride,
                    "ConditionExpression":"HealthPoints = :hp","ExpressionAttributeValues":{":hp":{"N":"$hp"}}}}]
JSON
ddb transact-write-items --transact-items file://transaction.json || fail "transact-write-items"
assert_eq 130 "$(ddb get-item --table-name UnicornSensorData --key "$shadowfax" | jq -r .Item.HealthPoints.N)" "the transaction's update"
assert_eq 90 "$(ddb get-item --table-name UnicornSensorData --key '{"Name":{"S":"Bucephalus"},"StatusTime":{"S":"2024-03-02T00:00:00Z"}}' |
  jq -r .Item.HealthPoints.N)" "the transaction's put"
# Again: Bucephalus exists now, so its put's condition fails, and the update is not applied either.
if ddb transact-write-items --transact-items file://transaction.json 2>cancelled.err; then
  fail "transact-write-items succeeded against a condition that does not hold"
fi
grep -q TransactionCanceledException cancelled.err || fail "the cancelled transaction: $(cat cancelled.err)"
grep -q 'ConditionalCheckFailed, None, None' cancelled.err || fail "the cancellation reasons, in order: $(cat cancelled.err)"
assert_eq 130 "$(ddb get-item --table-name UnicornSensorData --key "$shadowfax" | jq -r .Item.HealthPoints.N)" "no update of a cancelled transaction"

# scan --filter-expression: the rides with HealthPoints under 150 and MagicPoints present, as jq
# selects them from the sample; ScannedCount is every item (the 25 rides, Shadowfax, Bucephalus).
ddb scan --table-name UnicornSensorData --filter-expression 'HealthPoints < :h AND attribute_exists(MagicPoints)' \
  --expression-attribute-values '{":h":{"N":"150"}}' --projection-expression '#n, StatusTime' \
  --expression-attribute-names '{"#n":"Name"}' >filtered.json || fail "scan --filter-expression"
head -n 25 rides.jsonl | jq -c 'select(.HealthPoints < 150) | {Name, StatusTime}' | sort >want.filtered
jq -c '.Items[] | {Name: .Name.S, StatusTime: .StatusTime.S}' filtered.json | sort >got.filtered
same_file want.filtered got.filtered "scan's filtered and projected items"
assert_eq 27 "$(jq .ScannedCount filtered.json)" "scan's ScannedCount"
assert_eq "$(count_lines want.filtered)" "$(jq .Count filtered.json)" "scan's Count"

# ---- boto3's resource layer -------------------------------------------------------------------
cat >resource.py <<'PY'
import sys
from decimal import Decimal
import boto3

dynamodb = boto3.resource("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1")
table = dynamodb.create_table(TableName="Rides", KeySchema=[{"AttributeName": "Name", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "Name", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
table.wait_until_exists()
table.put_item(Item={"Name": "Rocinante", "Distance": Decimal("13.50"), "Colours": {"red", "gold"}, "Badge": b"\x00\xff"})
with table.batch_writer() as batch:
    for i in range(60):
        batch.put_item(Item={"Name": f"unicorn-{i:02d}", "Magic": i})
item = table.get_item(Key={"Name": "Rocinante"})["Item"]
assert item["Distance"] == Decimal("13.5") and item["Colours"] == {"red", "gold"} and item["Badge"].value == b"\x00\xff", item
assert table.get_item(Key={"Name": "unicorn-42"})["Item"] == {"Name": "unicorn-42", "Magic": 42}
assert table.item_count == 61
PY
/usr/bin/python3 resource.py "$GW_URL" || fail "boto3's resource layer"
kvget -t Rides --scan >rides.out || fail "kv-get --scan of boto3's table"
assert_eq 61 "$(count_lines rides.out)" "the items boto3 put"
for i in $(seq -w 0 59); do printf '{"Name":"unicorn-%s","Magic":%d}\n' "$i" "$((10#$i))"; done >want.unicorns
grep unicorn- rides.out >got.unicorns
same_file want.unicorns got.unicorns "the batch_writer's items, as kv-get reads them"
# A set's members in the order boto3 sent them (a Python set's), so compared as a set.
got=$(kvget -t Rides Rocinante)
assert_eq '{"Badge":{"$B":"AP8="},"Colours":["gold","red"],"Distance":13.5,"Name":"Rocinante"}' \
  "$(jq -cS '.Colours = (.Colours["$SS"] | sort)' <<<"$got")" "kv-get of boto3's put_item: binary in base64, a set, 13.50 as 13.5"
