#!/usr/bin/env bash
# tests/bench/gw_metrics.sh — what recording its requests' metrics costs gw-serve.
#
# usage: BASELINE_BIN=DIR tests/bench/gw_metrics.sh
#
# Two gw-serve side by side, each on a store of its own under BENCH_TMP: "with", the build's
# (MILLRACE_BIN), which records every request (AWS/ApiGateway) and every DynamoDB read
# (ConsumedReadCapacityUnits, ReturnedItemCount, SuccessfulRequestLatency) in memory and
# writes them every 5 s; and "without", built from a revision before that (BASELINE_BIN, a
# directory holding its gw-serve). h2load sends the load of gw.sh and dynamodb.sh (one request
# in flight on each of CONNECTIONS keep-alive connections, HTTP/1.1, the SDKs' headers) to one
# and then the other, the order alternating from run to run, RUNS runs of DURATION seconds
# after a 1 s warm-up of each:
#   putrecord  PutRecord of one Wild Rydes ride (wildrydes --rate max, seed 1) into a 4-shard
#              stream; the servers run with --sync SYNC (default none: the commit's CPU, not the
#              disk's flush, bounds the rate, so that what recording adds shows)
#   getitem    GetItem of that ride, as a typed item of a table (Name HASH, StatusTime RANGE)
# Each run is measured two ways: requests/s (h2load), and gw-serve's CPU time per request (its
# utime and stime from /proc, every thread's, over the run), which h2load sharing the machine
# disturbs less. Then, once per side and case, the instructions of a request, which do not
# depend on the machine or its load at all: gw-serve under valgrind --tool=callgrind serves 500
# requests over one connection, and again 500 + CG_REQUESTS; the difference divided by
# CG_REQUESTS is a request's (one connection: a commit per PutRecord, which batching would
# otherwise make vary with callgrind's pace). The metrics thread's writes (RequestMetrics::run,
# one small transaction every 5 s of the clock, as many as the slowed run lasts, not as many as
# its requests) are left out. Reported: the medians of the runs, the instructions, and the
# ratios with/without. Targets: requests/s at least 0.98 of without's, CPU and instructions per
# request at most 1.02 of them. Checked: every request answered 2xx; afterwards, the "with"
# store's metrics count every PutRecord and GetItem that h2load had answered (GET /metrics,
# which writes what is kept first), and the "without" store none.
#
# With STREAMS, both stores first hold the metrics of that many other streams (2 shards each,
# one ks-put of a record), as a store in use does: a commit's metrics then cost what they cost
# in a metrics database of that size on both sides, rather than the one level of LMDB's tree
# that the request metrics' few keys add to a fresh store's.
#
# Environment: BASELINE_BIN (required), MILLRACE_BIN (default <repo>/build), RUNS (7),
# DURATION (5), CONNECTIONS (64), SYNC (none), CG_REQUESTS (2000; 0: no instruction counts),
# STREAMS (0),
# BENCH_TMP (default $TMPDIR or /tmp), BENCH_STRICT=1 (exit 1 when a target is missed). Needs
# h2load (nghttp2-client), curl, jq, and valgrind for the instructions. A benchmark, not a
# test: timings depend on the machine.

set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" 2>/dev/null && pwd || echo "${MILLRACE_BIN:-$SRC/build}")
RUNS=${RUNS:-7}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-64}
SYNC=${SYNC:-none}
CG_REQUESTS=${CG_REQUESTS:-2000}
STREAMS=${STREAMS:-0}

die() { echo "gw_metrics.sh: $*" >&2; exit 1; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
(($# == 0)) || die "unknown argument: $1"
[[ -n ${BASELINE_BIN-} ]] || die "set BASELINE_BIN to a directory holding a gw-serve without request metrics (see --help)"
[[ -x $BASELINE_BIN/gw-serve ]] || die "$BASELINE_BIN/gw-serve not found"
for b in gw-serve ks-shard ks-put wildrydes; do [[ -x $BIN/$b ]] || die "$BIN/$b not found: build first, or set MILLRACE_BIN"; done
for b in h2load curl jq; do command -v "$b" >/dev/null || die "$b not found"; done
((CG_REQUESTS == 0)) || command -v valgrind >/dev/null || die "valgrind not found (or set CG_REQUESTS=0)"

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
servers_work gw-metrics

# Copies of both: a rebuild while the benchmark runs must not mix versions.
mkdir -p "$WORK/with" "$WORK/without"
cp "$BIN/gw-serve" "$WORK/with/" && cp "$BASELINE_BIN/gw-serve" "$WORK/without/"

"$BIN/wildrydes" --rate max --records 1 --seed 1 >"$WORK/ride.jsonl"
jq -Rc '{StreamName: "rides", Data: @base64, PartitionKey: fromjson.Name}' "$WORK/ride.jsonl" >"$WORK/putrecord.json"
TYPED='with_entries(.value |= if type == "number" then {N: tojson} else {S: .} end)'
jq -c "{TableName: \"rides\", Item: ($TYPED)}" "$WORK/ride.jsonl" >"$WORK/putitem.json"
jq -c '{TableName, Key: {Name: .Item.Name, StatusTime: .Item.StatusTime}}' "$WORK/putitem.json" >"$WORK/getitem.json"

# history DIR: the store DIR, holding the metrics of STREAMS streams.
history() {
  rm -rf "$1" && mkdir -p "$1"
  local i
  for ((i = 1; i <= STREAMS; i++)); do
    "$BIN/ks-shard" -S "$1" create "history-$i" --shards 2 >/dev/null
    echo '{"n":1}' | "$BIN/ks-put" -S "$1" -s "history-$i" -k n
  done
}
# prepare SERVER: the stream and the table, with the ride, on a server that listens.
prepare() {
  aws_json_api 1.1 kinesis Kinesis_20131202
  wait_listening "$1" "$WORK/$1.log" Kinesis_20131202.ListStreams
  call "$1" CreateStream '{"StreamName":"rides","ShardCount":4}' >/dev/null
  aws_json_api 1.0 dynamodb DynamoDB_20120810
  call "$1" CreateTable '{"TableName":"rides","BillingMode":"PAY_PER_REQUEST",
    "AttributeDefinitions":[{"AttributeName":"Name","AttributeType":"S"},{"AttributeName":"StatusTime","AttributeType":"S"}],
    "KeySchema":[{"AttributeName":"Name","KeyType":"HASH"},{"AttributeName":"StatusTime","KeyType":"RANGE"}]}' >/dev/null
  call "$1" PutItem "@$WORK/putitem.json" >/dev/null
}
# use CASE: the headers of CASE's requests (HEADERS) and its X-Amz-Target (TARGET_OPERATION).
use() {
  case $1 in
    putrecord) aws_json_api 1.1 kinesis Kinesis_20131202 && TARGET_OPERATION=Kinesis_20131202.PutRecord ;;
    getitem) aws_json_api 1.0 dynamodb DynamoDB_20120810 && TARGET_OPERATION=DynamoDB_20120810.GetItem ;;
  esac
}

SIDES=(with without)
for side in "${SIDES[@]}"; do
  history "$WORK/$side.store"
  start_gw "$side" "$SYNC" "$WORK/$side/gw-serve"
  prepare "$side"
done

# cpu_ticks PID: the CPU time of every thread of the process so far (utime + stime, clock ticks).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

# measure CASE SIDE RUN: one run (RUN 0: the warm-up); sets RPS and CPU_US (µs of CPU per request).
declare -A ANSWERED  # requests answered 2xx, per case and side, warm-ups included
measure() {
  local case=$1 side=$2 run=$3 duration=$DURATION before
  ((run > 0)) || duration=1
  use "$case"
  before=$(cpu_ticks "${PID[$side]}")
  h2load_run "$case-$side-$run" "$WORK" --h1 -c "$CONNECTIONS" -m 1 -t 1 -D "$duration" -d "$WORK/$case.json" \
    "${HEADERS[@]}" -H "X-Amz-Target: $TARGET_OPERATION" "${URL[$side]}"
  # What was still in flight when the time was up is answered before the CPU is read.
  curl -s -o /dev/null "${URL[$side]}health"
  CPU_US=$(awk -v t="$(($(cpu_ticks "${PID[$side]}") - before))" -v hz="$TICKS" -v n="$DONE" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
  # h2load counts the requests done; those started but cut off by the time may be answered too.
  ANSWERED[$case.$side]=$((${ANSWERED[$case.$side]:-0} + DONE))
  ANSWERED_HIGH[$case.$side]=$((${ANSWERED_HIGH[$case.$side]:-0} + STARTED))
}
declare -A ANSWERED_HIGH R

echo "millrace gw-serve request metrics bench: $RUNS runs of ${DURATION}s, $CONNECTIONS connections, --sync $SYNC, alternating;" \
  "stores holding $STREAMS other streams' metrics"
describe_machine "$WORK" "$(h2load --version | head -n 1)"
echo "  with: $BIN/gw-serve; without: $BASELINE_BIN/gw-serve"
echo

CASES=(putrecord getitem)
for case in "${CASES[@]}"; do
  for side in "${SIDES[@]}"; do measure "$case" "$side" 0; done
  echo "$case: $RUNS runs (requests/s, µs of CPU a request)"
  for ((run = 1; run <= RUNS; run++)); do
    if ((run % 2)); then order=(with without); else order=(without with); fi
    line="   run $run:"
    for side in "${order[@]}"; do
      measure "$case" "$side" "$run"
      R[$case.$side.rps]+="$RPS " R[$case.$side.cpu]+="$CPU_US "
      line+=$(printf ' %s %.0f req/s %s µs;' "$side" "$RPS" "$CPU_US")
    done
    echo "${line%;}"
  done
done

# ---- the metrics count what was answered
echo
echo "check: the metrics of \"with\" count every request answered, \"without\" has none"
# counter SIDE OPERATION: its Count in the Prometheus text (the scrape writes what is kept first).
counter() {
  curl -s "${URL[$1]}metrics" |
    awk -v k="aws_apigateway_count_total{api_name=\"gw-serve\",operation=\"$2\"}" 'index($0, k " ") == 1 { print $NF }'
}
for case in "${CASES[@]}"; do
  operation=$([[ $case == putrecord ]] && echo Kinesis_20131202.PutRecord || echo DynamoDB_20120810.GetItem)
  got=$(counter with "$operation")
  # Besides h2load's, the setup's own requests: one PutItem, no PutRecord or GetItem.
  low=${ANSWERED[$case.with]} high=${ANSWERED_HIGH[$case.with]}
  if [[ -z $got ]] || ((got < low || got > high)); then die "with: $operation counted ${got:-nothing}, not between $low and $high"; fi
  [[ -z $(counter without "$operation") ]] || die "without: $operation is counted"
  echo "   $operation: $got (answered: $low to $high)"
done

# ---- instructions
declare -A I
# instructions SIDE CASE N: sets INSTRUCTIONS to those of a gw-serve of SIDE under callgrind,
# from its start to its end on SIGTERM, having served N requests of CASE over one connection, its
# metrics thread's aside.
INSTRUCTIONS=
instructions() {
  local side=$1 case=$2 n=$3 name=cg-$1 out=$WORK/cg.out total writer
  history "$WORK/$name.store"
  valgrind --tool=callgrind --callgrind-out-file="$out" -q "$WORK/$side/gw-serve" -S "$WORK/$name.store" \
    --listen 127.0.0.1:0 --sync "$SYNC" 2>"$WORK/$name.log" &
  PID[$name]=$!
  for _ in {1..3000}; do  # valgrind starts slowly, and more slowly on a busy machine
    URL[$name]=$(grep -so 'http://[0-9.]*:[0-9]*' "$WORK/$name.log" | head -n 1 || true)
    [[ -n ${URL[$name]} ]] && break
    sleep 0.1
  done
  [[ -n ${URL[$name]} ]] || die "$name did not start: $(cat "$WORK/$name.log")"
  URL[$name]+=/
  prepare "$name"
  use "$case"
  h2load_run "$name-$case-$n" "$WORK" --h1 -c 1 -m 1 -t 1 -n "$n" -d "$WORK/$case.json" "${HEADERS[@]}" \
    -H "X-Amz-Target: $TARGET_OPERATION" "${URL[$name]}"
  kill -TERM "${PID[$name]}"
  wait "${PID[$name]}" || die "$name did not end cleanly: $(tail -n 3 "$WORK/$name.log")"
  unset "PID[$name]"
  total=$(awk '/^summary:/ { print $2 }' "$out")
  writer=$(callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
    awk '/RequestMetrics::run\(\) \[/ && !found { gsub(",", "", $1); print $1; found = 1 }')  # read to the end: pipefail
  INSTRUCTIONS=$((total - ${writer:-0}))
}
if ((CG_REQUESTS > 0)); then
  echo
  echo "instructions: 500 and $((500 + CG_REQUESTS)) requests over one connection, under callgrind, once per side"
  for case in "${CASES[@]}"; do
    for side in "${SIDES[@]}"; do
      instructions "$side" "$case" 500
      low=$INSTRUCTIONS
      instructions "$side" "$case" $((500 + CG_REQUESTS))
      I[$case.$side]=$(((INSTRUCTIONS - low) / CG_REQUESTS))
    done
    echo "   $case: with ${I[$case.with]}, without ${I[$case.without]} a request"
  done
fi

# ---- the results
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }
echo
echo "results (medians of $RUNS runs; instructions a request):"
printf '  %-10s %10s %10s %6s %-4s  %11s %8s %6s %-4s  %10s %10s %6s %s\n' "" "req/s with" without ratio "" \
  "CPU µs with" without ratio "" "instr with" without ratio ""
for case in "${CASES[@]}"; do
  # shellcheck disable=SC2086  # the runs' figures, one word each
  rps_with=$(median ${R[$case.with.rps]}) rps_without=$(median ${R[$case.without.rps]})
  # shellcheck disable=SC2086
  cpu_with=$(median ${R[$case.with.cpu]}) cpu_without=$(median ${R[$case.without.cpu]})
  rps_ratio=$(ratio3 "$rps_with" "$rps_without") cpu_ratio=$(ratio3 "$cpu_with" "$cpu_without")
  i_ratio=$(ratio3 "${I[$case.with]:-0}" "${I[$case.without]:-0}") i_verdict=-
  ((CG_REQUESTS == 0)) || i_verdict=$(verdict "le $i_ratio 1.02")
  printf '  %-10s %10.0f %10.0f %6s %-4s  %11s %8s %6s %-4s  %10s %10s %6s %s\n' "$case" "$rps_with" "$rps_without" \
    "$rps_ratio" "$(verdict "ge $rps_ratio 0.98")" "$cpu_with" "$cpu_without" "$cpu_ratio" "$(verdict "le $cpu_ratio 1.02")" \
    "${I[$case.with]:--}" "${I[$case.without]:--}" "$i_ratio" "$i_verdict"
done
[[ ${BENCH_STRICT:-0} == 1 && -e $WORK/missed ]] && exit 1
exit 0
