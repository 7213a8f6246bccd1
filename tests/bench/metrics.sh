#!/usr/bin/env bash
# tests/bench/metrics.sh — what recording CloudWatch's metrics costs the writers.
#
# usage: BASELINE_BIN=DIR tests/bench/metrics.sh
#
# The same programs, with recording (MILLRACE_BIN) and without (BASELINE_BIN: binaries built
# from a revision before metrics, such as main's, in a directory of their own), on one
# generated file of RECORDS Wild Rydes lines (wildrydes --rate max, seed 1), each measurement
# RUNS times, the two alternating, each into a store of its own (a store with metrics is not
# one an older millrace opens). Medians, and the ratio with/without:
#   ks-put       ks-put -k Name --sync full into a fresh 4-shard stream (bench.sh's put)
#   kv-put       kv-put -t UnicornSensorData -k Name --sort-key StatusTime --create, fresh
#                store (table.sh's put)
#   ks-consume   ks-consume -g GROUP > /dev/null of the RECORDS records, a new group each run:
#                a group checkpoints each poll, and records its GetRecords in those commits
#   fh-archive   fh-archive -s rides -g GROUP -d BUCKET (5 MiB buffers, zstd 3; archive.sh's
#                plain run, from the stream as a group), a new group and bucket each run
# Each run is measured three ways: its wall time; its CPU time (perf stat's task-clock, every
# thread's), which a busy machine disturbs less and which is what recording adds to (a commit's
# fsync is the same with or without it); and, once per side on CG_RECORDS records, the
# instructions it executes in user space (valgrind --tool=callgrind, every thread), which do
# not depend on the machine at all. Target: each ratio at most 1.02. Before the timings, the
# outputs are checked: every record, item and object is there, and the metrics say so.
#
# Environment: BASELINE_BIN (required), MILLRACE_BIN (default <repo>/build), SECTIONS (some of
# "ks_put kv_put ks_consume fh_archive", all by default), RUNS (7),
# RECORDS (1000000), CG_RECORDS (100000; 0: no instruction counts), BENCH_TMP (where the
# temporary directory goes; default $TMPDIR or /tmp: put it on a real disk, as on tmpfs an
# fsync is free), BENCH_STRICT=1 (exit 1 when a target is missed). Needs perf, and valgrind
# for the instruction counts. A benchmark, not a test: timings depend on the machine.

set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" && pwd)
RUNS=${RUNS:-7}
RECORDS=${RECORDS:-1000000}
CG_RECORDS=${CG_RECORDS:-100000}
source "$SRC/tests/bench/common.sh"

die() { echo "metrics.sh: $*" >&2; exit 1; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
[[ -n ${BASELINE_BIN-} ]] || die "set BASELINE_BIN to the binaries without metrics (see --help)"
PROGRAMS=(ks-put ks-shard ks-consume kv-put kv-get fh-archive)
for b in "${PROGRAMS[@]}"; do
  [[ -x $BIN/$b ]] || die "$BIN/$b not found"
  [[ -x $BASELINE_BIN/$b ]] || die "$BASELINE_BIN/$b not found"
done
[[ -x $BIN/cw-stats ]] || die "$BIN/cw-stats not found"
command -v perf >/dev/null || die "perf not found (apt-get install linux-perf)"
((CG_RECORDS == 0)) || command -v valgrind >/dev/null || die "valgrind not found (or set CG_RECORDS=0)"

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-metrics.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Copies of both: a rebuild while the benchmark runs must not mix versions.
mkdir -p "$WORK/with" "$WORK/without"
for b in "${PROGRAMS[@]}"; do cp "$BIN/$b" "$WORK/with/" && cp "$BASELINE_BIN/$b" "$WORK/without/"; done
cp "$BIN/cw-stats" "$WORK/with/"

DATA=$WORK/rides.jsonl
"$BIN/wildrydes" --rate max --records "$RECORDS" --seed 1 >"$DATA"
read -r DATA_LINES DATA_BYTES < <(wc -lc <"$DATA")
((DATA_LINES == RECORDS)) || die "wildrydes wrote $DATA_LINES lines, not $RECORDS"

echo "millrace metrics bench: $RECORDS Wild Rydes records ($((DATA_BYTES / 1000000)) MB), $RUNS runs each, alternating"
describe_machine "$WORK"
echo "  with metrics: $BIN; without: $BASELINE_BIN"
echo

# measure CMD...: runs CMD (its stdout to /dev/null) under perf stat; sets ELAPSED (wall
# seconds) and CPU (CPU seconds of all its threads). Under RUNNER (callgrind), INSTRUCTIONS.
measure() {
  if [[ -n ${RUNNER-} ]]; then
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" -q "$@" >/dev/null
    INSTRUCTIONS=$(awk '/^summary:/ { print $2 }' "$WORK/cg.out")
    return
  fi
  timed perf stat -e task-clock -x, -o "$WORK/perf.out" -- "$@" >/dev/null
  CPU=$(awk -F, '$3 == "task-clock" { printf "%.6f", $1 / 1000 }' "$WORK/perf.out")
}

# side: with or without. Each side has its stores; DATA is the input.
ks_put() {
  rm -rf "$WORK/$1.put" && "$WORK/$1/ks-shard" -S "$WORK/$1.put" create rides --shards 4 >/dev/null && sync
  measure "$WORK/$1/ks-put" -S "$WORK/$1.put" -s rides -k Name --sync full "$DATA"
}
kv_put() {
  rm -rf "$WORK/$1.kv" && sync
  measure "$WORK/$1/kv-put" -S "$WORK/$1.kv" -t UnicornSensorData -k Name --sort-key StatusTime --create "$DATA"
}
RUN=0
ks_consume() { measure "$WORK/$1/ks-consume" -S "$WORK/$1.put" -s rides -g "bench$RUN"; }
fh_archive() {
  rm -rf "$WORK/$1.bucket" && sync
  measure "$WORK/$1/fh-archive" -S "$WORK/$1.put" -s rides -g "archive$RUN" -d "$WORK/$1.bucket" -q
}
read -r -a SECTIONS <<<"${SECTIONS:-ks_put kv_put ks_consume fh_archive}"

# ks-consume and fh-archive read the stream that ks-put writes: put it once, untimed, when ks_put
# is not measured.
if [[ " ${SECTIONS[*]} " != *" ks_put "* ]]; then
  for side in with without; do ks_put "$side"; done
fi

declare -A T C I
for section in "${SECTIONS[@]}"; do
  echo "${section/_/-}: $RUNS runs (wall s / CPU s)"
  for ((i = 1; i <= RUNS; i++)); do
    RUN=$i
    # Alternating which goes first, so that neither always runs on a warmer machine.
    if ((i % 2)); then order=(with without); else order=(without with); fi
    line="   run $i:"
    for side in "${order[@]}"; do
      "$section" "$side"
      T[$section.$side]+=" $ELAPSED"
      C[$section.$side]+=" $CPU"
      line+=" $side $ELAPSED / $CPU"
    done
    echo "$line"
  done
done

# The outputs: all there, on both sides; and the metrics say what was done.
ran() { [[ " ${SECTIONS[*]} " == *" $1 "* ]]; }
sum() { "$WORK/with/cw-stats" -S "$1" --since 1d --period 1d --metric "$2" --dimension "$3" | jq -s "map(.Sum) | add"; }
if ran kv_put; then
  for side in with without; do
    items=$("$WORK/$side/kv-get" -S "$WORK/$side.kv" --describe UnicornSensorData | sed 's/.*"ItemCount":\([0-9]*\).*/\1/')
    ((items == RECORDS)) || die "$side: the table holds $items items, not $RECORDS"
  done
  [[ $(sum "$WORK/with.kv" ConsumedWriteCapacityUnits TableName=UnicornSensorData) == "$RECORDS" ]] ||
    die "ConsumedWriteCapacityUnits is not $RECORDS (one unit per item)"
fi
if ran ks_put; then
  [[ $(sum "$WORK/with.put" IncomingRecords StreamName=rides) == "$RECORDS" ]] || die "IncomingRecords is not $RECORDS"
fi
if ran ks_consume; then
  [[ $(sum "$WORK/with.put" GetRecords.Records StreamName=rides) == "$((RECORDS * RUNS))" ]] ||
    die "GetRecords.Records is not $((RECORDS * RUNS))"
fi
if ran fh_archive; then
  for side in with without; do
    got=$(find "$WORK/$side.bucket" -type f ! -name '.*' | wc -l)
    ((got > 0)) || die "$side: no objects"
  done
  [[ $(sum "$WORK/with.put" DeliveryToS3.Records DeliveryStreamName=with.bucket/archive$RUNS) == "$RECORDS" ]] ||
    die "DeliveryToS3.Records of the last run is not $RECORDS"
fi

# A ratio to three places: a 2% target needs more than common.sh's two.
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }

# Instructions, on CG_RECORDS records: the same runs under callgrind, once per side.
if ((CG_RECORDS > 0)); then
  echo "instructions: $CG_RECORDS records under callgrind, once per side"
  head -n "$CG_RECORDS" "$DATA" >"$WORK/small.jsonl"
  DATA=$WORK/small.jsonl
  if [[ " ${SECTIONS[*]} " != *" ks_put "* ]]; then
    for side in with without; do ks_put "$side"; done
  fi
  RUNNER=callgrind
  for section in "${SECTIONS[@]}"; do
    RUN=cg
    for side in with without; do
      "$section" "$side"
      I[$section.$side]=$INSTRUCTIONS
    done
    echo "   ${section/_/-}: with ${I[$section.with]}, without ${I[$section.without]}"
  done
fi

echo
echo "results (medians of $RUNS runs of $RECORDS records; seconds, and with/without; instructions of $CG_RECORDS):"
printf '  %-11s %9s %9s %6s   %9s %9s %6s %s   %13s %13s %6s %s\n' "" "wall with" without ratio "CPU with" without ratio target \
  "instr. with" without ratio target
for section in "${SECTIONS[@]}"; do
  # shellcheck disable=SC2086
  wall_with=$(median ${T[$section.with]}) wall_without=$(median ${T[$section.without]})
  # shellcheck disable=SC2086
  cpu_with=$(median ${C[$section.with]}) cpu_without=$(median ${C[$section.without]})
  wall_ratio=$(ratio3 "$wall_with" "$wall_without") cpu_ratio=$(ratio3 "$cpu_with" "$cpu_without")
  i_with=${I[$section.with]:--} i_without=${I[$section.without]:--}
  i_ratio=$(ratio3 "${I[$section.with]:-0}" "${I[$section.without]:-0}")
  i_verdict=-
  ((CG_RECORDS == 0)) || i_verdict=$(verdict "le $i_ratio 1.02")
  printf '  %-11s %9.3f %9.3f %6s   %9.3f %9.3f %6s %-4s   %13s %13s %6s %s\n' "${section/_/-}" "$wall_with" "$wall_without" \
    "$wall_ratio" "$cpu_with" "$cpu_without" "$cpu_ratio" "$(verdict "le $cpu_ratio 1.02")" "$i_with" "$i_without" "$i_ratio" "$i_verdict"
done
[[ ${BENCH_STRICT:-0} == 1 && -e $WORK/missed ]] && exit 1
exit 0
