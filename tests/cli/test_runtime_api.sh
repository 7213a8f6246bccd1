#!/usr/bin/env bash
# Behaviour: the Lambda Runtime API that `ks-consume --runtime-cmd` serves its runtimes holds to
# Lambda's, as tests/tools/strict_runtime.py checks it on every request (headers, statuses,
# environment, the Kinesis event's records against the input lines; see that file), and
# ks-consume goes on whatever a runtime sends it.
#  - A strict runtime, 2 processes over 2 shards: no violation; every record handled exactly
#    once, a response of exactly Lambda's largest size (6291556 bytes) taken; the handler's
#    return values on stdout, its output on stderr prefixed with the shard; two processes
#    started, no request id given twice; the group checkpointed at the end.
#  - An abusive runtime: unknown paths (404), wrong methods (405), an unknown id (400), the
#    same id answered twice (400 InvalidRequestID), `next` asked again without answering (the
#    event fails and is retried), responses of 7 MB and of 6291557 bytes (413
#    RequestEntityTooLarge; the batch fails as a handler error). With --bisect --retries 1
#    every record is handled exactly once but the two with too large responses, which are in
#    the --on-failure stream, each alone.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/runtime_helpers.sh"

cd "$TMP"
function_dir fn
shard create fails --shards 1 >/dev/null || fail "ks-shard create fails failed"
# The function's region is AWS_REGION's, over AWS_DEFAULT_REGION's.
export AWS_REGION=eu-west-3 AWS_DEFAULT_REGION=us-west-1

# run_runtime STREAM GROUP LOG [RUNTIME OPTION]...: ks-consume runs the stream's records through
# the strict runtime, told what ks-consume is told (stdout LOG.out, stderr LOG.err).
run_runtime() {
  local stream=$1 group=$2 log=$3 cmd
  shift 3
  cmd=$(strict_runtime_cmd "$log" "$stream" --function "$group" --region eu-west-3 --memory 512 --timeout-ms 10000 \
    --handler records_handler.handler --batch-size 7 --endpoint http://127.0.0.1:4566 \
    --env "FOO=two words" --env "EQ=a=b" --env "RECORDS_LOG=$log" "$@")
  consume -s "$stream" -g "$group" --runtime-cmd "$cmd" --handler records_handler.handler --code fn \
    --env "FOO=two words" --env "EQ=a=b" --env "RECORDS_LOG=$log" --memory 512 --endpoint http://127.0.0.1:4566 \
    --timeout 10s --batch-size 7 --parallel 2 --bisect --retries 1 --on-failure fails >"$log.out" 2>"$log.err" ||
    fail "ks-consume -s $stream --runtime-cmd failed (status $?): $(head -c 600 "$log.err")"
}

# ---- a strict runtime --------------------------------------------------------------------
records_input 60 23=limit >strict.jsonl
shard create strict --shards 2 >/dev/null || fail "ks-shard create strict failed"
put -s strict -k id strict.jsonl || fail "ks-put strict failed"
seq 1 60 >all.n

run_runtime strict S "$TMP/s"
expect_no_violations s s.err
expect_handled_once s all.n "strict"
expect_shard_order s "strict"
seen=$(merged s seen | count_lines /dev/stdin)
assert_eq 60 "$seen" "records the strict runtime got (each once: nothing failed)"
expect_at_most 2 "$(started s)" "runtime processes started for --parallel 2"
expect_unique_request_ids s
expect_return_values s s.out 23
expect_prefixed s.err s
assert_eq 0 "$(consume -s fails | count_lines /dev/stdin)" "failure records after the strict run"
assert_eq 0 "$(behind strict S)" "RecordsBehind of group S"
note "strict: $(merged s seen | awk '{ print $1 }' | sort -u | count_lines /dev/stdin) events, no violation"

# ---- an abusive runtime ------------------------------------------------------------------
records_input 60 17=huge 41=over-limit >abuse.jsonl
shard create abuse --shards 2 >/dev/null || fail "ks-shard create abuse failed"
put -s abuse -k id abuse.jsonl || fail "ks-put abuse failed"
shard_order abuse abuse.order

run_runtime abuse A "$TMP/a" --abuse
expect_no_violations a a.err
seq 1 60 | grep -vxE '17|41' >abuse.n
expect_handled_once a abuse.n "abusive"
expect_shard_order a "abusive"
printf '17 17 1\n41 41 1\n' >abuse.failures
expect_failure_records fails abuse.order abuse.failures
expect_at_most 2 "$(started a)" "runtime processes started (abuse is no reason to restart one)"
expect_unique_request_ids a
expect_return_values a a.out
expect_prefixed a.err a

# Each process given events left its first one unanswered: that invocation failed, and its
# records were handled later, under another request id.
ignored=$(merged a ignored | awk '{ print $1 }' | sort -u | count_lines /dev/stdin)
assert_eq "$(served a)" "$ignored" "events left unanswered (one per process given events)"
assert_eq "$ignored" "$(grep -c 'Runtime.NoResponse' a.err)" "Runtime.NoResponse failures on ks-consume's stderr"
merged a ignored | awk '{ print $1 }' | sort -u >a.ignored.ids
merged a "done" | awk '{ print $1 }' | sort -u | comm -12 - a.ignored.ids >a.both
[[ ! -s a.both ]] || fail "records handled under the request id of an unanswered event: $(head -n 2 a.both)"
# The too large responses: 413, the invocations failed with Lambda's error.
grep -q 'Function.ResponseSizeTooLarge: Response payload size (7340034 bytes) exceeded maximum allowed payload size (6291556 bytes)' a.err ||
  fail "no Function.ResponseSizeTooLarge for the 7 MB response on ks-consume's stderr: $(grep -m 3 handler a.err)"
grep -q 'Response payload size (6291557 bytes) exceeded' a.err ||
  fail "no Function.ResponseSizeTooLarge for the response of 6291557 bytes: $(grep -m 3 handler a.err)"
assert_eq 0 "$(behind abuse A)" "RecordsBehind of group A"

note "ok"
