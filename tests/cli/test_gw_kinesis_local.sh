#!/usr/bin/env bash
# Behaviour: gw-serve answers the Kinesis API as a second implementation, kinesis-local
# (npm; LocalStack's kinesis-mock, installed from tests/clients), answers it. The same request
# sequences go to both as the SDKs send them (JSON 1.1 over HTTP/1.1, X-Amz-Target, a SigV4
# header of made-up keys): CreateStream, DescribeStreamSummary, ListShards with every filter and
# by pages, PutRecord with ExplicitHashKey and by partition key, PutRecords, GetShardIterator of
# the five types, GetRecords, SplitShard, MergeShards, UpdateShardCount, tags, and errors. The
# answers are compared member by member; what legitimately differs is normalised, each place
# saying why. Where kinesis-local departs from AWS's documented behaviour, gw-serve is held to
# the documents (values worked out from the input) and the difference is noted there.
source "$(dirname "$0")/common.sh"
command -v node >/dev/null 2>&1 || skip "node is not installed: kinesis-local (npm) cannot run"
kinesis_local=$MILLRACE_SRC/tests/clients/node_modules/kinesis-local
[[ -f $kinesis_local/main.js ]] || fail "kinesis-local is not installed: npm ci --prefix tests/clients"
cd "$TMP"

start_gateway
port=$(free_port)
# kinesis-local reads its TLS certificate from its working directory. Its streams and shards
# change state (CREATING, UPDATING) after a delay, none here; the comparison waits for ACTIVE.
(cd "$kinesis_local" && KINESIS_MOCK_PLAIN_PORT=$port KINESIS_MOCK_TLS_PORT=$(free_port) LOG_LEVEL=ERROR \
  CREATE_STREAM_DURATION=0ms DELETE_STREAM_DURATION=0ms SPLIT_SHARD_DURATION=0ms MERGE_SHARDS_DURATION=0ms \
  UPDATE_SHARD_COUNT_DURATION=0ms exec node main.js) >"$TMP/kinesis-local.log" 2>&1 &
bg_register $!
# A second gw-serve on the same store whose clock runs 6 minutes ahead: an iterator of the first
# is past Kinesis' 5 minutes there (kinesis-local's clock cannot be moved, nor 5 minutes waited).
MILLRACE_NOW=$(date -u -d '+6 min' +%Y-%m-%dT%H:%M:%SZ) "$MILLRACE_BIN/gw-serve" -S "$STORE" --listen 127.0.0.1:0 \
  2>"$TMP/gw-late.err" &
bg_register $!
for _ in {1..300}; do
  grep -q 'listening on' "$TMP/gw-late.err" 2>/dev/null &&
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done
late_url=$(grep -o 'http://[0-9.]*:[0-9]*' "$TMP/gw-late.err" | head -n 1)
[[ -n $late_url ]] || fail "the second gw-serve did not start: $(cat "$TMP/gw-late.err")"
curl -s -o /dev/null "http://127.0.0.1:$port/" || fail "kinesis-local did not start: $(tail -n 5 "$TMP/kinesis-local.log")"

cat >compare.py <<'PY'
import base64, hashlib, http.client, json, re, sys, time, urllib.parse

failures = []
checks = 0


def expect(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)


class Server:
    def __init__(self, name, url):
        self.name = name
        self.address = urllib.parse.urlparse(url)
        self.connection = http.client.HTTPConnection(self.address.hostname, self.address.port, timeout=60)

    def call(self, operation, body):
        """(HTTP status, JSON body) of one request, raw: no SDK validates or rewrites it."""
        data = body if isinstance(body, str) else json.dumps(body)
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202." + operation,
                   "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
                   "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDCOMPARE/20240101/us-east-1/kinesis/aws4_request, "
                                    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64}
        self.connection.request("POST", "/", data, headers)
        answer = self.connection.getresponse()
        text = answer.read()
        # kinesis-local answers the operations without output with an empty body, gw-serve with
        # {}: the SDKs read both as no output.
        return answer.status, json.loads(text) if text.strip() else {}


gw = Server("gw-serve", sys.argv[1])
kl = Server("kinesis-local", sys.argv[2])
late = Server("gw-serve 6 minutes later", sys.argv[3])
TWO_128 = 1 << 128


def without_nulls(value):
    # kinesis-local writes absent members as null; AWS leaves them out, and the SDKs read both
    # as absent.
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def both(operation, body, status=200):
    """The answers of both servers to the same request, nulls dropped; both must have `status`."""
    answers = []
    for server in (gw, kl):
        got_status, doc = server.call(operation, body)
        expect(got_status == status, f"{operation} {json.dumps(body)[:200]}: {server.name} answered {got_status}, not {status}: {doc}")
        answers.append(without_nulls(doc))
    return answers


def same(what, a, b):
    expect(a == b, f"{what} differ:\n  gw-serve      {a}\n  kinesis-local {b}")


def wait_active(stream):
    # kinesis-local's resharding and creation end after a delay (0 ms here, but still after the
    # answer); gw-serve's are done when it answers.
    for server in (gw, kl):
        for _ in range(100):
            status, doc = server.call("DescribeStreamSummary", {"StreamName": stream})
            if status == 200 and doc["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
                break
            time.sleep(0.1)
        else:
            failures.append(f"{server.name}: stream {stream} never ACTIVE")


def uniform_ranges(n, start=0, end=TWO_128 - 1):
    """Kinesis' even split, as its documentation's 3-shard example has it: shard k starts at
    floor(k * size / n) (113427455640312821154458202477256070485 is the second of 3)."""
    size = end - start + 1
    starts = [start + k * size // n for k in range(n)] + [end + 1]
    return [(str(starts[k]), str(starts[k + 1] - 1)) for k in range(n)]


def shard_of(ranges, hash_key):
    return next(i for i, (lo, hi) in enumerate(ranges) if int(lo) <= hash_key <= int(hi))


def md5_key(partition_key):
    return int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")


def shape_of_shards(shards):
    """A ListShards page with each implementation's own values taken out: sequence numbers
    (kinesis-local's encode a timestamp and shard as Kinesis' do, gw-serve's the shard and a
    counter), checked to be decimal strings and kept as present or absent."""
    out = []
    for shard in shards:
        shard = json.loads(json.dumps(shard))
        numbers = shard.get("SequenceNumberRange", {})
        for member in ("StartingSequenceNumber", "EndingSequenceNumber"):
            if member in numbers:
                expect(re.fullmatch(r"[0-9]+", numbers[member]) is not None, f"{member} {numbers[member]!r} is not a number")
                numbers[member] = "SEQ"
        out.append(shard)
    return out


def ids(shards):
    return [s["ShardId"] for s in shards]


# ---- CreateStream, DescribeStreamSummary, ListShards

before = time.time()
same("CreateStream", *both("CreateStream", {"StreamName": "compare", "ShardCount": 3}))
wait_active("compare")
after = time.time()
g, k = both("DescribeStreamSummary", {"StreamName": "compare"})
for doc, name in ((g, "gw-serve"), (k, "kinesis-local")):
    created = doc["StreamDescriptionSummary"].pop("StreamCreationTimestamp", None)
    # Each its own clock: the creation lies within the test's window (to the second: both
    # write milliseconds, kinesis-local's clock is its own process').
    expect(created is not None and before - 1 <= created <= after + 1, f"{name}: StreamCreationTimestamp {created} not in [{before}, {after}]")
same("DescribeStreamSummary", g, k)
expect(g["StreamDescriptionSummary"].get("OpenShardCount") == 3, f"OpenShardCount {g}")
expect(g["StreamDescriptionSummary"].get("StreamARN") == "arn:aws:kinesis:us-east-1:000000000000:stream/compare", f"StreamARN {g}")

THREE = uniform_ranges(3)
g, k = both("ListShards", {"StreamName": "compare"})
same("ListShards of a new stream", shape_of_shards(g["Shards"]), shape_of_shards(k["Shards"]))
same("the hash key ranges of 3 shards (AWS's DescribeStream example)",
     [(s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"]) for s in g["Shards"]], THREE)

# ---- PutRecord, PutRecords: where each record goes

puts = []  # (data, partition key, shard, gw-serve's sequence number, kinesis-local's) in the order put
window = [before, before]  # when the records came: from the stream's creation to the last put


def put_record(key, data, explicit=None):
    body = {"StreamName": "compare", "PartitionKey": key, "Data": base64.b64encode(data.encode()).decode()}
    if explicit is not None:
        body["ExplicitHashKey"] = str(explicit)
    g, k = both("PutRecord", body)
    want = "shardId-%012d" % shard_of(THREE, md5_key(key) if explicit is None else explicit)
    same(f"PutRecord {key} {explicit}: ShardId", g.get("ShardId"), k.get("ShardId"))
    expect(g.get("ShardId") == want, f"PutRecord {key} {explicit}: gw-serve put it in {g.get('ShardId')}, MD5 routing says {want}")
    same("PutRecord's other members", {m: v for m, v in g.items() if m != "SequenceNumber"},
         {m: v for m, v in k.items() if m != "SequenceNumber"})
    puts.append((data, key, want, g["SequenceNumber"], k["SequenceNumber"]))
    window[1] = time.time()


# The ends of the ranges: ExplicitHashKey decides, whatever the partition key.
put_record("any", "first", 0)
put_record("any", "end of 0", int(THREE[0][1]))
put_record("any", "start of 1", int(THREE[1][0]))
put_record("any", "last", TWO_128 - 1)
for key in ("alpha", "bravo", "charlie", "delta", "echo"):
    put_record(key, "by " + key)
time.sleep(1.1)  # AT_TIMESTAMP below starts between the records before and after this
middle = time.time()
time.sleep(0.1)
entries = [{"PartitionKey": key, "Data": base64.b64encode(("batch " + key).encode()).decode()}
           for key in ("foxtrot", "golf", "india", "mike")]
entries.append({"PartitionKey": "juliett", "ExplicitHashKey": THREE[2][0], "Data": base64.b64encode(b"batch explicit").decode()})
g, k = both("PutRecords", {"StreamName": "compare", "Records": entries})
same("PutRecords' failures", (g.get("FailedRecordCount"), g.get("EncryptionType")), (k.get("FailedRecordCount"), k.get("EncryptionType")))
expect(g.get("FailedRecordCount") == 0, f"PutRecords failed records: {g}")
# No partial failure to compare: kinesis-local fails an entry only for data beyond a stream's
# MaxRecordSizeInKiB (a later Kinesis setting, not in Debian's botocore model), and neither
# throttles by default.
for i, entry in enumerate(entries):
    want = "shardId-%012d" % shard_of(THREE, int(entry.get("ExplicitHashKey") or md5_key(entry["PartitionKey"])))
    same(f"PutRecords entry {i}: ShardId", g["Records"][i].get("ShardId"), k["Records"][i].get("ShardId"))
    expect(g["Records"][i].get("ShardId") == want, f"PutRecords entry {i}: {g['Records'][i]} is not in {want}")
    expect(set(g["Records"][i]) == {"ShardId", "SequenceNumber"}, f"PutRecords entry {i}: members {g['Records'][i]}")
    puts.append((base64.b64decode(entry["Data"]).decode(), entry["PartitionKey"], want, g["Records"][i]["SequenceNumber"],
                 k["Records"][i]["SequenceNumber"]))
window[1] = time.time()

# ---- GetShardIterator of the five types, GetRecords

def read(server, iterator, limit=None):
    body = {"ShardIterator": iterator}
    if limit:
        body["Limit"] = limit
    status, doc = server.call("GetRecords", body)
    expect(status == 200, f"{server.name}: GetRecords {status} {doc}")
    return without_nulls(doc)


def records_of(doc, server_index, name):
    """The records read, as (data, partition key); each sequence number must be the one its
    PutRecord answered (sequence numbers are each implementation's own, so compared through the
    records they name), each arrival within the puts' window."""
    out = []
    for record in doc.get("Records", []):
        data = base64.b64decode(record["Data"]).decode()
        match = [p for p in puts if p[0] == data]
        expect(len(match) == 1 and match[0][3 + server_index] == record["SequenceNumber"],
               f"{name}: record {record} does not carry the sequence number its put answered")
        arrival = record.get("ApproximateArrivalTimestamp")
        expect(arrival is not None and window[0] - 1 <= arrival <= window[1] + 1, f"{name}: ApproximateArrivalTimestamp {arrival}")
        out.append((data, record["PartitionKey"]))
    return out


def iterate(shard, kind, **extra):
    body = dict({"StreamName": "compare", "ShardId": shard, "ShardIteratorType": kind}, **extra)
    answers = []
    for i, server in enumerate((gw, kl)):
        if "StartingSequenceNumber" in extra:  # each server's own number for the same record
            body["StartingSequenceNumber"] = extra["StartingSequenceNumber"][i]
        status, doc = server.call("GetShardIterator", body)
        expect(status == 200 and "ShardIterator" in doc, f"{server.name}: GetShardIterator {kind} {status} {doc}")
        answers.append(doc.get("ShardIterator", ""))
    return answers


shard0 = [p for p in puts if p[2] == "shardId-000000000000"]
expect(len(shard0) >= 4, f"too few records in shard 0 to read from the middle: {shard0}")
want_all = [(p[0], p[1]) for p in shard0]
for kind, extra, want in (
        ("TRIM_HORIZON", {}, want_all),
        ("AT_SEQUENCE_NUMBER", {"StartingSequenceNumber": (shard0[1][3], shard0[1][4])}, want_all[1:]),
        ("AFTER_SEQUENCE_NUMBER", {"StartingSequenceNumber": (shard0[1][3], shard0[1][4])}, want_all[2:]),
        ("AT_TIMESTAMP", {"Timestamp": 0}, want_all),
        ("AT_TIMESTAMP", {"Timestamp": round(middle, 3)}, [(p[0], p[1]) for p in shard0 if p[0].startswith("batch")]),
        ("LATEST", {}, [])):
    iterators = iterate("shardId-000000000000", kind, **extra)
    g, k = read(gw, iterators[0]), read(kl, iterators[1])
    got_g, got_k = records_of(g, 0, "gw-serve"), records_of(k, 1, "kinesis-local")
    same(f"GetRecords from {kind} {extra.get('Timestamp', '')}", got_g, got_k)
    expect(got_g == want, f"GetRecords from {kind}: gw-serve read {got_g}, the puts say {want}")
    # Read to the end of an open shard: no one behind, and an iterator to go on with.
    same(f"GetRecords from {kind}: MillisBehindLatest", g.get("MillisBehindLatest"), k.get("MillisBehindLatest"))
    expect(g.get("MillisBehindLatest") == 0 and "NextShardIterator" in g and "NextShardIterator" in k,
           f"GetRecords from {kind}: {g.get('MillisBehindLatest')} behind, next {'NextShardIterator' in g}/{'NextShardIterator' in k}")
    expect(set(g) == {"Records", "NextShardIterator", "MillisBehindLatest"}, f"GetRecords members {sorted(g)}")
    if kind == "LATEST":  # a LATEST iterator reads what is put after it was taken
        put_record("late", "after latest", 1)
        g, k = read(gw, g["NextShardIterator"]), read(kl, k["NextShardIterator"])
        same("GetRecords after LATEST", records_of(g, 0, "gw-serve"), records_of(k, 1, "kinesis-local"))
        expect(records_of(g, 0, "gw-serve") == [("after latest", "late")], f"GetRecords after LATEST: {g}")

# Limit, then the rest by NextShardIterator.
first_g, first_k = iterate("shardId-000000000000", "TRIM_HORIZON")
g, k = read(gw, first_g, 2), read(kl, first_k, 2)
same("GetRecords with Limit 2", records_of(g, 0, "gw-serve"), records_of(k, 1, "kinesis-local"))
expect(len(g["Records"]) == 2, f"GetRecords Limit 2 gave {len(g['Records'])}")
rest_g, rest_k = read(gw, g["NextShardIterator"]), read(kl, k["NextShardIterator"])
same("GetRecords after Limit 2", records_of(rest_g, 0, "gw-serve"), records_of(rest_k, 1, "kinesis-local"))
# MillisBehindLatest when records are left: both more than 0, never the same milliseconds.
expect(g.get("MillisBehindLatest", 0) > 0 and k.get("MillisBehindLatest", 0) > 0,
       f"MillisBehindLatest with records left: {g.get('MillisBehindLatest')} / {k.get('MillisBehindLatest')}")

# ---- errors: the type always; the message as Kinesis writes it for gw-serve

def error_of(server, operation, body):
    status, doc = server.call(operation, body)
    return status, doc.get("__type"), doc.get("message")


def errors(operation, body, want_type, want_message, kinesis_local_type=None):
    """gw-serve's error must be Kinesis' (type and words, worked out from the request);
    kinesis-local's type must be the same unless `kinesis_local_type` notes its own."""
    g = error_of(gw, operation, body)
    k = error_of(kl, operation, body)
    expect(g == (400, want_type, want_message), f"{operation} {body}: gw-serve {g}, Kinesis says {(400, want_type, want_message)}")
    if kinesis_local_type == "500":
        expect(k[0] == 500, f"{operation} {body}: kinesis-local {k}")
    else:
        expect(k[:2] == (400, kinesis_local_type or want_type), f"{operation} {body}: kinesis-local {k}")


# kinesis-local's messages are its own ("Stream arn ... not found"): only the types compare.
errors("DescribeStreamSummary", {"StreamName": "none"}, "ResourceNotFoundException",
       "Stream none under account 000000000000 not found.")
errors("PutRecord", {"StreamName": "none", "PartitionKey": "k", "Data": ""}, "ResourceNotFoundException",
       "Stream none under account 000000000000 not found.")
errors("CreateStream", {"StreamName": "compare", "ShardCount": 1}, "ResourceInUseException",
       "Stream compare under account 000000000000 already exists.")
errors("GetShardIterator", {"StreamName": "compare", "ShardId": "shardId-000000000009", "ShardIteratorType": "LATEST"},
       "ResourceNotFoundException", "Shard shardId-000000000009 in stream compare under account 000000000000 does not exist")
errors("GetShardIterator", {"StreamName": "compare", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP"},
       "InvalidArgumentException", "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                                   "Current request has no timestamp parameter.")
errors("GetShardIterator", {"StreamName": "compare", "ShardId": "shardId-000000000000", "ShardIteratorType": "AFTER_SEQUENCE_NUMBER"},
       "InvalidArgumentException", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber "
                                   "or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified "
                                   "AFTER_SEQUENCE_NUMBER and no StartingSequenceNumber.")
# Members against the model: AWS checks them before anything else and answers
# ValidationException naming each, with its constraint (the model's words). kinesis-local checks
# by hand: a name out of pattern is its InvalidArgumentException, a shard count of 0 its
# LimitExceededException, a missing member its SerializationException.
errors("CreateStream", {"StreamName": "bad name!", "ShardCount": 1}, "ValidationException",
       "1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: "
       "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", "InvalidArgumentException")
errors("CreateStream", {"StreamName": "zero", "ShardCount": 0}, "ValidationException",
       "1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: "
       "Member must have value greater than or equal to 1", "LimitExceededException")
errors("PutRecord", {"StreamName": "compare", "Data": ""}, "ValidationException",
       "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: Member must not be null",
       "SerializationException")
# A malformed iterator: Kinesis' InvalidArgumentException (kinesalite's recording of it: "Invalid
# ShardIterator."); kinesis-local fails with a 500 and no body.
errors("GetRecords", {"ShardIterator": "bm90IGFuIGl0ZXJhdG9y"}, "InvalidArgumentException", "Invalid ShardIterator.", "500")

# An expired iterator, gw-serve only (see above): one of gw-serve's, 6 minutes later.
status, doc = late.call("GetRecords", {"ShardIterator": first_g})
expect(status == 400 and doc.get("__type") == "ExpiredIteratorException" and
       re.fullmatch(r"Iterator expired\. The iterator was created at time (?:[A-Z][a-z]{2} ){2}\d{2} \d{2}:\d{2}:\d{2} UTC "
                    r"\d{4} while right now it is (?:[A-Z][a-z]{2} ){2}\d{2} \d{2}:\d{2}:\d{2} UTC \d{4} which is further in "
                    r"the future than the tolerated delay of 300000 milliseconds\.", doc.get("message", "")),
       f"GetRecords of an iterator 6 minutes old: {status} {doc}")

# ---- SplitShard, MergeShards, ListShards' filters and pages

split_at = str((int(THREE[1][0]) + int(THREE[1][1]) + 1) // 2)
same("SplitShard", *both("SplitShard", {"StreamName": "compare", "ShardToSplit": "shardId-000000000001", "NewStartingHashKey": split_at}))
wait_active("compare")
g, k = both("ListShards", {"StreamName": "compare"})
# The closed parent has an EndingSequenceNumber in both (kinesis-local's is 2^63-1, Kinesis'
# the last it could hold): only its presence compares.
same("ListShards after a split", shape_of_shards(g["Shards"]), shape_of_shards(k["Shards"]))
same("ListShards after a split: ids", ids(g["Shards"]), ["shardId-%012d" % i for i in range(5)])
# kinesis-local compares a filter's Timestamp with the shards' times in whole seconds: the
# split, the time asked about and the merge are a second apart.
time.sleep(1.1)
after_split = time.time()
time.sleep(1.1)
same("MergeShards", *both("MergeShards", {"StreamName": "compare", "ShardToMerge": "shardId-000000000003",
                                          "AdjacentShardToMerge": "shardId-000000000004"}))
wait_active("compare")
g, k = both("ListShards", {"StreamName": "compare"})
same("ListShards after a merge", shape_of_shards(g["Shards"]), shape_of_shards(k["Shards"]))
merged = g["Shards"][-1]
expect((merged.get("ParentShardId"), merged.get("AdjacentParentShardId"), merged["HashKeyRange"]["StartingHashKey"],
        merged["HashKeyRange"]["EndingHashKey"]) == ("shardId-000000000003", "shardId-000000000004", THREE[1][0], THREE[1][1]),
       f"the merged shard {merged}")

for shard_filter, want in (
        ({"Type": "AT_LATEST"}, ["shardId-000000000000", "shardId-000000000002", "shardId-000000000005"]),
        ({"Type": "FROM_TRIM_HORIZON"}, ["shardId-%012d" % i for i in range(6)]),
        ({"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000002"}, ["shardId-%012d" % i for i in range(3, 6)]),
        # Shards open at that time: 1 had been split, 3 and 4 were open, 5 not yet made.
        ({"Type": "AT_TIMESTAMP", "Timestamp": round(after_split, 3)}, ["shardId-%012d" % i for i in (0, 2, 3, 4)]),
        ({"Type": "FROM_TIMESTAMP", "Timestamp": round(after_split, 3)}, ["shardId-%012d" % i for i in (0, 2, 3, 4, 5)])):
    g, k = both("ListShards", {"StreamName": "compare", "ShardFilter": shard_filter})
    same(f"ListShards {shard_filter}", shape_of_shards(g["Shards"]), shape_of_shards(k["Shards"]))
    expect(ids(g["Shards"]) == want, f"ListShards {shard_filter}: gw-serve {ids(g['Shards'])}, not {want}")
# AT_TRIM_HORIZON: "the shards that were open at TRIM_HORIZON" (AWS's ShardFilter). The
# stream is younger than its retention: its trim horizon is its creation, when 0, 1 and 2 were
# open. kinesis-local lists every shard.
g, k = both("ListShards", {"StreamName": "compare", "ShardFilter": {"Type": "AT_TRIM_HORIZON"}})
expect(ids(g["Shards"]) == ["shardId-%012d" % i for i in range(3)], f"ListShards AT_TRIM_HORIZON: {ids(g['Shards'])}")
expect(ids(k["Shards"]) == ["shardId-%012d" % i for i in range(6)], f"kinesis-local's AT_TRIM_HORIZON: {ids(k['Shards'])}")

# Pages: NextToken is each implementation's own opaque text, followed to the end.
pages = []
for server in (gw, kl):
    listed, body = [], {"StreamName": "compare", "MaxResults": 4}
    while True:
        status, doc = server.call("ListShards", body)
        expect(status == 200, f"{server.name}: ListShards by pages {status} {doc}")
        listed.append(ids(doc.get("Shards", [])))
        if not doc.get("NextToken"):
            break
        body = {"NextToken": doc["NextToken"], "MaxResults": 4}
    pages.append(listed)
same("ListShards by pages of 4", *pages)
expect(pages[0] == [["shardId-%012d" % i for i in range(4)], ["shardId-000000000004", "shardId-000000000005"]], f"pages {pages[0]}")

# ---- UpdateShardCount

same("CreateStream", *both("CreateStream", {"StreamName": "scaled", "ShardCount": 3}))
wait_active("scaled")
g, k = both("UpdateShardCount", {"StreamName": "scaled", "TargetShardCount": 6, "ScalingType": "UNIFORM_SCALING"})
# StreamARN is in Kinesis' answer (the model's UpdateShardCountOutput); kinesis-local leaves it out.
expect(g.pop("StreamARN", None) == "arn:aws:kinesis:us-east-1:000000000000:stream/scaled", f"UpdateShardCount: {g}")
same("UpdateShardCount", g, k)
expect(g == {"StreamName": "scaled", "CurrentShardCount": 3, "TargetShardCount": 6}, f"UpdateShardCount: {g}")
wait_active("scaled")
g, k = both("ListShards", {"StreamName": "scaled", "ShardFilter": {"Type": "AT_LATEST"}})
open_g = [(s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"]) for s in g["Shards"]]
open_k = [(s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"]) for s in k["Shards"]]
# Uniform scaling: 6 open shards of even ranges. kinesis-local's are one lower at every
# boundary but the ends (it splits at k * 2^128/n - 1): compared is their number, and gw-serve's
# ranges are Kinesis' even split.
expect(sorted(open_g, key=lambda r: int(r[0])) == uniform_ranges(6), f"UpdateShardCount to 6: gw-serve's open ranges {open_g}")
same("UpdateShardCount to 6: open shards", len(open_g), len(open_k))
expect(len(open_k) == 6, f"kinesis-local's open shards {open_k}")

# ---- tags

same("AddTagsToStream", *both("AddTagsToStream", {"StreamName": "compare", "Tags": {"team": "rides", "env": "test", "app": "wild"}}))
for body, want in (({}, ["app", "env", "team"]), ({"Limit": 2}, ["app", "env"]), ({"ExclusiveStartTagKey": "app"}, ["env", "team"])):
    g, k = both("ListTagsForStream", dict({"StreamName": "compare"}, **body))
    same(f"ListTagsForStream {body}", g, k)
    expect([t["Key"] for t in g.get("Tags", [])] == want and g.get("HasMoreTags") == ("Limit" in body),
           f"ListTagsForStream {body}: {g}")
same("RemoveTagsFromStream", *both("RemoveTagsFromStream", {"StreamName": "compare", "TagKeys": ["env", "absent"]}))
g, k = both("ListTagsForStream", {"StreamName": "compare"})
same("ListTagsForStream after removing", g, k)
expect(g == {"Tags": [{"Key": "app", "Value": "wild"}, {"Key": "team", "Value": "rides"}], "HasMoreTags": False}, f"tags {g}")

for failure in failures:
    print(failure, file=sys.stderr)
print(f"{checks} checks, {len(failures)} failed")
sys.exit(1 if failures else 0)
PY
/usr/bin/python3 compare.py "$GW_URL" "http://127.0.0.1:$port" "$late_url" >compare.out 2>compare.err ||
  fail "gw-serve and kinesis-local (or Kinesis' documents) disagree ($(cat compare.out)):
$(head -c 4000 compare.err)"
note "$(cat compare.out)"
