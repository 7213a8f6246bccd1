#!/usr/bin/env bash
# tests/bench/table.sh — kv-put and kv-get against Redis and SQLite on Wild Rydes items.
#
# usage: tests/bench/table.sh
#
# One generated file of RECORDS Wild Rydes lines (wildrydes --rate max, seed 1), each an
# item keyed by (Name, StatusTime), feeds every measurement; each runs RUNS times, the
# programs alternating, into fresh stores, and the median is reported.
#   put    kv-put -t UnicornSensorData -k Name --sort-key StatusTime --create (--sync full,
#          the default) vs
#          - redis-cli --pipe of HSET UnicornSensorData:NAME:TIME with the item's attributes
#            as fields, into a fresh redis-server (appendonly yes, appendfsync everysec);
#          - sqlite3 running INSERT OR REPLACE of (Name, StatusTime, item) into a WITHOUT
#            ROWID table keyed by (Name, StatusTime), in one transaction, journal_mode WAL.
#          The commands for both are made before any timing. Targets: ≥ 1M items/s,
#          ≥ 2.5× Redis, ≥ 6× SQLite.
#   get    GETS point gets of random items, one kv-get process each (GetItem), and a query
#          of each unicorn's items (Query): processes per second and items per second,
#          beside a bare process start (/bin/true) in the same run.
# Before any timing, the outputs are checked: the table holds every item (ItemCount and a
# scan against the input), Redis as many hashes and SQLite as many rows.
#
# Environment: MILLRACE_BIN (binaries; default <repo>/build), RUNS (5), RECORDS (1000000),
# GETS (1000), BENCH_TMP (where the temporary directory goes; default $TMPDIR or /tmp).
# Needs redis-server, redis-cli, sqlite3, GNU time. It is a benchmark, not a test.

set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" 2>/dev/null && pwd || echo "${MILLRACE_BIN:-$SRC/build}")
RUNS=${RUNS:-5}
RECORDS=${RECORDS:-1000000}
GETS=${GETS:-1000}

die() { echo "table.sh: $*" >&2; exit 1; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
for b in kv-put kv-get wildrydes; do [[ -x $BIN/$b ]] || die "$BIN/$b not found: build first, or set MILLRACE_BIN"; done
for b in redis-server redis-cli sqlite3; do command -v "$b" >/dev/null || die "$b not found (apt-get install redis-server redis-tools sqlite3)"; done

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-table.XXXXXX")
cleanup() { redis_stop; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The binaries are copied first: a rebuild while the benchmark runs must not mix versions.
mkdir -p "$WORK/bin"
cp "$BIN/kv-put" "$BIN/kv-get" "$BIN/wildrydes" "$WORK/bin/"
BIN_SRC=$BIN
BIN=$WORK/bin

DATA=$WORK/rides.jsonl
"$BIN/wildrydes" --rate max --records "$RECORDS" --seed 1 >"$DATA"
read -r DATA_LINES DATA_BYTES < <(wc -lc <"$DATA")
((DATA_LINES == RECORDS)) || die "wildrydes wrote $DATA_LINES lines, not $RECORDS"

# The peers' commands. The generator's lines are flat objects whose values hold no comma,
# quote or colon-comma, so awk splits them at "," and the first ":".
awk -F, '{
  line = substr($0, 2, length($0) - 2); n = split(line, pair, ",")
  out = ""; name = ""; time = ""
  for (i = 1; i <= n; i++) {
    c = index(pair[i], ":"); k = substr(pair[i], 2, c - 3); v = substr(pair[i], c + 1)
    if (v ~ /^"/) v = substr(v, 2, length(v) - 2)
    if (k == "Name") name = v; else if (k == "StatusTime") time = v
    out = out sprintf("$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v)
  }
  key = "UnicornSensorData:" name ":" time
  printf "*%d\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n%s", 2 + 2 * n, length(key), key, out
}' "$DATA" >"$WORK/hset.resp"
{
  echo "PRAGMA journal_mode=WAL;"
  echo "CREATE TABLE UnicornSensorData (Name TEXT, StatusTime TEXT, item TEXT, PRIMARY KEY (Name, StatusTime)) WITHOUT ROWID;"
  echo "BEGIN;"
  awk -F'"' '{ gsub(/'\''/, "'\'''\''"); printf "INSERT OR REPLACE INTO UnicornSensorData VALUES ('\''%s'\'', '\''%s'\'', '\''%s'\'');\n", $4, $8, $0 }' "$DATA"
  echo "COMMIT;"
} >"$WORK/insert.sql"

echo "millrace table bench: $RECORDS Wild Rydes items ($((DATA_BYTES / 1000000)) MB), $RUNS runs each"
describe_machine "$WORK" "$(redis-server --version | awk '{ print $1, $3 }'); sqlite $(sqlite3 --version | awk '{ print $1 }')"
echo "  millrace: $BIN_SRC ($("$BIN/kv-put" --version | head -n 1))"
echo

STORE=$WORK/store
# Each into a fresh store, removed before the clock starts.
kv_put() { "$BIN/kv-put" -S "$STORE" -t UnicornSensorData -k Name --sort-key StatusTime --create "$DATA"; }
redis_put() { redis-cli -s "$REDIS_SOCK" --pipe <"$WORK/hset.resp" >"$WORK/pipe.out"; }
sqlite_put() { sqlite3 "$WORK/db.sqlite" <"$WORK/insert.sql" >/dev/null; }

echo "a. put: $RUNS runs"
kv=() rd=() sq=()
for ((i = 1; i <= RUNS; i++)); do
  rm -rf "$STORE" && sync
  timed kv_put; kv+=("$ELAPSED")
  redis_stop; redis_start "$WORK/redis"
  timed redis_put; rd+=("$ELAPSED")
  grep -q "errors: 0, replies: $RECORDS" "$WORK/pipe.out" || die "redis-cli --pipe: $(tail -n 1 "$WORK/pipe.out")"
  rm -f "$WORK/db.sqlite"* && sync
  timed sqlite_put; sq+=("$ELAPSED")
  echo "   run $i: kv-put ${kv[i - 1]} s, redis ${rd[i - 1]} s, sqlite ${sq[i - 1]} s"
done
items=$("$BIN/kv-get" -S "$STORE" --describe UnicornSensorData | sed 's/.*"ItemCount":\([0-9]*\).*/\1/')
((items == RECORDS)) || die "the table holds $items items, not $RECORDS"
cmp -s <(sort "$DATA") <("$BIN/kv-get" -S "$STORE" -t UnicornSensorData --scan | sort) || die "a scan differs from the input"
[[ $(redis-cli -s "$REDIS_SOCK" DBSIZE) == "$RECORDS" ]] || die "redis holds $(redis-cli -s "$REDIS_SOCK" DBSIZE) keys"
[[ $(sqlite3 "$WORK/db.sqlite" 'SELECT count(*) FROM UnicornSensorData') == "$RECORDS" ]] || die "sqlite holds another count"
redis_stop
put_kv=$(rate "$RECORDS" "$(median "${kv[@]}")")
put_rd=$(rate "$RECORDS" "$(median "${rd[@]}")")
put_sq=$(rate "$RECORDS" "$(median "${sq[@]}")")

echo "b. get: $GETS point gets and a query per unicorn, $RUNS runs"
shuf -n "$GETS" --random-source=<(yes) "$DATA" | awk -F'"' '{ print $4 "\t" $8 }' >"$WORK/keys"
cut -f1 "$WORK/keys" | sort -u >/dev/null
awk -F'"' '{ print $4 }' "$DATA" | sort -u >"$WORK/names"
gets() { while IFS=$'\t' read -r name time; do "$BIN/kv-get" -S "$STORE" -t UnicornSensorData "$name" "$time"; done <"$WORK/keys" >"$WORK/got"; }
queries() { while IFS= read -r name; do "$BIN/kv-get" -S "$STORE" -t UnicornSensorData --query "$name"; done <"$WORK/names" >"$WORK/queried"; }
starts() { while IFS= read -r _; do /bin/true; done <"$WORK/keys"; }
g=() q=() t=()
for ((i = 1; i <= RUNS; i++)); do
  timed gets; g+=("$ELAPSED")
  timed queries; q+=("$ELAPSED")
  timed starts; t+=("$ELAPSED")
  echo "   run $i: gets ${g[i - 1]} s, queries ${q[i - 1]} s, $GETS bare process starts ${t[i - 1]} s"
done
[[ $(wc -l <"$WORK/got") == "$GETS" ]] || die "the gets found $(wc -l <"$WORK/got") of $GETS items"
[[ $(wc -l <"$WORK/queried") == "$RECORDS" ]] || die "the queries gave $(wc -l <"$WORK/queried") items"
names=$(wc -l <"$WORK/names")
get_rate=$(rate "$GETS" "$(median "${g[@]}")")
start_rate=$(rate "$GETS" "$(median "${t[@]}")")
query_rate=$(rate "$names" "$(median "${q[@]}")")
query_items=$(rate "$RECORDS" "$(median "${q[@]}")")

echo
echo "results (medians of $RUNS):"
printf '  %-44s %14s\n' "kv-put, 1M items by (Name, StatusTime)" "$(human_rate "$put_kv")"
printf '  %-44s %14s   kv-put: %sx (target 2.5x)\n' "Redis HSET (AOF everysec, redis-cli --pipe)" "$(human_rate "$put_rd")" "$(ratio "$put_kv" "$put_rd")"
printf '  %-44s %14s   kv-put: %sx (target 6x)\n' "SQLite INSERT OR REPLACE (WAL, WITHOUT ROWID)" "$(human_rate "$put_sq")" "$(ratio "$put_kv" "$put_sq")"
printf '  %-44s %14s\n' "kv-get point gets (one process each)" "$get_rate/s"
printf '  %-44s %14s\n' "  bare process starts, same loop" "$start_rate/s"
printf '  %-44s %14s   %s items/s\n' "kv-get --query of one unicorn" "$query_rate/s" "$query_items"
ge "$put_kv" 1000000 && ge "$(ratio "$put_kv" "$put_rd")" 2.5 && ge "$(ratio "$put_kv" "$put_sq")" 6 &&
  echo "targets met" || echo "a target is missed"
