#!/usr/bin/env bash
# tests/bench/backends.sh — the store directory's speed through the programs, against a build
# from before a change (BASELINE_BIN): the programs' engines moved behind the interfaces of
# streams and tables (DESIGN.md, "The store is a directory or an endpoint") must lose nothing.
#
# usage: BASELINE_BIN=DIR tests/bench/backends.sh
#
# The same RECORDS Wild Rydes lines (wildrydes --rate max, seed 1) feed every case; each runs
# RUNS times, the two builds alternating, each run into a fresh store. Reported: the median wall
# time of each build and the ratio (this build's time over the baseline's; above 1 is slower).
#   ks-put       ks-put -s rides -k Name --create --shards 4 FILE (--sync full)
#   ks-consume   ks-consume -s rides >/dev/null, the whole stream
#   exec         ks-consume -s rides -g g --exec 'cat >/dev/null' --batch-size 1000 --sync none
#   kv-put       kv-put -t rides -k Name --sort-key StatusTime --create FILE (--sync full)
#   kv-get       GETS point gets, one kv-get process each
#   ks-shard     GETS ks-shard describe rides, one process each
#
# Environment: BASELINE_BIN (required: a build directory of the revision to compare with),
# MILLRACE_BIN (default <repo>/build), RUNS (5), RECORDS (500000), GETS (200), BENCH_TMP (where
# the temporary directory goes; default $TMPDIR or /tmp). A benchmark, not a test.
set -euo pipefail
export LC_ALL=C
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${MILLRACE_BIN:-$SRC/build}
RUNS=${RUNS:-5}
RECORDS=${RECORDS:-500000}
GETS=${GETS:-200}
die() { echo "backends.sh: $*" >&2; exit 1; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
[[ -n ${BASELINE_BIN-} ]] || die "set BASELINE_BIN to the build directory of the revision to compare with (see --help)"
# shellcheck source=tests/bench/common.sh
source "$SRC/tests/bench/common.sh"

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-backends.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
programs=(ks-put ks-consume ks-shard kv-put kv-get)
# The binaries are copied first: a rebuild meanwhile must not mix two versions into one table.
for build in new base; do
  from=$BIN
  [[ $build == base ]] && from=$BASELINE_BIN
  mkdir -p "$WORK/$build"
  for p in "${programs[@]}"; do
    [[ -x $from/$p ]] || die "$from/$p is not built"
    cp "$from/$p" "$WORK/$build/"
  done
done
"$BIN/wildrydes" --rate max --records "$RECORDS" --seed 1 >"$WORK/rides.jsonl"
head -n "$GETS" "$WORK/rides.jsonl" | jq -r '[.Name, .StatusTime] | @tsv' >"$WORK/keys"

cases=(ks-put ks-consume exec kv-put kv-get ks-shard)
declare -A times
# One run of every case with the programs of $1 into a fresh store.
run_all() {
  local b=$WORK/$1 store=$WORK/store-$1
  rm -rf "$store"
  timed "$b/ks-put" -S "$store" -s rides -k Name --create --shards 4 -q "$WORK/rides.jsonl"
  times[ks-put,$1]+=" $ELAPSED"
  timed sh -c '"$1" -S "$2" -s rides >/dev/null' sh "$b/ks-consume" "$store"
  times[ks-consume,$1]+=" $ELAPSED"
  timed "$b/ks-consume" -S "$store" -s rides -g g --exec 'cat >/dev/null' --batch-size 1000 --sync none -q
  times[exec,$1]+=" $ELAPSED"
  timed "$b/kv-put" -S "$store" -t rides -k Name --sort-key StatusTime --create -q "$WORK/rides.jsonl"
  times[kv-put,$1]+=" $ELAPSED"
  timed sh -c 'while IFS="	" read -r name time; do "$1" -S "$2" -t rides "$name" "$time" >/dev/null || exit 1; done <"$3"' \
    sh "$b/kv-get" "$store" "$WORK/keys"
  times[kv-get,$1]+=" $ELAPSED"
  timed sh -c 'i=0; while [ $i -lt "$3" ]; do "$1" -S "$2" describe rides >/dev/null || exit 1; i=$((i + 1)); done' \
    sh "$b/ks-shard" "$store" "$GETS"
  times[ks-shard,$1]+=" $ELAPSED"
  local n
  n=$("$b/kv-get" -S "$store" -t rides --scan | wc -l)
  ((n == $(jq -r '[.Name, .StatusTime] | @tsv' "$WORK/rides.jsonl" | sort -u | wc -l))) || die "$1: kv-put wrote $n items"
}
for ((run = 1; run <= RUNS; run++)); do
  run_all base
  run_all new
done

echo "backends bench: $RECORDS Wild Rydes records, the store directory, this build against $BASELINE_BIN, $RUNS runs"
describe_machine "$WORK"
printf '  %-11s %10s %10s %8s\n' case baseline this ratio
for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  base=$(median ${times[$c,base]}) new=$(median ${times[$c,new]})
  printf '  %-11s %9.3fs %9.3fs %7sx\n' "$c" "$base" "$new" "$(ratio "$new" "$base")"
done
