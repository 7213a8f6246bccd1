#!/usr/bin/env bash
# Behaviour: a commit of gw-serve that fails ends it with 74, as every program (DESIGN.md): the
# puts of that commit are answered 500 InternalFailure with the reason, the server stops taking
# requests, answers those it holds, and exits 74 naming the store; every record acknowledged
# before is in the store, and nothing after. Twice: a full file system (ENOSPC, on a 4 MiB
# tmpfs in a mount namespace of the test's own) and an fsync that fails (EIO, injected by
# strace into the third fdatasync: gw-serve fsyncs once a commit).
source "$(dirname "$0")/common.sh"
cd "$TMP"
/usr/bin/python3 -c 'import boto3' 2>/dev/null || fail "python3-boto3 is not installed"
need_tool strace curl

# producer.py URL BATCH: puts numbered records in PutRecords calls of BATCH (the SDK's retries
# off) until a call fails; prints each record acknowledged (to stdout, as it is acknowledged)
# and the failure's HTTP status, code and message (to failure.txt).
cat >producer.py <<'PY'
import json, sys
import boto3, botocore.exceptions
from botocore.config import Config

url, size = sys.argv[1], int(sys.argv[2])
kinesis = boto3.client("kinesis", endpoint_url=url, region_name="us-east-1",
                       config=Config(retries={"total_max_attempts": 1}))
pad = "x" * 200
for call in range(2000):
    lines = [json.dumps({"n": call * size + i, "pad": pad}, separators=(",", ":")) for i in range(size)]
    try:
        answer = kinesis.put_records(StreamName="rides", Records=[{"Data": l.encode(), "PartitionKey": "k"} for l in lines])
    except botocore.exceptions.ClientError as e:
        meta = e.response["ResponseMetadata"]
        with open("failure.txt", "w") as out:
            print(meta["HTTPStatusCode"], e.response["Error"]["Code"], e.response["Error"]["Message"], file=out)
        sys.exit(0)
    assert answer["FailedRecordCount"] == 0, answer
    print("\n".join(lines), flush=True)
sys.exit("no put failed")
PY

# check_failure REASON: the producer's failure, and gw-serve's status and message.
check_failure() {
  assert_eq "500 InternalFailure commit: $1" "$(cat failure.txt)" "the answer to the puts of the failed commit"
  wait_exit "$GW_PID" 30 "gw-serve after a failed commit"
  assert_eq 74 "$WAIT_RC" "gw-serve's status after a failed commit"
  grep -q "listening on" gw.err || fail "gw-serve did not start"
  assert_eq "gw-serve: $store: commit: $1" "$(grep -v 'listening on' gw.err)" "gw-serve's message"
}

# check_kept: the records in the store (kept) are those acknowledged (acked), and no other.
check_kept() {
  local acked
  acked=$(count_lines acked)
  ((acked > 0)) || fail "no put was acknowledged before the commit failed"
  same_file acked kept "the records in the store: those acknowledged, and no other"
  note "$(cut -d' ' -f3- failure.txt) after $acked records acknowledged"
}

# ---- a full file system --------------------------------------------------------------------
if [[ $(id -u) == 0 ]] && unshare -m true 2>/dev/null; then
  mkdir full
  store=$TMP/full/store
  # The gateway, then ks-consume once it has ended, in one mount namespace: the tmpfs is
  # nowhere else. The subshell exits with the gateway's status.
  unshare -m bash -c '
    mount -t tmpfs -o size=4m tmpfs "$1" || exit 99
    "$2/ks-shard" -S "$3" create rides --shards 1 >/dev/null || exit 98
    "$2/gw-serve" -S "$3" --listen 127.0.0.1:0 2>"$4/gw.err"
    rc=$?
    "$2/ks-consume" -S "$3" -s rides >"$4/kept" 2>"$4/consume.err" || echo "ks-consume failed" >>"$4/gw.err"
    exit $rc' _ "$TMP/full" "$MILLRACE_BIN" "$store" "$TMP" &
  wait_gateway $!
  /usr/bin/python3 producer.py "$GW_URL" 500 >acked || fail "the producer failed: $(cat gw.err)"
  check_failure "no space left on device"
  check_kept
  # The server stopped taking requests: nothing listens on its port any more.
  ! curl -s -o /dev/null "$GW_URL/health" || fail "gw-serve still answers after exiting"
else
  note "the full file system needs root and mount namespaces: only the fsync error is tested"
fi

# ---- an fsync error ------------------------------------------------------------------------
! sanitized || export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0  # no LeakSanitizer under ptrace
store=$STORE
shard create rides --shards 1 >/dev/null || fail "ks-shard create"
rm -f gw.err failure.txt
strace -f -qq -o /dev/null -e trace=fdatasync -e inject=fdatasync:error=EIO:when=3+ \
  "$MILLRACE_BIN/gw-serve" -S "$store" --listen 127.0.0.1:0 2>gw.err &
wait_gateway $!
/usr/bin/python3 producer.py "$GW_URL" 10 >acked || fail "the producer failed: $(cat gw.err)"
check_failure "Input/output error"
consume -s rides >kept || fail "ks-consume after the fsync error"
check_kept
