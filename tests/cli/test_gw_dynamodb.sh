#!/usr/bin/env bash
# Behaviour: the DynamoDB API and kv-put/kv-get share their tables, in both directions. A table
# kv-put made and filled is read through the API by boto3 (GetItem, Query with KeyConditions,
# Scan in pages), each item the plain JSON kv-get gives, typed (boto3's own deserializer reads
# them back); a table CreateTable made, with a binary partition key, filled by PutItem and
# BatchWriteItem with every type (sets and binary included), is read by kv-get as millrace(7)
# documents the plain forms; UpdateTimeToLive is kv-get --describe's TTL. Every answer carries
# x-amz-crc32, the CRC32 of its body (checked here with Python's binascii, and by botocore).
source "$(dirname "$0")/common.sh"
cd "$TMP"
/usr/bin/python3 -c 'import boto3' 2>/dev/null || fail "python3-boto3 is not installed"
start_gateway
wildrydes_sample rides.jsonl
head -n 300 rides.jsonl >some.jsonl
kvput -t rides -k Name --sort-key StatusTime --create some.jsonl 2>/dev/null || fail "kv-put of the sample"

cat >check.py <<'PY'
import base64, binascii, decimal, json, sys, urllib.request
import boto3
from boto3.dynamodb.types import TypeDeserializer, Binary

url, sample = sys.argv[1], sys.argv[2]
client = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1")
plain = lambda typed: {k: TypeDeserializer().deserialize(v) for k, v in typed.items()}
exact = lambda line: json.loads(line, parse_float=decimal.Decimal, parse_int=decimal.Decimal)

# kv-put's table through the API: each item as kv-put stored it, numbers exactly.
items = [exact(l) for l in open(sample)]
got = client.get_item(TableName="rides", Key={"Name": {"S": items[0]["Name"]}, "StatusTime": {"S": items[0]["StatusTime"]}})
assert plain(got["Item"]) == items[0], (got, items[0])
name = items[5]["Name"]
mine = sorted((i for i in items if i["Name"] == name), key=lambda i: i["StatusTime"])
pages, start = [], None
while True:
    kw = {"ExclusiveStartKey": start} if start else {}
    page = client.query(TableName="rides", Limit=7, KeyConditions={"Name": {"AttributeValueList": [{"S": name}], "ComparisonOperator": "EQ"}}, **kw)
    pages += [plain(i) for i in page["Items"]]
    start = page.get("LastEvaluatedKey")
    if not start:
        break
assert pages == mine, "the Query of one unicorn, by StatusTime, over pages of 7"
scanned = []
for page in client.get_paginator("scan").paginate(TableName="rides", PaginationConfig={"PageSize": 50}):
    scanned += [plain(i) for i in page["Items"]]
key = lambda i: (i["Name"], i["StatusTime"])
assert sorted(scanned, key=key) == sorted(items, key=key), "Scan over pages: every item once"
described = client.describe_table(TableName="rides")["Table"]
assert described["ItemCount"] == len(items) and described["KeySchema"][1]["AttributeName"] == "StatusTime"

# A table of the API: binary partition key, every type; kv-get reads what the mapping says.
client.create_table(TableName="blobs", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "B"}, {"AttributeName": "n", "AttributeType": "N"}],
                    BillingMode="PAY_PER_REQUEST")
client.put_item(TableName="blobs", Item={"id": {"B": b"\x00\x01"}, "n": {"N": "1.50"}, "s": {"S": "é"}, "ss": {"SS": ["b", "a"]},
                                         "ns": {"NS": ["10", "2.5"]}, "bs": {"BS": [b"\xff"]}, "m": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}]}}},
                                         "big": {"N": "12345678901234567890123456789012345678"}})
client.batch_write_item(RequestItems={"blobs": [{"PutRequest": {"Item": {"id": {"B": b"\x00"}, "n": {"N": str(i)}}}} for i in range(3)]})
print(json.dumps({"crc": [binascii.crc32(r.read()) == int(r.headers["x-amz-crc32"]) for r in [urllib.request.urlopen(urllib.request.Request(
    url + "/", data=b'{"TableName":"blobs"}', headers={"X-Amz-Target": "DynamoDB_20120810.DescribeTable",
                                                        "Content-Type": "application/x-amz-json-1.0"}))]]}))
client.update_time_to_live(TableName="blobs", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
PY
/usr/bin/python3 check.py "$GW_URL" some.jsonl >check.out || fail "boto3 against kv-put's table, or making the API's table"
assert_eq '{"crc": [true]}' "$(cat check.out)" "x-amz-crc32 is the CRC32 of the body"

# kv-get reads the API's items in key order (binary keys by bytes: 00 before 00 01), each in
# the documented plain form: base64 for binary, $SS/$NS/$BS sets in the order given,
# DynamoDB's text of each number.
kvget -t blobs --scan >blobs.jsonl || fail "kv-get --scan of the API's table"
cat >want.jsonl <<'EOF'
{"id":{"$B":"AA=="},"n":0}
{"id":{"$B":"AA=="},"n":1}
{"id":{"$B":"AA=="},"n":2}
{"id":{"$B":"AAE="},"n":1.5,"s":"é","ss":{"$SS":["b","a"]},"ns":{"$NS":[10,2.5]},"bs":{"$BS":["/w=="]},"m":{"l":[null,false]},"big":12345678901234567890123456789012345678}
EOF
same_file want.jsonl blobs.jsonl "kv-get's items of the API's table"
kvget -t blobs AAE= 1.5 >one.jsonl || fail "kv-get of a binary key given in base64"
assert_eq "$(sed -n 4p want.jsonl)" "$(cat one.jsonl)" "kv-get TABLE BASE64 NUMBER"
assert_eq '{"AttributeName":"expires","TimeToLiveStatus":"ENABLED"}' \
  "$(kvget --describe blobs | jq -c .TimeToLiveDescription)" "UpdateTimeToLive as kv-get --describe sees it"
