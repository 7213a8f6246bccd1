#!/usr/bin/env bash
# Behaviour: ks-consume -g GROUP with --store aws, Kinesis at kinesis-local and DynamoDB at
# DynamoDB Local (AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL_DYNAMODB): two independent
# implementations. The group creates its lease table in DynamoDB Local and reads every record
# once; each lease's checkpoint, as the aws CLI scans it, is the last sequence number of its
# shard as the aws CLI's get-records gives it; a restart delivers the records put since, and
# nothing else. (The same and more against gw-serve: test_endpoint_groups.sh.)
source "$(dirname "$0")/common.sh"
need_tool jq
cd "$TMP"

# records FIRST LAST: JSON lines over 13 keys, each record numbered.
records() { awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++) printf "{\"k\":\"key-%d\",\"n\":%d}\n", i % 13, i }'; }
records 1 1200 >first.jsonl
records 1201 1500 >second.jsonl
# Keys for the AWS clients (any signature is taken), no user configuration.
export AWS_ACCESS_KEY_ID=AKIDMILLRACETEST AWS_SECRET_ACCESS_KEY=millrace-test-secret
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_PAGER= AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
start_kinesis_local
start_dynamodb_local
aws_store() {
  AWS_ENDPOINT_URL_KINESIS=$KL_URL AWS_ENDPOINT_URL_DYNAMODB=$DL_URL "$MILLRACE_BIN/$1" -S aws "${@:2}"
}
expect_status 0 "put to kinesis-local" aws_store ks-put -s orders --create --shards 2 -k k first.jsonl
expect_status 0 "a group on kinesis-local" aws_store ks-consume -s orders -g readers
same_sorted first.jsonl "$TMP/out" "kinesis-local: a group reads every record once"
last_sequences "$KL_URL" orders | sort >want.checkpoints
lease_items "$DL_URL" readers | jq -r '"\(.leaseKey) \(.checkpoint)"' >got.checkpoints
same_file want.checkpoints got.checkpoints "DynamoDB Local: each checkpoint is its shard's last sequence number"
aws_store ks-put -s orders -k k second.jsonl
expect_status 0 "the group again" aws_store ks-consume -s orders -g readers
same_sorted second.jsonl "$TMP/out" "kinesis-local: a restart delivers what was put since its checkpoints"
note ok
