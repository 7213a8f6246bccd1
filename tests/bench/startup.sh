#!/usr/bin/env bash
# tests/bench/startup.sh — the CPU each program costs to start, beside a bare process.
#
# usage: tests/bench/startup.sh
#
# Shell loops, cron jobs and --exec handlers start these programs thousands of times, so what
# a start costs is CPU spent that many times. Each command below runs STARTS times in a row and
# its CPU per start is taken: task-clock from `perf stat -r`, or, where perf cannot count it,
# the children's user+sys CPU from getrusage (bash's `times`). The commands alternate within
# each of RUNS rounds, so that a busy machine weighs on all of them alike; the report gives
# the median over the rounds of the CPU per start, of its difference from /bin/true's in the
# same round and of the ratio to it.
#   /bin/true                                  the bare process
#   ks-put --version
#   ks-put -s rides -k Name --sync none FILE   one line into an existing stream of 4 shards
#   ks-put ... --sync full                     the same, fsynced (waiting for the disk is not CPU)
#   kv-get -t rides Shadowfax                  a point get of one item
#   ks-consume -s rides -n 1                   the stream's first record
# Target (issue 13): at most 1 ms of CPU over /bin/true for ks-put --version and for a one-line
# put. Each command's output is checked before any timing, and the stream's record count after.
#
# Environment: MILLRACE_BIN (binaries; default <repo>/build), RUNS (7), STARTS (200),
# TIMER (perf or rusage; default perf where it can count task-clock), BENCH_TMP (where the
# temporary directory goes; default $TMPDIR or /tmp). It is a benchmark, not a test.

set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" 2>/dev/null && pwd || echo "${MILLRACE_BIN:-$SRC/build}")
RUNS=${RUNS:-7}
STARTS=${STARTS:-200}
TARGET_MS=1

die() { echo "startup.sh: $*" >&2; exit 1; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
for b in ks-put ks-shard ks-consume kv-put kv-get; do
  [[ -x $BIN/$b ]] || die "$BIN/$b not found: build first, or set MILLRACE_BIN"
done

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-startup.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The binaries are copied first: a rebuild while the benchmark runs must not mix versions.
mkdir -p "$WORK/bin"
for b in ks-put ks-shard ks-consume kv-put kv-get; do cp "$BIN/$b" "$WORK/bin/"; done
BIN=$WORK/bin

if [[ -z ${TIMER-} ]]; then
  TIMER=rusage
  perf stat -x, -o /dev/null -e task-clock /bin/true >/dev/null 2>&1 && TIMER=perf
fi
case $TIMER in
  perf) TIMER_NAME="task-clock (perf stat -r $STARTS)" ;;
  rusage) TIMER_NAME="user+sys CPU of $STARTS children (getrusage, bash times)" ;;
  *) die "TIMER is perf or rusage, not $TIMER" ;;
esac

# The mean CPU in ms of one start of "$@", over STARTS starts in a row.
cpu_ms() {
  if [[ $TIMER == perf ]]; then
    perf stat -x, -o "$WORK/perf.csv" -e task-clock -r "$STARTS" -- "$@" >/dev/null 2>&1 ||
      die "perf stat failed on: $*"
    # -x, prints "MEAN,msec,task-clock,...": the mean over the -r runs.
    awk -F, '$3 ~ /^task-clock/ { print $1; found = 1 } END { exit !found }' "$WORK/perf.csv" ||
      die "no task-clock in perf's output for: $*"
  else
    local i t
    # The subshell's `times` prints its own CPU, then its children's ("0m0.123s 0m0.045s").
    t=$( { for ((i = 0; i < STARTS; i++)); do "$@" >/dev/null 2>&1; done; times; } | tail -n 1)
    awk -v t="$t" -v n="$STARTS" 'BEGIN { split(t, f, /[ms ]+/); printf "%.4f\n", (f[1] * 60 + f[2] + f[3] * 60 + f[4]) * 1000 / n }'
  fi
}

# The store: a stream of 4 shards holding one record, and a table holding one item.
STORE=$WORK/store
LINE='{"Name":"Shadowfax","StatusTime":"2024-03-01 12:00:00.000","Latitude":49.20,"Longitude":-123.11,"Distance":175,"HealthPoints":150,"MagicPoints":163}'
printf '%s\n' "$LINE" >"$WORK/line.jsonl"
"$BIN/ks-shard" -S "$STORE" -q create rides --shards 4
"$BIN/ks-put" -S "$STORE" -q -s rides -k Name "$WORK/line.jsonl"
"$BIN/kv-put" -S "$STORE" -q -t rides -k Name --create "$WORK/line.jsonl"

NAMES=("/bin/true" "ks-put --version" "ks-put, one line, --sync none" "ks-put, one line, --sync full"
       "kv-get, one item" "ks-consume -n 1")
COMMANDS=("/bin/true"
          "$BIN/ks-put --version"
          "$BIN/ks-put -S $STORE -s rides -k Name --sync none $WORK/line.jsonl"
          "$BIN/ks-put -S $STORE -s rides -k Name --sync full $WORK/line.jsonl"
          "$BIN/kv-get -S $STORE -t rides Shadowfax"
          "$BIN/ks-consume -S $STORE -s rides -n 1")
PUTS=(2 3)  # the indexes of the commands that each put one record

# Each command does what it is timed for. The version is the one CMakeLists.txt declares.
version=$(sed -n 's/^project(millrace VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[[ $("$BIN/ks-put" --version) == "$version" ]] || die "ks-put --version does not print $version"
[[ $("$BIN/kv-get" -S "$STORE" -t rides Shadowfax) == "$LINE" ]] || die "kv-get does not print the item put"
[[ $("$BIN/ks-consume" -S "$STORE" -s rides -n 1) == "$LINE" ]] || die "ks-consume -n 1 does not print the record put"
for i in "${PUTS[@]}"; do ${COMMANDS[$i]} || die "${NAMES[$i]} failed"; done
expected_records=$((1 + ${#PUTS[@]}))

echo "startup.sh: CPU per start, medians of $RUNS rounds; timer: $TIMER_NAME"
describe_machine "$WORK"

declare -A ms over ratios
for ((round = 0; round < RUNS; round++)); do
  base=
  for i in "${!COMMANDS[@]}"; do
    # shellcheck disable=SC2086  # each command is a word list without quoting
    m=$(cpu_ms ${COMMANDS[$i]})
    [[ -n $base ]] || base=$m
    ms[$i]+=" $m"
    over[$i]+=" $(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.4f", a - b }')"
    ratios[$i]+=" $(ratio "$m" "$base")"
  done
  expected_records=$((expected_records + ${#PUTS[@]} * STARTS))
done

# Every timed put put its record: perf stat does not stop at a failing run.
records=$("$BIN/ks-consume" -S "$STORE" -s rides | wc -l)
((records == expected_records)) || die "the stream holds $records records, not $expected_records: some puts failed"

printf '  %-32s %12s %16s %12s\n' command "ms per start" "over /bin/true" "× /bin/true"
for i in "${!COMMANDS[@]}"; do
  # shellcheck disable=SC2086
  printf '  %-32s %12.3f %16.3f %12.2f\n' "${NAMES[$i]}" "$(median ${ms[$i]})" "$(median ${over[$i]})" "$(median ${ratios[$i]})"
done
echo "target (issue 13): at most $TARGET_MS ms over /bin/true"
for i in 1 "${PUTS[@]}"; do
  # shellcheck disable=SC2086
  d=$(median ${over[$i]})
  if le "$d" "$TARGET_MS"; then verdict=met; else verdict="NOT met"; fi
  printf '  %-32s %.3f ms over: %s\n' "${NAMES[$i]}" "$d" "$verdict"
done
