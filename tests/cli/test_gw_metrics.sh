#!/usr/bin/env bash
# Behaviour: gw-serve records every request it answers (AWS/ApiGateway Count, 4XXError, 5XXError
# and Latency by Operation) and its DynamoDB reads (ConsumedReadCapacityUnits counted as DynamoDB
# counts them, ReturnedItemCount, SuccessfulRequestLatency), without a commit of their own: kept
# in memory, written every 5 seconds, before a read of the metrics and when gw-serve ends on
# SIGTERM. A known workload by boto3 and curl -- N PutRecord, 3 to a stream that is not there,
# GetItem of keys of which some are missing, eventually and strongly consistent, a Scan, a
# TransactGetItems, the item route, a request of no route -- gives exactly the counts and the
# units that this script computes from the items it wrote (DynamoDB's item sizes, worked out
# here). kv-get reads and records nothing. `ks-shard describe` and `kv-get --describe` draw the
# last hour of writes made at known minutes (MILLRACE_NOW) as sparklines on a terminal (a
# pseudo-terminal), and nothing of it into a pipe.
source "$(dirname "$0")/common.sh"
need_tool curl /usr/bin/aws /usr/bin/python3
cd "$TMP"
/usr/bin/python3 -c 'import boto3' 2>/dev/null || fail "python3-boto3 is not installed"
stats() { "$MILLRACE_BIN/cw-stats" -S "$STORE" "$@"; }
# hour STAT ARGS...: the statistic over 10:00 to 11:00 of the one metric ARGS select, 0 without one.
hour() {
  local stat=$1
  shift
  stats --since 2026-11-23T10:00:00Z --until 2026-11-23T11:00:00Z --period 1h --stat "$stat" "$@" >hour.out 2>hour.err ||
    { grep -q 'no metric' hour.err && echo 0 && return; fail "cw-stats $*: $(cat hour.err)"; }
  jq -s --arg s "$stat" 'map(.[$s]) | add // 0' hour.out
}
api() { hour "$1" --namespace AWS/ApiGateway --metric "$2" --dimension ApiName=gw-serve "${@:3}"; }
operation() { api "$1" "$2" --dimension Operation="$3"; }
dynamodb() { hour "$1" --namespace AWS/DynamoDB --metric "$2" --dimension TableName=items "${@:3}"; }

# ---- the writes, at known minutes ---------------------------------------------------------------
# Items k1..k20 of a pad of 700 * i bytes: DynamoDB's size is that of the names and the values,
# "id" + "kI" + "pad" + the pad.
/usr/bin/python3 -c 'import json
for i in range(1, 21): print(json.dumps({"id": f"k{i}", "pad": "x" * 700 * i}, separators=(",", ":")))' >items.jsonl
MILLRACE_NOW=2026-11-23T10:10:00Z kvput -t items -k id --create -q items.jsonl || fail "kv-put items"
shard create rides --shards 2 >/dev/null
shard create tick >/dev/null
printf '{"n":%d}\n' 1 2 3 | MILLRACE_NOW=2026-11-23T10:00:10Z put -s tick || fail "ks-put at 10:00"
printf '{"n":%d}\n' 1 2 3 4 | MILLRACE_NOW=2026-11-23T10:01:50Z put -s tick || fail "ks-put at 10:01"
printf '{"n":%d}\n' 1 2 3 4 5 | MILLRACE_NOW=2026-11-23T10:05:00Z put -s tick || fail "ks-put at 10:05"
printf '{"n":%d}\n' 1 2 3 4 5 6 7 8 | MILLRACE_NOW=2026-11-23T10:20:00Z put -s tick || fail "ks-put at 10:20"

# ---- the workload through gw-serve, at 10:20 ------------------------------------------------
export MILLRACE_NOW=2026-11-23T10:20:00Z
start_gateway
N=40
cat >workload.py <<'PY'
import sys
import boto3
from botocore.exceptions import ClientError

endpoint, n = sys.argv[1], int(sys.argv[2])
kinesis = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1")
dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")

def refused(call, **args):
    try:
        call(**args)
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.response
        return
    raise AssertionError(f"{call.__name__} was not refused")

for i in range(n):
    kinesis.put_record(StreamName="rides", Data=f'{{"i":{i}}}'.encode(), PartitionKey=str(i))
for _ in range(3):
    refused(kinesis.put_record, StreamName="nowhere", Data=b"{}", PartitionKey="p")
# GetItem of k1..k25 (k21..k25 are not there), the odd ones strongly consistent.
for i in range(1, 26):
    dynamodb.get_item(TableName="items", Key={"id": {"S": f"k{i}"}}, ConsistentRead=i % 2 == 1)
for _ in range(2):
    refused(dynamodb.get_item, TableName="missing", Key={"id": {"S": "k1"}})
scanned = dynamodb.scan(TableName="items")
assert scanned["Count"] == 20, scanned["Count"]
got = dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": "items", "Key": {"id": {"S": "k3"}}}},
                                                {"Get": {"TableName": "items", "Key": {"id": {"S": "k99"}}}}])
assert "Item" in got["Responses"][0] and "Item" not in got["Responses"][1], got
PY
/usr/bin/python3 workload.py "$GW_URL" "$N" || fail "the boto3 workload"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$GW_URL/tables/items/items/k2")" "the item route's k2"
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$GW_URL/tables/items/items/k98")" "the item route's missing key"
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$GW_URL/nowhere")" "no route"
requests=$((N + 3 + 25 + 2 + 1 + 1 + 2 + 1))

# The units, as DynamoDB counts them: a read unit per 4 KB of an item (a missing item as one
# byte), half when eventually consistent, twice in a transaction; a Scan the units of all the
# bytes it read. The item route reads as an eventually consistent GetItem.
want_units=$(/usr/bin/python3 - <<'PY'
import math
size = {f"k{i}": 2 + len(f"k{i}") + 3 + 700 * i for i in range(1, 21)}
def units(key, factor):
    return math.ceil(max(size.get(key, 0), 1) / 4096) * factor
total = sum(units(f"k{i}", 1 if i % 2 else 0.5) for i in range(1, 26))  # GetItem
total += math.ceil(sum(size.values()) / 4096) * 0.5                      # Scan
total += units("k3", 2) + units("k99", 2)                                # TransactGetItems
total += units("k2", 0.5) + units("k98", 0.5)                            # the item route
print(f"{total:g}")
PY
)

# ---- written every 5 seconds, while gw-serve runs -----------------------------------------
for ((i = 0; i < 40; i++)); do
  [[ $(operation Sum Count Kinesis_20131202.PutRecord) == $((N + 3)) ]] && break
  sleep 0.25
done
assert_eq $((N + 3)) "$(operation Sum Count Kinesis_20131202.PutRecord)" "PutRecord's Count, written within 10 s without a read"
assert_eq 3 "$(operation Sum 4XXError Kinesis_20131202.PutRecord)" "PutRecord's 4XXError"
assert_eq 0 "$(operation Sum 5XXError Kinesis_20131202.PutRecord)" "PutRecord's 5XXError"
assert_eq $((N + 3)) "$(operation SampleCount Latency Kinesis_20131202.PutRecord)" "a Latency per PutRecord"

# ---- GET /metrics and GetMetricData see every request answered before them -------------------
curl -sS "$GW_URL/metrics" >metrics.txt || fail "GET /metrics"
command -v promtool >/dev/null && { promtool check metrics <metrics.txt || fail "promtool: $(cat metrics.txt)"; }
counter() { awk -v k="$1" 'index($0, k " ") == 1 { print $NF }' metrics.txt; }  # a label may hold a space
assert_eq "$requests" "$(counter 'aws_apigateway_count_total{api_name="gw-serve"}')" "every request, in the scrape"
assert_eq $((3 + 2 + 1 + 1)) "$(counter 'aws_apigateway_4_xx_error_total{api_name="gw-serve"}')" "every 4XX, in the scrape"
assert_eq 27 "$(counter 'aws_apigateway_count_total{api_name="gw-serve",operation="DynamoDB_20120810.GetItem"}')" "GetItem's Count"
assert_eq 2 "$(counter 'aws_apigateway_4_xx_error_total{api_name="gw-serve",operation="DynamoDB_20120810.GetItem"}')" "GetItem's 4XX"
assert_eq 2 "$(counter 'aws_apigateway_count_total{api_name="gw-serve",operation="GET /tables/{TableName}/items/{Key+}"}')" \
  "the item route's Count"
assert_eq "$want_units" "$(counter 'aws_dynamodb_consumed_read_capacity_units_total{table_name="items"}')" \
  "ConsumedReadCapacityUnits, in the scrape"
# Of the GetItems: 20 of the API's 25 found, 1 of the route's 2.
assert_eq 21 "$(counter 'aws_dynamodb_returned_item_count_total{operation="GetItem",table_name="items"}')" "GetItem's items"
assert_eq 20 "$(counter 'aws_dynamodb_returned_item_count_total{operation="Scan",table_name="items"}')" "the Scan's items"
assert_eq 1 "$(counter 'aws_dynamodb_returned_item_count_total{operation="TransactGetItems",table_name="items"}')" \
  "the transaction's items"
cw() { /usr/bin/aws --endpoint-url "$GW_URL" --output json cloudwatch "$@"; }
query='[{"Id":"c","MetricStat":{"Metric":{"Namespace":"AWS/ApiGateway","MetricName":"Count","Dimensions":
  [{"Name":"ApiName","Value":"gw-serve"},{"Name":"Operation","Value":"Kinesis_20131202.PutRecord"}]},"Period":3600,"Stat":"Sum"}},
  {"Id":"u","MetricStat":{"Metric":{"Namespace":"AWS/DynamoDB","MetricName":"ConsumedReadCapacityUnits","Dimensions":
  [{"Name":"TableName","Value":"items"}]},"Period":3600,"Stat":"Sum"}},
  {"Id":"r","MetricStat":{"Metric":{"Namespace":"AWS/DynamoDB","MetricName":"ReturnedItemCount","Dimensions":
  [{"Name":"TableName","Value":"items"},{"Name":"Operation","Value":"GetItem"}]},"Period":3600,"Stat":"SampleCount"}},
  {"Id":"m","MetricStat":{"Metric":{"Namespace":"AWS/ApiGateway","MetricName":"Count","Dimensions":
  [{"Name":"ApiName","Value":"gw-serve"},{"Name":"Operation","Value":"GET /metrics"}]},"Period":3600,"Stat":"Sum"}}]'
cw get-metric-data --metric-data-queries "$query" --start-time 2026-11-23T10:00:00Z --end-time 2026-11-23T11:00:00Z \
  >data.json || fail "get-metric-data"
value() { jq --arg id "$1" '.MetricDataResults[] | select(.Id == $id) | .Values[0] // 0' data.json; }
assert_eq $((N + 3)) "$(value c)" "PutRecord's Count through GetMetricData"
assert_eq "$want_units" "$(value u)" "ConsumedReadCapacityUnits through GetMetricData"
assert_eq 27 "$(value r)" "a ReturnedItemCount per GetItem answered"
assert_eq 1 "$(value m)" "the scrape before, in GetMetricData"

# ---- SIGTERM: what was kept is written --------------------------------------------------------
kill -TERM "$GW_PID"
wait "$GW_PID" || fail "gw-serve's status after SIGTERM: $? ($(cat "$TMP/gw.err"))"
assert_eq $((requests + 2)) "$(api Sum Count)" "every request, the reads of the metrics too, after SIGTERM"
assert_eq 1 "$(operation Sum Count GraniteServiceVersion20100801.GetMetricData)" "GetMetricData, recorded after its answer"
assert_eq 0 "$(api Sum 5XXError)" "no 5XX"
assert_eq "$want_units" "$(dynamodb Sum ConsumedReadCapacityUnits)" "ConsumedReadCapacityUnits in the store"
assert_eq 27 "$(dynamodb SampleCount SuccessfulRequestLatency --dimension Operation=GetItem)" "a SuccessfulRequestLatency per GetItem"
# kv-get commits nothing and records nothing.
kvget -t items k1 >/dev/null || fail "kv-get k1"
kvget -t items --scan >/dev/null || fail "kv-get --scan"
assert_eq "$want_units" "$(dynamodb Sum ConsumedReadCapacityUnits)" "ConsumedReadCapacityUnits after kv-get"
assert_eq 21 "$(dynamodb Sum ReturnedItemCount --dimension Operation=GetItem)" "ReturnedItemCount after kv-get"

# ---- the last hour, as sparklines on a terminal -----------------------------------------------
# The stream tick took 3, 4, 5 and 8 records at 10:00, 10:01, 10:05 and 10:20: in the hour from
# 09:21 to 10:20, minutes 39, 40, 44 and 59. A bar's level is round(v * 7 / 8) of the ASCII bars
# _.:-=+*#, the other minutes blank.
sparkline() {  # MINUTE=VALUE...: the expected 60 bars
  awk -v spec="$*" 'BEGIN { bars = "_.:-=+*#"; n = split(spec, pairs, " "); max = 0
    for (i = 1; i <= n; i++) { split(pairs[i], kv, "="); v[kv[1]] = kv[2]; if (kv[2] > max) max = kv[2] }
    for (m = 0; m < 60; m++) printf "%s", (m in v) ? substr(bars, int(v[m] * 7 / max + 0.5) + 1, 1) : " " }'
}
on_terminal() {
  MILLRACE_NOW=2026-11-23T10:20:30Z LC_ALL=C /usr/bin/python3 "$MILLRACE_SRC/tests/tools/pty_run.py" --capture tty.out \
    --stdout-pty --columns 200 -- "$@" || fail "$* on a terminal"
  tr -d '\r' <tty.out >tty.txt
}
on_terminal "$MILLRACE_BIN/ks-shard" -S "$STORE" describe tick
bars=$(sparkline 39=3 40=4 44=5 59=8)
grep -qxF "incoming records, the last hour, a bar a minute from 09:21 to 10:20 UTC:" tty.txt ||
  fail "no heading of the last hour: $(cat tty.txt)"
grep -qxF "  tick                  $bars  20 in the hour, at most 8 a minute" tty.txt ||
  fail "the stream's sparkline: want '$bars', got: $(cat tty.txt)"
grep -qxF "  shardId-000000000000  $bars  20 in the hour, at most 8 a minute" tty.txt ||
  fail "the shard's sparkline: $(cat tty.txt)"
shard describe tick >piped.txt
grep -q 'last hour' piped.txt && fail "a sparkline in a pipe: $(cat piped.txt)"
head -n 1 piped.txt | grep -q '^stream tick: 1 open shards, 20 records' || fail "ks-shard describe: $(cat piped.txt)"
# kv-get --describe: the table's writes at 10:10 (a unit per KB of each item), its reads at 10:20.
write_units=$(awk 'BEGIN { for (i = 1; i <= 20; i++) { s = 2 + length("k" i) + 3 + 700 * i; u += int((s + 1023) / 1024) }; print u }')
on_terminal "$MILLRACE_BIN/kv-get" -S "$STORE" --describe items
head -n 1 tty.txt | jq -e '.TableName == "items" and .ItemCount == 20' >/dev/null || fail "kv-get --describe: $(cat tty.txt)"
grep -qxF "consumed capacity units, the last hour, a bar a minute from 09:21 to 10:20 UTC:" tty.txt ||
  fail "kv-get's heading: $(cat tty.txt)"
grep -qxF "  write  $(sparkline 49="$write_units")  $write_units in the hour, at most $write_units a minute" tty.txt ||
  fail "the write units' sparkline: $(cat tty.txt)"
grep -qxF "  read   $(sparkline 59=1)  $want_units in the hour, at most $want_units a minute" tty.txt ||
  fail "the read units' sparkline: $(cat tty.txt)"
kvget --describe items >piped.txt
assert_eq 1 "$(count_lines piped.txt)" "kv-get --describe into a pipe: the JSON line alone"
note ok
