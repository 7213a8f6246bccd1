#!/usr/bin/env bash
# Behaviour: gw-serve --shard-limits throttles a shard as Kinesis does, the same way every time.
# A boto3 producer (its own retries off) puts 1500 records to a one-shard stream within a second,
# in PutRecords calls of 400: exactly the records past the 1000th are refused, each with
# ProvisionedThroughputExceededException and Kinesis' message, the others put; PutRecord and the
# route's POST are refused too (400 and 429). After the second, the refused records are put
# again and taken. ks-consume then reads the 1500 records, each once, in the order taken. Without
# --shard-limits the same burst is all taken.
source "$(dirname "$0")/common.sh"
cd "$TMP"
/usr/bin/python3 -c 'import boto3' 2>/dev/null || fail "python3-boto3 is not installed"
start_gateway --shard-limits

cat >burst.py <<'PY'
import json, sys, time, urllib.error, urllib.request
import boto3
from botocore.config import Config

url, prefix, limited = sys.argv[1], sys.argv[2], sys.argv[3] == "limited"
kinesis = boto3.client("kinesis", endpoint_url=url, region_name="us-east-1",
                       config=Config(retries={"total_max_attempts": 1}))
records = [{"Data": json.dumps({"n": n}, separators=(",", ":")).encode(), "PartitionKey": "k%d" % n} for n in range(1500)]

# The burst must reach the server within a second of its first record for the count to be
# exact; on a loaded machine a try that took longer is told apart and made again, on a stream
# of its own.
for attempt in range(3):
    stream = "%s%d" % (prefix, attempt)
    kinesis.create_stream(StreamName=stream, ShardCount=1)  # and the connection is open
    start = time.monotonic()
    answers = [kinesis.put_records(StreamName=stream, Records=records[i:i + 400]) for i in range(0, 1500, 400)]
    refused_put = refused_route = None
    if limited:
        try:
            kinesis.put_record(StreamName=stream, Data=b'{"n":-1}', PartitionKey="one")
        except kinesis.exceptions.ProvisionedThroughputExceededException as e:
            refused_put = (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"])
        try:
            urllib.request.urlopen(urllib.request.Request(url + "/streams/" + stream, data=b'{"n":-2}'))
        except urllib.error.HTTPError as e:
            refused_route = (e.code, json.load(e)["message"])
    elapsed = time.monotonic() - start
    if elapsed < 0.9:
        break
    print("burst took %.2f s, more than the window: trying again" % elapsed, file=sys.stderr)
    time.sleep(1.1)
else:
    sys.exit("the burst never took less than a second")
print(stream)
MESSAGE = "Rate exceeded for shard shardId-000000000000 in stream %s under account 000000000000." % stream

entries = [e for answer in answers for e in answer["Records"]]
assert len(entries) == 1500, len(entries)
if not limited:
    assert all("SequenceNumber" in e for e in entries)
    sys.exit(0)
assert [a["FailedRecordCount"] for a in answers] == [0, 0, 200, 300], [a["FailedRecordCount"] for a in answers]
for n, entry in enumerate(entries):
    if n < 1000:
        assert "SequenceNumber" in entry and entry["ShardId"] == "shardId-000000000000", (n, entry)
    else:
        assert entry == {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": MESSAGE}, (n, entry)
assert refused_put == (400, MESSAGE), refused_put
assert refused_route == (429, MESSAGE), refused_route

# A producer's back-off: the refused records again, once the window is over.
time.sleep(1.0)
again = kinesis.put_records(StreamName=stream, Records=records[1000:])
assert again["FailedRecordCount"] == 0, again
assert all("SequenceNumber" in e for e in again["Records"])
PY
stream=$(/usr/bin/python3 burst.py "$GW_URL" rides limited) || fail "the limited burst was not throttled as Kinesis throttles"

# The records put, each once, in the order taken: the first 1000, then the 500 put again.
seq 0 1499 | awk '{ printf "{\"n\":%d}\n", $1 }' >want
consume -s "$stream" >got
same_file want got "the records taken, as ks-consume reads them"

# Without --shard-limits nothing is refused for its rate.
kill "$GW_PID"
wait "$GW_PID" 2>/dev/null || true
start_gateway
/usr/bin/python3 burst.py "$GW_URL" free unlimited >/dev/null || fail "without --shard-limits a record was refused"
