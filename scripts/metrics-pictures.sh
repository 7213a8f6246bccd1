#!/usr/bin/env bash
# scripts/metrics-pictures.sh — the pictures of cw-stats in the docs, drawn by the real programs.
#
# usage: scripts/metrics-pictures.sh [OUTDIR]
#
# Runs the Wild Rydes pipeline of millrace(7) minute by minute over 45 minutes of simulated
# time (MILLRACE_NOW), in a scratch store: a herd that grows from 60 to 240 unicorns and
# shrinks again, put into `wildrydes`; a summary group whose window feeds `wildrydes-summary`
# and that reads at most 900 records a minute, so that it falls behind at the peak and catches
# up after; the summaries into the table UnicornSensorData and to a function `alerts` that
# fails one batch in seven; the raw stream archived by fh-archive. Then writes to OUTDIR
# (default: a temporary directory, named on stderr):
#   plot.txt        cw-stats --plot of IncomingRecords of both streams, 68x18 (cw-stats(1))
#   dashboard.txt   cw-stats --dashboard, 110x32 (README)
#   dashboard.svg   cw-stats --dashboard --svg (docs/dashboard.svg)
# Needs the binaries in MILLRACE_BIN (default <repo>/build) and script(1).
set -euo pipefail
export LC_ALL=C.UTF-8 NO_COLOR=1 TERM=xterm

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" && pwd)
OUT=${1:-$(mktemp -d "${TMPDIR:-/tmp}/millrace-pictures.XXXXXX")}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/millrace-pictures-work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
export KS_STORE=$WORK/store
START=2026-11-23T09:00
# at MINUTE SECOND: the time of that second of that minute after START.
at() { printf '%s:%02dZ' "$(date -u -d "${START}Z + $1 minutes" +%FT%H:%M)" "$2"; }

"$BIN/ks-shard" create wildrydes --shards 4 >/dev/null
"$BIN/ks-shard" create wildrydes-summary --shards 1 >/dev/null
summary='Name, window_start AS StatusTime, sum(Distance) AS Distance, min(HealthPoints) AS MinHealthPoints'
cat >"$WORK/alerts.sh" <<'EOS'
# A handler that takes a little longer as batches grow, and fails one batch in seven.
n=$(wc -l)
echo x >>"$ALERTS_RUNS"
sleep "0.0$(( n % 9 + 1 ))"
[ $(( $(wc -l <"$ALERTS_RUNS") % 7 )) -ne 0 ]
EOS
export ALERTS_RUNS=$WORK/alerts.runs
: >"$ALERTS_RUNS"

for minute in $(seq 0 44); do
  # The herd: 60 unicorns, up to 240 at minute 22, back to 60; each reports every 6 seconds.
  unicorns=$(awk -v m="$minute" 'BEGIN { x = (m - 22) / 11; printf "%d", 60 + 180 * exp(-x * x) }')
  "$BIN/wildrydes" --rate max --unicorns "$unicorns" --seconds 6 --seed "$((minute + 1))" \
    --start "$(at "$minute" 0)" | MILLRACE_NOW=$(at "$minute" 10) "$BIN/ks-put" -s wildrydes -k Name
  export MILLRACE_NOW
  MILLRACE_NOW=$(at "$minute" 50)
  "$BIN/ks-consume" -s wildrydes -g summary -n 900 |
    "$BIN/ks-window" --tumbling 1m --time StatusTime --by Name --select "$summary" |
    "$BIN/ks-put" -s wildrydes-summary -k Name
  "$BIN/ks-consume" -s wildrydes-summary -g table |
    "$BIN/kv-put" -t UnicornSensorData -k Name --sort-key StatusTime --create -q
  "$BIN/ks-consume" -s wildrydes-summary -g alerts --exec "sh $WORK/alerts.sh" --batch-size 50 --retries 2 >/dev/null 2>&1 || true
  "$BIN/fh-archive" -s wildrydes -g archive -d "$WORK/bucket" -q
  unset MILLRACE_NOW
done

# on_terminal COLUMNS ROWS CMD...: CMD with its stdout on a terminal of that size.
on_terminal() {
  local columns=$1 rows=$2
  shift 2
  script -qec "stty cols $columns rows $rows; $(printf '%q ' "$@")" /dev/null | sed -e 's/\r$//' -e 's/ *$//'
}
export MILLRACE_NOW
MILLRACE_NOW=$(at 45 0)
on_terminal 68 19 "$BIN/cw-stats" --metric IncomingRecords --dimension StreamName --since 45m --plot >"$OUT/plot.txt"
on_terminal 110 33 "$BIN/cw-stats" --dashboard --since 45m >"$OUT/dashboard.txt"
"$BIN/cw-stats" --dashboard --since 45m --svg "$OUT/dashboard.svg"
echo "metrics-pictures.sh: pictures in $OUT" >&2
