#!/usr/bin/env bash
# tests/bench/runtimes.sh — what share/runtime's bootstraps cost per invocation.
#
# usage: tests/bench/runtimes.sh
#
# Each runtime answers WARMUP events, then INVOCATIONS more that are measured (a runtime is kept
# warm for the life of a stream, and V8 compiles the loop in its first thousand turns), served
# by tests/tools/runtime_api_stub.py (--bench), with a handler that returns at once
# ({"batchItemFailures": []}, as a Kinesis handler that keeps every record). Two events: a
# trivial one ({"i": K}) and a Kinesis event of 100 Wild Rydes-sized records (about 300 bytes of
# base64 data each, in Lambda's shape). The stub measures, from the first measured event to the
# last answer, the wall time per invocation and the runtime process's own CPU time (user and
# system, from /proc). Runtimes:
#   floor    a raw-socket HTTP client of a few lines in Python: the stub's and the loopback's
#            share of the wall time, which no runtime can go below
#   node-raw the same client in Node.js (node:net): what node:http costs the Node bootstrap
#   nodejs   node share/runtime/nodejs/bootstrap.mjs (node:http, a kept-alive socket)
#   python   python3 share/runtime/python/bootstrap.py (http.client, a persistent connection)
# They alternate within each of RUNS rounds, so that a busy machine weighs on all of them alike;
# the report gives medians over the rounds, and each bootstrap's wall time over the floor's.
# Target (issue 16, ≤ 0.3 ms per batch end to end for a warm Node handler): the Node bootstrap's
# own CPU at most 0.1 ms per invocation of the trivial event, a third of the budget (the Python
# one is reported beside it).
#
# Environment: RUNS (5), INVOCATIONS (2000), WARMUP (1000), BENCH_TMP (where the temporary
# directory goes; default $TMPDIR or /tmp), BENCH_STRICT=1 (exit 1 when the target is missed).
# It is a benchmark, not a test: timings depend on the machine, and the stub's own speed (it is
# Python) bounds the wall time.

set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=${RUNS:-5}
INVOCATIONS=${INVOCATIONS:-2000}
WARMUP=${WARMUP:-1000}
TARGET_US=100
PY=/usr/bin/python3

die() { echo "runtimes.sh: $*" >&2; exit 1; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
command -v node >/dev/null || die "node is not installed"

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-runtimes.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The bootstraps as they are now: an edit while the benchmark runs must not mix versions.
cp -r "$SRC/share/runtime" "$WORK/runtime"
cp "$SRC/tests/tools/runtime_api_stub.py" "$WORK/"
unset PYTHONUNBUFFERED  # as millrace starts them

mkdir -p "$WORK/code"
echo 'exports.handler = async () => ({ batchItemFailures: [] });' >"$WORK/code/index.js"
printf 'def handler(event, context):\n    return {"batchItemFailures": []}\n' >"$WORK/code/app.py"
cat >"$WORK/floor.py" <<'EOF'
# The least a runtime can do: one connection, a request written whole, Content-Length bodies.
import os, socket
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
sock = socket.create_connection((host, int(port)))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
stream = sock.makefile("rb")
def answer():
    headers = {}
    stream.readline()
    for line in iter(stream.readline, b"\r\n"):
        name, value = line.decode().split(":", 1)
        headers[name.lower()] = value.strip()
    return headers, stream.read(int(headers.get("content-length", 0)))
while True:
    sock.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n")
    headers, _ = answer()
    body = b'{"batchItemFailures":[]}'
    sock.sendall(b"POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: runtime\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (headers["lambda-runtime-aws-request-id"].encode(), len(body), body))
    answer()
EOF
cat >"$WORK/floor.mjs" <<'EOF'
// The floor client in Node.js: one socket, whole writes, answers cut by their Content-Length.
import net from 'node:net';
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const socket = net.connect(+api.slice(api.lastIndexOf(':') + 1), api.slice(0, api.lastIndexOf(':')));
socket.setNoDelay(true);
socket.setEncoding('latin1');
let buffer = '', waiting = null;
socket.on('data', (data) => {
  buffer += data;
  const end = buffer.indexOf('\r\n\r\n');
  const length = end < 0 ? 0 : +(/content-length: *(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
  if (end < 0 || buffer.length < end + 4 + length) return;
  const head = buffer.slice(0, end);
  buffer = buffer.slice(end + 4 + length);
  waiting(head);
});
const exchange = (text) => new Promise((resolve) => { waiting = resolve; socket.write(text); });
const body = '{"batchItemFailures":[]}';
for (;;) {
  const head = await exchange('GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n');
  const id = /lambda-runtime-aws-request-id: *(\S+)/i.exec(head)[1];
  await exchange(`POST /2018-06-01/runtime/invocation/${id}/response HTTP/1.1\r\nHost: runtime\r\n`
    + `Content-Length: ${body.length}\r\n\r\n${body}`);
}
EOF
# 100 Kinesis records as Lambda delivers them, each with 225 bytes of JSON as base64.
"$PY" - "$WORK/batch.json" <<'EOF'
import base64, json, sys
records = []
for i in range(100):
    data = json.dumps({"Name": f"Unicorn{i:03d}", "StatusTime": "2024-01-01 00:00:00.000",
                       "Latitude": 47.6 + i / 1000, "Longitude": -122.3 - i / 1000, "Distance": 150 + i,
                       "HealthPoints": 150, "MagicPoints": 150, "pad": "x" * 40}).encode()
    records.append({"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": f"Unicorn{i:03d}",
                                "sequenceNumber": f"{49590338271490256608559692538361571095921575989136588898 + i}",
                                "data": base64.b64encode(data).decode(), "approximateArrivalTimestamp": 1704067200.0 + i},
                    "eventSource": "aws:kinesis", "eventVersion": "1.0",
                    "eventID": f"shardId-000000000000:{49590338271490256608559692538361571095921575989136588898 + i}",
                    "eventName": "aws:kinesis:record", "invokeIdentityArn": "arn:aws:iam::000000000000:role/lambda",
                    "awsRegion": "us-east-1", "eventSourceARN": "arn:aws:kinesis:us-east-1:000000000000:stream/rides"})
json.dump({"Records": records}, open(sys.argv[1], "w"))
EOF

declare -A COMMAND=([floor]="$PY $WORK/floor.py" [node-raw]="node $WORK/floor.mjs" [nodejs]="node $WORK/runtime/nodejs/bootstrap.mjs"
  [python]="$PY $WORK/runtime/python/bootstrap.py")
declare -A HANDLER=([floor]=none [node-raw]=none [nodejs]=index.handler [python]=app.handler)
declare -A WALL CPU
RUNTIMES=(floor node-raw nodejs python)
EVENTS=(trivial batch100)

# one RUNTIME EVENT ROUND: one stub run; appends its figures to WALL and CPU.
one() {
  local report=$WORK/$1.$2.$3.json event=()
  [[ $2 == batch100 ]] && event=(--bench-event "$WORK/batch.json")
  # shellcheck disable=SC2086 # COMMAND holds a program and its argument
  "$PY" "$WORK/runtime_api_stub.py" --report "$report" --bench "$INVOCATIONS" --warmup "$WARMUP" "${event[@]}" \
    --handler "${HANDLER[$1]}" --code "$WORK/code" --max-seconds 600 -- ${COMMAND[$1]} \
    >"$WORK/$1.out" 2>"$WORK/$1.err" || die "$1 ($2): $(tail -n 5 "$WORK/$1.err")"
  jq -e --argjson n "$INVOCATIONS" '.bench.invocations == $n and .connections == 1' "$report" >/dev/null ||
    die "$1 ($2): not every event answered on one connection: $(jq -c 'del(.invocations)' "$report")"
  WALL[$1.$2]+=" $(jq '.bench.wall_us' "$report")"
  CPU[$1.$2]+=" $(jq '.bench.runtime_user_us + .bench.runtime_sys_us' "$report")"
}

echo "runtimes: $INVOCATIONS invocations a run after $WARMUP, median of $RUNS rounds (µs per invocation)"
describe_machine "$WORK" "node $(node --version), $($PY --version)"
for ((round = 1; round <= RUNS; round++)); do
  for event in "${EVENTS[@]}"; do
    for runtime in "${RUNTIMES[@]}"; do one "$runtime" "$event" "$round"; done
  done
done

printf '\n%-8s %-9s %10s %14s %14s %8s\n' runtime event "wall µs" "wall - floor" "runtime CPU" target
for event in "${EVENTS[@]}"; do
  # shellcheck disable=SC2086 # word lists of figures
  floor=$(median ${WALL[floor.$event]})
  for runtime in "${RUNTIMES[@]}"; do
    # shellcheck disable=SC2086
    wall=$(median ${WALL[$runtime.$event]}) cpu=$(median ${CPU[$runtime.$event]})
    over=$(awk -v a="$wall" -v b="$floor" 'BEGIN { printf "%.0f", a - b }')
    target=-
    [[ $runtime == nodejs && $event == trivial ]] && target=$(verdict "le $cpu $TARGET_US")
    printf '%-8s %-9s %10.0f %14s %14.0f %8s\n' "$runtime" "$event" "$wall" "$([[ $runtime == floor ]] && echo - || echo "$over")" "$cpu" "$target"
  done
done
echo "target: the Node bootstrap's CPU ≤ $TARGET_US µs per trivial invocation"
[[ ${BENCH_STRICT:-0} == 1 && -e $WORK/missed ]] && exit 1
exit 0
