#!/usr/bin/env bash
# Behaviour: a boto3 producer and consumer, written as the tutorials write them, work unchanged
# against gw-serve: the Wild Rydes sample put with put_record and put_records (keyed by unicorn),
# read back by a boto3 consumer over every shard (get_shard_iterator, get_records until
# caught up) and by ks-consume; each unicorn's records in the order they were put.
source "$(dirname "$0")/common.sh"
cd "$TMP"
/usr/bin/python3 -c 'import boto3' 2>/dev/null || fail "python3-boto3 is not installed"
start_gateway
wildrydes_sample rides.jsonl
shard create rides --shards 3 >/dev/null || fail "ks-shard create"

cat >producer.py <<'PY'
import json, sys
import boto3

kinesis = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1")
lines = open(sys.argv[2]).read().splitlines()
# The first hundred one at a time, as the workshop's producer; the rest in batches of 500.
for line in lines[:100]:
    kinesis.put_record(StreamName="rides", Data=line.encode(), PartitionKey=json.loads(line)["Name"])
rest = lines[100:]
for i in range(0, len(rest), 500):
    batch = [{"Data": l.encode(), "PartitionKey": json.loads(l)["Name"]} for l in rest[i:i + 500]]
    answer = kinesis.put_records(StreamName="rides", Records=batch)
    assert answer["FailedRecordCount"] == 0, answer
    assert len(answer["Records"]) == len(batch)
PY
cat >consumer.py <<'PY'
import sys
import boto3

kinesis = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1")
for shard in kinesis.list_shards(StreamName="rides")["Shards"]:
    iterator = kinesis.get_shard_iterator(StreamName="rides", ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator, Limit=150)
        for record in page["Records"]:
            print(shard["ShardId"], record["PartitionKey"], record["Data"].decode(), sep="\t")
        if page["MillisBehindLatest"] == 0 and not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
PY
/usr/bin/python3 producer.py "$GW_URL" rides.jsonl || fail "the boto3 producer failed"
/usr/bin/python3 consumer.py "$GW_URL" >read.tsv || fail "the boto3 consumer failed"

cut -f3 read.tsv | sort >got
sort rides.jsonl >want
same_file want got "the records the boto3 consumer read, as a multiset"
# Each unicorn's records come out of its shard in the order they were put.
awk -F'\t' '{ print $2 "\t" $3 }' read.tsv | sort -s -t$'\t' -k1,1 | cut -f2 >per_key.got
jq -r .Name rides.jsonl | paste - rides.jsonl | sort -s -t$'\t' -k1,1 | cut -f2 >per_key.want
same_file per_key.want per_key.got "each partition key's records in the order put"
# And ks-consume reads the same records.
consume -s rides | sort >consumed
same_file want consumed "what ks-consume reads of the boto3 producer's records"
