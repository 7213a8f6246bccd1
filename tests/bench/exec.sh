#!/usr/bin/env bash
# tests/bench/exec.sh — ks-consume --exec with a trivial handler (cat >/dev/null), as Lambda.
#
# For batch sizes 100 and 10000: batches per second, the records per second that gives, and
# the time per invocation next to the cost of one bare process start (sh -c 'cat >/dev/null'
# fed a batch, measured in the same run). Median of RUNS runs.
#
# Environment: MILLRACE_BIN (default <repo>/build), RUNS (5), RECORDS (200000),
# BENCH_TMP (default /tmp; put it on a real disk).
set -euo pipefail
export LC_ALL=C
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${MILLRACE_BIN:-$SRC/build}
RUNS=${RUNS:-5}
RECORDS=${RECORDS:-200000}
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/millrace-exec.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

"$BIN/wildrydes" --rate max --records "$RECORDS" --seed 1 >"$tmp/input.jsonl"
"$BIN/ks-shard" -S "$tmp/store" create rides --shards 1
"$BIN/ks-put" -S "$tmp/store" -s rides -k Name "$tmp/input.jsonl"

# One bare process start with a 100-record payload: the floor of an invocation's cost.
head -n 100 "$tmp/input.jsonl" >"$tmp/batch"
bare=$(for r in $(seq "$RUNS"); do
  s=$(now); for i in $(seq 200); do sh -c 'cat >/dev/null' <"$tmp/batch"; done; e=$(now)
  echo "($e - $s) / 200 * 1000" | bc -l
done | median)

printf '%-12s %12s %14s %16s %14s\n' "batch size" "batches/s" "records/s" "ms/invocation" "× bare start"
for size in 100 10000; do
  seconds=$(for r in $(seq "$RUNS"); do
    s=$(now)
    "$BIN/ks-consume" -S "$tmp/store" -s rides -g "bench$size-$r" --exec 'cat >/dev/null' --batch-size "$size" -q
    e=$(now)
    echo "$e - $s" | bc -l
  done | median)
  batches=$(( (RECORDS + size - 1) / size ))
  awk -v s="$seconds" -v b="$batches" -v n="$RECORDS" -v bare="$bare" -v size="$size" 'BEGIN {
    printf "%-12d %12.0f %14.0f %16.3f %14.2f\n", size, b / s, n / s, s / b * 1000, (s / b * 1000) / bare }'
done
printf 'bare process start (sh -c "cat >/dev/null", 100 records on stdin): %.3f ms\n' "$bare"
