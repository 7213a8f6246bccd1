#!/usr/bin/env bash
# Behaviour: the API tables gw-serve validates requests with are AWS's own models, not a copy
# typed by hand: each checked-in lib/aws/SERVICE_model.cpp is what scripts/aws-model writes from
# the service-2.json of Debian's python3-botocore.
source "$(dirname "$0")/common.sh"
cd "$TMP"
/usr/bin/python3 -c 'import botocore' 2>/dev/null || fail "python3-botocore is not installed"

for spec in "kinesis 2013-12-02 kinesis" "dynamodb 2012-08-10 dynamodb" "cloudwatch 2010-08-01 cloudwatch"; do
  set -- $spec
  "$MILLRACE_SRC/scripts/aws-model" "$1" "$2" "$3" >"$1_model.cpp" || fail "scripts/aws-model $spec failed"
  same_file "$1_model.cpp" "$MILLRACE_SRC/lib/aws/$1_model.cpp" "lib/aws/$1_model.cpp, generated from botocore's $1 $2"
done

# The table has what the model has: every operation, and PutRecords' limits as numbers.
operations=$(/usr/bin/python3 -c '
import json, botocore
m = json.load(open(botocore.__path__[0] + "/data/kinesis/2013-12-02/service-2.json"))
print(len(m["operations"]))')
assert_eq "$operations" "$(sed -n '/^constexpr Operation kOperations/,/^};/p' "$MILLRACE_SRC/lib/aws/kinesis_model.cpp" | grep -c '^    {')" \
  "operations in the Kinesis table"
grep -q '{"PutRecordsRequestEntryList", list, 1, 500,' "$MILLRACE_SRC/lib/aws/kinesis_model.cpp" ||
  fail "PutRecords' 1 to 500 records are not in the table"

# DynamoDB's: every operation, and BatchWriteItem's 25 writes per table.
operations=$(/usr/bin/python3 -c '
import json, botocore
m = json.load(open(botocore.__path__[0] + "/data/dynamodb/2012-08-10/service-2.json"))
print(len(m["operations"]))')
assert_eq "$operations" "$(sed -n '/^constexpr Operation kOperations/,/^};/p' "$MILLRACE_SRC/lib/aws/dynamodb_model.cpp" | grep -c '^    {')" \
  "operations in the DynamoDB table"
grep -q '{"WriteRequests", list, 1, 25,' "$MILLRACE_SRC/lib/aws/dynamodb_model.cpp" ||
  fail "BatchWriteItem's 1 to 25 writes are not in the table"
