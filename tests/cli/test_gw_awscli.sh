#!/usr/bin/env bash
# Behaviour: the aws CLI v2 (Debian's awscli) works unchanged against gw-serve with
# --endpoint-url, and what it does is what the other programs see, in both directions:
# create-stream, put-record and put-records (routed by MD5 of the partition key, computed here
# with openssl), get-shard-iterator and get-records of what ks-put put, describe-stream-summary,
# list-shards, split-shard, merge-shards and update-shard-count against ks-shard's view; and
# Kinesis' errors for what Kinesis refuses.
source "$(dirname "$0")/common.sh"
need_tool openssl /usr/bin/aws
need_bigint
cd "$TMP"
start_gateway
aws_kinesis() { /usr/bin/aws --endpoint-url "$GW_URL" --output json kinesis "$@"; }

aws_kinesis create-stream --stream-name rides --shard-count 4 || fail "create-stream"
assert_eq 4 "$(aws_kinesis describe-stream-summary --stream-name rides | jq .StreamDescriptionSummary.OpenShardCount)" \
  "OpenShardCount after create-stream"
assert_eq 4 "$(shard --json describe rides | jq '.Shards | length')" "ks-shard sees the stream the CLI made"

# put-record: the shard is the one whose quarter of [0, 2^128) holds MD5(key).
quarter=$(bigcalc "2^128/4")
for key in Shadowfax Rocinante "Bucephalus" "🦄 rainbow"; do
  got=$(aws_kinesis put-record --stream-name rides --partition-key "$key" --data "{\"Name\":\"$key\"}" \
    --cli-binary-format raw-in-base64-out) || fail "put-record $key"
  want=$(shard_id "$(bigcalc "$(md5_dec "$key")/$quarter")")
  assert_eq "$want" "$(jq -r .ShardId <<<"$got")" "shard of partition key $key"
  jq -r .SequenceNumber <<<"$got" >>sequences
done
# ks-consume reads what the CLI put, byte for byte, each record in its shard.
consume -s rides --format envelope >envelopes || fail "ks-consume of the CLI's records"
assert_eq 4 "$(count_lines envelopes)" "records the CLI put"
jq -r '.data.Name' envelopes | sort >names.got
printf '%s\n' Shadowfax Rocinante Bucephalus "🦄 rainbow" | sort >names.want
same_file names.want names.got "the records' data"
jq -r .seq envelopes | sort >seq.got
sort sequences >seq.want
same_file seq.want seq.got "the sequence numbers put-record answered"

# put-records: each entry's result in order, and ks-consume sees them all.
wildrydes_sample rides.jsonl
head -n 300 rides.jsonl | jq -R -c '{Data: @base64, PartitionKey: (fromjson | .Name)}' | jq -s . >entries.json
aws_kinesis put-records --stream-name rides --records file://entries.json >put.json || fail "put-records"
assert_eq 0 "$(jq .FailedRecordCount put.json)" "FailedRecordCount"
assert_eq 300 "$(jq '.Records | length' put.json)" "results of put-records"
consume -s rides >all.jsonl || fail "ks-consume after put-records"
head -n 300 rides.jsonl | sort >want
grep -v '^{"Name":"[^"]*"}$' all.jsonl | sort >got || true
same_file want got "the 300 records put-records put, as ks-consume reads them"

# get-records of what ks-put put: data and partition keys as put, in order.
shard create trail --shards 1 >/dev/null
head -n 50 rides.jsonl | put -s trail -k Name || fail "ks-put into trail"
iterator=$(aws_kinesis get-shard-iterator --stream-name trail --shard-id shardId-000000000000 \
  --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text) || fail "get-shard-iterator"
aws_kinesis get-records --shard-iterator "$iterator" --limit 20 >page1.json || fail "get-records"
aws_kinesis get-records --shard-iterator "$(jq -r .NextShardIterator page1.json)" >page2.json || fail "get-records 2"
jq -r '.Records[].Data | @base64d' page1.json page2.json >read.jsonl
head -n 50 rides.jsonl >want
same_file want read.jsonl "what get-records returns of ks-put's records, in order, over two pages"
jq -r '.Records[].PartitionKey' page1.json page2.json >keys.got
head -n 50 rides.jsonl | jq -r .Name >keys.want
same_file keys.want keys.got "the partition keys ks-put gave"
assert_eq 0 "$(jq .MillisBehindLatest page2.json)" "MillisBehindLatest once caught up"

# Resharding through the CLI, seen by ks-shard; and by the CLI after ks-shard.
aws_kinesis split-shard --stream-name trail --shard-to-split shardId-000000000000 --new-starting-hash-key 1000 ||
  fail "split-shard"
assert_eq "2 1000" "$(shard --json describe trail | jq -r '[(.Shards | map(select(.State == "OPEN")) | length), .Shards[2].HashKeyRange.StartingHashKey] | join(" ")')" \
  "ks-shard sees the split: two open children, the second from 1000"
aws_kinesis merge-shards --stream-name trail --shard-to-merge shardId-000000000001 \
  --adjacent-shard-to-merge shardId-000000000002 || fail "merge-shards"
shard scale trail --shards 3 >/dev/null || fail "ks-shard scale"
aws_kinesis list-shards --stream-name trail --shard-filter Type=AT_LATEST >latest.json || fail "list-shards"
assert_eq 3 "$(jq '.Shards | length' latest.json)" "open shards the CLI lists after ks-shard scale"
aws_kinesis update-shard-count --stream-name trail --target-shard-count 2 --scaling-type UNIFORM_SCALING >scale.json ||
  fail "update-shard-count"
assert_eq "3 2" "$(jq -r '[.CurrentShardCount, .TargetShardCount] | join(" ")' scale.json)" "update-shard-count's answer"
assert_eq 2 "$(shard --json describe trail | jq '[.Shards[] | select(.State == "OPEN")] | length')" "open shards after it"

# Kinesis' errors, as the CLI shows them.
rc=0
aws_kinesis describe-stream-summary --stream-name nope 2>err || rc=$?
((rc != 0)) || fail "describe-stream-summary of a missing stream succeeded"
grep -q 'ResourceNotFoundException' err || fail "no ResourceNotFoundException: $(cat err)"
rc=0
aws_kinesis create-stream --stream-name rides --shard-count 1 2>err || rc=$?
grep -q 'ResourceInUseException' err || fail "creating a stream twice: $(cat err)"
# botocore checks lengths and ranges before sending; patterns and iterators are the server's.
rc=0
aws_kinesis describe-stream-summary --stream-name 'a b' 2>err || rc=$?
grep -q "ValidationException.*Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern" err ||
  fail "a stream name with a space: $(cat err)"
aws_kinesis get-records --shard-iterator bm90IGFuIGl0ZXJhdG9y 2>err || rc=$?
grep -q 'InvalidArgumentException' err || fail "a made-up iterator: $(cat err)"
