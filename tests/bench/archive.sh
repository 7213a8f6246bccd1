#!/usr/bin/env bash
# tests/bench/archive.sh — fh-archive against zstd on 1M Wild Rydes lines.
#
# usage: tests/bench/archive.sh
#
# One generated file of RECORDS Wild Rydes lines (wildrydes --rate max, seed 1) feeds every
# measurement, each run RUNS times, the programs alternating, and the median reported, with
# the largest peak RSS (GNU time %M) of the runs:
#   zstd         zstd -3 -T1 FILE -o out.zst: the peer, compression alone.
#   5 MiB        fh-archive -d BUCKET FILE (5 MiB buffers, Firehose's default; zstd level 3,
#                objects fsynced), into a new bucket each run.
#   128 MiB      the same with --buffer-size 128MiB, Firehose's largest: objects of 128 MiB.
#   partitioned  fh-archive --partition-by Name (200 unicorns: 200 partitions, 5 MiB buffers).
# Targets: each at >= 0.9x zstd's throughput; the plain runs' output within 5% of zstd's size
# and their peak RSS under 64 MiB, whatever the buffer size; the partitioned run's under
# 256 MiB. Before the timings, the outputs are checked: the objects hold the file's lines,
# each once.
#
# Environment: MILLRACE_BIN (binaries; default <repo>/build), RUNS (5), RECORDS (1000000),
# BENCH_TMP (where the temporary directory goes; default $TMPDIR or /tmp: put it on a real
# disk, as on tmpfs an fsync is free), BENCH_STRICT=1 (exit 1 when a target is missed). A
# benchmark, not a test: timings depend on the machine.

set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" 2>/dev/null && pwd || echo "${MILLRACE_BIN:-$SRC/build}")
RUNS=${RUNS:-5}
RECORDS=${RECORDS:-1000000}
source "$SRC/tests/bench/common.sh"

usage() { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "archive.sh: $*" >&2; exit 1; }
note() { echo "archive.sh: $*" >&2; }
for arg in "$@"; do
  case $arg in
    -h | --help) usage; exit 0 ;;
    *) echo "archive.sh: unknown argument: $arg" >&2; exit 64 ;;
  esac
done
for b in fh-archive fh-cat wildrydes; do [[ -x $BIN/$b ]] || die "$BIN/$b not found: build first or set MILLRACE_BIN"; done
command -v zstd >/dev/null || die "zstd not found (apt-get install zstd)"
[[ -x /usr/bin/time ]] || die "GNU time not found (apt-get install time)"

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-archive.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The binaries are copied first: a rebuild while the benchmark runs must not mix versions.
mkdir -p "$WORK/bin"
for b in fh-archive fh-cat wildrydes; do cp "$BIN/$b" "$WORK/bin/"; done

"$WORK/bin/wildrydes" --rate max --records "$RECORDS" --seed 1 >"$WORK/in.jsonl"
BYTES=$(wc -c <"$WORK/in.jsonl")
sync  # no writeback of the input during the runs

objects_size() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

# The measurements, in the order they run.
NAMES=(zstd 5mib 128mib partitioned)
declare -A LABEL=(
  [zstd]="zstd -3 -T1"
  [5mib]="fh-archive, 5 MiB buffers"
  [128mib]="fh-archive, 128 MiB buffers"
  [partitioned]="fh-archive --partition-by Name"
)
# Sets CMD to the command of measurement $1 writing to $2 (a file for zstd, a bucket else).
CMD=()
command_of() {
  case $1 in
    zstd) CMD=(zstd -q -f -3 -T1 "$WORK/in.jsonl" -o "$2") ;;
    5mib) CMD=("$WORK/bin/fh-archive" -q -d "$2" "$WORK/in.jsonl") ;;
    128mib) CMD=("$WORK/bin/fh-archive" -q -d "$2" --buffer-size 128MiB "$WORK/in.jsonl") ;;
    partitioned) CMD=("$WORK/bin/fh-archive" -q -d "$2" --partition-by Name "$WORK/in.jsonl") ;;
  esac
}

echo "millrace archive bench: $RECORDS Wild Rydes records ($((BYTES / 1000000)) MB, seed 1), $RUNS runs each"
describe_machine "$WORK" "$(zstd --version | sed 's/^\*\*\* //; s/, by.*//')"
echo

# Correctness first: every object whole, the lines of the input each once.
for name in 5mib 128mib partitioned; do
  command_of "$name" "$WORK/check-$name"
  "${CMD[@]}" || die "$name failed"
  "$WORK/bin/fh-cat" -d "$WORK/check-$name" | sort | cmp -s - <(sort "$WORK/in.jsonl") ||
    die "$name: the objects do not hold the input's lines, each once"
done

# Each run writes into new buckets, removed only at the end: ext4 skips the inodes of files
# deleted a moment ago when it makes new ones, so a bucket removed just before would slow the
# making of the next one's directories (the 1,000 of the partitioned runs) several times over.
declare -A TIMES RSS SIZE
for ((run = 1; run <= RUNS; run++)); do
  line="run $run:"
  for name in "${NAMES[@]}"; do
    out=$WORK/$name-$run
    [[ $name == zstd ]] && out=$WORK/out.zst
    command_of "$name" "$out"
    timed /usr/bin/time -f %M -o "$WORK/rss" "${CMD[@]}"
    TIMES[$name]+=" $ELAPSED"
    RSS[$name]+=" $(tail -n 1 "$WORK/rss")"
    if [[ $name == zstd ]]; then SIZE[$name]=$(stat -c %s "$out"); else SIZE[$name]=$(objects_size "$out"); fi
    line+=" $name ${ELAPSED}s"
  done
  note "$line"
done
OBJECTS=$(find "$WORK/partitioned-$RUNS" -name '*.zst' | wc -l)
PARTITIONS=$(find "$WORK/partitioned-$RUNS" -mindepth 1 -maxdepth 1 -type d | wc -l)

declare -A RATE
for name in "${NAMES[@]}"; do
  # shellcheck disable=SC2086  # the list of times
  RATE[$name]=$(rate "$RECORDS" "$(median ${TIMES[$name]})")
done

printf '%-34s %14s %12s %8s %8s %12s\n' "medians of $RUNS runs" "throughput" "output" "speed" "size" "peak RSS"
missed=0
for name in "${NAMES[@]}"; do
  speed=$(ratio "${RATE[$name]}" "${RATE[zstd]}")
  size=$(ratio "${SIZE[$name]}" "${SIZE[zstd]}")
  # shellcheck disable=SC2086
  rss=$(mib "$(maximum ${RSS[$name]})")
  printf '%-34s %14s %12s %7sx %7sx %8s MiB\n' "${LABEL[$name]}" "$(human_rate "${RATE[$name]}")" "${SIZE[$name]}" \
    "$speed" "$size" "$rss"
  [[ $name == zstd ]] && continue
  ge "$speed" 0.9 || { note "target missed: ${LABEL[$name]} at ${speed}x zstd's throughput (>= 0.9x)"; missed=1; }
  if [[ $name == partitioned ]]; then
    le "$rss" 256 || { note "target missed: ${LABEL[$name]} peaks at $rss MiB (< 256 MiB)"; missed=1; }
  else
    le "$size" 1.05 || { note "target missed: ${LABEL[$name]}'s output at ${size}x zstd's (<= 1.05x)"; missed=1; }
    le "$rss" 64 || { note "target missed: ${LABEL[$name]} peaks at $rss MiB (< 64 MiB)"; missed=1; }
  fi
done
printf '(partitioned: %s objects in %s partitions)\n' "$OBJECTS" "$PARTITIONS"
if [[ ${BENCH_STRICT:-0} == 1 && $missed == 1 ]]; then exit 1; fi
