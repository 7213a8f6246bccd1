#!/usr/bin/env bash
# Behaviour: the metrics every stage records match what was done, exactly. A known workload at
# a fixed time (MILLRACE_NOW) -- records of known bytes put by ks-put, read by a group, handed
# to an --exec handler that fails a known number of times, archived by fh-archive, items of
# known DynamoDB sizes written by kv-put (replacing, refused by a condition, expiring), and
# requests to gw-serve -- gives the sums cw-stats reads back, computed here from the input.
# Minutes fall in the periods they belong to; after 15 days the points are gone.
source "$(dirname "$0")/common.sh"
need_tool curl base64
cd "$TMP"

T=2026-11-23T10:00:00Z
export MILLRACE_NOW=$T
stats() { "$MILLRACE_BIN/cw-stats" -S "$STORE" "$@"; }
fharchive() { "$MILLRACE_BIN/fh-archive" -S "$STORE" "$@"; }
# total STAT ARGS...: the statistic of the metric cw-stats selects with ARGS over the test's
# hour (one period), 0 when it has no value; fails unless exactly one metric answers.
total() {
  local stat=$1
  shift
  stats --since 1h --until 2026-11-23T11:00:00Z --period 1h --stat "$stat" "$@" >"$TMP/stats.out" ||
    fail "cw-stats $*: $(cat "$TMP/stats.out")"
  local metrics
  metrics=$(jq -c '[.Namespace, .MetricName, .Dimensions]' "$TMP/stats.out" | sort -u | wc -l)
  ((metrics <= 1)) || fail "cw-stats $* answered for $metrics metrics"
  jq -s --arg s "$stat" 'map(.[$s]) | add // 0' "$TMP/stats.out"
}

# ---- ks-put: IncomingRecords and IncomingBytes, per stream and per shard --------------------
awk 'BEGIN { srand(7); for (i = 1; i <= 2000; i++) { n = int(rand() * 300); pad = sprintf("%*s", n, ""); gsub(/ /, "x", pad)
       printf "{\"id\":\"k%d\",\"pad\":\"%s\"}\n", i, pad } }' >in.jsonl
head -n 1200 in.jsonl >in1.jsonl
tail -n +1201 in.jsonl >in2.jsonl
bytes=$(awk '{ b += length($0) } END { print b }' in.jsonl)
shard create rides --shards 4 >/dev/null
put -s rides -k id in1.jsonl || fail "ks-put in1"
put -s rides -k id in2.jsonl || fail "ks-put in2"  # a second process: its samples add to the first's
assert_eq 2000 "$(total Sum --metric IncomingRecords --dimension StreamName=rides)" "IncomingRecords of rides"
assert_eq "$bytes" "$(total Sum --metric IncomingBytes --dimension StreamName=rides)" "IncomingBytes of rides"
for s in 0 1 2 3; do
  consume -s rides --shard "$(shard_id "$s")" >"shard$s" || fail "ks-consume --shard $s"
  read -r lines chars < <(wc -lc <"shard$s")
  assert_eq "$lines" "$(total Sum --metric IncomingRecords --dimension StreamName=rides --dimension ShardId="$(shard_id "$s")")" \
    "IncomingRecords of shard $s"
  assert_eq "$((chars - lines))" "$(total Sum --metric IncomingBytes --dimension StreamName=rides --dimension ShardId="$(shard_id "$s")")" \
    "IncomingBytes of shard $s"
done
# A plain reader commits nothing, and records nothing.
expect_status 66 "GetRecords before any group read" stats --metric GetRecords.Records

# ---- a group's reads: GetRecords.* ------------------------------------------------------------
consume -s rides -g readers >/dev/null || fail "ks-consume -g readers"
assert_eq 2000 "$(total Sum --metric GetRecords.Records --dimension StreamName=rides)" "GetRecords.Records"
assert_eq "$bytes" "$(total Sum --metric GetRecords.Bytes --dimension StreamName=rides)" "GetRecords.Bytes"
age_samples=$(total SampleCount --metric GetRecords.IteratorAgeMilliseconds --dimension StreamName=rides)
reads=$(total SampleCount --metric GetRecords.Records --dimension StreamName=rides)
assert_eq "$reads" "$age_samples" "an iterator age per read"

# ---- Lambda: a handler that fails its first 3 runs ---------------------------------------------
shard create jobs --shards 1 >/dev/null
head -n 50 in.jsonl | put -s jobs -k id || fail "ks-put jobs"
cat >handler.sh <<EOS
n=\$(wc -l <"$TMP/runs")
echo run >>"$TMP/runs"
cat >/dev/null
[ "\$n" -ge 3 ]
EOS
: >runs
consume -s jobs -g fn --exec "sh $TMP/handler.sh" --batch-size 10 --retries 10 >/dev/null 2>handler.err ||
  fail "ks-consume --exec: $(cat handler.err)"
runs=$(count_lines runs)
assert_eq 8 "$runs" "runs of the handler (5 batches, the first retried 3 times)"
assert_eq "$runs" "$(total Sum --namespace AWS/Lambda --metric Invocations --dimension FunctionName=fn)" "Invocations"
assert_eq 3 "$(total Sum --namespace AWS/Lambda --metric Errors --dimension FunctionName=fn)" "Errors"
assert_eq "$runs" "$(total SampleCount --namespace AWS/Lambda --metric Errors --dimension FunctionName=fn)" "Errors' samples"
assert_eq "$runs" "$(total SampleCount --namespace AWS/Lambda --metric Duration --dimension FunctionName=fn)" "Duration's samples"
assert_eq "$runs" "$(total SampleCount --namespace AWS/Lambda --metric IteratorAge --dimension FunctionName=fn)" "IteratorAge's samples"
assert_eq 0 "$(total Sum --namespace AWS/Lambda --metric Throttles --dimension FunctionName=fn)" "Throttles"
assert_eq 50 "$(total Sum --metric GetRecords.Records --dimension StreamName=jobs)" "the handler's group's GetRecords.Records"

# ---- Firehose: the group's records into objects ----------------------------------------------
fharchive -s rides -g archive -d "$TMP/bucket" --compression none -q || fail "fh-archive"
objects=$(find bucket -type f ! -name '.*' | wc -l)
object_bytes=$(find bucket -type f ! -name '.*' -printf '%s\n' | awk '{ b += $1 } END { print b }')
assert_eq "$((bytes + 2000))" "$object_bytes" "the objects hold the lines"
d=(--namespace AWS/Firehose --dimension DeliveryStreamName=bucket/archive)
assert_eq 2000 "$(total Sum --metric IncomingRecords "${d[@]}")" "Firehose IncomingRecords"
assert_eq "$bytes" "$(total Sum --metric IncomingBytes "${d[@]}")" "Firehose IncomingBytes"
assert_eq 2000 "$(total Sum --metric DeliveryToS3.Records "${d[@]}")" "DeliveryToS3.Records"
assert_eq "$object_bytes" "$(total Sum --metric DeliveryToS3.Bytes "${d[@]}")" "DeliveryToS3.Bytes"
assert_eq "$objects" "$(total Sum --metric DeliveryToS3.Success "${d[@]}")" "DeliveryToS3.Success"
assert_eq "$objects" "$(total SampleCount --metric DeliveryToS3.DataFreshness "${d[@]}")" "DataFreshness per object"

# ---- DynamoDB: write units as DynamoDB counts them ---------------------------------------------
# An item {"id":"kI","pad":"x...x"} has a DynamoDB size of 2 + len(kI) + 3 + len(pad): a unit per
# KB, at least one. The expected units follow each write: the larger of the item written and
# the item replaced; a write refused by its condition, the item left in place.
awk 'BEGIN { srand(11); for (i = 1; i <= 300; i++) { n = (i % 10 == 0) ? 1000 + int(rand() * 4000) : int(rand() * 600)
       pad = sprintf("%*s", n, ""); gsub(/ /, "x", pad); printf "{\"id\":\"k%d\",\"pad\":\"%s\"}\n", i, pad } }' >items1.jsonl
awk 'BEGIN { srand(12); for (i = 151; i <= 400; i++) { n = (i % 7 == 0) ? 1500 + int(rand() * 3000) : int(rand() * 600)
       pad = sprintf("%*s", n, ""); gsub(/ /, "x", pad); printf "{\"id\":\"k%d\",\"pad\":\"%s\"}\n", i, pad } }' >items2.jsonl
awk 'BEGIN { for (i = 391; i <= 410; i++) printf "{\"id\":\"k%d\",\"pad\":\"y\"}\n", i }' >items3.jsonl
kvput -t items -k id --create items1.jsonl -q || fail "kv-put items1"
kvput -t items -k id items2.jsonl -q || fail "kv-put items2"
kvput -t items -k id --if-absent items3.jsonl -q || fail "kv-put --if-absent items3"
# units FILE...: per line "mode id units", the expected units of each write, in order.
expected=$(awk '
  function units(s) { u = int((s + 1023) / 1024); return u < 1 ? 1 : u }
  { match($0, /"id":"[^"]*"/); id = substr($0, RSTART + 6, RLENGTH - 7)
    match($0, /"pad":"[^"]*"/); size = 2 + length(id) + 3 + (RLENGTH - 8)
    if (FILENAME ~ /items3/ && (id in stored)) { refused++; total += units(stored[id]); next }
    w = units(size); if ((id in stored) && units(stored[id]) > w) w = units(stored[id])
    total += w; stored[id] = size }
  END { print total, refused + 0 }' items1.jsonl items2.jsonl items3.jsonl)
read -r want_units want_refused <<<"$expected"
assert_eq 10 "$want_refused" "writes refused by --if-absent (k391 to k400 are stored)"
assert_eq "$want_units" "$(total Sum --namespace AWS/DynamoDB --metric ConsumedWriteCapacityUnits --dimension TableName=items)" \
  "ConsumedWriteCapacityUnits"
assert_eq 570 "$(total SampleCount --namespace AWS/DynamoDB --metric ConsumedWriteCapacityUnits --dimension TableName=items)" \
  "a sample per item write"
assert_eq "$want_refused" "$(total Sum --namespace AWS/DynamoDB --metric ConditionalCheckFailedRequests --dimension TableName=items)" \
  "ConditionalCheckFailedRequests"
# Time to live: 20 items that expire at 10:01, removed by the next write at 10:02.
awk 'BEGIN { for (i = 1; i <= 20; i++) printf "{\"id\":\"t%d\",\"exp\":1795428060}\n", i }' >ttl.jsonl
kvput -t ttl -k id --ttl exp --create ttl.jsonl -q || fail "kv-put ttl"
echo '{"id":"later"}' | MILLRACE_NOW=2026-11-23T10:02:00Z kvput -t ttl -k id --ttl exp -q || fail "kv-put at 10:02"
assert_eq 20 "$(total Sum --namespace AWS/DynamoDB --metric TimeToLiveDeletedItemCount --dimension TableName=ttl)" \
  "TimeToLiveDeletedItemCount"

# ---- gw-serve: PutRecords, PutRecord, a route's POST, PutItem ---------------------------------
start_gateway
shard create gw --shards 2 >/dev/null
kinesis() {
  curl -sS --fail-with-body -H "X-Amz-Target: Kinesis_20131202.$1" -H 'Content-Type: application/x-amz-json-1.1' \
    --data-binary "$2" "$GW_URL/" >/dev/null || fail "$1"
}
b64() { printf %s "$1" | base64 -w0; }
kinesis PutRecords "{\"StreamName\":\"gw\",\"Records\":[{\"Data\":\"$(b64 '{"a":1}')\",\"PartitionKey\":\"a\"},{\"Data\":\"$(b64 '{"bb":22}')\",\"PartitionKey\":\"b\"},{\"Data\":\"$(b64 '{"c":333}')\",\"PartitionKey\":\"c\"}]}"
kinesis PutRecord "{\"StreamName\":\"gw\",\"Data\":\"$(b64 '{"one":1}')\",\"PartitionKey\":\"p\"}"
curl -sS --fail-with-body --data-binary '{"routed":true}' "$GW_URL/streams/gw?key=routed" >/dev/null || fail "POST /streams/gw"
assert_eq 5 "$(total Sum --metric IncomingRecords --dimension StreamName=gw)" "gw-serve's IncomingRecords"
assert_eq $((7 + 9 + 9 + 9 + 15)) "$(total Sum --metric IncomingBytes --dimension StreamName=gw)" "gw-serve's IncomingBytes"
assert_eq 3 "$(total Sum --metric PutRecords.Records --dimension StreamName=gw)" "PutRecords.Records"
assert_eq 3 "$(total Sum --metric PutRecords.TotalRecords --dimension StreamName=gw)" "PutRecords.TotalRecords"
assert_eq 25 "$(total Sum --metric PutRecords.Bytes --dimension StreamName=gw)" "PutRecords.Bytes"
assert_eq 1 "$(total Sum --metric PutRecords.Success --dimension StreamName=gw)" "PutRecords.Success"
assert_eq 1 "$(total SampleCount --metric PutRecords.Latency --dimension StreamName=gw)" "PutRecords.Latency"
assert_eq 9 "$(total Sum --metric PutRecord.Bytes --dimension StreamName=gw)" "PutRecord.Bytes"
assert_eq 1 "$(total Sum --metric PutRecord.Success --dimension StreamName=gw)" "PutRecord.Success"
dynamodb() {
  curl -sS -o "$TMP/ddb.out" -w '%{http_code}' -H "X-Amz-Target: DynamoDB_20120810.$1" \
    -H 'Content-Type: application/x-amz-json-1.0' --data-binary "$2" "$GW_URL/"
}
big=$(printf '%*s' 2000 '' | tr ' ' z)
assert_eq 200 "$(dynamodb PutItem '{"TableName":"items","Item":{"id":{"S":"g1"},"pad":{"S":"'"$big"'"}}}')" "PutItem"
assert_eq 400 "$(dynamodb PutItem '{"TableName":"items","Item":{"id":{"S":"g1"}},"ConditionExpression":"attribute_not_exists(id)"}')" \
  "a PutItem refused by its condition"
assert_eq 200 "$(dynamodb DeleteItem '{"TableName":"items","Key":{"id":{"S":"g1"}}}')" "DeleteItem"
# PutItem of 2 + 2 + 3 + 2000 bytes: 2 units; DeleteItem of it: 2 units.
assert_eq $((want_units + 4)) "$(total Sum --namespace AWS/DynamoDB --metric ConsumedWriteCapacityUnits --dimension TableName=items)" \
  "ConsumedWriteCapacityUnits with gw-serve's writes"
assert_eq $((want_refused + 1)) "$(total Sum --namespace AWS/DynamoDB --metric ConditionalCheckFailedRequests --dimension TableName=items)" \
  "ConditionalCheckFailedRequests with gw-serve's"
assert_eq 1 "$(total SampleCount --namespace AWS/DynamoDB --metric SuccessfulRequestLatency --dimension TableName=items --dimension Operation=PutItem)" \
  "SuccessfulRequestLatency of PutItem"
assert_eq 1 "$(total SampleCount --namespace AWS/DynamoDB --metric SuccessfulRequestLatency --dimension TableName=items --dimension Operation=DeleteItem)" \
  "SuccessfulRequestLatency of DeleteItem"
kill "$GW_PID"
wait "$GW_PID" 2>/dev/null || true

# ---- minutes and periods -----------------------------------------------------------------------
shard create tick >/dev/null
head -n 3 in.jsonl | MILLRACE_NOW=2026-11-23T10:00:30Z put -s tick
head -n 4 in.jsonl | MILLRACE_NOW=2026-11-23T10:01:00Z put -s tick
head -n 5 in.jsonl | MILLRACE_NOW=2026-11-23T10:05:59Z put -s tick
q=(--metric IncomingRecords --dimension StreamName=tick --since 2026-11-23T10:00:00Z --until 2026-11-23T11:00:00Z)
stats "${q[@]}" | jq -r '[.Timestamp, .Sum] | @tsv' >minutes
printf '2026-11-23T10:00:00Z\t3\n2026-11-23T10:01:00Z\t4\n2026-11-23T10:05:00Z\t5\n' >want
same_file want minutes "one value per minute"
stats "${q[@]}" --period 5m | jq -r '[.Timestamp, .Sum] | @tsv' >periods
printf '2026-11-23T10:00:00Z\t7\n2026-11-23T10:05:00Z\t5\n' >want
same_file want periods "5-minute periods"
stats "${q[@]}" --period 5m --json >api.json
jq -e '.MetricDataResults == [{"Id":"m1","Label":"IncomingRecords StreamName=tick",
  "Timestamps":["2026-11-23T10:05:00Z","2026-11-23T10:00:00Z"],"Values":[5,7],"StatusCode":"Complete"}]' api.json >/dev/null ||
  fail "GetMetricData's shape: $(cat api.json)"
stats --list --json --namespace AWS/Lambda >list.json
jq -e '[.Metrics[].MetricName] == ["Duration","Errors","Invocations","IteratorAge","Throttles"]
  and (.Metrics | all(.Namespace == "AWS/Lambda" and .Dimensions == [{"Name":"FunctionName","Value":"fn"}]))' list.json >/dev/null ||
  fail "ListMetrics' shape: $(cat list.json)"
# On a terminal, a table.
if command -v script >/dev/null 2>&1; then
  script -qec "$MILLRACE_BIN/cw-stats -S $STORE ${q[*]}" /dev/null | tr -d '\r' >table
  grep -q '^TIME .*IncomingRecords StreamName=tick' table || fail "no table on a terminal: $(cat table)"
  grep -Eq '^2026-11-23T10:01:00Z +4$' table || fail "the table's row of 10:01: $(cat table)"
fi
expect_status 64 "a period of seconds" stats --period 90s
expect_status 64 "a bad dimension" stats --dimension =x
expect_status 66 "no such metric" stats --metric NoSuchMetric
expect_status 0 "a list of none" stats --list --namespace AWS/None

# ---- retention: 15 days -------------------------------------------------------------------------
MILLRACE_NOW=2026-12-07T09:00:00Z stats --list --namespace AWS/DynamoDB >kept
[[ -s kept ]] || fail "the DynamoDB metrics are gone before 15 days"
# 15 days and 10 minutes after T, every point of the test's hour has expired: each commit of
# a writer then removes a bounded step of them.
for i in 1 2 3 4 5; do
  head -n 1 in.jsonl | MILLRACE_NOW=2026-12-08T10:10:00Z put -s rides || fail "ks-put after 15 days"
done
# Read at T, when nothing had expired yet: what is left is what was written 15 days later.
stats --list >left
[[ -s left ]] || fail "nothing left"
jq -e 'select(.Namespace != "AWS/Kinesis" or (.MetricName | test("^Incoming(Records|Bytes)$") | not)
              or (.Dimensions | map(select(.Name == "StreamName")) != [{"Name":"StreamName","Value":"rides"}]))' left &&
  fail "metrics of the test's hour are left after 15 days: $(cat left)"
grep -q '"Dimensions":\[{"Name":"StreamName","Value":"rides"}\]' left || fail "the stream's metrics written 15 days later are missing"
[[ -z $(stats --metric IncomingRecords --dimension StreamName=rides --since 2h) ]] || fail "points of T are still there"
note ok
