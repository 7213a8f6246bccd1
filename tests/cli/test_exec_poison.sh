#!/usr/bin/env bash
# Behaviour: `ks-consume --exec` isolates a poison record. 5000 records on 2 shards; the
# handler fails (exit 1) on any batch holding one poison record and otherwise records the
# ids it handled. With --bisect --retries 1 --on-failure fails: every other record is
# handled exactly once, the failure stream holds one Lambda failure record pointing at the
# poison record alone (start = end = its sequence number, batchSize 1,
# RetryAttemptsExhausted), and the group's checkpoints are at the end of both shards.
source "$(dirname "$0")/common.sh"

POISON=r-2718
gen_numbered 5000 >"$TMP/in.jsonl"
shard create ps --shards 2 >/dev/null || fail "ks-shard create ps --shards 2 failed"
shard create fails --shards 1 >/dev/null || fail "ks-shard create fails failed"
put -s ps -k id "$TMP/in.jsonl" || fail "ks-put failed"

# The poison record's shard, sequence number and arrival time, by an ordinary read.
consume -s ps --format envelope >"$TMP/env.jsonl" || fail "ks-consume --format envelope failed"
assert_eq 5000 "$(count_lines "$TMP/env.jsonl")" "envelopes read"
jq -r --arg p "$POISON" 'select(.data.id == $p) | [.shard, .seq, .ts] | @tsv' "$TMP/env.jsonl" >"$TMP/poison"
assert_eq 1 "$(count_lines "$TMP/poison")" "envelopes of the poison record"
IFS=$'\t' read -r p_shard p_seq p_ts <"$TMP/poison"
note "poison record $POISON: $p_shard $p_seq"
jq -r .shard "$TMP/env.jsonl" | sort -u >"$TMP/shards"
assert_eq 2 "$(count_lines "$TMP/shards")" "shards holding the 5000 records"

# The handler reads data lines; it fails on a batch with the poison record, else it
# appends the batch's ids to handled.txt. It records each invocation's size as well.
cat >"$TMP/handler.sh" <<EOF
#!/bin/sh
batch=\$(cat)
printf '%s\n' "\$batch" | wc -l >>"$TMP/sizes.txt"
if printf '%s\n' "\$batch" | grep -qF '"id":"$POISON"'; then
  exit 1
fi
printf '%s\n' "\$batch" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' >>"$TMP/handled.txt"
EOF
chmod +x "$TMP/handler.sh"
: >"$TMP/handled.txt"

start=$(date +%s)
# The region of the failure records' ARNs: AWS_REGION's, over AWS_DEFAULT_REGION's.
AWS_REGION=eu-central-1 AWS_DEFAULT_REGION=us-west-2 consume -s ps -g G --exec "$TMP/handler.sh" --exec-format data --bisect --retries 1 \
  --on-failure fails >"$TMP/out" 2>"$TMP/err" || fail "ks-consume --exec failed (status $?): $(head -c 600 "$TMP/err")"
note "ks-consume --exec took $(($(date +%s) - start)) s, $(count_lines "$TMP/sizes.txt") invocations"
assert_eq 0 "$(count_lines "$TMP/out")" "lines on ks-consume's stdout (the handler prints nothing)"

# Everything but the poison record handled exactly once.
dups=$(sort "$TMP/handled.txt" | uniq -d | head -n 5)
[[ -z $dups ]] || fail "records handled more than once: ${dups//$'\n'/; }"
grep -qxF "$POISON" "$TMP/handled.txt" && fail "the poison record was reported handled"
jq -r .id "$TMP/in.jsonl" | grep -vxF "$POISON" | sort >"$TMP/want.ids"
sort "$TMP/handled.txt" >"$TMP/got.ids"
assert_eq 4999 "$(count_lines "$TMP/got.ids")" "records handled"
same_file "$TMP/want.ids" "$TMP/got.ids" "ids handled (all but the poison record)"
# No batch larger than the default batch size (100).
big=$(awk '$1 > 100 { print; exit }' "$TMP/sizes.txt")
[[ -z $big ]] || fail "a handler got a batch of $big records (default --batch-size is 100)"

# The failure stream: one record, pointing at the poison record only.
consume -s fails >"$TMP/fails.jsonl" || fail "ks-consume -s fails failed"
assert_eq 1 "$(count_lines "$TMP/fails.jsonl")" "failure records"
f=$(cat "$TMP/fails.jsonl")
jq -e . <<<"$f" >/dev/null || fail "the failure record is not JSON: $f"
assert_eq RetryAttemptsExhausted "$(jq -r .requestContext.condition <<<"$f")" "requestContext.condition"
assert_eq "$p_shard" "$(jq -r .KinesisBatchInfo.shardId <<<"$f")" "KinesisBatchInfo.shardId"
assert_eq "$p_seq" "$(jq -r .KinesisBatchInfo.startSequenceNumber <<<"$f")" "KinesisBatchInfo.startSequenceNumber"
assert_eq "$p_seq" "$(jq -r .KinesisBatchInfo.endSequenceNumber <<<"$f")" "KinesisBatchInfo.endSequenceNumber"
assert_eq 1 "$(jq -r .KinesisBatchInfo.batchSize <<<"$f")" "KinesisBatchInfo.batchSize"
assert_eq "$p_ts" "$(jq -r .KinesisBatchInfo.approximateArrivalOfFirstRecord <<<"$f")" "KinesisBatchInfo.approximateArrivalOfFirstRecord"
assert_eq "$p_ts" "$(jq -r .KinesisBatchInfo.approximateArrivalOfLastRecord <<<"$f")" "KinesisBatchInfo.approximateArrivalOfLastRecord"
assert_eq "arn:aws:kinesis:eu-central-1:000000000000:stream/ps" "$(jq -r .KinesisBatchInfo.streamArn <<<"$f")" "KinesisBatchInfo.streamArn"
# Lambda's FunctionName here is the group.
assert_eq "arn:aws:lambda:eu-central-1:000000000000:function:G" "$(jq -r .requestContext.functionArn <<<"$f")" "requestContext.functionArn"
assert_eq Unhandled "$(jq -r .responseContext.functionError <<<"$f")" "responseContext.functionError of a handler that exits 1"
assert_eq 1.0 "$(jq -r .version <<<"$f")" "version"
# --retries 1: the poison record alone was tried at least twice.
n=$(jq -r .requestContext.approximateInvokeCount <<<"$f")
[[ $n =~ ^[0-9]+$ && $n -ge 2 ]] || fail "requestContext.approximateInvokeCount is '$n', expected at least 2 (--retries 1)"
jq -re .requestContext.requestId <<<"$f" | grep -Eqx '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}' ||
  fail "requestContext.requestId is not a UUID v4: $(jq -c .requestContext <<<"$f")"

# The pointer leads back to the record.
consume -s ps --shard "$p_shard" --from "at:$p_seq" -n 1 >"$TMP/back" || fail "ks-consume --from at:$p_seq failed"
grep -qF "\"id\":\"$POISON\"" "$TMP/back" || fail "the record at the failure record's start is not the poison one: $(cat "$TMP/back")"

# Checkpoints past everything: nothing behind, nothing left for the group.
behind=$(describe_json ps | jq '[.Groups[] | select(.GroupName == "G") | .Shards[].RecordsBehind] | add')
assert_eq 0 "$behind" "RecordsBehind of group G after the run"
consume -s ps -g G >"$TMP/rest" || fail "ks-consume -g G after the run failed"
assert_eq 0 "$(count_lines "$TMP/rest")" "records left for group G"

note "ok"
