#!/usr/bin/env bash
# Behaviour: the AWS client rides out an endpoint that fails for a while, and says so clearly
# when it never recovers. A proxy (tests/tools/aws_fault_proxy.py) in front of gw-serve answers
# HTTP 500 and ThrottlingException to the first requests, and then fails the last third of the
# entries of several PutRecords (ProvisionedThroughputExceededException, without forwarding
# them): every record is in the stream once, each key's records in input order, --print still
# gives one line per record. GetRecords failing for a while loses nothing either. With
# AWS_MAX_ATTEMPTS=3 and an endpoint that always fails, ks-put and ks-consume exit 75 naming
# the endpoint and the operation. No diagnostic, even with -v, holds the secret key.
source "$(dirname "$0")/common.sh"
cd "$TMP"

start_gateway
export AWS_SECRET_ACCESS_KEY=millrace-test-secret-never-shown
"$MILLRACE_BIN/ks-put" -S "$GW_URL" -s rides --create --shards 4 </dev/null

# 3000 records over 25 keys: several requests of 500.
awk 'BEGIN { for (i = 1; i <= 3000; i++) printf "{\"k\":\"key-%d\",\"n\":%d}\n", i % 25, i }' >input.jsonl

start_fault_proxy "$GW_URL" --fail 2 --throttle 2 --partial 3 --only PutRecords
expect_status 0 "ks-put through failures" "$MILLRACE_BIN/ks-put" -S "$PROXY_URL" -s rides -k k --print -v input.jsonl
assert_eq 3000 "$(count_lines "$TMP/out")" "--print's lines"
cp "$TMP/err" put.err
grep -q 'PutRecords 500' "$TMP/proxy.log" || fail "the proxy failed no request: $(cat "$TMP/proxy.log")"
grep -q 'PutRecords throttled' "$TMP/proxy.log" || fail "the proxy throttled no request"
assert_eq 3 "$(grep -c 'PutRecords partial' "$TMP/proxy.log")" "PutRecords answered with failed entries"
grep -q 'records failed (ProvisionedThroughputExceededException' put.err || fail "-v does not tell the failed entries: $(cat put.err)"

# Read back from gw-serve itself: all of them once, each key in input order.
expect_status 0 "consume" "$MILLRACE_BIN/ks-consume" -S "$GW_URL" -s rides
cp "$TMP/out" consumed.jsonl
same_keys_in_order input.jsonl consumed.jsonl "through failures, nothing lost, nothing twice" key-0 key-7 key-24

# GetRecords and GetShardIterator failing for a while.
start_fault_proxy "$GW_URL" --fail 3 --throttle 3 --only GetRecords
expect_status 0 "consume through failures" "$MILLRACE_BIN/ks-consume" -S "$PROXY_URL" -s rides
cmp -s consumed.jsonl "$TMP/out" || fail "GetRecords failing for a while changed what is read"
grep -q 'GetRecords 500' "$TMP/proxy.log" || fail "the proxy failed no GetRecords"

# The service's pace: at most 5 GetRecords of a shard in any second, which a shard that is behind
# takes at once. 45,000 records on one shard are 5 calls of up to 10,000 and one that finds the
# shard caught up: the sixth waits for the second after the first.
"$MILLRACE_BIN/ks-put" -S "$GW_URL" -s paced --create --shards 1 </dev/null
awk 'BEGIN { for (i = 1; i <= 45000; i++) printf "{\"n\":%d}\n", i }' >paced.jsonl
expect_status 0 "put the paced stream" "$MILLRACE_BIN/ks-put" -S "$GW_URL" -s paced --partition-key p paced.jsonl
start_fault_proxy "$GW_URL" --capture "$TMP/paced.capture"
expect_status 0 "consume the paced stream" "$MILLRACE_BIN/ks-consume" -S "$PROXY_URL" -s paced
assert_eq 45000 "$(count_lines "$TMP/out")" "records read at the service's pace"
pace=$(/usr/bin/python3 - "$TMP/paced.capture" <<'PY'
import json, sys
times = []
for line in open(sys.argv[1]):
    request = json.loads(line)
    if any(n.lower() == "x-amz-target" and v.endswith(".GetRecords") for n, v in request["headers"]):
        times.append(request["time"])
times.sort()
if len(times) < 6:
    print(f"only {len(times)} GetRecords")
elif min(times[i + 5] - times[i] for i in range(len(times) - 5)) < 0.95:
    print("6 GetRecords within a second: " + " ".join(f"{t - times[0]:.3f}" for t in times))
elif min(b - a for a, b in zip(times, times[1:5])) >= 0.15:
    print("a shard behind waited between its first calls: " + " ".join(f"{t - times[0]:.3f}" for t in times))
else:
    print("ok")
PY
)
assert_eq ok "$pace" "GetRecords at the service's pace"

# Never recovering: exit 75, naming the endpoint and the operation, within the attempts: three
# for each lane's requests, which go at once.
start_fault_proxy "$GW_URL" --forever --only PutRecords
export AWS_MAX_ATTEMPTS=3
expect_status 75 "ks-put on an endpoint that never recovers" "$MILLRACE_BIN/ks-put" -S "$PROXY_URL" -s rides -k k -v input.jsonl
expect_stderr_match "^ks-put: $PROXY_URL: PutRecords: no success in 3 attempts \(last: HTTP 500 InternalFailure\)" \
  "the give-up names the endpoint and the operation"
cat "$TMP/err" >>all.err
# ks-put's lanes (ks-put(1)): 16 even parts of the hash key space over the shards, 4 a shard
# here, from the shards' ranges as the aws CLI lists them; the lanes the keys fall in send at once.
lanes_used=$(aws --endpoint-url "$GW_URL" kinesis list-shards --stream-name rides --output json | /usr/bin/python3 -c '
import hashlib, json, sys
ranges = sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                for s in json.load(sys.stdin)["Shards"] if "EndingSequenceNumber" not in s["SequenceNumberRange"])
per = max(1, 16 // len(ranges))
lanes = set()
for i in range(25):
    h = int.from_bytes(hashlib.md5(f"key-{i}".encode()).digest(), "big")
    shard = max(j for j, (start, _) in enumerate(ranges) if start <= h)
    start, end = ranges[shard]
    lanes.add((shard, (h - start) // ((end - start) // per + 1)))
print(len(lanes))')
assert_eq $((3 * lanes_used)) "$(grep -c PutRecords "$TMP/proxy.log")" "attempts made, 3 for each of $lanes_used lanes"
start_fault_proxy "$GW_URL" --forever
expect_status 75 "ks-consume on an endpoint that never recovers" "$MILLRACE_BIN/ks-consume" -S "$PROXY_URL" -s rides -v
expect_stderr_match "^ks-consume: $PROXY_URL: ListShards: no success in 3 attempts" "ks-consume's give-up"
cat "$TMP/err" put.err >>all.err
expect_status 64 "a bad AWS_MAX_ATTEMPTS" env AWS_MAX_ATTEMPTS=0 "$MILLRACE_BIN/ks-put" -S "$PROXY_URL" -s rides -k k input.jsonl
expect_stderr_match '^ks-put: AWS_MAX_ATTEMPTS: not a whole number from 1 to 100' "AWS_MAX_ATTEMPTS is checked"
unset AWS_MAX_ATTEMPTS

# Secrets: neither the secret key nor a signature in any diagnostic.
if grep -Eq "$AWS_SECRET_ACCESS_KEY|Signature=|Credential=" all.err; then fail "a secret in the diagnostics: $(cat all.err)"; fi
note ok
