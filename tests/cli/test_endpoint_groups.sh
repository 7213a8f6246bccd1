#!/usr/bin/env bash
# Behaviour: ks-consume -g GROUP on an endpoint keeps the group's leases and checkpoints in a
# DynamoDB table named after the group, of the KCL's schema. Against gw-serve (Kinesis and
# DynamoDB on one port): a group reads every record once; a restart resumes after its
# checkpoints (the records put since, and nothing else); the lease table as the aws CLI scans it
# has one lease a shard, each shard's checkpoint the last sequence number the aws CLI's
# get-records gives; a second member is refused (exit 75) while the first renews its leases;
# after kill -9 of a member, a new one waits out --lease-timeout, takes the leases over and
# delivers the rest, duplicates only a tail of what the killed member wrote; after a split
# (aws kinesis split-shard) the parent's lease is SHARD_END, its children name it as
# parentShardId, and each key's records come out in input order. --exec on an endpoint: a batch
# holding a poison record is bisected down to it, the failure record put to the endpoint's
# --on-failure stream names its shard and sequence number (as the aws CLI reads them), the
# others are handled once and checkpointed; a Python function (--handler) gets every record once.
# (kinesis-local with DynamoDB Local:
# test_endpoint_groups_local.sh.)
# --checkpoint downstream is refused on an endpoint (exit 69).
source "$(dirname "$0")/common.sh"
need_tool jq
need_bigint
cd "$TMP"

start_gateway --sync none
gw() { "$MILLRACE_BIN/ks-consume" -S "$GW_URL" "$@"; }
gw_put() { "$MILLRACE_BIN/ks-put" -S "$GW_URL" "$@"; }

# records FIRST LAST: JSON lines over 13 keys, each record numbered.
records() { awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++) printf "{\"k\":\"key-%d\",\"n\":%d}\n", i % 13, i }'; }

# ---- one member: everything once, a restart resumes after its checkpoints ----------------
records 1 1200 >first.jsonl
records 1201 1500 >second.jsonl
expect_status 0 "put" gw_put -s orders --create --shards 4 -k k first.jsonl
expect_status 0 "a group reads" gw -s orders -g readers
same_sorted first.jsonl "$TMP/out" "a group reads every record once"

last_sequences "$GW_URL" orders | sort >want.checkpoints
assert_eq 4 "$(count_lines want.checkpoints)" "every shard has records"
lease_items "$GW_URL" readers >leases.jsonl
jq -r '"\(.leaseKey) \(.checkpoint)"' leases.jsonl >got.checkpoints
same_file want.checkpoints got.checkpoints "each lease's checkpoint is its shard's last sequence number"
jq -c '[.leaseCounter, .checkpointSubSequenceNumber, .ownerSwitchesSinceCheckpoint, .streamName, has("leaseOwner")]' \
  leases.jsonl | sort -u >got.shape
assert_eq '["3","0","0","orders",false]' "$(cat got.shape)" \
  "leases taken (counter 1), checkpointed once (2) and freed after a clean stop (3)"

expect_status 0 "put more" gw_put -s orders -k k second.jsonl
expect_status 0 "the group again" gw -s orders -g readers --from latest
same_sorted second.jsonl "$TMP/out" "a restart delivers what was put since its checkpoints (--from ignored)"
expect_status 0 "and again" gw -s orders -g readers
assert_eq 0 "$(count_lines "$TMP/out")" "nothing twice after a clean stop"
expect_status 0 "another group" gw -s orders -g others --from latest
assert_eq 0 "$(count_lines "$TMP/out")" "a new group's shards start where --from says"
expect_status 64 "a group name too short for a table" gw -s orders -g ab
expect_stderr_match "ab: on an endpoint a group is a DynamoDB table's name" "the short name is refused, saying why"
expect_status 69 "--checkpoint downstream on an endpoint" gw -s orders -g readers --checkpoint downstream --format envelope
expect_stderr_match "checkpoint downstream on an endpoint is still to come" "the refusal says what"
gw_put -s other --create -k k <first.jsonl
expect_status 64 "a group of another stream" gw -s other -g readers
expect_stderr_match "holds the leases of stream orders" "one group, one stream"

# ---- a second member is refused; a killed member's leases are taken over ------------------
# Not through gw(): kill -9 must reach ks-consume itself, not a subshell.
"$MILLRACE_BIN/ks-consume" -S "$GW_URL" -s orders -g readers -f --lease-timeout 2s >member1.out 2>member1.err &
member1=$!
bg_register "$member1"
for _ in {1..100}; do
  [[ $(lease_items "$GW_URL" readers | jq -r 'select(.leaseOwner) | .leaseKey' | wc -l) == 4 ]] && break
  sleep 0.1
done
# It watches for up to 5 s (its own --lease-timeout) while the first renews every 2/3 s.
expect_status 75 "a second member" gw -s orders -g readers --lease-timeout 5s
expect_stderr_match "readers: shardId-[0-9]+ is read by another member .* renews its lease" "the refusal says why"
records 1501 1800 >third.jsonl
gw_put -s orders -k k third.jsonl
for _ in {1..100}; do
  [[ $(count_lines member1.out) == 300 ]] && break
  sleep 0.05
done
sleep 0.3
kill -9 "$member1"
wait "$member1" 2>/dev/null || true
records 1801 2000 >fourth.jsonl
gw_put -s orders -k k fourth.jsonl
started=$(date +%s%N)
expect_status 0 "a member after kill -9" gw -s orders -g readers --lease-timeout 2s
waited_ms=$((($(date +%s%N) - started) / 1000000))
((waited_ms >= 1800)) || fail "the killed member's leases were taken after ${waited_ms} ms, before the lease timeout"
expect_stderr_match "is leased to .*: taken over if it is not renewed" "the wait is said"
cp "$TMP/out" member2.out
cat member1.out member2.out >both.out
sort -u both.out >both.set
cat third.jsonl fourth.jsonl | sort >want.set
same_file want.set both.set "the two members delivered every record"
sort member1.out >m1.sorted
sort member2.out | comm -12 - m1.sorted >dups
ndups=$(count_lines dups)
tail -n "$ndups" member1.out | sort >tail1
same_file tail1 dups "duplicates only of the killed member's last writes"
note "after kill -9: $ndups duplicates, takeover after $waited_ms ms"

# ---- a reshard: parents before children, per-key order, the lineage in the table -----------
records 1 600 >r1.jsonl
records 601 1400 >r2.jsonl
gw_put -s split --create --shards 2 -k k r1.jsonl
expect_status 0 "read before the split" gw -s split -g splitters
cp "$TMP/out" split1.out
read -r parent low high < <(aws --endpoint-url "$GW_URL" kinesis list-shards --stream-name split |
  jq -r '.Shards[0] | "\(.ShardId) \(.HashKeyRange.StartingHashKey) \(.HashKeyRange.EndingHashKey)"')
middle=$(bigcalc "($low + $high) / 2")
aws --endpoint-url "$GW_URL" kinesis split-shard --stream-name split --shard-to-split "$parent" \
  --new-starting-hash-key "$middle" >/dev/null
for _ in {1..50}; do
  [[ $(aws --endpoint-url "$GW_URL" kinesis describe-stream-summary --stream-name split \
    --query StreamDescriptionSummary.StreamStatus --output text) == ACTIVE ]] && break
  sleep 0.1
done
gw_put -s split -k k r2.jsonl
expect_status 0 "read after the split" gw -s split -g splitters
cat split1.out "$TMP/out" >split.out
cat r1.jsonl r2.jsonl >r.jsonl
same_keys_in_order r.jsonl split.out "a group across a split" key-0 key-5 key-12
lease_items "$GW_URL" splitters >split.leases
assert_eq SHARD_END "$(jq -r --arg p "$parent" 'select(.leaseKey == $p) | .checkpoint' split.leases)" \
  "the split parent's lease is SHARD_END"
assert_eq 2 "$(jq -r --arg p "$parent" 'select(.parentShardId == [$p]) | .leaseKey' split.leases | wc -l)" \
  "both children name their parent as parentShardId"

# ---- a handler on an endpoint: batches, bisection, the failure record, checkpoints ---------
gw_put -s jobs --create --shards 2 -k k first.jsonl
gw_put -s jobs-failed --create -k k </dev/null
# Fails every batch that holds record 500.
cat >poison.sh <<'EOF'
batch=$(cat)
if printf '%s\n' "$batch" | grep -q '"n":500}'; then exit 1; fi
printf '%s\n' "$batch"
EOF
expect_status 0 "--exec on an endpoint" gw -s jobs -g workers --exec "sh $TMP/poison.sh" --exec-format data \
  --batch-size 64 --bisect --retries 1 --on-failure jobs-failed
grep -v '"n":500}' first.jsonl >want.handled
same_sorted want.handled "$TMP/out" "every record handled once, but the poison one"
shard_records "$GW_URL" jobs >jobs.records
read -r poison_shard poison_seq < <(awk -F'\t' '$3 ~ /"n":500}/ { print $1, $2 }' jobs.records)
expect_status 0 "read the failure stream" gw -s jobs-failed
jq -r '"\(.KinesisBatchInfo | "\(.shardId) \(.startSequenceNumber) \(.endSequenceNumber) \(.batchSize)") \(.requestContext.condition)"' \
  "$TMP/out" >got.failure
assert_eq "$poison_shard $poison_seq $poison_seq 1 RetryAttemptsExhausted" "$(cat got.failure)" \
  "one failure record, pointing at the poison record as the aws CLI reads it"
awk -F'\t' '{ last[$1] = $2 } END { for (s in last) print s, last[s] }' jobs.records | sort >want.checkpoints
lease_items "$GW_URL" workers | jq -r '"\(.leaseKey) \(.checkpoint)"' >got.checkpoints
same_file want.checkpoints got.checkpoints "the handler's group checkpointed each shard's last batch"
expect_status 0 "the handler's group again" gw -s jobs -g workers --exec cat
assert_eq 0 "$(count_lines "$TMP/out")" "nothing handled twice"
# A Lambda function (the Python runtime) on the same stream: every record once, in batches of at
# most --batch-size, each batch in its shard's order (sequence numbers ascending, as the function
# compares them as integers).
mkdir -p fn
cat >fn/app.py <<'EOF'
import base64, json


def handler(event, context):
    sequences = [int(r["kinesis"]["sequenceNumber"]) for r in event["Records"]]
    return {"n": [json.loads(base64.b64decode(r["kinesis"]["data"]))["n"] for r in event["Records"]],
            "ordered": all(a < b for a, b in zip(sequences, sequences[1:]))}
EOF
expect_status 0 "--handler on an endpoint" gw -s jobs -g functions --handler app.handler --runtime python --code fn \
  --batch-size 50 --parallel 2
jq -r '.n[]' "$TMP/out" | sort -n >got.n
seq 1 1200 >want.n
same_file want.n got.n "the function got every record once"
jq -e -s 'all(.n | length <= 50) and all(.ordered)' "$TMP/out" >/dev/null ||
  fail "a batch of more than 50 records, or out of its shard's order"
expect_status 69 "--batch-window on an endpoint" gw -s jobs --exec cat --batch-window 1s
expect_stderr_match "batch-window on an endpoint is still to come" "the refusal says what"
note ok
