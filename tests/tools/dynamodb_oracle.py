#!/usr/bin/python3
"""gw-serve's DynamoDB API against AWS's own implementation, DynamoDB Local, as the oracle.

usage: dynamodb_oracle.py GW_URL LOCAL_URL

Sends the same request sequences to both -- tables and their errors, items of every type,
numbers as DynamoDB normalises them, typed values DynamoDB refuses, keys, the 400 KB limit,
capacity units at the 1 KB and 4 KB boundaries and those of secondary indexes (writes that put,
move, change or remove entries of LSIs and GSIs of each projection; reads of each index, with
a local index's fetches), batches, Query and Scan pagination, 1 MB pages, conditions
(ConditionExpression and Expected) holding and failing, every ReturnValues, UpdateItem's actions (UpdateExpression and AttributeUpdates), filters after Limit, projections,
Select, TransactWriteItems' cancellation reasons and ClientRequestToken, TransactGetItems, and
the expressions' error texts -- each request signed by botocore and sent as raw JSON, and
compares the answers: the
status, the error's __type and message, the items, ConsumedCapacity, Count, ScannedCount and
LastEvaluatedKey. Only what legitimately differs is normalised, each where it is done, with the
reason. Prints the number of requests compared; exits 1 listing the differences.
"""

import copy
import json
import re
import sys
import time
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

GW, LOCAL = sys.argv[1], sys.argv[2]
CREDENTIALS = Credentials("AKIDMILLRACETEST", "millrace-test-secret")
differences = []
compared = 0


def send(url, operation, body):
    data = json.dumps(body).encode()
    request = AWSRequest(method="POST", url=url + "/", data=data,
                         headers={"X-Amz-Target": "DynamoDB_20120810." + operation,
                                  "Content-Type": "application/x-amz-json-1.0"})
    SigV4Auth(CREDENTIALS, "dynamodb", "us-east-1").add_auth(request)
    raw = urllib.request.Request(url + "/", data=data, headers=dict(request.headers), method="POST")
    try:
        with urllib.request.urlopen(raw) as answer:
            status, text = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    return status, json.loads(text) if text.strip() else {}


def normalise(answer):
    answer = copy.deepcopy(answer)
    if not isinstance(answer, dict):
        return answer
    # Errors: DynamoDB Local writes "Message", DynamoDB "message"; botocore reads either.
    if "Message" in answer:
        answer["message"] = answer.pop("Message")
    for wrapper in ("Table", "TableDescription"):
        table = answer.get(wrapper)
        if not isinstance(table, dict):
            continue
        # Times are the clocks' of two servers; ARNs name each one's region ("ddblocal").
        table.pop("CreationDateTime", None)
        table.get("BillingModeSummary", {}).pop("LastUpdateToPayPerRequestDateTime", None)
        table["TableArn"] = table.get("TableArn", "").rsplit(":", 1)[-1]
        # TableSizeBytes is an estimate DynamoDB updates about every six hours; DynamoDB Local
        # counts its item sizes, gw-serve the bytes of the items' JSON (kv-get --describe's).
        table.pop("TableSizeBytes", None)
        # DynamoDB answers DeleteTable with DELETING (its deletion goes on after the answer),
        # as gw-serve does; DynamoDB Local with ACTIVE.
        if table.get("TableStatus") == "DELETING":
            table["TableStatus"] = "ACTIVE"
        # The order of AttributeDefinitions that UpdateTable extends is DynamoDB Local's hash order.
        table["AttributeDefinitions"] = sorted(table.get("AttributeDefinitions", []), key=lambda d: d["AttributeName"])
        for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
            indexes = []
            for index in table.get(kind, []):
                # An index's size is an estimate, as the table's (above). gw-serve makes an index
                # whole within UpdateTable (its backfill is the request's transaction): it is
                # ACTIVE at once, where DynamoDB's is CREATING, then backfilled, and one being
                # deleted is gone at once. DynamoDB Local gives OnDemandThroughput to indexes
                # made by UpdateTable only.
                for member in ("IndexSizeBytes", "Backfilling", "OnDemandThroughput"):
                    index.pop(member, None)
                index["IndexArn"] = index.get("IndexArn", "").rsplit(":", 1)[-1]  # the region, as the table's
                if wrapper == "TableDescription":  # a CREATING index has none yet; DescribeTable compares them
                    index.pop("ItemCount", None)
                if index.get("IndexStatus") == "DELETING":
                    continue
                if index.get("IndexStatus") == "CREATING":
                    index["IndexStatus"] = "ACTIVE"
                indexes.append(index)
            if kind in table:  # DynamoDB Local's order is that of a hash map's
                table[kind] = sorted(indexes, key=lambda i: i.get("IndexName", ""))
            if kind in table and not indexes:
                del table[kind]
    # DynamoDB gives a BatchGetItem's items in no particular order (DynamoDB Local shuffles them);
    # a TransactGetItems' Responses are a list, in the order of the Gets.
    for table_name, items in (answer["Responses"] if isinstance(answer.get("Responses"), dict) else {}).items():
        answer["Responses"][table_name] = sorted(items, key=lambda i: json.dumps(i, sort_keys=True))
    return sort_sets(answer)


def sort_sets(value):
    # DynamoDB keeps no order in a set (gw-serve keeps the order given): compare as sets.
    if isinstance(value, dict):
        return {k: sorted(v) if k in ("SS", "NS", "BS") and isinstance(v, list) else sort_sets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sort_sets(v) for v in value]
    return value


def model_error(answer):
    """DynamoDB Local checks the model's constraints in words of its own ("Limit must be greater
    than or equal to 1"); DynamoDB, as gw-serve, answers with the model's ("1 validation error
    detected: Value '0' at 'limit' failed to satisfy constraint: ..."). Only __type is compared."""
    return re.match(r"\d+ validation errors? detected: ", answer.get("message", "")) is not None


def first_difference(a, b, path=""):
    """The path of the first member where two answers differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {json.dumps(a)[:200]} vs {json.dumps(b)[:200]}"


def call(operation, body, what=None):
    """Sends one request to both; records a difference; returns gw-serve's answer."""
    global compared
    compared += 1
    gw_status, gw = send(GW, operation, body)
    local_status, local = send(LOCAL, operation, body)
    a, b = normalise(gw), normalise(local)
    if gw_status == 400 and local_status == 400 and model_error(a):
        a, b = a["__type"], b["__type"]
    if (gw_status, a) != (local_status, b):
        differences.append(f"{what or operation} {json.dumps(body)[:300]}\n    first difference at {first_difference(a, b)}\n    gw-serve:       {gw_status} {json.dumps(a)[:600]}"
                           f"\n    DynamoDB Local: {local_status} {json.dumps(b)[:600]}")
    return gw


def table(name, keys, billing=None):
    definitions = [{"AttributeName": n, "AttributeType": t} for n, t in keys]
    schema = [{"AttributeName": n, "KeyType": k} for (n, _), k in zip(keys, ("HASH", "RANGE"))]
    body = {"TableName": name, "KeySchema": schema, "AttributeDefinitions": definitions}
    body.update(billing or {"BillingMode": "PAY_PER_REQUEST"})
    return body


# ---- tables -----------------------------------------------------------------------------------
call("CreateTable", table("rides", [("Name", "S"), ("At", "N")]))
call("CreateTable", table("blobs", [("id", "B")], {"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}}))
call("CreateTable", table("plain", [("k", "S")]))
call("CreateTable", table("rides", [("Name", "S"), ("At", "N")]), "a table that exists")
call("CreateTable", table("nothroughput", [("k", "S")], {}))
call("CreateTable", {**table("badkeys", [("k", "S")]), "AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}]})
call("CreateTable", {**table("badkeys", [("k", "S")]), "KeySchema": [{"AttributeName": "k", "KeyType": "RANGE"}]})
call("CreateTable", {**table("badkeys", [("k", "S"), ("j", "S")]), "KeySchema": [{"AttributeName": "j", "KeyType": "RANGE"}, {"AttributeName": "k", "KeyType": "HASH"}]})
call("CreateTable", {**table("badkeys", [("k", "S")]), "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}] * 2})
call("CreateTable", {**table("badkeys", [("k", "S")]), "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "N"}]})
call("CreateTable", {"TableName": "x", "KeySchema": [], "AttributeDefinitions": []}, "the model's constraints")
call("DescribeTable", {"TableName": "blobs"})
call("DescribeTable", {"TableName": "nope"})
call("ListTables", {})
call("ListTables", {"Limit": 2})
call("ListTables", {"Limit": 2, "ExclusiveStartTableName": "blobs"})
call("ListTables", {"Limit": 0})
call("UpdateTable", {"TableName": "rides"})
call("UpdateTable", {"TableName": "rides", "BillingMode": "PROVISIONED"})
call("UpdateTable", {"TableName": "blobs", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}})
call("UpdateTable", {"TableName": "blobs", "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 2}})
call("UpdateTable", {"TableName": "blobs", "BillingMode": "PAY_PER_REQUEST"})
call("UpdateTable", {"TableName": "blobs", "BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}})
call("UpdateTable", {"TableName": "nope", "BillingMode": "PAY_PER_REQUEST"})
call("DescribeTimeToLive", {"TableName": "plain"})
call("UpdateTimeToLive", {"TableName": "plain", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}})
call("DescribeTimeToLive", {"TableName": "plain"})
call("UpdateTimeToLive", {"TableName": "plain", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}})
call("UpdateTimeToLive", {"TableName": "plain", "TimeToLiveSpecification": {"Enabled": False, "AttributeName": "other"}})
call("UpdateTimeToLive", {"TableName": "plain", "TimeToLiveSpecification": {"Enabled": False, "AttributeName": "expires"}})
call("UpdateTimeToLive", {"TableName": "plain", "TimeToLiveSpecification": {"Enabled": False, "AttributeName": "expires"}})
call("CreateTable", table("doomed", [("k", "S")]))
call("UpdateTable", {"TableName": "doomed", "DeletionProtectionEnabled": True})
call("DeleteTable", {"TableName": "doomed"})
call("UpdateTable", {"TableName": "doomed", "DeletionProtectionEnabled": False})
call("DeleteTable", {"TableName": "doomed"})
call("DeleteTable", {"TableName": "doomed"})

# ---- items: every type, numbers as DynamoDB gives them back -----------------------------------
numbers = ["1.50", "-0", "1e3", "0.000100", "1E-10", "12345678901234567890123456789012345678", "1e125", "-1.5e-130",
           "+5", "00012.3400", "1.2E+20", ".5", "5.", "12e2", "1234567890123456789012345678901234567800000"]
item = {"k": {"S": "all"}, "s": {"S": "é \"quoted\""}, "b": {"B": "AAEC"}, "t": {"BOOL": True}, "z": {"NULL": True},
        "ss": {"SS": ["b", "a", ""]}, "ns": {"NS": ["10", "2.50", "-3"]}, "bs": {"BS": ["AQ==", "AA=="]},
        "m": {"M": {"l": {"L": [{"N": "1"}, {"M": {}}, {"L": []}]}, "e": {"S": ""}}}}
item.update({f"n{i}": {"N": n} for i, n in enumerate(numbers)})
call("PutItem", {"TableName": "plain", "Item": item, "ReturnConsumedCapacity": "TOTAL"})
call("GetItem", {"TableName": "plain", "Key": {"k": {"S": "all"}}, "ReturnConsumedCapacity": "INDEXES"})
call("GetItem", {"TableName": "plain", "Key": {"k": {"S": "all"}}, "ConsistentRead": True, "ReturnConsumedCapacity": "TOTAL"})
call("GetItem", {"TableName": "plain", "Key": {"k": {"S": "none"}}, "ReturnConsumedCapacity": "TOTAL"})
call("PutItem", {"TableName": "plain", "Item": {"k": {"S": "all"}}, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"})
call("PutItem", {"TableName": "plain", "Item": {"k": {"S": "all"}}, "ReturnValues": "ALL_NEW"})
call("DeleteItem", {"TableName": "plain", "Key": {"k": {"S": "all"}}, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"})
call("DeleteItem", {"TableName": "plain", "Key": {"k": {"S": "all"}}, "ReturnConsumedCapacity": "TOTAL"})
call("PutItem", {"TableName": "blobs", "Item": {"id": {"B": "AAE="}, "v": {"S": "x"}}})
call("GetItem", {"TableName": "blobs", "Key": {"id": {"B": "AAE="}}})

# Typed values DynamoDB refuses (those whose JSON is of the wrong kind are left out: DynamoDB
# Local answers them with an InternalFailure, DynamoDB and gw-serve with a SerializationException).
for bad in [{}, {"X": "1"}, {"S": "a", "N": "1"}, {"NULL": False}, {"SS": []}, {"NS": []}, {"BS": []},
            {"SS": ["a", "b", "a"]}, {"NS": ["1", "1.0"]}, {"BS": ["AQ==", "AQ=="]}, {"N": "abc"}, {"N": " 7 "},
            {"N": "123456789012345678901234567890123456789"}, {"N": "1e126"}, {"N": "1e-131"}, {"L": [{}]},
            {"M": {"a": {"SS": []}}}, {"NS": ["1", "x"]}]:
    call("PutItem", {"TableName": "plain", "Item": {"k": {"S": "bad"}, "v": bad}}, f"the typed value {bad}")
deep = {"S": "x"}
for levels in range(33):
    if levels in (31, 32):
        call("PutItem", {"TableName": "plain", "Item": {"k": {"S": "deep"}, "v": deep}}, f"{levels} levels of maps")
    deep = {"M": {"a": deep}}

# Keys.
key_cases = [{"Name": {"S": "a"}}, {"At": {"N": "1"}}, {"Name": {"N": "1"}, "At": {"N": "1"}},
             {"Name": {"S": ""}, "At": {"N": "1"}}, {"Name": {"S": "a"}, "At": {"S": "1"}},
             {"Name": {"SS": ["a"]}, "At": {"N": "1"}}, {"Name": {"S": "x" * 2049}, "At": {"N": "1"}}]
for key in key_cases:
    call("PutItem", {"TableName": "rides", "Item": key}, "a bad key in an item")
for key in key_cases + [{"Name": {"S": "a"}, "At": {"N": "1"}, "x": {"S": "1"}}, {"Q": {"S": "a"}, "At": {"N": "1"}}]:
    call("GetItem", {"TableName": "rides", "Key": key}, "a bad key")
call("GetItem", {"TableName": "nope", "Key": {"k": {"S": "a"}}})
call("PutItem", {"TableName": "blobs", "Item": {"id": {"B": ""}}}, "an empty binary key")

# 400 KB as DynamoDB counts it: k(1) + "big"(3) + v(1) + the string.
for extra in (0, 1):
    call("PutItem", {"TableName": "plain", "Item": {"k": {"S": "big"}, "v": {"S": "z" * (400 * 1024 - 5 + extra)}}}, f"400 KB + {extra}")

# Capacity units at the 1 KB boundary, for values of every kind: each item sized by padding
# (k(1) + its key + p(1) + padding + v(1) + the value) to 1023, 1024 and 1025 bytes by gw-serve's
# count, each on a fresh key: the write units say whether DynamoDB Local counts alike.
sized = [{"S": "abc"}, {"S": "é"}, {"N": "1"}, {"N": "12"}, {"N": "123"}, {"N": "-1.5"}, {"N": "0"}, {"N": "0.01"},
         {"N": "12345678901234567890123456789012345678"}, {"B": "AAEC"}, {"BOOL": True}, {"NULL": True}, {"L": []},
         {"L": [{"S": "ab"}, {"NULL": True}]}, {"M": {"ab": {"S": "cd"}}}, {"SS": ["a", "bc"]}, {"NS": ["1", "22"]},
         {"BS": ["AA==", "AAA="]}]
for i, value in enumerate(sized):
    for total in (1023, 1024, 1025):
        key = f"s{i:02d}-{total}"
        # The value's size by DynamoDB's rules (store/decimal.h, aws/attribute_value.h); the
        # padding is what makes the item `total` bytes if those rules are DynamoDB's.
        value_size = {0: 3, 1: 2, 2: 2, 3: 2, 4: 3, 5: 4, 6: 1, 7: 2, 8: 20, 9: 3, 10: 1, 11: 1, 12: 3, 13: 8, 14: 8, 15: 3, 16: 4, 17: 3}[i]
        pad = total - (1 + len(key) + 1 + 1 + value_size)
        call("PutItem", {"TableName": "plain", "Item": {"k": {"S": key}, "p": {"S": "x" * pad}, "v": value},
                         "ReturnConsumedCapacity": "TOTAL"}, f"write units of {value} at {total} bytes")
# Read units at the 4 KB boundary, consistent and not.
for total in (4095, 4096, 4097, 8193):
    key = f"r{total}"
    call("PutItem", {"TableName": "plain", "Item": {"k": {"S": key}, "p": {"S": "x" * (total - (1 + len(key) + 1))}}})
    for consistent in (False, True):
        call("GetItem", {"TableName": "plain", "Key": {"k": {"S": key}}, "ConsistentRead": consistent,
                         "ReturnConsumedCapacity": "TOTAL"}, f"read units at {total} bytes")

# ---- batches -----------------------------------------------------------------------------------
put = lambda k, n=0: {"PutRequest": {"Item": {"k": {"S": k}, "p": {"S": "x" * n}}}}
delete = lambda k: {"DeleteRequest": {"Key": {"k": {"S": k}}}}
call("BatchWriteItem", {"RequestItems": {"plain": [put("b1"), put("b2", 3000), delete("gone")]}, "ReturnConsumedCapacity": "TOTAL"})
call("BatchWriteItem", {"RequestItems": {"plain": [put("b2", 10), delete("b1")]}, "ReturnConsumedCapacity": "INDEXES"})
call("BatchWriteItem", {"RequestItems": {"plain": [put("b3"), delete("b3")]}})
call("BatchWriteItem", {"RequestItems": {"plain": [{}]}})
call("BatchWriteItem", {"RequestItems": {"plain": [put(f"n{i}") for i in range(13)], "rides": [
    {"PutRequest": {"Item": {"Name": {"S": "n"}, "At": {"N": str(i)}}}} for i in range(13)]}})
call("BatchWriteItem", {"RequestItems": {"nope": [put("a")]}})
call("BatchWriteItem", {"RequestItems": {"plain": [{"PutRequest": {"Item": {"k": {"N": "1"}}}}]}})
get = lambda *keys: [{"k": {"S": k}} for k in keys]
call("BatchGetItem", {"RequestItems": {"plain": {"Keys": get("b2", "none", "r4097")}}, "ReturnConsumedCapacity": "TOTAL"})
call("BatchGetItem", {"RequestItems": {"plain": {"Keys": get("b2", "r8193"), "ConsistentRead": True}}, "ReturnConsumedCapacity": "INDEXES"})
call("BatchGetItem", {"RequestItems": {"plain": {"Keys": get("b2", "b2")}}})
call("BatchGetItem", {"RequestItems": {"plain": {"Keys": get(*[f"q{i}" for i in range(60)])}, "rides": {
    "Keys": [{"Name": {"S": "q"}, "At": {"N": str(i)}} for i in range(60)]}}})
call("BatchGetItem", {"RequestItems": {"nope": {"Keys": get("a")}}})

# ---- Query and Scan ----------------------------------------------------------------------------
for at in [5, 1, 10, 2, 3, -1, 0.5, 4, 7, 100, 11]:
    call("PutItem", {"TableName": "rides", "Item": {"Name": {"S": "u"}, "At": {"N": str(at)}, "v": {"S": "y" * int(abs(at) * 10)}}})
call("PutItem", {"TableName": "rides", "Item": {"Name": {"S": "w"}, "At": {"N": "1"}}})
eq = {"Name": {"AttributeValueList": [{"S": "u"}], "ComparisonOperator": "EQ"}}
at = lambda op, *values: {**eq, "At": {"AttributeValueList": [{"N": v} for v in values], "ComparisonOperator": op}}


def query_pages(body, what):
    start, pages = None, 0
    while pages < 20:
        page = call("Query", {**body, **({"ExclusiveStartKey": start} if start else {})}, f"{what}, page {pages + 1}")
        start, pages = page.get("LastEvaluatedKey"), pages + 1
        if not start:
            return


for limit in (None, 1, 3, 11, 12):
    for forward in (True, False):
        body = {"TableName": "rides", "KeyConditions": eq, "ScanIndexForward": forward, "ReturnConsumedCapacity": "TOTAL"}
        if limit:
            body["Limit"] = limit
        query_pages(body, f"Query, Limit {limit}, forward {forward}")
for condition in [at("LT", "3"), at("LE", "3"), at("GT", "3"), at("GE", "3"), at("EQ", "4"), at("BETWEEN", "1", "10"),
                  at("BETWEEN", "10", "1"), at("GT"), at("BEGINS_WITH", "1")]:
    call("Query", {"TableName": "rides", "KeyConditions": condition, "Limit": 3}, f"Query {condition.get('At')}")
call("Query", {"TableName": "rides", "KeyConditions": eq, "Select": "COUNT", "ReturnConsumedCapacity": "TOTAL"})
call("Query", {"TableName": "rides", "KeyConditions": eq, "Select": "COUNT", "Limit": 11})
call("Query", {"TableName": "rides"})
call("Query", {"TableName": "rides", "KeyConditions": {"At": eq["Name"]}})
call("Query", {"TableName": "rides", "KeyConditions": {"Name": {**eq["Name"], "ComparisonOperator": "GT"}}})
call("Query", {"TableName": "rides", "KeyConditions": {**eq, "At": {"AttributeValueList": [{"S": "3"}], "ComparisonOperator": "GT"}}})
call("Query", {"TableName": "rides", "KeyConditions": eq, "ExclusiveStartKey": {"Name": {"S": "w"}, "At": {"N": "1"}}})
call("Query", {"TableName": "rides", "KeyConditions": eq, "ExclusiveStartKey": {"Name": {"S": "u"}}})
call("Query", {"TableName": "rides", "KeyConditions": eq, "Select": "SPECIFIC_ATTRIBUTES"})
call("Query", {"TableName": "rides", "KeyConditions": eq, "Select": "ALL_PROJECTED_ATTRIBUTES"})
call("Query", {"TableName": "rides", "KeyConditions": eq, "IndexName": "nope"})
call("Query", {"TableName": "rides", "KeyConditions": {"Name": {"AttributeValueList": [{"S": "nobody"}], "ComparisonOperator": "EQ"}},
               "ReturnConsumedCapacity": "TOTAL"})

# A Scan walks partitions in the order of their keys' hashes in DynamoDB, in key order in
# gw-serve: its pages differ, and are compared as a whole -- the items of all pages, each once,
# the counts of the pages of a Limit, and what a Select COUNT counts.
def pages_all(url, operation, body):
    items, counts, start = [], [], None
    while True:
        status, page = send(url, operation, {**body, **({"ExclusiveStartKey": start} if start else {})})
        assert status == 200, page
        items += page.get("Items", [])
        counts.append(page["Count"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return sorted(json.dumps(sort_sets(i), sort_keys=True) for i in items), counts


def scan_all(url, body):
    return pages_all(url, "Scan", body)


for body in ({"TableName": "rides"}, {"TableName": "rides", "Limit": 4}, {"TableName": "plain", "Limit": 7},
             {"TableName": "plain", "Select": "COUNT"}):
    compared += 1
    if scan_all(GW, body) != scan_all(LOCAL, body):
        differences.append(f"Scan {body}: the pages' items or counts differ")
for segments in (1, 3):
    parts = [scan_all(GW, {"TableName": "plain", "Segment": s, "TotalSegments": segments})[0] for s in range(segments)]
    compared += 1
    if sorted(sum(parts, [])) != scan_all(LOCAL, {"TableName": "plain"})[0]:
        differences.append(f"Scan in {segments} segments: not every item once")
call("Scan", {"TableName": "plain", "Segment": 0})
call("Scan", {"TableName": "plain", "TotalSegments": 2})
call("Scan", {"TableName": "plain", "Segment": 2, "TotalSegments": 2})
call("Scan", {"TableName": "nope"})

# 1 MB pages: 300 items of 10000 bytes in one partition; a page ends once 1 MB has been read.
call("CreateTable", table("pages", [("p", "S"), ("s", "N")]))
for i in range(300):
    call("PutItem", {"TableName": "pages", "Item": {"p": {"S": "one"}, "s": {"N": str(i)}, "v": {"S": "x" * (10000 - 6 - len(str(i)))}}},
         "an item of 10000 bytes")
query_pages({"TableName": "pages", "KeyConditions": {"p": {"AttributeValueList": [{"S": "one"}], "ComparisonOperator": "EQ"}},
             "ReturnConsumedCapacity": "TOTAL", "Select": "COUNT"}, "1 MB pages of a Query")

# ---- secondary indexes ----------------------------------------------------------------------------
A = lambda n, t: {"AttributeName": n, "AttributeType": t}
K = lambda n, k: {"AttributeName": n, "KeyType": k}
GSI = lambda name, keys, projection, **more: {"IndexName": name, "KeySchema": keys, "Projection": projection, **more}
indexed = {"TableName": "indexed", "BillingMode": "PAY_PER_REQUEST",
           "AttributeDefinitions": [A("pk", "S"), A("sk", "N"), A("gk", "S"), A("lk", "N")],
           "KeySchema": [K("pk", "HASH"), K("sk", "RANGE")],
           "LocalSecondaryIndexes": [GSI("by_lk", [K("pk", "HASH"), K("lk", "RANGE")], {"ProjectionType": "KEYS_ONLY"})],
           "GlobalSecondaryIndexes": [GSI("by_gk", [K("gk", "HASH"), K("sk", "RANGE")], {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}),
                                      GSI("gk_all", [K("gk", "HASH")], {"ProjectionType": "ALL"})]}
call("CreateTable", indexed)
call("DescribeTable", {"TableName": "indexed"})
# CreateTable's refusals of indexes, each on a fresh name.
bad_indexes = [
    {"GlobalSecondaryIndexes": [GSI("bad_gsi", [K("zz", "HASH")], {"ProjectionType": "ALL"})]},
    {"GlobalSecondaryIndexes": [GSI("twice", [K("gk", "HASH")], {"ProjectionType": "ALL"})] * 2},
    {"GlobalSecondaryIndexes": [GSI("same", [K("gk", "HASH")], {"ProjectionType": "ALL"})],
     "LocalSecondaryIndexes": [GSI("same", [K("pk", "HASH"), K("lk", "RANGE")], {"ProjectionType": "ALL"})]},
    {"LocalSecondaryIndexes": [GSI("other_hash", [K("gk", "HASH"), K("lk", "RANGE")], {"ProjectionType": "ALL"})]},
    {"LocalSecondaryIndexes": [GSI("no_range", [K("pk", "HASH")], {"ProjectionType": "ALL"})]},
    {"LocalSecondaryIndexes": [GSI(f"lsi{i}", [K("pk", "HASH"), K("lk", "RANGE")], {"ProjectionType": "ALL"}) for i in range(6)]},
    {"GlobalSecondaryIndexes": [GSI(f"gsi{i}", [K("gk", "HASH")], {"ProjectionType": "ALL"}) for i in range(21)]},
    {"GlobalSecondaryIndexes": [GSI("include", [K("gk", "HASH")], {"ProjectionType": "INCLUDE"})]},
    {"GlobalSecondaryIndexes": [GSI("keys", [K("gk", "HASH")], {"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]})]},
    {"GlobalSecondaryIndexes": [GSI("dup_attr", [K("gk", "HASH")], {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "a"]})]},
    {"GlobalSecondaryIndexes": [GSI("no_hash", [K("gk", "RANGE")], {"ProjectionType": "ALL"})]},
    {"GlobalSecondaryIndexes": []},
    {"LocalSecondaryIndexes": [GSI("unused", [K("pk", "HASH"), K("lk", "RANGE")], {"ProjectionType": "ALL"})]},
]
for i, more in enumerate(bad_indexes):
    call("CreateTable", {**indexed, "TableName": f"badindex{i}", "LocalSecondaryIndexes": [], "GlobalSecondaryIndexes": None, **more}
         | ({} if "GlobalSecondaryIndexes" in more else {"GlobalSecondaryIndexes": indexed["GlobalSecondaryIndexes"]}),
         f"a refused index: {json.dumps(more)[:120]}")
call("CreateTable", {"TableName": "hashonly", "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [A("pk", "S"), A("lk", "N")],
                     "KeySchema": [K("pk", "HASH")],
                     "LocalSecondaryIndexes": [GSI("by_lk", [K("pk", "HASH"), K("lk", "RANGE")], {"ProjectionType": "ALL"})]})
call("CreateTable", {"TableName": "provgsi", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
                     "AttributeDefinitions": [A("pk", "S"), A("gk", "S")], "KeySchema": [K("pk", "HASH")],
                     "GlobalSecondaryIndexes": [GSI("by_gk", [K("gk", "HASH")], {"ProjectionType": "KEYS_ONLY"})]})
call("CreateTable", {"TableName": "provgsi", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
                     "AttributeDefinitions": [A("pk", "S"), A("gk", "S")], "KeySchema": [K("pk", "HASH")],
                     "GlobalSecondaryIndexes": [GSI("by_gk", [K("gk", "HASH")], {"ProjectionType": "KEYS_ONLY"},
                                                    ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 2})]})

# Items: two partitions of six, gk alternating g1 and g2, lk descending as sk ascends; the
# items with sk 6 and 16 have no gk, so are in neither global index. No two items share an
# index's key (DynamoDB promises no order among those that do).
for pk, first in (("p1", 1), ("p2", 11)):
    for sk in range(first, first + 6):
        item = {"pk": {"S": pk}, "sk": {"N": str(sk)}, "lk": {"N": str(30 - sk)}, "a": {"S": f"a{sk}"}, "b": {"S": "b"}}
        if sk % 10 != 6:
            item["gk"] = {"S": f"g{sk % 2 + 1}"}
        call("PutItem", {"TableName": "indexed", "Item": item, "ReturnConsumedCapacity": "INDEXES"}, "an indexed item")
call("PutItem", {"TableName": "indexed", "Item": {"pk": {"S": "p3"}, "sk": {"N": "1"}, "gk": {"N": "5"}}}, "an index key of the wrong type")
call("PutItem", {"TableName": "indexed", "Item": {"pk": {"S": "p3"}, "sk": {"N": "1"}, "gk": {"S": ""}}}, "an empty index key")
call("PutItem", {"TableName": "indexed", "Item": {"pk": {"S": "p3"}, "sk": {"N": "1"}, "lk": {"S": "x"}}}, "a local index key of the wrong type")
gk = lambda v: {"gk": {"AttributeValueList": [{"S": v}], "ComparisonOperator": "EQ"}}
p1 = {"pk": {"AttributeValueList": [{"S": "p1"}], "ComparisonOperator": "EQ"}}
for limit in (None, 1, 2, 5):
    for forward in (True, False):
        for body in ({"TableName": "indexed", "IndexName": "by_gk", "KeyConditions": gk("g1")},
                     {"TableName": "indexed", "IndexName": "by_lk", "KeyConditions": p1}):
            body = {**body, "ScanIndexForward": forward, **({"Limit": limit} if limit else {}), "ReturnConsumedCapacity": "INDEXES"}
            query_pages(body, f"Query of {body['IndexName']}, Limit {limit}, forward {forward}")
call("Query", {"TableName": "indexed", "IndexName": "by_gk", "KeyConditions": {**gk("g2"), "sk": {"AttributeValueList": [{"N": "3"}], "ComparisonOperator": "GE"}}})
call("Query", {"TableName": "indexed", "IndexName": "by_lk", "KeyConditions": {**p1, "lk": {"AttributeValueList": [{"N": "26"}, {"N": "28"}], "ComparisonOperator": "BETWEEN"}}})
call("Query", {"TableName": "indexed", "IndexName": "by_lk", "KeyConditions": p1, "Select": "ALL_ATTRIBUTES"}, "a local index fetches the rest")
call("Query", {"TableName": "indexed", "IndexName": "by_gk", "KeyConditions": gk("g1"), "Select": "ALL_ATTRIBUTES"})
call("Query", {"TableName": "indexed", "IndexName": "by_gk", "KeyConditions": gk("g1"), "Select": "ALL_PROJECTED_ATTRIBUTES"})
call("Query", {"TableName": "indexed", "IndexName": "by_gk", "KeyConditions": gk("g1"), "Select": "COUNT"})
call("Query", {"TableName": "indexed", "IndexName": "by_gk", "KeyConditions": gk("g1"), "ConsistentRead": True})
call("Query", {"TableName": "indexed", "IndexName": "by_lk", "KeyConditions": p1, "ConsistentRead": True})
call("Query", {"TableName": "indexed", "IndexName": "by_gk", "KeyConditions": p1}, "a Query of an index on the table's key")
call("Query", {"TableName": "indexed", "IndexName": "nope", "KeyConditions": gk("g1")})
call("Scan", {"TableName": "indexed", "IndexName": "nope"})


# Items of one index key sit in the order of the table's key in gw-serve; DynamoDB promises no
# order among them: a Query of an index without a sort key is compared as Scans are, as a whole.
for operation, body in (("Query", {"TableName": "indexed", "IndexName": "gk_all", "KeyConditions": gk("g2"), "Limit": 2}),
                        ("Scan", {"TableName": "indexed", "IndexName": "gk_all", "Limit": 3}),
                        ("Scan", {"TableName": "indexed", "IndexName": "by_gk"}),
                        ("Scan", {"TableName": "indexed", "IndexName": "by_lk", "Limit": 4})):
    compared += 1
    if pages_all(GW, operation, body) != pages_all(LOCAL, operation, body):
        differences.append(f"{operation} {body}: the pages' items or counts differ")

# Overwrites that move an item in the indexes, or out of them; a delete.
call("PutItem", {"TableName": "indexed", "Item": {"pk": {"S": "p1"}, "sk": {"N": "1"}, "gk": {"S": "g2"}, "lk": {"N": "1"}, "a": {"S": "moved"}},
                 "ReturnConsumedCapacity": "INDEXES"})
call("PutItem", {"TableName": "indexed", "Item": {"pk": {"S": "p1"}, "sk": {"N": "2"}}, "ReturnConsumedCapacity": "INDEXES"})
call("DeleteItem", {"TableName": "indexed", "Key": {"pk": {"S": "p1"}, "sk": {"N": "3"}}, "ReturnConsumedCapacity": "INDEXES"})
for body in ({"TableName": "indexed", "IndexName": "by_gk", "KeyConditions": gk("g1")},
             {"TableName": "indexed", "IndexName": "by_gk", "KeyConditions": gk("g2")},
             {"TableName": "indexed", "IndexName": "by_lk", "KeyConditions": p1}):
    call("Query", {**body, "ReturnConsumedCapacity": "INDEXES"}, f"{body['IndexName']} after the moves")
call("DescribeTable", {"TableName": "indexed"}, "the indexes' item counts")


# UpdateTable: a global index made on the items there, then one deleted. DynamoDB Local makes
# and deletes indexes in the background: it is waited for before the next request.
def settled(name):
    for _ in range(100):
        _, answer = send(LOCAL, "DescribeTable", {"TableName": name})
        if all(i.get("IndexStatus") == "ACTIVE" for i in answer["Table"].get("GlobalSecondaryIndexes", [])):
            return
        time.sleep(0.1)


by_a = GSI("by_a", [K("a", "S")], {"ProjectionType": "KEYS_ONLY"})
by_a["KeySchema"] = [K("a", "HASH")]
call("UpdateTable", {"TableName": "indexed", "GlobalSecondaryIndexUpdates": [{"Create": by_a}]}, "Create without its definitions")
call("UpdateTable", {"TableName": "indexed", "AttributeDefinitions": [A("gk", "N")],
                     "GlobalSecondaryIndexUpdates": [{"Create": {**by_a, "KeySchema": [K("gk", "HASH")]}}]}, "a definition redefined")
call("UpdateTable", {"TableName": "indexed", "AttributeDefinitions": [A("a", "S")],
                     "GlobalSecondaryIndexUpdates": [{"Create": {**by_a, "IndexName": "by_gk"}}]}, "an index that exists")
call("UpdateTable", {"TableName": "indexed", "GlobalSecondaryIndexUpdates": [{}]})
call("DeleteTable", {"TableName": "indexed2"})
indexed2 = {**indexed, "TableName": "indexed2"}
del indexed2["LocalSecondaryIndexes"], indexed2["GlobalSecondaryIndexes"]
indexed2["AttributeDefinitions"] = [A("pk", "S"), A("sk", "N")]
call("CreateTable", indexed2)
for sk in range(1, 5):
    call("PutItem", {"TableName": "indexed2", "Item": {"pk": {"S": "p"}, "sk": {"N": str(sk)}, "a": {"S": f"a{sk % 2}"}}})
call("UpdateTable", {"TableName": "indexed2", "AttributeDefinitions": [A("a", "S")], "GlobalSecondaryIndexUpdates": [{"Create": by_a}]},
     "Create, backfilled")
settled("indexed2")
backfilled = {"TableName": "indexed2", "IndexName": "by_a", "KeyConditions": {"a": {"AttributeValueList": [{"S": "a1"}], "ComparisonOperator": "EQ"}}}
compared += 1
if pages_all(GW, "Query", backfilled) != pages_all(LOCAL, "Query", backfilled):
    differences.append("a Query of the backfilled index: the items differ")
call("DescribeTable", {"TableName": "indexed2"}, "the backfilled index's count")
call("UpdateTable", {"TableName": "indexed2", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_a"}}]}, "Delete")
for _ in range(100):
    if "GlobalSecondaryIndexes" not in send(LOCAL, "DescribeTable", {"TableName": "indexed2"})[1]["Table"]:
        break
    time.sleep(0.1)
call("Query", {"TableName": "indexed2", "IndexName": "by_a", "KeyConditions": {"a": {"AttributeValueList": [{"S": "a1"}], "ComparisonOperator": "EQ"}}},
     "a Query of the deleted index")
call("DescribeTable", {"TableName": "indexed2"}, "no index left")

for table_name in ("rides", "blobs", "plain", "pages"):
    call("DescribeTable", {"TableName": table_name}, "the item counts at the end")

# ---- conditions, ReturnValues, updates (expr/dynamo.h wired into the API) ------------------------
call("CreateTable", table("exprs", [("pk", "S"), ("sk", "N")]))
call("CreateTable", table("counter", [("id", "S")]))
S, N = (lambda v: {"S": v}), (lambda v: {"N": str(v)})
key = lambda sk, pk="p": {"pk": S(pk), "sk": N(sk)}
full = {**key(1), "s": S("hello"), "n": N(5), "l": {"L": [N(1), S("b")]}, "m": {"M": {"k": N(1), "deep": {"M": {"x": S("y")}}}},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "b": {"B": "AQI="}, "t": {"BOOL": True}, "z": {"NULL": True}}
put = lambda item, **more: call("PutItem", {"TableName": "exprs", "Item": item, **more})
put(full)
# ConditionExpression on PutItem: holding, failing, with the item back, ReturnValues ALL_OLD.
put({**key(2), "v": N(1)}, ConditionExpression="attribute_not_exists(pk)")
put({**key(2), "v": N(2)}, ConditionExpression="attribute_not_exists(pk)")
put({**key(2), "v": N(2)}, ConditionExpression="attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
put({**key(2), "v": N(2)}, ConditionExpression="v = :one", ExpressionAttributeValues={":one": N(1)}, ReturnValues="ALL_OLD",
    ReturnConsumedCapacity="TOTAL")
put({**key(2), "v": N(3)}, ConditionExpression="#v < :one", ExpressionAttributeNames={"#v": "v"}, ExpressionAttributeValues={":one": N(1)},
    ReturnValuesOnConditionCheckFailure="NONE")
put({**key(3)}, ConditionExpression="attribute_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
for condition, values in [("s = :v", {":v": S("hello")}), ("begins_with(s, :v)", {":v": S("he")}), ("contains(ss, :v)", {":v": S("a")}),
                          ("contains(l, :v)", {":v": S("b")}), ("size(l) = :v", {":v": N(2)}), ("m.deep.x = :v", {":v": S("y")}),
                          ("l[1] = :v", {":v": S("b")}), ("n BETWEEN :v AND :w", {":v": N(1), ":w": N(9)}),
                          ("n IN (:v, :w)", {":v": N(4), ":w": N(5)}), ("attribute_type(ns, :v)", {":v": S("NS")}),
                          ("NOT (n > :v) OR t = :w", {":v": N(1), ":w": {"BOOL": True}}), ("b = :v", {":v": {"B": "AQI="}}),
                          ("z = :v", {":v": {"NULL": True}}), ("m = :v", {":v": {"M": {"k": N(1), "deep": {"M": {"x": S("y")}}}}}),
                          ("n <> :v", {":v": S("5")}), ("s < :v", {":v": N(1)})]:
    call("DeleteItem", {"TableName": "exprs", "Key": key(1), "ConditionExpression": condition, "ExpressionAttributeValues": values,
                        "ReturnValues": "ALL_OLD"}, f"DeleteItem if {condition}")
    put(full)
# Expected, the older form, with ConditionalOperator.
for expected, operator in [({"v": {"Value": N(2)}}, None), ({"v": {"Exists": False}}, None), ({"w": {"Exists": False}}, None),
                           ({"v": {"ComparisonOperator": "GT", "AttributeValueList": [N(1)]}}, None),
                           ({"v": {"ComparisonOperator": "NULL"}, "pk": {"ComparisonOperator": "NOT_NULL"}}, "OR"),
                           ({"v": {"ComparisonOperator": "NULL"}, "pk": {"ComparisonOperator": "NOT_NULL"}}, "AND"),
                           ({"v": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(3), N(1)]}}, None),
                           ({"v": {"ComparisonOperator": "IN", "AttributeValueList": [N(7), N(2)]}}, None),
                           ({"v": {"Value": N(2), "Exists": False}}, None), ({"v": {"Exists": True}}, None),
                           ({"v": {"ComparisonOperator": "NOPE"}}, None), ({"v": {"Value": N(2)}}, "OR")]:
    body = {"TableName": "exprs", "Item": {**key(2), "v": N(2)}, "Expected": expected, "ReturnValues": "ALL_OLD"}
    if operator:
        body["ConditionalOperator"] = operator
    call("PutItem", body, f"Expected {expected} {operator}")
# Refused expressions.
for body in [{"ConditionExpression": "v = "}, {"ConditionExpression": "v = :x"}, {"ConditionExpression": "v = :x", "ExpressionAttributeValues": {":x": N(1), ":y": N(2)}},
             {"ExpressionAttributeValues": {":x": N(1)}}, {"ExpressionAttributeNames": {"#x": "v"}},
             {"ConditionExpression": "size = :x", "ExpressionAttributeValues": {":x": N(1)}},
             {"ConditionExpression": "v = :x", "ExpressionAttributeValues": {":x": {"SS": []}}},
             {"ConditionExpression": "v = :x", "ExpressionAttributeValues": {":x": {"N": "abc"}}},
             {"ConditionExpression": "v = :x", "ExpressionAttributeValues": {":x": N(1)}, "Expected": {"v": {"Exists": False}}},
             {"ConditionExpression": "v = :x", "ExpressionAttributeValues": {}},
             {"Expected": {"v": {"Value": {"SS": []}}}}, {"ConditionalOperator": "OR"}]:
    call("PutItem", {"TableName": "exprs", "Item": key(2), **body}, "a refused condition")
call("PutItem", {"TableName": "nope", "Item": key(2), "ConditionExpression": "v = "}, "a bad expression on no table")
call("DeleteItem", {"TableName": "exprs", "Key": key(2), "ConditionExpression": "v = "}, "a bad expression on DeleteItem")

# UpdateItem: every action, every ReturnValues, the item made when absent.
update = lambda sk, **more: call("UpdateItem", {"TableName": "exprs", "Key": key(sk), **more})
for i, wanted in enumerate(["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]):
    for sk in (10 + i, 10 + i):  # absent, then present
        update(sk, UpdateExpression="SET a = :a, c.d = :a ADD cnt :one REMOVE gone", ExpressionAttributeValues={":a": S("x"), ":one": N(1)},
               ReturnValues=wanted, ReturnConsumedCapacity="TOTAL")
        update(sk, UpdateExpression="SET a = :a, cnt = cnt + :one REMOVE gone", ExpressionAttributeValues={":a": S("y"), ":one": N(1)},
               ReturnValues=wanted)
update(20, ReturnValues="ALL_NEW")
update(20, ReturnValues="ALL_NEW")
update(21, UpdateExpression="REMOVE a", ReturnValues="ALL_NEW")
update(21, UpdateExpression="REMOVE a", ReturnValues="UPDATED_OLD")
update(22, ReturnValues="ALL_OLD")
update(22, ReturnValues="BOGUS")
call("PutItem", {"TableName": "exprs", "Item": key(23), "ReturnValues": "UPDATED_NEW"})
put(full)
for expression, values in [("SET n = if_not_exists(n, :z) + :one, fresh = if_not_exists(fresh, :z)", {":z": N(0), ":one": N(1)}),
                           ("SET l = list_append(l, :more), l2 = list_append(:more, l)", {":more": {"L": [S("c")]}}),
                           ("SET l[0] = :v, l[9] = :w, m.k = :v, m.deep.x = :w", {":v": S("first"), ":w": S("last")}),
                           ("REMOVE l[0], m.deep, s", None), ("ADD ss :more, ns :more2, newset :more", {":more": {"SS": ["c"]}, ":more2": {"NS": ["3"]}}),
                           ("DELETE ss :gone, ns :gone2", {":gone": {"SS": ["a", "z"]}, ":gone2": {"NS": ["1", "2", "3"]}}),
                           ("SET n = n - :v", {":v": N("0.5")}), ("SET a = n, n = a", None), ("SET n = s + :v", {":v": N(1)}),
                           ("SET x.y = :v", {":v": N(1)}), ("ADD s :v", {":v": N(1)}), ("SET pk = :v", {":v": S("q")}),
                           ("REMOVE sk", None), ("SET a = :v SET b = :v", {":v": N(1)}), ("SET a = :v, a = :v", {":v": N(1)}),
                           ("SET n = n + :v", {":v": N("9.99999999999999999999999999999999999E+125")}),
                           ("DELETE ss :v", {":v": S("a")})]:
    body = {"UpdateExpression": expression, "ReturnValues": "ALL_NEW"}
    if values:
        body["ExpressionAttributeValues"] = values
    update(1, **body)
put(full)
update(1, UpdateExpression="SET n = :v", ConditionExpression="n = :old", ExpressionAttributeValues={":v": N(6), ":old": N(5)}, ReturnValues="UPDATED_OLD")
update(1, UpdateExpression="SET n = :v", ConditionExpression="n = :old", ExpressionAttributeValues={":v": N(7), ":old": N(5)},
       ReturnValuesOnConditionCheckFailure="ALL_OLD")
update(1, UpdateExpression="SET n = :v", ConditionExpression="n = :old", ExpressionAttributeValues={":v": N(7), ":old": N(5)})
update(30, UpdateExpression="SET n = :v", ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":v": N(7)},
       ReturnValuesOnConditionCheckFailure="ALL_OLD")
update(30, UpdateExpression="SET big = :v", ExpressionAttributeValues={":v": S("z" * (400 * 1024 - 20))})
update(30, UpdateExpression="SET big = :v", ExpressionAttributeValues={":v": S("z" * (400 * 1024 - 10))})
update(30, UpdateExpression="SET big = :v", ExpressionAttributeValues={":v": S("z" * (400 * 1024 - 11))})
# AttributeUpdates, the older form, with Expected. (An update without Action is a PUT, as
# DynamoDB documents it; DynamoDB Local drops the attribute instead: left out.)
for updates in [{"v": {"Action": "PUT", "Value": N(1)}}, {"v": {"Action": "ADD", "Value": N(2)}}, {"set": {"Action": "ADD", "Value": {"SS": ["a", "b"]}}},
                {"set": {"Action": "DELETE", "Value": {"SS": ["a"]}}}, {"v": {"Action": "DELETE"}}, {"v": {"Action": "PUT"}},
                {"v": {"Action": "ADD", "Value": S("x")}}, {"pk": {"Value": S("x")}}, {"w": {"Action": "DELETE", "Value": N(1)}}]:
    update(31, AttributeUpdates=updates, ReturnValues="ALL_NEW")
update(31, AttributeUpdates={"v": {"Action": "PUT", "Value": N(9)}}, Expected={"v": {"Exists": False}}, ReturnValues="ALL_NEW")
update(31, AttributeUpdates={"v": {"Action": "PUT", "Value": N(8)}}, Expected={"set": {"Exists": True, "Value": {"SS": ["b"]}}}, ReturnValues="UPDATED_NEW")
update(31, AttributeUpdates={"w": {"Action": "ADD", "Value": {"BOOL": True}}, "v": {"Action": "ADD", "Value": {"L": []}}})
update(32, AttributeUpdates={"v": {"Action": "DELETE"}}, ReturnValues="ALL_NEW")
update(31, AttributeUpdates={"v": {"Value": N(1)}}, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": N(1)})
update(31, UpdateExpression="SET v = :v", Expected={"v": {"Exists": False}}, ExpressionAttributeValues={":v": N(1)})
call("UpdateItem", {"TableName": "nope", "Key": key(1), "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": N(1)}})
call("UpdateItem", {"TableName": "exprs", "Key": {"pk": S("p")}, "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": N(1)}})
for sk in [1, 2, 3, 10, 11, 20, 21, 22, 30, 31, 32]:
    call("GetItem", {"TableName": "exprs", "Key": key(sk)}, f"the item {sk} after the updates")

# Projections on GetItem, BatchGetItem.
put(full)
for projection, names in [("s, n", None), ("m.deep.x, l[1], #t", {"#t": "t"}), ("nothing", None), ("l[5]", None),
                          ("m.deep, m.deep.x", None), ("s, s", None), ("#x", None), ("pk", {"#u": "u"})]:
    body = {"TableName": "exprs", "Key": key(1), "ProjectionExpression": projection}
    if names:
        body["ExpressionAttributeNames"] = names
    call("GetItem", body, f"GetItem {projection}")
call("GetItem", {"TableName": "exprs", "Key": key(1), "AttributesToGet": ["s", "m", "none"]})
call("GetItem", {"TableName": "exprs", "Key": key(1), "AttributesToGet": ["s", "s"]})
call("GetItem", {"TableName": "exprs", "Key": key(1), "AttributesToGet": ["s"], "ProjectionExpression": "s"})
call("BatchGetItem", {"RequestItems": {"exprs": {"Keys": [key(1), key(2)], "ProjectionExpression": "#s, sk", "ExpressionAttributeNames": {"#s": "s"}}}})
call("BatchGetItem", {"RequestItems": {"exprs": {"Keys": [key(1), key(2)], "AttributesToGet": ["v", "n"]}}})

# Query: key conditions, filters after Limit (ScannedCount against Count), projections, Select.
for i in range(10):
    put({"pk": S("q"), "sk": N(i), "even": {"BOOL": i % 2 == 0}, "v": N(i * 10), "tag": S("t" + str(i % 3))})
q = {"TableName": "exprs", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("q")}}
for condition, values in [("pk = :p AND sk < :v", {":v": N(3)}), ("pk = :p AND sk <= :v", {":v": N(3)}), ("pk = :p AND sk > :v", {":v": N(7)}),
                          ("pk = :p AND sk >= :v", {":v": N(7)}), ("pk = :p AND sk = :v", {":v": N(4)}), (":v < sk AND pk = :p", {":v": N(8)}),
                          ("pk = :p AND sk BETWEEN :v AND :w", {":v": N(2), ":w": N(5)}), ("pk = :p AND sk BETWEEN :w AND :v", {":v": N(2), ":w": N(5)}),
                          ("#k = :p", {}), ("pk = :p AND begins_with(sk, :v)", {":v": S("1")}), ("pk = :p OR sk = :v", {":v": N(1)}),
                          ("pk = :p AND v = :v", {":v": N(1)}), ("pk = :e", {":e": S("")}), ("pk = :p AND sk = :v", {":v": S("1")})]:
    body = {**q, "KeyConditionExpression": condition, "ExpressionAttributeValues": {**q["ExpressionAttributeValues"], **values}}
    if "#k" in condition:
        body["ExpressionAttributeNames"] = {"#k": "pk"}
    if ":e" in condition:
        body["ExpressionAttributeValues"] = values
    call("Query", body, f"Query {condition}")
for more in [{"FilterExpression": "even = :t", "Limit": 4}, {"FilterExpression": "even = :t", "Limit": 4, "ScanIndexForward": False},
             {"FilterExpression": "even = :t AND v > :ten", "Select": "COUNT"}, {"FilterExpression": "tag IN (:t0, :t1)", "Limit": 5},
             {"FilterExpression": "sk > :ten"}, {"ProjectionExpression": "v, tag", "Limit": 3}, {"ProjectionExpression": "v", "Select": "SPECIFIC_ATTRIBUTES"},
             {"ProjectionExpression": "v", "Select": "ALL_ATTRIBUTES"}, {"ProjectionExpression": "v", "Select": "COUNT"},
             {"FilterExpression": "even = :t", "ProjectionExpression": "tag", "Limit": 6, "ReturnConsumedCapacity": "TOTAL"},
             {"QueryFilter": {"even": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}}},
             {"QueryFilter": {"sk": {"ComparisonOperator": "GT", "AttributeValueList": [N(3)]}}},
             {"FilterExpression": "even = :t", "QueryFilter": {"even": {"ComparisonOperator": "NOT_NULL"}}}]:
    body = {**q, **more, "ExpressionAttributeValues": dict(q["ExpressionAttributeValues"])}
    for name, value in [(":t", {"BOOL": True}), (":ten", N(10)), (":t0", S("t0")), (":t1", S("t1"))]:
        if re.search(name + r"\b", json.dumps(more)):
            body["ExpressionAttributeValues"][name] = value
    call("Query", body, f"Query with {more}")
legacy = {"TableName": "exprs", "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("q")]}}}
for more in [{"QueryFilter": {"even": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]},
                              "tag": {"ComparisonOperator": "EQ", "AttributeValueList": [S("t0")]}}, "ConditionalOperator": "OR", "Limit": 7},
             {"AttributesToGet": ["tag", "sk"], "Select": "SPECIFIC_ATTRIBUTES"}, {"AttributesToGet": ["tag"]},
             {"AttributesToGet": ["tag"], "Select": "ALL_ATTRIBUTES"}, {"AttributesToGet": ["tag"], "Select": "COUNT"},
             {"ScanFilter": {"even": {"ComparisonOperator": "NOT_NULL"}}}, {"ConditionalOperator": "AND"},
             {"QueryFilter": {"tag": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("t1")]}}, "Select": "COUNT"}]:
    call("Query", {**legacy, **more}, f"Query (older forms) with {more}")
call("Query", {**q, "KeyConditions": legacy["KeyConditions"]}, "KeyConditions and KeyConditionExpression")
call("Query", {"TableName": "blobs", "KeyConditionExpression": "id = :b", "ExpressionAttributeValues": {":b": {"B": "AAE="}}})
call("Query", {"TableName": "blobs", "KeyConditionExpression": "id = :b", "ExpressionAttributeValues": {":b": {"B": ""}}})
call("Query", {"TableName": "blobs", "KeyConditions": {"id": {"ComparisonOperator": "EQ", "AttributeValueList": [{"B": "AAE="}]}}})

# Scan with filters and projections: the table's items are in one partition of exprs? No: scan
# a table of one partition, whose order is the sort key's in both.
call("CreateTable", table("onepart", [("pk", "S"), ("sk", "N")]))
for i in range(8):
    call("PutItem", {"TableName": "onepart", "Item": {"pk": S("x"), "sk": N(i), "v": N(i), "odd": {"BOOL": i % 2 == 1}}})
for more in [{"FilterExpression": "odd = :t", "ExpressionAttributeValues": {":t": {"BOOL": True}}, "Limit": 3},
             {"FilterExpression": "v >= :v", "ExpressionAttributeValues": {":v": N(5)}, "Select": "COUNT"},
             {"FilterExpression": "sk >= :v", "ExpressionAttributeValues": {":v": N(5)}, "ProjectionExpression": "v"},
             {"ScanFilter": {"v": {"ComparisonOperator": "LT", "AttributeValueList": [N(2)]}, "odd": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]}},
              "ConditionalOperator": "OR"},
             {"ScanFilter": {"v": {"ComparisonOperator": "LT", "AttributeValueList": [N(2)]}}, "AttributesToGet": ["odd"]},
             {"FilterExpression": "v = :v", "ExpressionAttributeValues": {":v": N(5)}, "ScanFilter": {"v": {"ComparisonOperator": "NOT_NULL"}}},
             {"FilterExpression": "v = :v"}, {"QueryFilter": {"v": {"ComparisonOperator": "NOT_NULL"}}}]:
    call("Scan", {"TableName": "onepart", **more}, f"Scan with {more}")

# ---- transactions ------------------------------------------------------------------------------
call("CreateTable", table("tx1", [("pk", "S")]))
call("CreateTable", table("tx2", [("pk", "S"), ("sk", "N")]))
call("PutItem", {"TableName": "tx1", "Item": {"pk": S("a"), "n": N(1)}})
tw = lambda what, *items, **more: call("TransactWriteItems", {"TransactItems": list(items), **more}, f"TransactWriteItems: {what}")
check = lambda k, condition="attribute_exists(pk)", **more: {"ConditionCheck": {"TableName": "tx1", "Key": {"pk": S(k)}, "ConditionExpression": condition, **more}}
tput = lambda k, n=0, **more: {"Put": {"TableName": "tx1", "Item": {"pk": S(k), **({"v": S("x" * n)} if n else {})}, **more}}
tdelete = lambda k, **more: {"Delete": {"TableName": "tx1", "Key": {"pk": S(k)}, **more}}
tupdate = lambda k, expression, values=None, **more: {"Update": {"TableName": "tx1", "Key": {"pk": S(k)}, "UpdateExpression": expression,
                                                               **({"ExpressionAttributeValues": values} if values else {}), **more}}
C = {"ReturnConsumedCapacity": "TOTAL"}
# DynamoDB Local sums a table's units wrongly when two actions cost the same (it counts each
# distinct cost once): the capacity is compared where every action of a table costs differently.
tw("a put and a condition that holds", tput("b", 3000), check("a", "n = :v", ExpressionAttributeValues={":v": N(1)}), **C)
tw("a put and an update, two tables", tput("c", 5000), {"Update": {"TableName": "tx2", "Key": {"pk": S("c"), "sk": N(1)}, "UpdateExpression": "SET x = :v",
                                                               "ExpressionAttributeValues": {":v": N(1)}}}, ReturnConsumedCapacity="INDEXES")
tw("a delete of nothing, an update", tdelete("zz"), tupdate("a", "SET x = :v", {":v": N(2)}), **C)
tw("a lone ConditionCheck", check("c"), **C)
tw("a lone delete", tdelete("c"), **C)
for k in ("a", "b", "c"):
    call("GetItem", {"TableName": "tx1", "Key": {"pk": S(k)}}, f"the item {k} after the transactions")
call("GetItem", {"TableName": "tx2", "Key": {"pk": S("c"), "sk": N(1)}}, "the item c of tx2 after the transactions")
# Cancelled: the reasons in order, the items when asked; nothing written.
tw("conditions failing", check("a", "n = :v", ExpressionAttributeValues={":v": N(2)}, ReturnValuesOnConditionCheckFailure="ALL_OLD"),
   tput("g"), tdelete("zz", ConditionExpression="attribute_exists(pk)"), tupdate("b", "SET y = :v", {":v": N(1)}, ConditionExpression="n > :n",
   ExpressionAttributeValues={":v": N(1), ":n": N(5)}, ReturnValuesOnConditionCheckFailure="ALL_OLD"), **C)
tw("a key of the wrong type", tput("g"), {"Put": {"TableName": "tx1", "Item": {"pk": N(1)}}}, tdelete("zz", ConditionExpression="attribute_exists(pk)"))
tw("an update of a key attribute", tput("g"), tupdate("h", "SET pk = :v", {":v": S("z")}))
tw("an empty set", tput("g"), {"Put": {"TableName": "tx1", "Item": {"pk": S("i"), "s": {"SS": []}}}})
tw("a key missing", tput("g"), {"Delete": {"TableName": "tx1", "Key": {"x": S("i")}}})
tw("an empty key", tput("g"), {"Delete": {"TableName": "tx1", "Key": {"pk": S("")}}}, check("a"))
call("GetItem", {"TableName": "tx1", "Key": {"pk": S("g")}}, "no item of a cancelled transaction")
call("GetItem", {"TableName": "tx1", "Key": {"pk": S("a")}}, "no update of a cancelled transaction")
# The call's own errors.
tw("an update that cannot be made", tdelete("zz", ConditionExpression="attribute_exists(pk)"), tupdate("h", "SET x = x + :v", {":v": N(1)}))
tw("an update beyond 400 KB", tupdate("h", "SET x = :v", {":v": S("z" * 409600)}))
tw("an item beyond 400 KB", tput("g", 409600))
tw("two kinds in one", {**tput("c"), **tdelete("a")})
tw("no kind", {})
tw("one item twice", tput("c"), tdelete("c"))
tw("no table", {"Put": {"TableName": "nope", "Item": {"pk": S("c")}}})
tw("a syntax error", tput("c", ConditionExpression="v = "))
tw("a value undefined", tupdate("h", "SET x = :v"))
tw("a value unused", tupdate("h", "SET x = :v", {":v": N(1), ":w": N(2)}))
tw("Expected ignored", tput("g", Expected={"pk": {"Exists": True}}))
tw("more than 4 MB", *[tput(f"big{i}", 400000) for i in range(11)])
tw("100 actions", *[tput(f"many{i}") for i in range(100)])
tw("101 actions", *[tput(f"many{i}") for i in range(101)])
tw("a ConditionCheck without its condition", {"ConditionCheck": {"TableName": "tx1", "Key": {"pk": S("a")}}})
# ClientRequestToken: a repeat is answered as the first time, not applied again.
tw("a token", tput("tok", 2000, ConditionExpression="attribute_not_exists(pk)"), ClientRequestToken="token-1", **C)
tw("the token again", tput("tok", 2000, ConditionExpression="attribute_not_exists(pk)"), ClientRequestToken="token-1", **C)
tw("the token with other actions", tput("tok2"), ClientRequestToken="token-1")
tw("a token without the token", tput("tok", 2000, ConditionExpression="attribute_not_exists(pk)"), **C)
tw("a cancelled token", check("zz"), ClientRequestToken="token-2")
tw("the cancelled token again", check("zz"), ClientRequestToken="token-2")
# TransactGetItems: one snapshot, projections.
tg = lambda what, *gets, **more: call("TransactGetItems", {"TransactItems": [{"Get": g} for g in gets], **more}, f"TransactGetItems: {what}")
tg("two gets", {"TableName": "tx1", "Key": {"pk": S("a")}, "ProjectionExpression": "n"}, {"TableName": "tx1", "Key": {"pk": S("none")}}, **C)
tg("two tables", {"TableName": "tx1", "Key": {"pk": S("b")}}, {"TableName": "tx2", "Key": {"pk": S("c"), "sk": N(1)}, "ProjectionExpression": "#x",
                                                               "ExpressionAttributeNames": {"#x": "x"}}, ReturnConsumedCapacity="INDEXES")
tg("a large item", {"TableName": "tx1", "Key": {"pk": S("big0")}}, {"TableName": "tx1", "Key": {"pk": S("b")}}, **C)
tg("one item twice", {"TableName": "tx1", "Key": {"pk": S("a")}}, {"TableName": "tx1", "Key": {"pk": S("a")}})
tg("no table", {"TableName": "nope", "Key": {"pk": S("a")}})
tg("a key of the wrong type", {"TableName": "tx1", "Key": {"pk": N(1)}})
tg("a name undefined", {"TableName": "tx1", "Key": {"pk": S("a")}, "ProjectionExpression": "#x"})
tg("a name unused", {"TableName": "tx1", "Key": {"pk": S("a")}, "ProjectionExpression": "x", "ExpressionAttributeNames": {"#x": "x"}})

# ---- capacity units of secondary indexes -------------------------------------------------------
# Each write's units on the table and on every index whose entry of the item it puts, changes,
# moves or removes; each Query's on the index it reads (and, for a local index that fetches the
# items' other attributes, on the table). Asked with INDEXES (each apart) and with TOTAL.
cap = {"TableName": "capidx", "BillingMode": "PAY_PER_REQUEST",
       "AttributeDefinitions": [A("pk", "S"), A("sk", "N"), A("gk", "S"), A("lk", "N")],
       "KeySchema": [K("pk", "HASH"), K("sk", "RANGE")],
       "LocalSecondaryIndexes": [GSI("l_keys", [K("pk", "HASH"), K("lk", "RANGE")], {"ProjectionType": "KEYS_ONLY"}),
                                 GSI("l_inc", [K("pk", "HASH"), K("lk", "RANGE")], {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]})],
       "GlobalSecondaryIndexes": [GSI("g_keys", [K("gk", "HASH"), K("sk", "RANGE")], {"ProjectionType": "KEYS_ONLY"}),
                                  GSI("g_inc", [K("gk", "HASH"), K("sk", "RANGE")], {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}),
                                  GSI("g_all", [K("gk", "HASH"), K("sk", "RANGE")], {"ProjectionType": "ALL"})]}
call("CreateTable", cap)
round_pk = "p"  # each round's items in a partition of their own, as the reads' below
ckey = lambda sk: {"pk": S(round_pk), "sk": N(sk)}
citem = lambda sk, **attributes: {**ckey(sk), **{name: value if isinstance(value, dict) else S(value) for name, value in attributes.items()}}
for detail in ("INDEXES", "TOTAL"):
    round_pk, base = detail, 100 if detail == "TOTAL" else 0
    cput = lambda what, item: call("PutItem", {"TableName": "capidx", "Item": item, "ReturnConsumedCapacity": detail}, f"{detail} units: {what}")
    cupdate = lambda what, sk, expression, values=None, **more: call(
        "UpdateItem", {"TableName": "capidx", "Key": ckey(sk), "UpdateExpression": expression, "ReturnConsumedCapacity": detail,
                       **({"ExpressionAttributeValues": values} if values else {}), **more}, f"{detail} units: {what}")
    cput("an item without index keys", citem(base + 1, b="x"))
    cput("an item in every index", citem(base + 2, gk="g", lk=N(2), a="a" * 100, b="b" * 1500))
    cput("the same item again: no index written", citem(base + 2, gk="g", lk=N(2), a="a" * 100, b="b" * 1500))
    cput("an attribute no index but ALL projects", citem(base + 2, gk="g", lk=N(2), a="a" * 100, b="c" * 1500))
    cput("an INCLUDE attribute beyond 1 KB", citem(base + 2, gk="g", lk=N(2), a="a" * 1100, b="c" * 1500))
    cput("the global key changed: deletes and puts", citem(base + 2, gk="h", lk=N(2), a="a" * 1100, b="c" * 1500))
    cput("the local key changed, the INCLUDE attribute gone", citem(base + 2, gk="h", lk=N(3), b="c" * 3000))
    cput("the item out of the global indexes", citem(base + 2, lk=N(3), b="c" * 3000))
    cput("an item without the local key", citem(base + 3, gk="g", a="a"))
    cput("an item with the local key only", citem(base + 4, lk=N(4)))
    cupdate("an update that changes a global key", base + 3, "SET gk = :h", {":h": S("h")})
    cupdate("an update that removes the global key", base + 3, "REMOVE gk")
    cupdate("an update that gives it back, with a local key", base + 3, "SET gk = :g, lk = :l", {":g": S("g"), ":l": N(7)})
    cupdate("an update of an attribute only ALL projects", base + 3, "SET b = :b", {":b": S("b" * 2100)})
    cupdate("an update that changes nothing", base + 3, "SET b = :b", {":b": S("b" * 2100)})
    cupdate("an update that makes the item", base + 5, "SET gk = :g, a = :a", {":g": S("g"), ":a": S("a" * 1500)})
    cupdate("an update that removes the local key", base + 3, "REMOVE lk", ReturnValues="ALL_NEW")
    call("DeleteItem", {"TableName": "capidx", "Key": ckey(base + 5), "ReturnConsumedCapacity": detail}, f"{detail} units: a delete")
    call("DeleteItem", {"TableName": "capidx", "Key": ckey(base + 5), "ReturnConsumedCapacity": detail}, f"{detail} units: a delete of nothing")
    call("BatchWriteItem", {"RequestItems": {"capidx": [{"PutRequest": {"Item": citem(base + 6, gk="g", lk=N(6), a="a" * 2000)}},
                                                        {"PutRequest": {"Item": citem(base + 2, gk="g", lk=N(3), b="c" * 3000)}},
                                                        {"DeleteRequest": {"Key": ckey(base + 4)}},
                                                        {"DeleteRequest": {"Key": ckey(base + 99)}}]},
                            "ReturnConsumedCapacity": detail}, f"{detail} units: BatchWriteItem")
    # Each action costs differently on the table (see the transactions below for why).
    tw(f"{detail} units of indexes", {"Put": {"TableName": "capidx", "Item": citem(base + 7, gk="g", lk=N(8), a="a" * 4100)}},
       {"Update": {"TableName": "capidx", "Key": ckey(base + 6), "UpdateExpression": "SET gk = :h", "ExpressionAttributeValues": {":h": S("h")}}},
       {"Delete": {"TableName": "capidx", "Key": ckey(base + 2)}}, {"ConditionCheck": {"TableName": "capidx", "Key": ckey(base + 1),
                                                                                      "ConditionExpression": "attribute_exists(pk)"}},
       ReturnConsumedCapacity=detail)
    call("GetItem", {"TableName": "capidx", "Key": ckey(base + 7), "ReturnConsumedCapacity": detail}, f"{detail} units: GetItem reads no index")
    call("BatchGetItem", {"RequestItems": {"capidx": {"Keys": [ckey(base + 7), ckey(base + 6)]}}, "ReturnConsumedCapacity": detail},
         f"{detail} units: BatchGetItem reads no index")
    call("TransactGetItems", {"TransactItems": [{"Get": {"TableName": "capidx", "Key": ckey(base + 7)}}], "ReturnConsumedCapacity": detail},
         f"{detail} units: TransactGetItems reads no index")
# Reads of each index: entries beyond 4 KB summed, halved unless consistent; a local index's
# fetches from the table (Select ALL_ATTRIBUTES), each item's units; Limit, COUNT and a filter
# (units of what was read, not of what passed).
round_pk = "p"
for sk in range(200, 212):
    call("PutItem", {"TableName": "capidx", "Item": citem(sk, gk="r", lk=N(sk), a="a" * 700, b="b" * (sk - 200) * 300)}, "an item to read")
pq = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("p")}}
gq = {"KeyConditionExpression": "gk = :g", "ExpressionAttributeValues": {":g": S("r")}}
for index, more in [("l_keys", pq), ("l_inc", pq), ("g_keys", gq), ("g_inc", gq), ("g_all", gq),
                    ("l_keys", {**pq, "ConsistentRead": True}), ("l_inc", {**pq, "ConsistentRead": True}),
                    ("l_keys", {**pq, "Select": "ALL_ATTRIBUTES"}), ("l_inc", {**pq, "Select": "ALL_ATTRIBUTES", "ConsistentRead": True}),
                    ("l_inc", {**pq, "Select": "ALL_ATTRIBUTES", "Limit": 3}), ("g_inc", {**gq, "Limit": 5}),
                    ("g_all", {**gq, "Select": "COUNT"}), ("l_inc", {**pq, "Select": "COUNT"}),
                    ("g_inc", {**gq, "FilterExpression": "a = :a", "ExpressionAttributeValues": {**gq["ExpressionAttributeValues"], ":a": S("z")}}),
                    ("g_keys", {**gq, "ExpressionAttributeValues": {":g": S("nobody")}})]:
    for detail in ("INDEXES", "TOTAL"):
        query_pages({"TableName": "capidx", "IndexName": index, **more, "ReturnConsumedCapacity": detail}, f"{detail} units of a Query of {index}")
# A Scan of an index projecting ALL reads what a Scan of the table reads. (DynamoDB Local sizes a
# Scan of a KEYS_ONLY or INCLUDE index, too, by the items of the table, not by its entries, as
# DynamoDB's guide sizes an index's reads; gw-serve sizes it by its entries: not compared.)
for detail in ("INDEXES", "TOTAL"):
    call("Scan", {"TableName": "capidx", "IndexName": "g_all", "Select": "COUNT", "ReturnConsumedCapacity": detail}, f"{detail} units of a Scan of g_all")

print(f"{compared} requests compared, {len(differences)} differences")
for difference in differences:
    print(difference)
sys.exit(1 if differences else 0)
