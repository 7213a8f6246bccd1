#!/usr/bin/env bash
# Behaviour: the progress line (--progress, or by default on a terminal after a second) is drawn
# on a terminal only: through a pseudo-terminal it shows the counts done, redrawn in place at
# most ten times a second, with percent and a coloured bar when the input size is known
# (NO_COLOR: no colour), and a last line (--progress) or nothing left (default) at the end;
# with stderr a file, nothing at all. For ks-put, kv-put, fh-archive, ks-window, ks-consume and
# ks-shard trim/delete.
source "$(dirname "$0")/common.sh"

PTY=$MILLRACE_SRC/tests/tools/pty_run.py
# on_pty CAPTURE CMD...: CMD with stderr on a pseudo-terminal (captured), stdout to $TMP/out.
on_pty() {
  local capture=$1
  shift
  /usr/bin/python3 "$PTY" --capture "$capture" -- "$@" >"$TMP/out"
}
# plain FILE: the capture with the terminal's CRLF back to LF and colour escapes removed.
plain() { sed -e 's/\r$//' -e $'s/\x1b\\[[0-9;]*m//g' "$1"; }
# last_draw FILE: what the last redraw (after the last carriage return) shows.
last_draw() { tr -d '\n' <"$1" | awk 'BEGIN { RS = "\r" } NF { last = $0 } END { print last }' | sed $'s/\x1b\\[[0-9;]*[mK]//g'; }

seq 1 3000 | awk '{ printf "{\"id\":%d,\"name\":\"rider-%d\"}\n", $1, $1 % 7 }' >"$TMP/in.jsonl"
bytes=$(wc -c <"$TMP/in.jsonl")
put -s rides --create --shards 2 </dev/null

# --progress with a regular file: a last line with every record, the bytes, 100% and a bar.
on_pty "$TMP/put.tty" env NO_COLOR= TERM=xterm "$MILLRACE_BIN/ks-put" -S "$STORE" -s rides -k name --progress "$TMP/in.jsonl"
line=$(last_draw "$TMP/put.tty")
[[ $line == "ks-put: 3,000 records, "*" 100%" ]] || fail "ks-put --progress: last line: $line"
[[ $(tail -c 1 "$TMP/put.tty" | od -An -c | tr -d ' ') == '\n' ]] || fail "ks-put --progress: no newline after the last line"
grep -q $'\x1b\\[36m' "$TMP/put.tty" || fail "ks-put --progress: the bar is not coloured on a colour terminal"
grep -q $'\xe2\x96\x88' "$TMP/put.tty" || fail "ks-put --progress: no bar"
# 3000 lines of $bytes bytes: the byte count as format_value shows it (KiB, 3 significant digits).
expected_size=$(awk -v b="$bytes" 'BEGIN { v = b / 1024; s = sprintf(v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v); sub(/\.?0+$/, "", s); print s " KiB" }')
[[ $line == *", $expected_size, "* ]] || fail "ks-put --progress: size not $expected_size in: $line"

# A warning meanwhile (a bad line skipped) starts on a line of its own: the progress line is
# cleared first, not run into.
{ head -n 1 "$TMP/in.jsonl"; echo '{"id": oops'; tail -n 5 "$TMP/in.jsonl"; } >"$TMP/bad.jsonl"
on_pty "$TMP/bad.tty" env TERM=xterm "$MILLRACE_BIN/ks-put" -S "$STORE" -s rides -k name --progress --on-error skip "$TMP/bad.jsonl"
warning=$(tr -d '\r' <"$TMP/bad.tty" | grep -a "bad.jsonl:2:" | sed $'s/\x1b\\[[0-9;]*[mK]//g' || true)
[[ $(grep -a "bad.jsonl:2:" "$TMP/bad.tty" | awk 'BEGIN { RS = "\r" } NF { last = $0 } END { print last }' |
  sed $'s/\x1b\\[[0-9;]*[mK]//g') == "ks-put: $TMP/bad.jsonl:2: "* ]] || fail "a warning ran into the progress line: $warning"

# NO_COLOR: the same line, no colour escape at all.
on_pty "$TMP/nocolor.tty" env NO_COLOR=1 TERM=xterm "$MILLRACE_BIN/ks-put" -S "$STORE" -s rides -k name --progress "$TMP/in.jsonl"
grep -q $'\x1b\\[[0-9;]*m' "$TMP/nocolor.tty" && fail "NO_COLOR: a colour escape was written"
[[ $(last_draw "$TMP/nocolor.tty") == *" 100%" ]] || fail "NO_COLOR: no last line"

# stderr a file: nothing at all, even with --progress; the records are still put.
expect_status 0 "ks-put --progress 2>file" put -s rides -k name --progress "$TMP/in.jsonl"
[[ ! -s $TMP/err ]] || fail "ks-put --progress wrote to a stderr that is not a terminal: $(od -c "$TMP/err" | head -3)"

# A pipe that brings a line every 20 ms (no size known): redrawn in place, at most ten times a
# second, not at each of the 60 reads; no percent.
head -n 60 "$TMP/in.jsonl" >"$TMP/slow.jsonl"
/usr/bin/python3 "$PTY" --capture "$TMP/slow.tty" --feed "$TMP/slow.jsonl" --interval 0.02 -- \
  env TERM=xterm "$MILLRACE_BIN/ks-put" -S "$STORE" -s rides -k name --progress >"$TMP/out"
draws=$(tr -cd '\r' <"$TMP/slow.tty" | wc -c)
elapsed=$(cat "$TMP/slow.tty.elapsed")
# Draws at 0 s and then 100 ms apart at least: floor(10·elapsed) + 1; the last line, drawn at
# the end whenever it comes: 1 more; the terminal turns its newline into CRLF: 1 more.
max=$(awk -v e="$elapsed" 'BEGIN { printf "%d", int(e * 10) + 3 }')
note "slow pipe: $draws carriage returns in $elapsed s (at most $max)"
((draws >= 5)) || fail "slow pipe: only $draws redraws in $elapsed s"
((draws <= max)) || fail "slow pipe: $draws redraws in $elapsed s, more than ten a second"
[[ $(last_draw "$TMP/slow.tty") == "ks-put: 60 records, "* ]] || fail "slow pipe: last line: $(last_draw "$TMP/slow.tty")"
grep -q '%' "$TMP/slow.tty" && fail "slow pipe: a percent without a known size"

# By default: nothing for quick work; after a second, drawn and then cleared (no line left).
on_pty "$TMP/quick.tty" env TERM=xterm "$MILLRACE_BIN/ks-put" -S "$STORE" -s rides -k name "$TMP/in.jsonl"
[[ ! -s $TMP/quick.tty ]] || fail "default progress drew for quick work: $(od -c "$TMP/quick.tty" | head -3)"
/usr/bin/python3 "$PTY" --capture "$TMP/auto.tty" --feed "$TMP/slow.jsonl" --interval 0.025 -- \
  env TERM=xterm "$MILLRACE_BIN/ks-put" -S "$STORE" -s rides -k name >"$TMP/out"
grep -q 'ks-put: ' "$TMP/auto.tty" || fail "default progress: nothing drawn after a second"
[[ $(tail -c 4 "$TMP/auto.tty" | od -An -tx1 | tr -d ' ') == 0d1b5b4b ]] || fail "default progress: not cleared at the end"

# Data on the same terminal (ks-window's stdout): no default progress, to keep the data whole.
/usr/bin/python3 "$PTY" --capture "$TMP/window.tty" --stdout-pty --feed "$TMP/slow.jsonl" --interval 0.025 -- \
  env TERM=xterm "$MILLRACE_BIN/ks-window" --tumbling 1h --select 'count(*) AS n' >/dev/null
grep -q 'ks-window: ' "$TMP/window.tty" && fail "default progress drawn over data on the same terminal"
grep -q '"n":60' "$TMP/window.tty" || fail "ks-window's data missing: $(plain "$TMP/window.tty")"

# The other programs: their last lines count what they did.
on_pty "$TMP/kv.tty" env TERM=xterm "$MILLRACE_BIN/kv-put" -S "$STORE" -t riders -k id --create --progress "$TMP/in.jsonl"
[[ $(last_draw "$TMP/kv.tty") == "kv-put: 3,000 items, "*" 100%" ]] || fail "kv-put: $(last_draw "$TMP/kv.tty")"
on_pty "$TMP/fh.tty" env TERM=xterm "$MILLRACE_BIN/fh-archive" -d "$TMP/bucket" --progress "$TMP/in.jsonl"
[[ $(last_draw "$TMP/fh.tty") == "fh-archive: 3,000 records, "*" 100%" ]] || fail "fh-archive: $(last_draw "$TMP/fh.tty")"
on_pty "$TMP/win.tty" env TERM=xterm "$MILLRACE_BIN/ks-window" --tumbling 1h --select 'count(*) AS n' --progress "$TMP/in.jsonl"
[[ $(last_draw "$TMP/win.tty") == "ks-window: 3,000 records, "*" 100%" ]] || fail "ks-window: $(last_draw "$TMP/win.tty")"
[[ $(cat "$TMP/out") == *'"n":3000'* ]] || fail "ks-window --progress: output $(cat "$TMP/out")"
# ks-put put the 3000 records 4 times, 60 of them twice and 6 good lines of bad.jsonl: 12126.
on_pty "$TMP/consume.tty" env TERM=xterm "$MILLRACE_BIN/ks-consume" -S "$STORE" -s rides -g readers --progress
[[ $(last_draw "$TMP/consume.tty") == "ks-consume: 12,126 records, "* ]] || fail "ks-consume: $(last_draw "$TMP/consume.tty")"
[[ $(wc -l <"$TMP/out") == 12126 ]] || fail "ks-consume --progress delivered $(wc -l <"$TMP/out") records"
on_pty "$TMP/delete.tty" env TERM=xterm "$MILLRACE_BIN/ks-shard" -S "$STORE" delete rides --progress
[[ $(last_draw "$TMP/delete.tty") == "ks-shard: 12,126 records, "*" 100%" ]] || fail "ks-shard delete: $(last_draw "$TMP/delete.tty")"
note "ok"
