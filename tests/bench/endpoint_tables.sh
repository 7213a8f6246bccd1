#!/usr/bin/env bash
# tests/bench/endpoint_tables.sh — kv-put and kv-get on an endpoint against boto3.
#
# usage: tests/bench/endpoint_tables.sh     (RECORDS, RUNS, MILLRACE_BIN, BENCH_TMP to change)
#
# One gw-serve (the build's, --sync full, its store under BENCH_TMP) on loopback. The same
# RECORDS Wild Rydes lines (wildrydes --rate max, seed 1) are put, in each of RUNS runs, into a
# fresh table keyed by (Name, StatusTime) by:
#   kv-put   kv-put -S URL -t TABLE FILE: BatchWriteItem of 25, up to 8 requests in flight;
#   boto3    a Python loop (Debian's python3-boto3) reading the same file and putting each
#            line through the resource layer's batch_writer (BatchWriteItem of 25, unprocessed
#            items sent again), as the AWS documentation's loader does.
# Then the table kv-put filled is read whole, as JSON lines into a file, by:
#   kv-get   kv-get -S URL -t TABLE --scan: Scan pages of 1 MB;
#   boto3    the resource layer's scan, page by page, each item written as a JSON line.
# Each is timed as a whole process, start-up included. Reported: the median wall time and
# items/s of each, their CPU time, and the ratios of the medians. No target: the figures say
# what the endpoint's tables cost against the SDK a user would otherwise write.
# Every run's table is checked to hold as many items as the input has keys before its time
# counts.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${MILLRACE_BIN:-$SRC/build}
RECORDS=${RECORDS:-50000}
RUNS=${RUNS:-3}
PYTHON=/usr/bin/python3
die() { echo "endpoint_tables.sh: $*" >&2; exit 1; }
# shellcheck source=tests/bench/common.sh
source "$SRC/tests/bench/common.sh"
for b in gw-serve kv-put kv-get wildrydes; do [[ -x $BIN/$b ]] || die "$BIN/$b is not built"; done
"$PYTHON" -c 'import boto3' 2>/dev/null || die "python3-boto3 is not installed"
command -v jq >/dev/null || die "jq is not installed"

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/millrace-endpoint-tables-bench.XXXXXX")
GW_PID=
cleanup() {
  [[ -n $GW_PID ]] && kill "$GW_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
# The binaries are copied first: a rebuild meanwhile must not mix two versions into one run.
mkdir -p "$WORK/bin"
for b in gw-serve kv-put kv-get wildrydes; do cp "$BIN/$b" "$WORK/bin/"; done
BIN=$WORK/bin

"$BIN/wildrydes" --rate max --records "$RECORDS" --seed 1 >"$WORK/rides.jsonl"
KEYS=$(jq -r '[.Name, .StatusTime] | @tsv' "$WORK/rides.jsonl" | sort -u | wc -l)
start_endpoint

cat >"$WORK/boto3_put.py" <<'PY'
import json, sys
from decimal import Decimal
import boto3

url, table, path = sys.argv[1:4]
with boto3.resource("dynamodb", endpoint_url=url).Table(table).batch_writer(
        overwrite_by_pkeys=["Name", "StatusTime"]) as writer:
    with open(path, "rb") as lines:
        for line in lines:
            writer.put_item(Item=json.loads(line, parse_float=Decimal))
PY

cat >"$WORK/boto3_scan.py" <<'PY'
import json, sys
from decimal import Decimal
import boto3

url, table = sys.argv[1:3]
items = boto3.resource("dynamodb", endpoint_url=url).Table(table)
out = sys.stdout
number = lambda d: int(d) if d == d.to_integral_value() else float(d)
arguments = {}
while True:
    page = items.scan(**arguments)
    for item in page["Items"]:
        out.write(json.dumps(item, default=number) + "\n")
    if "LastEvaluatedKey" not in page:
        break
    arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
PY

count() { "$BIN/kv-get" -S "$GW_URL" -t "$1" --scan | wc -l; }
cpu_timed() {
  timed /usr/bin/time -f '%U %S' -o "$WORK/cpu" "$@"
  CPU=$(awk '{ printf "%.2f", $1 + $2 }' "$WORK/cpu")
}
kv_times=() boto_times=() kv_cpu=() boto_cpu=() get_times=() get_cpu=() scan_times=() scan_cpu=()
for ((run = 1; run <= RUNS; run++)); do
  for who in kv boto; do
    table=rides-$who-$run
    "$BIN/kv-put" -S "$GW_URL" -t "$table" -k Name --sort-key StatusTime --create --key-type string \
      --sort-key-type string </dev/null
    if [[ $who == kv ]]; then
      cpu_timed "$BIN/kv-put" -S "$GW_URL" -t "$table" "$WORK/rides.jsonl"
      kv_times+=("$ELAPSED") kv_cpu+=("$CPU")
    else
      cpu_timed "$PYTHON" "$WORK/boto3_put.py" "$GW_URL" "$table" "$WORK/rides.jsonl"
      boto_times+=("$ELAPSED") boto_cpu+=("$CPU")
    fi
    n=$(count "$table")
    ((n == KEYS)) || die "$table holds $n items, not $KEYS"
  done
  table=rides-kv-$run
  cpu_timed sh -c '"$1" -S "$2" -t "$3" --scan >"$4"' sh "$BIN/kv-get" "$GW_URL" "$table" "$WORK/read"
  get_times+=("$ELAPSED") get_cpu+=("$CPU")
  n=$(wc -l <"$WORK/read")
  ((n == KEYS)) || die "kv-get read $n items of $table, not $KEYS"
  cpu_timed sh -c '"$1" "$2" "$3" "$4" >"$5"' sh "$PYTHON" "$WORK/boto3_scan.py" "$GW_URL" "$table" "$WORK/scanned"
  scan_times+=("$ELAPSED") scan_cpu+=("$CPU")
  n=$(wc -l <"$WORK/scanned")
  ((n == KEYS)) || die "the boto3 scan read $n items of $table, not $KEYS"
done
echo "endpoint tables bench: $RECORDS Wild Rydes items ($KEYS keys) into tables of gw-serve at $GW_URL, $RUNS runs"
describe_machine "$WORK"
line() { printf '  %-12s median %7.2f s  %-12s CPU %5.2f s\n' "$1" "$2" "$(human_rate "$(rate "$KEYS" "$2")")" "$3"; }
kv=$(median "${kv_times[@]}") boto=$(median "${boto_times[@]}")
line kv-put "$kv" "$(median "${kv_cpu[@]}")"
line batch_writer "$boto" "$(median "${boto_cpu[@]}")"
printf '  kv-put / boto3: %sx\n' "$(ratio "$boto" "$kv")"
get=$(median "${get_times[@]}") scan=$(median "${scan_times[@]}")
line "kv-get scan" "$get" "$(median "${get_cpu[@]}")"
line "boto3 scan" "$scan" "$(median "${scan_cpu[@]}")"
printf '  kv-get / boto3: %sx\n' "$(ratio "$scan" "$get")"
