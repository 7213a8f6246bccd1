#!/usr/bin/env bash
# shellcheck disable=SC2317,SC2016,SC2002  # functions called through timed and trap; jq $vars; cat | on purpose
# tests/bench/window.sh — ks-window against DuckDB and jq on the Wild Rydes summary.
#
# usage: tests/bench/window.sh
#
# One generated file of RECORDS Wild Rydes lines (wildrydes --rate max, seed 1) feeds
# every measurement: the Wild Rydes query in event time (--time StatusTime; tumbling 1m
# by Name; sum of Distance, min and max of MagicPoints and of HealthPoints). Each
# measurement runs RUNS times, the runs of the programs alternating, and the median is
# reported (for memory: the largest of the runs).
#   file   ks-window reading the file, output to a file, vs DuckDB (@duckdb/node-api,
#          SET threads=DUCKDB_THREADS) running the same query on the same file with
#          read_json, its rows written to a file by COPY. DuckDB's time is the query
#          alone, measured inside node with performance.now(); node's whole wall time
#          (start, module load, instance) is shown for reference. Target ≥ 1.3× DuckDB.
#   jq     jq -n 'reduce inputs as $r ({}; ...)' doing the same aggregation (the minute
#          taken as the first 16 characters of StatusTime) on the first JQ_RECORDS lines
#          only, as jq is slow, and scaled to records/s. Target ≥ 50× jq.
#   pipe   cat FILE | ks-window. Target ≥ 4M records/s.
#   memory peak RSS (GNU time %M) of ks-window in the file runs. The issue asks for "well
#          under 200 MiB" over the 83,400 windows of 5M records: the verdict is ≤ 100 MiB.
# Before any timing, the outputs are checked: ks-window's and DuckDB's have the same
# (Name, minute) rows, equal minima and maxima and sums of Distance within 1e-6
# relative; jq's on the prefix agrees in the same way with ks-window's on the prefix.
#
# Environment: MILLRACE_BIN (binaries; default <repo>/build), RUNS (5), RECORDS
# (5000000), JQ_RECORDS (500000), DUCKDB_THREADS (2), BENCH_TMP (where the temporary
# directory goes, with the ~800 MB input; default $TMPDIR or /tmp), BENCH_CACHE (where
# npm installs @duckdb/node-api, at the version tests/bench/package.json pins; default
# ${XDG_CACHE_HOME:-~/.cache}/millrace-bench; nothing is installed in the repository),
# BENCH_STRICT=1 (exit 1 when a target is missed).
#
# Needs node and npm (Node ≥ 20; the npm registry, the first time), jq and GNU time.
# The temporary directory is removed on exit. It is a benchmark, not a test: timings
# depend on the machine.

set -euo pipefail
export LC_ALL=C  # '.' decimal points from EPOCHREALTIME and printf

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" 2>/dev/null && pwd || echo "${MILLRACE_BIN:-$SRC/build}")
RUNS=${RUNS:-5}
RECORDS=${RECORDS:-5000000}
JQ_RECORDS=${JQ_RECORDS:-500000}
DUCKDB_THREADS=${DUCKDB_THREADS:-2}
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/millrace-bench}
SEED=1

usage() { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "window.sh: $*" >&2; exit 1; }
note() { echo "window.sh: $*" >&2; }

for arg in "$@"; do
  case $arg in
    -h | --help) usage; exit 0 ;;
    *) echo "window.sh: unknown argument: $arg" >&2; usage | sed -n '3p' >&2; exit 64 ;;
  esac
done
((JQ_RECORDS <= RECORDS)) || JQ_RECORDS=$RECORDS

[[ -x $BIN/ks-window ]] || die "$BIN/ks-window not found: build first or set MILLRACE_BIN"
for b in node npm jq; do command -v "$b" >/dev/null || die "$b not found"; done
[[ -x /usr/bin/time ]] || die "GNU time not found (apt-get install time)"

# ---- temporary directory, cleanup

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-window.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The binaries are copied first: a rebuild while the benchmark runs must neither break
# it nor mix two versions into one table.
mkdir -p "$WORK/bin"
for b in ks-window wildrydes; do
  if [[ -x $BIN/$b ]]; then cp "$BIN/$b" "$WORK/bin/"; fi
done
BIN_SRC=$BIN
BIN=$WORK/bin

# ---- helpers

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" "$2"; }

# ---- the peer: @duckdb/node-api from npm, into the cache, never into the repository

npm_peers "$CACHE" @duckdb/node-api
# The script runs from the temporary directory, its imports resolved through a link to
# the cache's node_modules.
mkdir -p "$WORK/duckdb"
cp "$SRC/tests/bench/window_duckdb.mjs" "$WORK/duckdb/"
ln -s "$CACHE/node_modules" "$WORK/duckdb/node_modules"

# ---- the workload and the programs

DATA=$WORK/rides.jsonl
"$BIN/wildrydes" --rate max --records "$RECORDS" --seed "$SEED" > "$DATA"
read -r DATA_LINES DATA_BYTES < <(wc -lc < "$DATA")
((DATA_LINES == RECORDS)) || die "wildrydes wrote $DATA_LINES lines, not $RECORDS"
PREFIX=$WORK/prefix.jsonl
head -n "$JQ_RECORDS" "$DATA" > "$PREFIX"
sync  # no writeback of the input during the runs

SELECT='Name, window_start AS StatusTime, sum(Distance) AS Distance, min(MagicPoints) AS MinMagicPoints, max(MagicPoints) AS MaxMagicPoints, min(HealthPoints) AS MinHealthPoints, max(HealthPoints) AS MaxHealthPoints'
KSW=("$BIN/ks-window" --tumbling 1m --by Name --time StatusTime --select "$SELECT")

# The same aggregation in jq: one entry per "Name<TAB>minute", [sum, min, max, min, max].
# (`.[$k] as $a | .[$k] = ...` is jq 1.6's fastest form here: `.[$k] |= ...` took 18×
# as long on 500k lines, setpath([$k]; ...) longer still.)
JQ_PROGRAM='reduce inputs as $r ({};
    ($r.Name + "\t" + $r.StatusTime[0:16]) as $k | .[$k] as $a
    | .[$k] = (if $a == null
        then [$r.Distance, $r.MagicPoints, $r.MagicPoints, $r.HealthPoints, $r.HealthPoints]
        else [$a[0] + $r.Distance,
              ([$a[1], $r.MagicPoints] | min), ([$a[2], $r.MagicPoints] | max),
              ([$a[3], $r.HealthPoints] | min), ([$a[4], $r.HealthPoints] | max)] end))
  | to_entries[] | (.key | split("\t")) as [$name, $minute]
  | {Name: $name, StatusTime: ($minute + ":00.000Z"), Distance: .value[0],
     MinMagicPoints: .value[1], MaxMagicPoints: .value[2],
     MinHealthPoints: .value[3], MaxHealthPoints: .value[4]}'

# ks-window on $1 into $2; peak RSS (KiB) into $WORK/ksw.rss.
ksw_file() { /usr/bin/time -f %M -o "$WORK/ksw.rss" "${KSW[@]}" "$1" > "$2"; }
ksw_pipe() { cat "$DATA" | "${KSW[@]}" > "$WORK/pipe.out"; }
# DuckDB on $DATA into $1; its own report (query_s, rows) into $WORK/duck.json, node's
# peak RSS into $WORK/duck.rss.
duckdb_run() {
  /usr/bin/time -f %M -o "$WORK/duck.rss" \
    node "$WORK/duckdb/window_duckdb.mjs" "$DATA" "$1" "$DUCKDB_THREADS" > "$WORK/duck.json"
}
jq_run() { jq -c -n "$JQ_PROGRAM" "$PREFIX" > "$1"; }

# Compares two outputs of the summary, whatever their row order and time format: the
# same (Name, minute) rows, equal minima and maxima, Distance within 1e-6 relative.
# Prints one line of findings; fails when they differ.
tsv() {
  jq -r '[.Name, (.StatusTime | sub(" "; "T") | .[0:16]), .Distance, .MinMagicPoints,
          .MaxMagicPoints, .MinHealthPoints, .MaxHealthPoints] | @tsv' "$1"
}
compare() {  # $1 $2 files, $3 $4 their names
  tsv "$1" > "$WORK/a.tsv"
  tsv "$2" > "$WORK/b.tsv"
  awk -F'\t' -v A="$3" -v B="$4" '
    function abs(x) { return x < 0 ? -x : x }
    NR == FNR { if (($1 FS $2) in a) dup++; a[$1 FS $2] = $0; na++; next }
    {
      nb++; k = $1 FS $2
      if (!(k in a)) { if (missing++ < 3) print "  only in " B ": " k > "/dev/stderr"; next }
      split(a[k], x, FS); delete a[k]
      d = abs(x[3] - $3) / (abs($3) > 0 ? abs($3) : 1)
      if (d > worst) worst = d
      if (d > 1e-6 || x[4] != $4 || x[5] != $5 || x[6] != $6 || x[7] != $7) {
        if (bad++ < 3) print "  differ at " k ": " A " " a[k] x[3] "," x[4] "," x[5] "," x[6] "," x[7] \
          " vs " B " " $3 "," $4 "," $5 "," $6 "," $7 > "/dev/stderr"
      }
    }
    END {
      for (k in a) if (left++ < 3) print "  only in " A ": " k > "/dev/stderr"
      printf "%s %d rows, %s %d rows; %d differ, %d only in %s, %d only in %s; largest relative Distance difference %.1e\n", \
        A, na, B, nb, bad, missing, B, left, A, worst
      exit (na != nb || bad || missing || left || dup || na == 0)
    }' "$WORK/a.tsv" "$WORK/b.tsv"
}

echo "millrace window bench: $RECORDS Wild Rydes records ($((DATA_BYTES / 1000000)) MB, seed $SEED), $RUNS runs each"
describe_machine "$WORK"
echo "  millrace: $BIN_SRC ($("$BIN/ks-window" --version 2>/dev/null | head -n 1))"
echo "  peers: DuckDB $(node -e "console.log(require('$CACHE/node_modules/@duckdb/node-api/package.json').version)") (@duckdb/node-api, node $(node --version), threads=$DUCKDB_THREADS); $(jq --version)"
echo

# ---- the outputs agree (untimed; this also brings the file into the page cache)

echo "check: outputs agree"
ksw_file "$DATA" "$WORK/ksw.out" || die "ks-window failed"
duckdb_run "$WORK/duck.out" || die "DuckDB failed"
compare "$WORK/ksw.out" "$WORK/duck.out" ks-window DuckDB | sed 's/^/   /' ||
  die "ks-window and DuckDB disagree"
duck_rows=$(json_field rows "$WORK/duck.json")
[[ $duck_rows == "$(wc -l < "$WORK/duck.out")" ]] || die "DuckDB reports $duck_rows rows"
"${KSW[@]}" "$PREFIX" > "$WORK/ksw-prefix.out"
jq_run "$WORK/jq.out"
compare "$WORK/ksw-prefix.out" "$WORK/jq.out" "ks-window (prefix)" jq | sed 's/^/   /' ||
  die "ks-window and jq disagree on the first $JQ_RECORDS lines"
WINDOWS=$(wc -l < "$WORK/ksw.out")

# ---- the runs

declare -A R  # R[key] = value
echo "runs: ks-window file, DuckDB, cat | ks-window, jq ($JQ_RECORDS lines), alternating"
ksw_s=() duck_q=() duck_w=() pipe_s=() jq_s=() ksw_kb=() duck_kb=()
for ((i = 1; i <= RUNS; i++)); do
  timed ksw_file "$DATA" "$WORK/ksw.out"
  ksw_s+=("$ELAPSED") ksw_kb+=("$(tail -n 1 "$WORK/ksw.rss")")
  timed duckdb_run "$WORK/duck.out"
  duck_w+=("$ELAPSED") duck_q+=("$(json_field query_s "$WORK/duck.json")")
  duck_kb+=("$(tail -n 1 "$WORK/duck.rss")")
  timed ksw_pipe
  pipe_s+=("$ELAPSED")
  timed jq_run "$WORK/jq.out"
  jq_s+=("$ELAPSED")
  printf '   run %d: ks-window %.3f s; DuckDB query %.3f s (node %.3f s); cat | ks-window %.3f s; jq %.3f s\n' \
    "$i" "${ksw_s[i - 1]}" "${duck_q[i - 1]}" "${duck_w[i - 1]}" "${pipe_s[i - 1]}" "${jq_s[i - 1]}"
done
R[ksw]=$(rate "$RECORDS" "$(median "${ksw_s[@]}")")
R[duck]=$(rate "$RECORDS" "$(median "${duck_q[@]}")")
R[duck_node]=$(rate "$RECORDS" "$(median "${duck_w[@]}")")
R[pipe]=$(rate "$RECORDS" "$(median "${pipe_s[@]}")")
R[jq]=$(rate "$JQ_RECORDS" "$(median "${jq_s[@]}")")
R[ksw_kb]=$(maximum "${ksw_kb[@]}")
R[duck_kb]=$(maximum "${duck_kb[@]}")
echo

# ---- the table

row() { printf '%-36s %-14s %-26s %-7s %-20s %s\n' "$@"; }
v() { echo "${R[$1]:-}"; }

r_duck=$(ratio "$(v ksw)" "$(v duck)")
r_jq=$(ratio "$(v ksw)" "$(v jq)")
row "measurement" "ks-window" "peer" "ratio" "target" "verdict"
row "-----------" "---------" "----" "-----" "------" "-------"
row "a. file, event time" "$(human_rate "$(v ksw)")" "$(human_rate "$(v duck)") DuckDB" "${r_duck}x" ">= 1.3x DuckDB" \
  "$(verdict "ge $r_duck 1.3")"
row "   DuckDB with node's start" "" "$(human_rate "$(v duck_node)") node" "$(ratio "$(v ksw)" "$(v duck_node)")x" "(reference)" ""
row "b. vs jq ($((JQ_RECORDS / 1000))k-line prefix, scaled)" "$(human_rate "$(v ksw)")" "$(human_rate "$(v jq)") jq" "${r_jq}x" ">= 50x jq" \
  "$(verdict "ge $r_jq 50")"
row "c. cat | ks-window" "$(human_rate "$(v pipe)")" "" "" ">= 4M rec/s" "$(verdict "ge $(v pipe) 4000000")"
row "d. peak RSS, $WINDOWS windows" "$(mib "$(v ksw_kb)") MiB" "$(mib "$(v duck_kb)") MiB node+DuckDB" "" "well under 200 MiB" \
  "$(verdict "le $(v ksw_kb) 102400")"
echo
echo "medians of $RUNS runs (memory: the largest); DuckDB's rate is its query alone, timed inside node;"
echo "jq's rate is measured on the first $JQ_RECORDS lines and is per record."
if [[ -e $WORK/missed && ${BENCH_STRICT:-0} == 1 ]]; then exit 1; fi
exit 0
