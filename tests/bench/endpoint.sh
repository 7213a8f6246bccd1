#!/usr/bin/env bash
# tests/bench/endpoint.sh — ks-put and ks-consume on an endpoint against boto3 loops.
#
# usage: tests/bench/endpoint.sh     (RECORDS, RUNS, SHARDS, MILLRACE_BIN, BENCH_TMP to change)
#
# One gw-serve (the build's, --sync full, its store under BENCH_TMP) on loopback. The same
# RECORDS Wild Rydes lines (wildrydes --rate max, seed 1) are put, in each of RUNS runs, into a
# fresh stream of SHARDS shards (default 4) by:
#   ks-put    ks-put -S URL -s STREAM -k Name FILE: PutRecords of 500 records by 16 lanes, even
#             parts of the shards' hash key ranges, one request in flight on each, each lane on a
#             kept-alive connection of its own (libcurl);
#   boto3     a Python loop (Debian's python3-boto3) reading the same file and sending
#             put_records of 500 records (Data the line, PartitionKey its Name), sending the
#             failed entries again, as the AWS documentation's producer loop does.
# Then the stream ks-put filled is read whole, as lines into a file, by:
#   ks-consume  ks-consume -S URL -s STREAM: GetShardIterator and GetRecords per shard, at most
#               5 calls a second per shard, as the service allows;
#   get_records a Python loop (boto3) reading each shard from TRIM_HORIZON in calls of 10,000
#               records, with no pause, until it is caught up.
# Each is timed as a whole process, start-up included, as a user runs it. Reported: the median
# wall time and records/s of each, and the ratios of the medians. Targets: ks-put >= 10x boto3,
# ks-consume >= 5x.
# A durable endpoint answers a request once its commit is fsynced, so the requests of one lane,
# which go one at a time to keep each key's order, wait for the disk's flushes (gw-serve commits
# the lanes' requests together). Both processes' CPU time (user+sys) is printed too: on a busy
# machine it tells more than the wall time.
# Every run's stream is checked to hold RECORDS records (a ks-consume count) before its time
# counts. Exits 1 under BENCH_STRICT=1 when the target is missed.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${MILLRACE_BIN:-$SRC/build}
RECORDS=${RECORDS:-200000}
RUNS=${RUNS:-3}
SHARDS=${SHARDS:-4}
PYTHON=/usr/bin/python3
die() { echo "endpoint.sh: $*" >&2; exit 1; }
# shellcheck source=tests/bench/common.sh
source "$SRC/tests/bench/common.sh"
for b in gw-serve ks-put ks-consume wildrydes; do [[ -x $BIN/$b ]] || die "$BIN/$b is not built"; done
"$PYTHON" -c 'import boto3' 2>/dev/null || die "python3-boto3 is not installed"

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/millrace-endpoint-bench.XXXXXX")
GW_PID=
cleanup() {
  [[ -n $GW_PID ]] && kill "$GW_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
# The binaries are copied first: a rebuild meanwhile must not mix two versions into one table.
mkdir -p "$WORK/bin"
for b in gw-serve ks-put ks-consume wildrydes; do cp "$BIN/$b" "$WORK/bin/"; done
BIN=$WORK/bin

"$BIN/wildrydes" --rate max --records "$RECORDS" --seed 1 >"$WORK/rides.jsonl"
start_endpoint

cat >"$WORK/boto3_put.py" <<'PY'
import json, sys
import boto3

url, stream, path = sys.argv[1:4]
kinesis = boto3.client("kinesis", endpoint_url=url)
batch = []

def send(entries):
    while entries:
        answer = kinesis.put_records(StreamName=stream, Records=entries)
        entries = [e for e, r in zip(entries, answer["Records"]) if "ErrorCode" in r]

with open(path, "rb") as lines:
    for line in lines:
        line = line.rstrip(b"\n")
        batch.append({"Data": line, "PartitionKey": json.loads(line)["Name"]})
        if len(batch) == 500:
            send(batch)
            batch = []
send(batch)
PY

cat >"$WORK/boto3_get.py" <<'PY'
import sys
import boto3

url, stream = sys.argv[1:3]
kinesis = boto3.client("kinesis", endpoint_url=url)
out = sys.stdout.buffer
for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    while iterator:
        answer = kinesis.get_records(ShardIterator=iterator, Limit=10000)
        for record in answer["Records"]:
            out.write(record["Data"] + b"\n")
        if not answer["Records"] and answer.get("MillisBehindLatest", 0) == 0:
            break
        iterator = answer.get("NextShardIterator")
PY

count() { "$BIN/ks-consume" -S "$GW_URL" -s "$1" | wc -l; }
# cpu_timed CMD...: timed, and CPU set to the user+sys seconds of CMD (GNU time).
cpu_timed() {
  timed /usr/bin/time -f '%U %S' -o "$WORK/cpu" "$@"
  CPU=$(awk '{ printf "%.2f", $1 + $2 }' "$WORK/cpu")
}
ks_times=() boto_times=() ks_cpu=() boto_cpu=() consume_times=() consume_cpu=() get_times=() get_cpu=()
for ((run = 1; run <= RUNS; run++)); do
  for who in ks boto; do
    stream=rides-$who-$run
    "$BIN/ks-put" -S "$GW_URL" -s "$stream" --create --shards "$SHARDS" </dev/null
    if [[ $who == ks ]]; then
      cpu_timed "$BIN/ks-put" -S "$GW_URL" -s "$stream" -k Name "$WORK/rides.jsonl"
      ks_times+=("$ELAPSED") ks_cpu+=("$CPU")
    else
      cpu_timed "$PYTHON" "$WORK/boto3_put.py" "$GW_URL" "$stream" "$WORK/rides.jsonl"
      boto_times+=("$ELAPSED") boto_cpu+=("$CPU")
    fi
    n=$(count "$stream")
    ((n == RECORDS)) || die "$stream holds $n records, not $RECORDS"
  done
  # Reading the stream ks-put filled, whole, as lines: ks-consume against a get_records loop.
  stream=rides-ks-$run
  cpu_timed sh -c '"$1" -S "$2" -s "$3" >"$4"' sh "$BIN/ks-consume" "$GW_URL" "$stream" "$WORK/consumed"
  consume_times+=("$ELAPSED") consume_cpu+=("$CPU")
  n=$(wc -l <"$WORK/consumed")
  ((n == RECORDS)) || die "ks-consume read $n records of $stream, not $RECORDS"
  cpu_timed sh -c '"$1" "$2" "$3" "$4" >"$5"' sh "$PYTHON" "$WORK/boto3_get.py" "$GW_URL" "$stream" "$WORK/got"
  get_times+=("$ELAPSED") get_cpu+=("$CPU")
  n=$(wc -l <"$WORK/got")
  ((n == RECORDS)) || die "the get_records loop read $n records of $stream, not $RECORDS"
done
ks=$(median "${ks_times[@]}")
boto=$(median "${boto_times[@]}")
x=$(ratio "$boto" "$ks")
echo "endpoint bench: $RECORDS Wild Rydes records into $SHARDS shards of gw-serve at $GW_URL, $RUNS runs"
describe_machine "$WORK"
printf '  %-8s median %7.2f s  %-12s CPU %5.2f s\n' ks-put "$ks" "$(human_rate "$(rate "$RECORDS" "$ks")")" "$(median "${ks_cpu[@]}")"
printf '  %-8s median %7.2f s  %-12s CPU %5.2f s\n' boto3 "$boto" "$(human_rate "$(rate "$RECORDS" "$boto")")" "$(median "${boto_cpu[@]}")"
printf '  ks-put / boto3: %sx (target >= 10x): %s\n' "$x" "$(verdict "ge $x 10")"
consume=$(median "${consume_times[@]}")
get=$(median "${get_times[@]}")
y=$(ratio "$get" "$consume")
printf '  %-10s median %7.2f s  %-12s CPU %5.2f s\n' ks-consume "$consume" "$(human_rate "$(rate "$RECORDS" "$consume")")" "$(median "${consume_cpu[@]}")"
printf '  %-10s median %7.2f s  %-12s CPU %5.2f s\n' get_records "$get" "$(human_rate "$(rate "$RECORDS" "$get")")" "$(median "${get_cpu[@]}")"
printf '  ks-consume / boto3: %sx (target >= 5x): %s\n' "$y" "$(verdict "ge $y 5")"
[[ ${BENCH_STRICT:-0} == 1 && -e $WORK/missed ]] && exit 1
exit 0
