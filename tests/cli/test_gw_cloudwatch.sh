#!/usr/bin/env bash
# Behaviour: CloudWatch's API and a Prometheus scrape on gw-serve, for the metrics the programs
# record. The aws CLI (Debian's: the query protocol, forms in and XML out) lists the metrics
# ks-put recorded and reads them with get-metric-data and get-metric-statistics; curl reads the
# same through JSON 1.0 (X-Amz-Target: GraniteServiceVersion20100801.*); CloudWatch's errors
# for a period that is not whole minutes and a percentile; GET /metrics is Prometheus text that
# promtool checks, with counters that keep counting after retention has dropped the minutes
# they were recorded in. Expected values are the input's: records and bytes counted here.
source "$(dirname "$0")/common.sh"
need_tool curl /usr/bin/aws promtool
cd "$TMP"
export MILLRACE_NOW=2026-11-23T10:20:00Z
start_gateway
cw() { /usr/bin/aws --endpoint-url "$GW_URL" --output json cloudwatch "$@"; }

awk 'BEGIN { for (i = 1; i <= 300; i++) { pad = sprintf("%*s", i % 50, ""); gsub(/ /, "x", pad)
       printf "{\"id\":\"k%d\",\"pad\":\"%s\"}\n", i, pad } }' >in.jsonl
bytes=$(awk '{ b += length($0) } END { print b }' in.jsonl)
shard create rides --shards 2 >/dev/null
put -s rides -k id in.jsonl || fail "ks-put"

# ListMetrics: the stream's metrics, filtered by dimension as CloudWatch filters.
cw list-metrics --namespace AWS/Kinesis --dimensions Name=StreamName,Value=rides >list.json || fail "list-metrics"
jq -r '.Metrics[] | select(.Dimensions | length == 1) | .MetricName' list.json | sort >names
printf '%s\n' IncomingBytes IncomingRecords >want.names
same_file want.names names "the stream-level metrics ks-put recorded"
assert_eq 2 "$(jq '[.Metrics[] | select(.MetricName == "IncomingRecords" and (.Dimensions | length == 2))] | length' list.json)" \
  "IncomingRecords of each of the 2 shards"

# GetMetricData: the hour's sum, at the hour's start.
query='[{"Id":"r","MetricStat":{"Metric":{"Namespace":"AWS/Kinesis","MetricName":"IncomingRecords",
  "Dimensions":[{"Name":"StreamName","Value":"rides"}]},"Period":3600,"Stat":"Sum"}},
  {"Id":"b","MetricStat":{"Metric":{"Namespace":"AWS/Kinesis","MetricName":"IncomingBytes",
  "Dimensions":[{"Name":"StreamName","Value":"rides"}]},"Period":60,"Stat":"Sum"}}]'
cw get-metric-data --metric-data-queries "$query" --start-time 2026-11-23T10:00:00Z \
  --end-time 2026-11-23T11:00:00Z >data.json || fail "get-metric-data"
assert_eq 300 "$(jq '.MetricDataResults[] | select(.Id == "r") | .Values[0]' data.json)" "IncomingRecords' Sum"
assert_eq "2026-11-23T10:00:00+00:00" "$(jq -r '.MetricDataResults[] | select(.Id == "r") | .Timestamps[0]' data.json)" \
  "the hour's timestamp"
assert_eq "$bytes" "$(jq '.MetricDataResults[] | select(.Id == "b") | .Values | add' data.json)" "IncomingBytes' Sum"
assert_eq "2026-11-23T10:20:00+00:00" "$(jq -r '.MetricDataResults[] | select(.Id == "b") | .Timestamps[0]' data.json)" \
  "the minute of the put"

# GetMetricStatistics: several statistics of one period.
cw get-metric-statistics --namespace AWS/Kinesis --metric-name IncomingRecords --dimensions Name=StreamName,Value=rides \
  --statistics Sum SampleCount Maximum --period 3600 --start-time 2026-11-23T10:00:00Z --end-time 2026-11-23T11:00:00Z \
  >statistics.json || fail "get-metric-statistics"
assert_eq 300 "$(jq '.Datapoints[0].Sum' statistics.json)" "get-metric-statistics' Sum"
assert_eq Count "$(jq -r '.Datapoints[0].Unit' statistics.json)" "the unit"
samples=$(jq '.Datapoints[0].SampleCount' statistics.json)
max=$(jq '.Datapoints[0].Maximum' statistics.json)
# Each commit of ks-put is a sample: as many as there were, the largest at most all of them.
jq -e --argjson s "$samples" --argjson m "$max" -n '$s >= 1 and $m <= 300 and $m * $s >= 300' >/dev/null ||
  fail "SampleCount $samples and Maximum $max do not fit 300 records"

# CloudWatch's errors, as the CLI shows them.
expect_status 254 "a period of 90 s" cw get-metric-statistics --namespace AWS/Kinesis --metric-name IncomingRecords \
  --statistics Sum --period 90 --start-time 2026-11-23T10:00:00Z --end-time 2026-11-23T11:00:00Z
grep -q InvalidParameterValue "$TMP/err" || fail "no InvalidParameterValue for a period of 90 s: $(cat "$TMP/err")"
expect_status 254 "a percentile" cw get-metric-statistics --namespace AWS/Kinesis --metric-name IncomingRecords \
  --extended-statistics p99 --period 60 --start-time 2026-11-23T10:00:00Z --end-time 2026-11-23T11:00:00Z

# JSON 1.0, as the SDKs of today send it.
curl -sS -H 'X-Amz-Target: GraniteServiceVersion20100801.GetMetricData' -H 'Content-Type: application/x-amz-json-1.0' \
  --data-binary "{\"MetricDataQueries\":$query,\"StartTime\":1795428000,\"EndTime\":1795431600,\"ScanBy\":\"TimestampAscending\"}" \
  "$GW_URL/" >json.json || fail "GetMetricData in JSON 1.0"
assert_eq 300 "$(jq '.MetricDataResults[] | select(.Id == "r") | .Values[0]' json.json)" "the Sum in JSON 1.0"
assert_eq 1795428000 "$(jq '.MetricDataResults[] | select(.Id == "r") | .Timestamps[0]' json.json)" "epoch seconds in JSON 1.0"
status=$(curl -s -o bad.json -w '%{http_code}' -D headers -H 'X-Amz-Target: GraniteServiceVersion20100801.ListMetrics' \
  -H 'Content-Type: application/x-amz-json-1.0' --data-binary '{"NextToken":"nonsense"}' "$GW_URL/")
assert_eq 400 "$status" "a NextToken not given by the API"
grep -qi '^x-amzn-query-error: InvalidNextToken;Sender' headers || fail "no x-amzn-query-error: $(cat headers)"

# Prometheus: the counters, checked by promtool.
curl -sS "$GW_URL/metrics" >metrics.txt || fail "GET /metrics"
promtool check metrics <metrics.txt || fail "promtool check metrics: $(cat metrics.txt)"
assert_eq 300 "$(awk '$1 == "aws_kinesis_incoming_records_total{stream_name=\"rides\"}" { print $2 }' metrics.txt)" \
  "the records counter"
assert_eq "$bytes" "$(awk '$1 == "aws_kinesis_incoming_bytes_total{stream_name=\"rides\"}" { print $2 }' metrics.txt)" \
  "the bytes counter"

# 16 days on, the minutes of the first put are gone, and the counters go on from where they were.
kill "$GW_PID"
wait "$GW_PID" 2>/dev/null || true
export MILLRACE_NOW=2026-12-09T10:00:00Z
head -n 7 in.jsonl | put -s rides -k id || fail "ks-put 16 days on"
start_gateway
cw get-metric-statistics --namespace AWS/Kinesis --metric-name IncomingRecords --dimensions Name=StreamName,Value=rides \
  --statistics Sum --period 3600 --start-time 2026-11-23T10:00:00Z --end-time 2026-11-23T11:00:00Z >old.json ||
  fail "get-metric-statistics of 16 days ago"
assert_eq 0 "$(jq '.Datapoints | length' old.json)" "datapoints past retention"
curl -sS "$GW_URL/metrics" >metrics2.txt || fail "GET /metrics 16 days on"
assert_eq 307 "$(awk '$1 == "aws_kinesis_incoming_records_total{stream_name=\"rides\"}" { print $2 }' metrics2.txt)" \
  "the records counter after retention"
