#!/usr/bin/env bash
# Behaviour: gw-serve's threads keep reading while the store's map moves under them. ks-put
# grows the map of a store that gw-serve serves (another process: gw-serve adopts the new size
# when its readers meet data past its map), then gw-serve grows it itself with PutRecords, while
# four clients read the stream with GetRecords all along. Every record read is whole (its
# padding follows from its number), gw-serve is still serving, and everything put is there.
source "$(dirname "$0")/common.sh"
cd "$TMP"
start_gateway --threads 4 --sync none
shard create big --shards 2 >/dev/null

# 700 records of 100 KB: 70 MB through ks-put, past the first map of 64 MiB.
/usr/bin/python3 - <<'PY' >big.jsonl
for n in range(700):
    print('{"n":%d,"pad":"%s"}' % (n, chr(97 + n % 26) * 100_000))
PY

cat >readers.py <<'PY'
import base64, http.client, json, sys, threading
host, port = sys.argv[1].split("//")[1].split(":")
stop = threading.Event()
problems, seen = [], [0]
lock = threading.Lock()

def call(conn, op, body):
    conn.request("POST", "/", json.dumps(body), {"X-Amz-Target": "Kinesis_20131202." + op,
                                                 "Content-Type": "application/x-amz-json-1.1"})
    answer = conn.getresponse()
    data = answer.read()
    if answer.status != 200:
        raise RuntimeError(f"{op}: HTTP {answer.status}: {data[:200]!r}")
    return json.loads(data)

def check(record):
    item = json.loads(base64.b64decode(record["Data"]))
    if item["pad"] != chr(97 + item["n"] % 26) * 100_000:
        raise RuntimeError(f"record {item['n']} is torn")

def read():
    try:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        while not stop.is_set():
            for shard in ("shardId-000000000000", "shardId-000000000001"):
                it = call(conn, "GetShardIterator", {"StreamName": "big", "ShardId": shard,
                                                     "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
                while it and not stop.is_set():
                    page = call(conn, "GetRecords", {"ShardIterator": it, "Limit": 50})
                    for record in page["Records"]:
                        check(record)
                    with lock:
                        seen[0] += len(page["Records"])
                    if not page["Records"]:
                        break
                    it = page.get("NextShardIterator")
    except Exception as e:
        problems.append(repr(e))
        stop.set()

threads = [threading.Thread(target=read) for _ in range(4)]
for t in threads:
    t.start()
sys.stdin.read()  # until the test closes our stdin
stop.set()
for t in threads:
    t.join()
print(seen[0])
if problems:
    sys.exit("readers: " + "; ".join(problems))
PY

cat >writer.py <<'PY'
import base64, http.client, json, sys
host, port = sys.argv[1].split("//")[1].split(":")
conn = http.client.HTTPConnection(host, int(port), timeout=60)
for batch in range(35):  # 35 x 20 records of 100 KB: the map grows past 128 MiB
    records = []
    for i in range(20):
        n = 700 + batch * 20 + i
        data = '{"n":%d,"pad":"%s"}' % (n, chr(97 + n % 26) * 100_000)
        records.append({"Data": base64.b64encode(data.encode()).decode(), "PartitionKey": str(n)})
    conn.request("POST", "/", json.dumps({"StreamName": "big", "Records": records}),
                 {"X-Amz-Target": "Kinesis_20131202.PutRecords", "Content-Type": "application/x-amz-json-1.1"})
    answer = json.loads(conn.getresponse().read())
    if answer.get("FailedRecordCount", 1) != 0:
        sys.exit(f"PutRecords: {answer}")
PY

mkfifo hold
/usr/bin/python3 readers.py "$GW_URL" <hold >seen 2>readers.err &
readers=$!
exec 3>hold
sleep 0.5
put -s big -k n big.jsonl || fail "ks-put"
/usr/bin/python3 writer.py "$GW_URL" || fail "PutRecords through gw-serve"
exec 3>&-
wait "$readers" || fail "$(cat readers.err)"
(($(cat seen) > 0)) || fail "the readers read nothing"
kill -0 "$GW_PID" || fail "gw-serve died: $(cat "$TMP/gw.err")"

consume -s big --format envelope | jq -r '.data.n' | sort -n >got
seq 0 1399 >want
same_file want got "every record put, once"
