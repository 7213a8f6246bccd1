#!/usr/bin/env bash
# Behaviour: a buffer becomes an object once --buffer-interval has passed, even while the input
# stays open and idle; SIGTERM writes every buffer still open and exits 0; a buffer interval of
# 0 writes what each read brings.
source "$(dirname "$0")/common.sh"
need_tool zstd

mkfifo "$TMP/fifo"
"$MILLRACE_BIN/fh-archive" -d "$TMP/b" --buffer-interval 1s "$TMP/fifo" 2>"$TMP/archive.err" &
pid=$!
bg_register "$pid"
exec 3>"$TMP/fifo"
printf '{"n":1}\n{"n":2}\n{"n":3}\n' >&3
start=$EPOCHREALTIME
objects=()
for ((i = 0; i < 60; i++)); do
  mapfile -t objects < <(find "$TMP/b" -name '*.zst' 2>/dev/null)
  ((${#objects[@]} > 0)) && break
  sleep 0.1
done
((${#objects[@]} == 1)) || fail "no object 6 s after a 1 s interval with the input idle and open"
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
kill -0 "$pid" 2>/dev/null || fail "fh-archive ended although its input is open"
printf '{"n":1}\n{"n":2}\n{"n":3}\n' >"$TMP/first"
zstd -dc "${objects[0]}" >"$TMP/got"
same_file "$TMP/first" "$TMP/got" "the object written on the interval"
note "first object after ${elapsed}s of idle input"

# More lines, then SIGTERM: they are written before the exit, which is 0.
printf '{"n":4}\n{"n":5}\n' >&3
sleep 0.2
kill -TERM "$pid"
wait_exit "$pid" 10 "fh-archive after SIGTERM"
exec 3>&-
assert_eq 0 "$WAIT_RC" "exit status after SIGTERM"
"$MILLRACE_BIN/fh-cat" -d "$TMP/b" >"$TMP/all"
printf '{"n":%d}\n' 1 2 3 4 5 >"$TMP/want"
same_file "$TMP/want" "$TMP/all" "every line, in time order, after SIGTERM"

# --buffer-interval 0: an object per read, here per line written with a pause.
mkfifo "$TMP/fifo0"
"$MILLRACE_BIN/fh-archive" -d "$TMP/zero" --buffer-interval 0s "$TMP/fifo0" &
pid=$!
bg_register "$pid"
exec 4>"$TMP/fifo0"
for n in 1 2 3; do
  printf '{"n":%d}\n' "$n" >&4
  sleep 0.3
done
exec 4>&-
wait_exit "$pid" 10 "fh-archive --buffer-interval 0"
assert_eq 0 "$WAIT_RC" "exit status at end of input"
assert_eq 3 "$(find "$TMP/zero" -name '*.zst' | wc -l | tr -d ' ')" "objects with a zero interval"

expect_status 64 "interval over 900s" "$MILLRACE_BIN/fh-archive" -d "$TMP/x" --buffer-interval 901s /dev/null
expect_status 64 "buffer under 1MiB" "$MILLRACE_BIN/fh-archive" -d "$TMP/x" --buffer-size 1000KiB /dev/null
note ok
