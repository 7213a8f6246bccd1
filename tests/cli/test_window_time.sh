#!/usr/bin/env bash
# Behaviour: time in ks-window.
#   - Processing time: a window is emitted when the clock passes its end, with the input idle
#     and still open (a timer, not the next line), and windows are aligned to their size.
#   - Event time (--time) with --lateness 10s: an out-of-order record within the lateness is
#     counted in its window; one whose window has closed is late: counted on stderr and written
#     to --late FILE exactly as it was read; windows close as the watermark passes their end;
#     at end of input every open window is emitted.
#   - --format envelope: windows by the envelope's arrival time "ts" (envelopes made by ks-put
#     under MILLRACE_NOW in two different minutes, read by ks-consume --format envelope), and
#     the record is the envelope's "data".
source "$(dirname "$0")/common.sh"

[[ -x $MILLRACE_BIN/ks-window ]] || fail "binary $MILLRACE_BIN/ks-window not found"
need_tool mkfifo date
win() { "$MILLRACE_BIN/ks-window" "$@"; }
now_ms() { date +%s%3N; }

# wait_lines FILE N SECONDS: wait until FILE has at least N lines; 1 on timeout.
wait_lines() {
  local i
  for ((i = 0; i < $3 * 20; i++)); do
    [[ -f $1 && $(count_lines "$1") -ge $2 ]] && return 0
    sleep 0.05
  done
  return 1
}

# iso_ms ISO: epoch milliseconds of 2026-01-01T10:00:00.000Z (jq: fromdate takes no fraction).
iso_ms() { jq -rn --arg t "$1" '($t | capture("^(?<s>.*T[0-9:]{8})\\.(?<ms>[0-9]{3})Z$")) as $c
  | (($c.s + "Z") | fromdate) * 1000 + ($c.ms | tonumber)'; }

# ---- processing time: windows close on the clock, with the input idle --------------------------
mkfifo "$TMP/fifo"
win --tumbling 2s --select 'window_start, window_end, count(*) AS n' <"$TMP/fifo" >"$TMP/pt.out" 2>"$TMP/pt.err" &
pt_pid=$!
bg_register "$pt_pid"
exec 3>"$TMP/fifo"   # the writer end stays open: the input is idle, not ended
before=$(now_ms)
printf '{"a":1}\n{"a":2}\n' >&3
after=$(now_ms)
# The window holding them ends at most 2 s later; allow for a loaded machine.
sleep 2.5
wait_lines "$TMP/pt.out" 1 6 || {
  exec 3>&-
  fail "processing time: no window emitted $(($(now_ms) - before)) ms after the input went idle (stdin still open); stderr: $(cat "$TMP/pt.err")"
}
kill -0 "$pt_pid" 2>/dev/null || fail "processing time: ks-window ended while its input was still open"
first=$(head -n 1 "$TMP/pt.out")
note "emitted while idle: $first"
start=$(jq -r .window_start <<<"$first")
end=$(jq -r .window_end <<<"$first")
start_ms=$(iso_ms "$start") || fail "window_start '$start' is not ISO 8601 with ms"
end_ms=$(iso_ms "$end") || fail "window_end '$end' is not ISO 8601 with ms"
assert_eq 0 "$((start_ms % 2000))" "processing time: window_start $start aligned to 2s"
assert_eq 2000 "$((end_ms - start_ms))" "processing time: window length"
((start_ms <= after && end_ms > before)) ||
  fail "processing time: window $start..$end does not hold the time the lines were written ($before..$after ms)"
((end_ms <= $(now_ms))) || fail "processing time: window $start..$end emitted before its end"
exec 3>&-   # end of input
wait_exit "$pt_pid" 10 "ks-window after its input ended"
assert_eq 0 "$WAIT_RC" "processing time: exit status"
assert_eq 2 "$(jq -s 'map(.n) | add' "$TMP/pt.out")" "processing time: records over all windows"
assert_eq "$(count_lines "$TMP/pt.out")" "$(jq -r .window_start "$TMP/pt.out" | sort -u | wc -l | tr -d ' ')" \
  "processing time: each window emitted once"

# ---- event time with lateness ------------------------------------------------------------------
# Watermark = the largest event time seen - 10 s.
cat >"$TMP/ev.jsonl" <<'EOF'
{"t":"2026-01-01T10:00:30Z","v":1}
{"t":"2026-01-01T10:01:05Z","v":2}
{"t":"2026-01-01T10:00:58Z","v":4}
{"t":"2026-01-01T10:01:20Z","v":8}
{"t":"2026-01-01T10:00:59Z","v":16}
{"t":"2026-01-01T10:01:12Z","v":32}
{ "t" : "2026-01-01T09:59:00Z",   "v" : 64 }
{"t":"2026-01-01T10:03:00Z","v":128}
EOF
# 10:01:05 makes the watermark 10:00:55: [10:00, 10:01) still open, so 10:00:58 (7 s behind)
# counts there. 10:01:20 makes it 10:01:10: [10:00, 10:01) closes; 10:00:59 (21 s behind) is
# late, 10:01:12 counts in [10:01, 10:02), 09:59:00 is late. 10:03:00 makes it 10:02:50:
# [10:01, 10:02) closes. [10:03, 10:04) is open at the end of input: emitted then.
cat >"$TMP/ev.want" <<'EOF'
{"window_start":"2026-01-01T10:00:00.000Z","n":2,"s":5}
{"window_start":"2026-01-01T10:01:00.000Z","n":3,"s":42}
{"window_start":"2026-01-01T10:03:00.000Z","n":1,"s":128}
EOF
sed -n '5p;7p' "$TMP/ev.jsonl" >"$TMP/late.want"
expect_status 0 "event time with --lateness 10s" win --tumbling 1m --time t --lateness 10s --late "$TMP/late.jsonl" \
  --select 'window_start, count(*) AS n, sum(v) AS s' "$TMP/ev.jsonl"
same_file "$TMP/ev.want" "$TMP/out" "event time with lateness: windows, in order"
same_file "$TMP/late.want" "$TMP/late.jsonl" "--late FILE: the late records exactly as input"
grep -Eq 'late records: 2([^0-9]|$)|(^|[^0-9])2 late records' "$TMP/err" ||
  fail "stderr does not report 2 late records: $(cat "$TMP/err")"

# Without --late the late records are still counted (never silently lost).
expect_status 0 "event time with --lateness 10s, no --late" win --tumbling 1m --time t --lateness 10s \
  --select 'window_start, count(*) AS n, sum(v) AS s' "$TMP/ev.jsonl"
same_file "$TMP/ev.want" "$TMP/out" "event time with lateness (no --late): windows"
grep -Eq 'late records: 2([^0-9]|$)|(^|[^0-9])2 late records' "$TMP/err" ||
  fail "without --late: stderr does not report 2 late records: $(cat "$TMP/err")"

# With no lateness, 10:00:58 after 10:01:05 is late too (its window closed at 10:01:00).
expect_status 0 "event time, lateness 0" win --tumbling 1m --time t --late "$TMP/late0.jsonl" \
  --select 'window_start, count(*) AS n, sum(v) AS s' "$TMP/ev.jsonl"
sed -n '3p;5p;7p' "$TMP/ev.jsonl" >"$TMP/late0.want"
same_file "$TMP/late0.want" "$TMP/late0.jsonl" "--late FILE with lateness 0"
grep -Eq 'late records: 3([^0-9]|$)|(^|[^0-9])3 late records' "$TMP/err" ||
  fail "lateness 0: stderr does not report 3 late records: $(cat "$TMP/err")"

# Event-time windows close as the watermark passes their end, before the input ends.
mkfifo "$TMP/fifo2"
win --tumbling 1m --time t --lateness 10s --select 'window_start, count(*) AS n, sum(v) AS s' \
  <"$TMP/fifo2" >"$TMP/ev-stream.out" 2>"$TMP/ev-stream.err" &
ev_pid=$!
bg_register "$ev_pid"
exec 4>"$TMP/fifo2"
head -n 4 "$TMP/ev.jsonl" >&4   # up to 10:01:20: the watermark passes 10:01:00
wait_lines "$TMP/ev-stream.out" 1 5 || {
  exec 4>&-
  fail "event time: [10:00, 10:01) not emitted once the watermark passed its end (input still open)"
}
assert_eq "$(head -n 1 "$TMP/ev.want")" "$(head -n 1 "$TMP/ev-stream.out")" "event time: first window, emitted before the end"
assert_eq 1 "$(count_lines "$TMP/ev-stream.out")" "event time: windows emitted before their watermark"
tail -n +5 "$TMP/ev.jsonl" >&4
exec 4>&-
wait_exit "$ev_pid" 10 "ks-window (event time) after its input ended"
assert_eq 0 "$WAIT_RC" "event time streamed: exit status"
same_file "$TMP/ev.want" "$TMP/ev-stream.out" "event time streamed: windows"

# ---- envelopes: time is the arrival time "ts", the record is "data" ------------------------------
shard create env --shards 1 >/dev/null || fail "ks-shard create env failed"
# The data's own t and ts are decoys: without --time, only the envelope's ts counts.
printf '%s\n' '{"user":"a","v":1,"t":"2020-01-01T00:00:00Z","ts":"2020-01-01T00:00:00Z"}' \
  '{"user":"b","v":2,"t":"2020-01-01T00:05:00Z"}' |
  MILLRACE_NOW=2026-03-01T09:00:10Z put -s env -k user || fail "ks-put (first minute) failed"
printf '%s\n' '{"user":"a","v":4,"t":"2020-01-01T00:00:30Z"}' |
  MILLRACE_NOW=2026-03-01T09:01:20Z put -s env -k user || fail "ks-put (second minute) failed"
consume -s env --format envelope >"$TMP/env.jsonl" || fail "ks-consume --format envelope failed"
assert_eq 3 "$(count_lines "$TMP/env.jsonl")" "envelopes read back"
jq -e 'has("ts") and has("data")' "$TMP/env.jsonl" >/dev/null || fail "ks-consume output is not envelopes: $(head -n 1 "$TMP/env.jsonl")"
expect_status 0 "--format envelope" win --format envelope --tumbling 1m --by user \
  --select 'user, window_start, count(*) AS n, sum(v) AS s' "$TMP/env.jsonl"
cat >"$TMP/env.want" <<'EOF'
{"user":"a","window_start":"2026-03-01T09:00:00.000Z","n":1,"s":1}
{"user":"b","window_start":"2026-03-01T09:00:00.000Z","n":1,"s":2}
{"user":"a","window_start":"2026-03-01T09:01:00.000Z","n":1,"s":4}
EOF
same_sorted "$TMP/env.want" "$TMP/out" "--format envelope: windows by arrival time, groups from data"
assert_eq '"2026-03-01T09:01:00.000Z"' "$(tail -n 1 "$TMP/out" | jq .window_start)" "--format envelope: windows in order"

# With --time, the field is read from "data".
expect_status 0 "--format envelope --time t" win --format envelope --tumbling 1m --time t --lateness 10m \
  --select 'window_start, count(*) AS n, sum(v) AS s' "$TMP/env.jsonl"
cat >"$TMP/env-t.want" <<'EOF'
{"window_start":"2020-01-01T00:00:00.000Z","n":2,"s":5}
{"window_start":"2020-01-01T00:05:00.000Z","n":1,"s":2}
EOF
same_file "$TMP/env-t.want" "$TMP/out" "--format envelope --time t: event time from data"

note "ok"
