"""Checks of ks-put and ks-consume on an endpoint, by boto3 and hashlib (independent of millrace).

endpoint_check.py URL STREAM INPUT PRINTED CONSUMED
  INPUT     the JSON lines put (each with a partition key in "k")
  PRINTED   ks-put --print's lines, one per input line
  CONSUMED  ks-consume --format envelope's lines
Checks: every record is in the stream once (GetRecords of every shard, by boto3), with the
input's partition key and bytes; --print named the shard and sequence number GetRecords gives
it; each key's shard is the one whose HashKeyRange (ListShards) holds MD5(key); ks-consume
delivered each record once, with each key's records in input order, and its envelopes carry the
service's shard, sequence number, key and data.
"""
import hashlib, json, sys

import boto3

url, stream, input_path, printed_path, consumed_path = sys.argv[1:6]
kinesis = boto3.client("kinesis", endpoint_url=url)
lines = open(input_path, "rb").read().split(b"\n")[:-1]
printed = [json.loads(l) for l in open(printed_path)]
# An envelope's "data" is the record's JSON byte for byte: read as text from the line's end.
consumed = []
for raw in open(consumed_path, "rb").read().split(b"\n")[:-1]:
    envelope = json.loads(raw)
    envelope["raw"] = raw[raw.index(b'","data":') + len(b'","data":'):-1]
    consumed.append(envelope)
problems = []


def expect(ok, what):
    if not ok:
        problems.append(what)


shards = kinesis.list_shards(StreamName=stream)["Shards"]
ranges = [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]), s["ShardId"])
          for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]


def shard_of(key):
    h = int.from_bytes(hashlib.md5(key.encode()).digest(), "big")
    return next(shard for start, end, shard in ranges if start <= h <= end)


stored = {}  # (shard, seq) -> (pk, data)
for s in shards:
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=s["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    while iterator:
        answer = kinesis.get_records(ShardIterator=iterator, Limit=10000)
        for r in answer["Records"]:
            stored[(s["ShardId"], r["SequenceNumber"])] = (r["PartitionKey"], r["Data"])
        if not answer["Records"] and answer.get("MillisBehindLatest", 0) == 0:
            break
        iterator = answer.get("NextShardIterator")

expect(len(printed) == len(lines), f"--print gave {len(printed)} lines for {len(lines)} records")
expect(len(stored) == len(lines), f"the stream holds {len(stored)} records, {len(lines)} were put")
for i, (line, where) in enumerate(zip(lines, printed)):
    key = json.loads(line)["k"]
    got = stored.get((where["shard"], where["seq"]))
    expect(got == (key, line), f"line {i + 1}: --print's {where} holds {got!r}, not ({key!r}, {line!r})")
    expect(where["shard"] == shard_of(key), f"line {i + 1}: key {key} went to {where['shard']}, MD5 routes it to {shard_of(key)}")

expect(len(consumed) == len(lines), f"ks-consume gave {len(consumed)} records of {len(lines)}")
by_key_in, by_key_out = {}, {}
for line in lines:
    by_key_in.setdefault(json.loads(line)["k"], []).append(line)
for envelope in consumed:
    data = envelope["raw"]
    by_key_out.setdefault(envelope["pk"], []).append(data)
    expect(envelope["stream"] == stream, f"envelope names stream {envelope['stream']}")
    got = stored.get((envelope["shard"], envelope["seq"]))
    expect(got is not None and got[0] == envelope["pk"] and got[1] == data,
           f"envelope {envelope['shard']} {envelope['seq']} is not what GetRecords gives there: {got!r}")
expect(by_key_in == by_key_out, "ks-consume's records of some key differ from the input's, or are out of order")

if problems:
    print("\n".join(problems[:20]), file=sys.stderr)
    sys.exit(1)
print(f"{len(lines)} records checked on {len(shards)} shards")
