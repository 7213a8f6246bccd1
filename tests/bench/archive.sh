#!/usr/bin/env bash
# tests/bench/archive.sh — fh-archive against zstd on 1M Wild Rydes lines.
#
# usage: tests/bench/archive.sh
#
# One generated file of RECORDS Wild Rydes lines (wildrydes --rate max, seed 1) feeds every
# measurement, each run RUNS times, the programs alternating, and the median reported:
#   zstd        zstd -3 -T1 -c FILE > out.zst: the peer, compression alone.
#   fh-archive  fh-archive -d BUCKET FILE (5 MiB buffers, zstd level 3, objects fsynced), into a
#               new bucket each run. Target: >= 0.9x zstd's throughput, output within 5% of
#               zstd's size.
#   partitioned fh-archive --partition-by Name (200 unicorns: 200 partitions).
# Before the timings, the outputs are checked: the objects hold the file's lines, each once.
#
# Environment: MILLRACE_BIN (binaries; default <repo>/build), RUNS (5), RECORDS (1000000),
# BENCH_TMP (where the temporary directory goes; default $TMPDIR or /tmp), BENCH_STRICT=1
# (exit 1 when a target is missed). A benchmark, not a test: timings depend on the machine.

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
command -v zstd >/dev/null || die "zstd not found"

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-archive.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The binaries are copied first: a rebuild while the benchmark runs must not mix versions.
mkdir -p "$WORK/bin"
for b in fh-archive fh-cat wildrydes; do cp "$BIN/$b" "$WORK/bin/"; done

"$WORK/bin/wildrydes" --rate max --records "$RECORDS" --seed 1 >"$WORK/in.jsonl"
BYTES=$(wc -c <"$WORK/in.jsonl")
note "$RECORDS lines, $BYTES bytes, seed 1"

objects_size() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

# Correctness first.
"$WORK/bin/fh-archive" -d "$WORK/check" --partition-by Name "$WORK/in.jsonl"
"$WORK/bin/fh-cat" -d "$WORK/check" | sort | cmp -s - <(sort "$WORK/in.jsonl") ||
  die "the objects do not hold the input's lines, each once"

# Each run writes into new buckets, removed only at the end: ext4 skips the inodes of files
# deleted a moment ago when it makes new ones, so a bucket removed just before would slow the
# making of the next one's directories (the 1,000 of the partitioned runs) several times over.
zstd_times=() archive_times=() partitioned_times=()
for ((run = 1; run <= RUNS; run++)); do
  timed zstd -q -3 -T1 -c "$WORK/in.jsonl" >"$WORK/out.zst"
  zstd_times+=("$ELAPSED")
  zstd_size=$(stat -c %s "$WORK/out.zst")
  timed "$WORK/bin/fh-archive" -q -d "$WORK/b$run" "$WORK/in.jsonl"
  archive_times+=("$ELAPSED")
  archive_size=$(objects_size "$WORK/b$run")
  timed "$WORK/bin/fh-archive" -q -d "$WORK/p$run" --partition-by Name "$WORK/in.jsonl"
  partitioned_times+=("$ELAPSED")
  partitioned_size=$(objects_size "$WORK/p$run")
  partitions=$(find "$WORK/p$run" -name '*.zst' | wc -l)
  partition_dirs=$(find "$WORK/p$run" -mindepth 1 -maxdepth 1 -type d | wc -l)
  note "run $run: zstd ${zstd_times[-1]}s, fh-archive ${archive_times[-1]}s, partitioned ${partitioned_times[-1]}s"
done

zstd_rate=$(rate "$RECORDS" "$(median "${zstd_times[@]}")")
archive_rate=$(rate "$RECORDS" "$(median "${archive_times[@]}")")
partitioned_rate=$(rate "$RECORDS" "$(median "${partitioned_times[@]}")")
speed=$(ratio "$archive_rate" "$zstd_rate")
partitioned_speed=$(ratio "$partitioned_rate" "$zstd_rate")
size=$(ratio "$archive_size" "$zstd_size")
partitioned_bytes=$(ratio "$partitioned_size" "$zstd_size")

printf '\n%-34s %16s %12s %10s %10s\n' "medians of $RUNS runs" "throughput" "output" "speed" "size"
printf '%-34s %16s %12s %10s %10s\n' "zstd -3 -T1" "$(human_rate "$zstd_rate")" "$zstd_size" "1.00x" "1.00x"
printf '%-34s %16s %12s %10s %10s\n' "fh-archive (5 MiB objects)" "$(human_rate "$archive_rate")" "$archive_size" \
  "${speed}x" "${size}x"
printf '%-34s %16s %12s %10s %10s\n' "fh-archive --partition-by Name" "$(human_rate "$partitioned_rate")" \
  "$partitioned_size" "${partitioned_speed}x" "${partitioned_bytes}x"
printf '(%s objects in %s partitions)\n' "$partitions" "$partition_dirs"

missed=0
ge "$speed" 0.9 || { note "target missed: fh-archive at ${speed}x zstd's throughput (>= 0.9x)"; missed=1; }
le "$size" 1.05 || { note "target missed: fh-archive's output at ${size}x zstd's (<= 1.05x)"; missed=1; }
if [[ ${BENCH_STRICT:-0} == 1 && $missed == 1 ]]; then exit 1; fi
