#!/usr/bin/env bash
# tests/bench/charts.sh — how long cw-stats takes to draw two weeks of metrics.
#
# usage: tests/bench/charts.sh
#
# A store of SERIES streams' IncomingRecords, a point a minute for the 15 days kept
# (build/metrics_history), then each of these RUNS times, medians (wall time, the process
# started and ended, its stdout on a 200x50 pseudo-terminal through tests/tools/pty_run.py):
#   version     cw-stats --version: starting a process on the terminal, the floor
#   json        --since 15d --json > /dev/null: the same points read, written as GetMetricData
#   plot        --since 15d --plot: read and drawn on the terminal (target: under 100 ms)
#   plot 1h     --since 1h --plot: the default range
#   dashboard   --dashboard --since 15d: a panel per stream
#   svg         --since 15d --svg /dev/null: every point as SVG
# and plot's ratio to json, the same read. Environment: MILLRACE_BIN (default <repo>/build),
# SERIES (10), RUNS (11), BENCH_TMP (where the store goes), BENCH_STRICT=1 (exit 1 when the
# target is missed). A benchmark, not a test: timings depend on the machine.
set -euo pipefail
export LC_ALL=C NO_COLOR=1 TERM=xterm

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" && pwd)
SERIES=${SERIES:-10}
RUNS=${RUNS:-11}
source "$SRC/tests/bench/common.sh"

die() { echo "charts.sh: $*" >&2; exit 1; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
for b in cw-stats metrics_history; do [[ -x $BIN/$b ]] || die "$BIN/$b not found"; done

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-charts.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
export MILLRACE_NOW=2026-11-23T10:00:30Z KS_STORE=$WORK/store
"$BIN/metrics_history" --series "$SERIES" --days 15
points=$("$BIN/cw-stats" --metric IncomingRecords --dimension StreamName --since 15d --json | jq '[.MetricDataResults[].Values | length] | add')
((points == SERIES * 21600)) || die "the store holds $points points, not $((SERIES * 21600))"

echo "millrace charts bench: $SERIES series of 21600 points (15 days of minutes), $RUNS runs each"
describe_machine "$WORK"
echo

# on_pty ARGS...: the seconds cw-stats ARGS took with its stdout on the terminal.
on_pty() {
  /usr/bin/python3 "$SRC/tests/tools/pty_run.py" --capture "$WORK/tty" --columns 200 --rows 50 --stdout-pty -- \
    "$BIN/cw-stats" "$@" || die "cw-stats $* failed: $(head -c 300 "$WORK/tty")"
  cat "$WORK/tty.elapsed"
}
declare -A MEDIAN
measure() {
  local name=$1 times=() i
  shift
  for ((i = 0; i < RUNS; i++)); do times+=("$(on_pty "$@")"); done
  MEDIAN[$name]=$(median "${times[@]}")
  printf '  %-10s %7.1f ms   cw-stats %s\n' "$name" "$(awk -v s="${MEDIAN[$name]}" 'BEGIN { print s * 1000 }')" "$*"
}
all=(--metric IncomingRecords --dimension StreamName)
measure version --version
times=()
for ((i = 0; i < RUNS; i++)); do
  timed "$BIN/cw-stats" "${all[@]}" --since 15d --json >/dev/null
  times+=("$ELAPSED")
done
MEDIAN[json]=$(median "${times[@]}")
printf '  %-10s %7.1f ms   cw-stats %s > /dev/null\n' json "$(awk -v s="${MEDIAN[json]}" 'BEGIN { print s * 1000 }')" "${all[*]} --since 15d --json"
measure plot "${all[@]}" --since 15d --plot
measure "plot 1h" "${all[@]}" --since 1h --plot
measure dashboard --dashboard --since 15d
measure svg "${all[@]}" --since 15d --svg /dev/null
echo
echo "  plot / json (the same points read): $(ratio "${MEDIAN[plot]}" "${MEDIAN[json]}")"
if le "${MEDIAN[plot]}" 0.1; then
  echo "  target met: --plot of 15 days of $SERIES series in $(awk -v s="${MEDIAN[plot]}" 'BEGIN { printf "%.0f", s * 1000 }') ms (< 100 ms)"
else
  echo "  TARGET MISSED: --plot of 15 days of $SERIES series in $(awk -v s="${MEDIAN[plot]}" 'BEGIN { printf "%.0f", s * 1000 }') ms (< 100 ms)"
  [[ ${BENCH_STRICT:-0} == 1 ]] && exit 1
fi
