#!/usr/bin/env bash
# Behaviour: `ks-consume --format lambda` prints one Kinesis event per batch (one shard per
# batch, at most --batch-size records), each record's data base64 of its exact bytes,
# eventID = shardId:sequenceNumber, as a Lambda function receives it.
source "$(dirname "$0")/common.sh"
need_tool base64

NOW=2026-01-01T00:00:00Z
NOW_EPOCH=1767225600 # date -u -d 2026-01-01T00:00:00Z +%s
export MILLRACE_NOW=$NOW

# 20 records with bytes that matter: unicode, escapes, spaces.
{
  for i in $(seq 1 17); do printf '{"Name":"u%d","i":%d}\n' "$i" "$i"; done
  printf '%s\n' '{"Name":"u18","s":"Ünïcörn 😀 \u00e9 \" \\ \n"}'
  printf '%s\n' '{ "Name" : "u19" ,	"a" : [ 1 , 2 ] }'
  printf '%s\n' '{"Name":"u20","big":9007199254740993,"e":1.0E+2,"z":-0}'
} >"$TMP/in.jsonl"

shard create lam --shards 1 >/dev/null || fail "ks-shard create lam failed"
put -s lam -k Name "$TMP/in.jsonl" || fail "ks-put failed"
consume -s lam --format lambda --batch-size 7 >"$TMP/events" || fail "ks-consume --format lambda --batch-size 7 failed"

assert_eq 3 "$(count_lines "$TMP/events")" "events for 20 records with --batch-size 7"
jq -e . "$TMP/events" >/dev/null || fail "an event line is not valid JSON"
assert_eq "7 7 6" "$(jq -r '.Records | length' "$TMP/events" | tr '\n' ' ' | sed 's/ $//')" "batch sizes"

# Data: base64 of the record's exact bytes, in order.
jq -r '.Records[].kinesis.data' "$TMP/events" >"$TMP/b64"
while IFS= read -r b; do
  printf '%s' "$b" | base64 -d || fail "data is not valid base64: $b"
  printf '\n'
done <"$TMP/b64" >"$TMP/decoded"
same_file "$TMP/in.jsonl" "$TMP/decoded" "base64-decoded data of the lambda records"

# The fields of each record, as Kinesis sets them.
bad=$(jq -c '.Records[] | select(
     (.eventSource != "aws:kinesis")
  or (.eventName != "aws:kinesis:record")
  or (.eventVersion != "1.0")
  or (.kinesis.kinesisSchemaVersion != "1.0")
  or (.eventID != ("shardId-000000000000:" + .kinesis.sequenceNumber))
  or (.eventSourceARN | type != "string" or (endswith(":stream/lam") | not))
  or (.kinesis.sequenceNumber | type != "string" or (test("^[0-9]+$") | not))
  or (.kinesis.approximateArrivalTimestamp | type != "number")
  or (.kinesis.approximateArrivalTimestamp < '"$NOW_EPOCH"' or .kinesis.approximateArrivalTimestamp >= '"$NOW_EPOCH"' + 60))' \
  "$TMP/events" | head -n 2)
[[ -z $bad ]] || fail "lambda record(s) with wrong fields: $bad"
jq -r '.Records[].kinesis.partitionKey' "$TMP/events" >"$TMP/pk"
jq -r '.Name' "$TMP/in.jsonl" >"$TMP/pk.want"
same_file "$TMP/pk.want" "$TMP/pk" "partition keys of the lambda records"
# Sequence numbers as the spec writes them: shard 0's k-th record is 1 + 16-digit k.
jq -r '.Records[].kinesis.sequenceNumber' "$TMP/events" >"$TMP/seqs"
awk '{ printf "1%016d\n", NR }' "$TMP/in.jsonl" >"$TMP/seqs.want"
same_file "$TMP/seqs.want" "$TMP/seqs" "sequence numbers of the lambda records"

# Default batch size 100; with 4 shards each batch holds records of one shard only.
wildrydes_sample "$TMP/rides.jsonl"
shard create lam4 --shards 4 >/dev/null || fail "ks-shard create lam4 failed"
put -s lam4 -k Name "$TMP/rides.jsonl" || fail "ks-put into lam4 failed"
consume -s lam4 --format lambda >"$TMP/events4" || fail "ks-consume -s lam4 --format lambda failed"
assert_eq 1000 "$(jq '.Records | length' "$TMP/events4" | awk '{ t += $1 } END { print t }')" "records over all events"
over=$(jq '.Records | length | select(. > 100 or . < 1)' "$TMP/events4" | head -n 1)
[[ -z $over ]] || fail "an event of $over records (default batch size is 100)"
mixed=$(jq -r '[.Records[].eventID | split(":")[0]] | unique | select(length != 1) | join(",")' "$TMP/events4" | head -n 1)
[[ -z $mixed ]] || fail "one event holds records of several shards: $mixed"
jq -r '.Records[].kinesis.data' "$TMP/events4" | while IFS= read -r b; do
  printf '%s' "$b" | base64 -d
  printf '\n'
done >"$TMP/decoded4"
same_sorted "$TMP/rides.jsonl" "$TMP/decoded4" "decoded data of all lambda events (4 shards)"

# Batch-size bounds 1..10000.
consume -s lam --format lambda --batch-size 1 >"$TMP/one" || fail "--batch-size 1 failed"
assert_eq 20 "$(count_lines "$TMP/one")" "events with --batch-size 1"
expect_status 64 "--batch-size 0" consume -s lam --format lambda --batch-size 0
expect_status 64 "--batch-size 10001" consume -s lam --format lambda --batch-size 10001
expect_status 64 "--format bogus" consume -s lam --format bogus

note "ok"
