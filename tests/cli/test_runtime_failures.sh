#!/usr/bin/env bash
# Behaviour: a handler in a warm runtime fails as an --exec handler does, and ks-consume gives
# the same outcomes: every record handled exactly once or sent to --on-failure, none lost,
# none handled twice after a success. The handler (tests/tools/records_handler.py) logs what it
# sees and handles, per process; records ask it to fail (see that file). Batches are the
# --batch-size records of a shard from its start on (ks-put -k id, read back in each shard's
# order), so which records are retried, and which fail together, follows from the input:
#  - throw:    an exception once (retried: all handled), and always (--retries 1: its batch in
#              the failure stream, with 2 attempts, Unhandled);
#  - partial:  a partial batch response (batchItemFailures) once: the records before it
#              handled once, it and the rest of its batch retried;
#  - timeout:  --timeout 1s, the handler sleeping: killed with its process group, a new runtime
#              started, the batch retried;
#  - crash:    the runtime exits in the middle of a batch: its last lines reach stderr, a new
#              runtime, the batch retried;
#  - bisect:   --bisect isolates a record that always fails: a failure record for it alone;
#  - no start: a handler that cannot load (the runtime posts /init/error) with --retries 1: every
#              batch to --on-failure, the runtime restarted with a back-off (far fewer starts than
#              a loop would make, further and further apart); one that exits before its first
#              `next`, over 2 s of --follow: a few starts, nothing handled, nothing checkpointed;
#  - stop:     SIGTERM while a batch waits for the runtime's restart (its back-off at 5 s): ks-consume
#              exits at once, the batch left for a restart;
#  - parallel: --parallel 4 over 4 shards: 4 warm runtimes serve some 100 events (a fifth
#              after a crash);
#  - slow stderr: --parallel 4 over 6 shards, ks-consume's stderr read only after 1 s, one
#              handler writing 200 KB to it: every line still carries its own event's shard.
# In every case, the handler's return values are ks-consume's stdout, its stdout and stderr
# lines come to ks-consume's stderr prefixed with their shard's id, and the group is
# checkpointed past everything.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/runtime_helpers.sh"
need_tool timeout

cd "$TMP"
export AWS_REGION=us-east-1

# The ways a handler runs. A kind names the runtime that runs the handler files of fn/ and how
# ks-consume is told of it (kind_options); each case runs once per kind.
#   custom: tests/tools/strict_runtime.py by --runtime-cmd, checking the Runtime API as it goes.
KINDS=(custom)

# handler_files KIND: the handlers of the cases in fn/: records_handler (the one of
# runtime_helpers.sh), broken (raises "this module cannot load" when it is loaded), exits
# (writes "exiting at load" on stderr and exits 2 when it is loaded); each writes its start
# file as it is loaded, as records_handler does. Sets LOAD_LINE, the line the runtime writes
# when a handler cannot load, and LOAD_ERROR, how ks-consume reports the invocation that
# failed with it.
handler_files() {
  local start='import os, sys, time
with open(os.path.join(os.environ["RECORDS_LOG"], f"start.{os.getpid()}"), "a") as f:
    f.write(f"{int(time.time() * 1000)}\n")'
  case $1 in
    custom)
      function_dir fn
      printf '%s\nraise RuntimeError("this module cannot load")\n' "$start" >fn/broken.py
      printf '%s\nprint("exiting at load", file=sys.stderr, flush=True)\nos._exit(2)\n' "$start" >fn/exits.py
      LOAD_LINE="strict_runtime: cannot load the handler"
      LOAD_ERROR="handler Runtime.ImportModuleError: this module cannot load"
      ;;
  esac
}

# kind_options KIND NAME HANDLER TIMEOUT_MS BATCH [ks-consume option]...: sets OPTIONS to
# ks-consume's options for the case NAME (its stream and group; $TMP/NAME its handler's log):
# the handler HANDLER (FILE.FUNCTION in fn/) run as KIND, --timeout TIMEOUT_MS ms, --batch-size
# BATCH, and the options given.
kind_options() {
  local kind=$1 name=$2 handler=$3 timeout_ms=$4 batch=$5 log=$TMP/$2
  shift 5
  mkdir -p "$log"
  OPTIONS=(--handler "$handler" --code fn --env "RECORDS_LOG=$log" --timeout "${timeout_ms}ms" --batch-size "$batch" "$@")
  case $kind in
    custom)
      OPTIONS+=(--runtime-cmd "$(strict_runtime_cmd "$log" "$name" --function "$name" --region "$AWS_REGION" \
        --memory 128 --timeout-ms "$timeout_ms" --handler "$handler" --batch-size "$batch" --env "RECORDS_LOG=$log")")
      ;;
  esac
}

# new_stream NAME SHARDS N [K=ACT]...: the case's stream with records 1..N (see records_input),
# its input in NAME.jsonl, each shard's order in NAME.order, and a failure stream NAME-fails.
new_stream() {
  local name=$1 shards=$2
  shift 2
  records_input "$@" >"$name.jsonl"
  shard create "$name" --shards "$shards" >/dev/null || fail "ks-shard create $name failed"
  shard create "$name-fails" --shards 1 >/dev/null || fail "ks-shard create $name-fails failed"
  put -s "$name" -k id "$name.jsonl" || fail "ks-put $name failed"
  shard_order "$name" "$name.order"
}

# batch_of ORDER N SIZE: the numbers of the batch of SIZE records that holds record N, the
# shard's batches taken from its first record on.
batch_of() {
  awk -v n="$2" -v size="$3" '{ i = count[$1]++; b = int(i / size); batch[$1, b] = batch[$1, b] " " $3
                                if ($3 == n) { s = $1; nb = b } }
                              END { print substr(batch[s, nb], 2) }' "$1" | tr ' ' '\n'
}

# span_of: "FIRST LAST COUNT" of the numbers on stdin (one a line, a batch's in order).
span_of() { awk 'NR == 1 { f = $1 } { l = $1; c++ } END { print f, l, c }'; }

# run NAME: ks-consume -s NAME -g NAME with OPTIONS (stdout NAME.out, stderr NAME.err); fails
# the test unless it exits 0.
run() {
  local start=$SECONDS
  consume -s "$1" -g "$1" "${OPTIONS[@]}" >"$1.out" 2>"$1.err" ||
    fail "[$1] ks-consume failed (status $?): $(head -c 600 "$1.err")"
  note "[$1] $((SECONDS - start)) s, $(merged "$1" seen | awk '{ print $1 }' | sort -u | count_lines /dev/stdin) events, $(started "$1") runtimes started"
}

# expect_seen NAME N TWICE: each record 1..N seen once by the handler, but those listed in the
# file TWICE (numbers), seen twice.
expect_seen() {
  merged "$1" seen | awk '{ print $4 }' | sort -n | uniq -c | awk '{ print $2, $1 }' >"$1.seen.got"
  seq 1 "$2" | awk 'NR == FNR { twice[$1] = 1; next } { print $1, ($1 in twice) ? 2 : 1 }' "$3" - >"$1.seen.want"
  same_file "$1.seen.want" "$1.seen.got" "[$1] times each record was seen by the handler (number, times)"
}

# expect_outcome NAME N FAILURES: after a run on records 1..N, the batches of FAILURES ("FIRST
# LAST COUNT" lines, see expect_failure_records) are in the failure stream and every other
# record was handled exactly once; the return values on stdout, the prefixed lines on stderr,
# no violation, no request id reused, the group checkpointed.
expect_outcome() {
  local name=$1 n=$2 failures=$3 first last
  expect_no_violations "$name" "$name.err"
  expect_failure_records "$name-fails" "$name.order" "$failures"
  : >"$name.failed.n"
  while read -r first last _; do
    awk -v f="$first" -v l="$last" '$3 == f { on = 1 } on { print $3 } $3 == l { on = 0 }' "$name.order" >>"$name.failed.n"
  done <"$failures"
  seq 1 "$n" | grep -vxFf "$name.failed.n" >"$name.want.n" || true
  expect_handled_once "$name" "$name.want.n" "[$name]"
  expect_shard_order "$name" "[$name]"
  expect_return_values "$name" "$name.out"
  expect_prefixed "$name.err" "$name"
  expect_unique_request_ids "$name"
  assert_eq 0 "$(behind "$name" "$name")" "[$name] RecordsBehind"
}

# ---- the cases, each given the kind ---------------------------------------------------------

case_throw() {
  local g=$1-throw
  new_stream "$g" 2 80 13=throw-once 52=throw
  kind_options "$1" "$g" records_handler.handler 900000 10 --retries 1 --on-failure "$g-fails"
  run "$g"
  batch_of "$g.order" 52 10 | span_of >"$g.failures"
  expect_outcome "$g" 80 "$g.failures"
  { batch_of "$g.order" 13 10; batch_of "$g.order" 52 10; } >"$g.twice"
  expect_seen "$g" 80 "$g.twice"
  grep -q 'handler BadRecord: record 52 is bad' "$g.err" || fail "[$g] no BadRecord error of record 52 on stderr"
}

case_partial() {
  local g=$1-partial
  new_stream "$g" 2 80 27=fail-item-once
  kind_options "$1" "$g" records_handler.handler 900000 10
  run "$g"
  expect_outcome "$g" 80 /dev/null
  batch_of "$g.order" 27 10 | sed -n '/^27$/,$p' >"$g.twice"
  expect_seen "$g" 80 "$g.twice"
  # The records before 27 in its batch were handled by the partial response.
  batch_of "$g.order" 27 10 | sed '/^27$/,$d' | sort >"$g.part.want"
  merged "$g" "done" | awk '$5 == "part" { print $4 }' | sort >"$g.part.got"
  same_file "$g.part.want" "$g.part.got" "[$g] records handled by the partial batch response"
}

case_timeout() {
  local g=$1-timeout pid
  new_stream "$g" 1 30 15=sleep-once
  kind_options "$1" "$g" records_handler.handler 1000 10
  run "$g"
  expect_outcome "$g" 30 /dev/null
  batch_of "$g.order" 15 10 >"$g.twice"
  expect_seen "$g" 30 "$g.twice"
  assert_eq 2 "$(started "$g")" "[$g] runtimes started (the first killed at its deadline)"
  grep -q 'handler Sandbox.Timedout: Task timed out after 1.00 seconds' "$g.err" ||
    fail "[$g] no Sandbox.Timedout on stderr: $(grep -m 3 handler "$g.err")"
  # The runtime killed at its deadline (started first) is gone: dead, at most a zombie (the
  # runtime is /bin/sh's child, reaped by init once sh is killed with its group).
  pid=$(merged "$g" start | sort -n | awk 'NR == 1 { print $NF }')
  [[ ! -e /proc/$pid/stat || $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) == Z ]] ||
    fail "[$g] runtime process $pid, killed at its deadline, is still running"
}

case_crash() {
  local g=$1-crash shard seq
  new_stream "$g" 2 60 33=crash-once
  kind_options "$1" "$g" records_handler.handler 900000 10
  run "$g"
  expect_outcome "$g" 60 /dev/null
  batch_of "$g.order" 33 10 >"$g.twice"
  expect_seen "$g" 60 "$g.twice"
  assert_eq 2 "$(started "$g")" "[$g] runtimes started (one after the crash)"
  read -r shard seq _ < <(awk '$3 == 33' "$g.order")
  grep -qxF "$shard: rt-crash $shard $seq" "$g.err" ||
    fail "[$g] the crashing runtime's last line is not on stderr, prefixed with $shard: $(grep -m 2 rt-crash "$g.err")"
  grep -q 'handler Runtime.ExitError: Runtime exited with error: exit status 3' "$g.err" ||
    fail "[$g] no Runtime.ExitError on stderr: $(grep -m 3 handler "$g.err")"
}

case_bisect() {
  local g=$1-bisect
  new_stream "$g" 2 100 71=throw
  kind_options "$1" "$g" records_handler.handler 900000 10 --bisect --retries 1 --on-failure "$g-fails"
  run "$g"
  echo "71 71 1" >"$g.failures"
  expect_outcome "$g" 100 "$g.failures"
}

case_init_error() {
  local g=$1-init starts span last_gap
  new_stream "$g" 1 30
  kind_options "$1" "$g" broken.handler 900000 10 --retries 1 --on-failure "$g-fails"
  run "$g"
  printf '%s\n' "1 10 10" "11 20 10" "21 30 10" >"$g.failures"
  expect_outcome "$g" 30 "$g.failures"
  # 3 batches, 2 attempts each: each start fails one waiting invocation, and the first, warm,
  # start may come before there is one: 6 or 7 starts, after back-offs of 50, 100, 200, ... ms,
  # the last gaps the longest. Started again at once, they would take a few ms each.
  starts=$(started "$g")
  ((starts >= 6 && starts <= 7)) || fail "[$g] $starts runtimes started, expected 6 or 7 (1 + 2 attempts of 3 batches)"
  merged "$g" start | awk '{ print $1 }' | sort -n >"$g.starts"
  span=$(awk 'NR == 1 { f = $1 } { l = $1 } END { print l - f }' "$g.starts")
  last_gap=$(tail -n 2 "$g.starts" | awk 'NR == 1 { f = $1 } END { print $1 - f }')
  ((span >= 1500)) || fail "[$g] $starts starts in $span ms: no back-off (50 + 100 + ... ms is at least 1550 ms)"
  ((last_gap >= 400)) || fail "[$g] the last restart came $last_gap ms after the one before: no back-off"
  assert_eq "$starts" "$(grep -cF "$g: $LOAD_LINE" "$g.err")" \
    "[$g] the runtime's lines on stderr, prefixed with the function's name, one per start"
  grep -qF "$LOAD_ERROR" "$g.err" || fail "[$g] no '$LOAD_ERROR' on stderr: $(grep -m 3 handler "$g.err")"
}

case_exit_at_start() {
  local g=$1-exits starts lines
  new_stream "$g" 1 30
  kind_options "$1" "$g" exits.handler 900000 10 -f
  # 2 s of a runtime that exits before asking for an event, retried without end: starts after
  # 0, 50, 150, 350, 750, 1550 ms (and the batch's own back-off): about 6, never dozens.
  local start=$SECONDS
  timeout --preserve-status -k 20 -s TERM 2 "$MILLRACE_BIN/ks-consume" -S "$STORE" -s "$g" -g "$g" "${OPTIONS[@]}" \
    >"$g.out" 2>"$g.err" &
  bg_register $!
  wait_exit $! 20 "[$g] ks-consume -f after SIGTERM"
  starts=$(started "$g")
  note "[$g] $starts runtimes started in 2 s, ended $((SECONDS - start)) s after the start, status $WAIT_RC"
  assert_eq 0 "$WAIT_RC" "[$g] the exit status of ks-consume -f stopped by SIGTERM"
  ((starts >= 2 && starts <= 9)) || fail "[$g] $starts runtimes started in 2 s, expected 2 to 9 with a back-off from 50 ms"
  assert_eq 0 "$(merged "$g" seen | count_lines /dev/stdin)" "[$g] records the handler got"
  assert_eq 0 "$(consume -s "$g-fails" | count_lines /dev/stdin)" "[$g] failure records (retries without end)"
  assert_eq 30 "$(behind "$g" "$g")" "[$g] RecordsBehind (nothing handled, nothing checkpointed)"
  lines=$(grep -c "^$g: exiting at load" "$g.err" || true)
  ((lines >= starts)) || fail "[$g] $lines lines 'exiting at load' on stderr for $starts starts"
}

case_stop_in_backoff() {
  local g=$1-stop pid i t0 ms
  new_stream "$g" 1 2
  kind_options "$1" "$g" exits.handler 900000 1 --retries 6
  # The first record's 7 attempts each start a runtime that exits at once: the back-off before
  # the runtime's next start reaches its 5 s, and the second record waits for it. A stop then
  # ends the wait at once: ks-consume exits without starting a runtime again.
  "$MILLRACE_BIN/ks-consume" -S "$STORE" -s "$g" -g "$g" "${OPTIONS[@]}" >"$g.out" 2>"$g.err" &
  pid=$!
  bg_register "$pid"
  for ((i = 0; i < 400; i++)); do
    grep -q "given up" "$g.err" && break
    sleep 0.05
  done
  grep -q "given up" "$g.err" || fail "[$g] the first record was not given up: $(tail -n 3 "$g.err")"
  sleep 0.3
  t0=$(date +%s%N)
  kill -TERM "$pid"
  wait_exit "$pid" 20 "[$g] ks-consume after SIGTERM"
  ms=$((($(date +%s%N) - t0) / 1000000))
  note "[$g] stopped $ms ms after SIGTERM, status $WAIT_RC"
  assert_eq 0 "$WAIT_RC" "[$g] the exit status of ks-consume stopped by SIGTERM"
  ((ms < 1500)) || fail "[$g] ks-consume took $ms ms to stop: it waited for the runtime's restart back-off"
  assert_eq 1 "$(behind "$g" "$g")" "[$g] RecordsBehind (the second record, left for a restart)"
}

case_parallel() {
  local g=$1-parallel events servers
  new_stream "$g" 4 400 150=crash-once
  kind_options "$1" "$g" records_handler.handler 900000 5 --parallel 4
  run "$g"
  expect_outcome "$g" 400 /dev/null
  batch_of "$g.order" 150 5 >"$g.twice"
  expect_seen "$g" 400 "$g.twice"
  # Warm: every event was served by one of the 4 runtimes, or by one started after the crash
  # (when it was wanted: the others may have served everything; and one that is slow to start
  # may find nothing left), each serving many.
  events=$(merged "$g" seen | awk '{ print $1 }' | sort -u | count_lines /dev/stdin)
  servers=$(served "$g")
  ((servers >= 2 && servers <= 5)) || fail "[$g] $servers runtimes served events, expected 2 to 4 (and one after the crash)"
  expect_at_most 5 "$(started "$g")" "[$g] runtimes started"
  ((events >= 81)) || fail "[$g] $events events for 400 records in batches of 5"
}

case_slow_stderr() {
  local g=$1-slow shard seq
  new_stream "$g" 6 400 7=noisy
  kind_options "$1" "$g" records_handler.handler 900000 3 --parallel 4
  # While the stderr pipe is full, the runtimes go on with their events and their own pipes
  # fill with lines of several shards.
  mkfifo "$g.fifo"
  { sleep 1; cat; } <"$g.fifo" >"$g.err" &
  bg_register $!
  consume -s "$g" -g "$g" "${OPTIONS[@]}" >"$g.out" 2>"$g.fifo" || fail "[$g] ks-consume failed (status $?)"
  wait_exit $! 10 "[$g] the reader of ks-consume's stderr"
  expect_outcome "$g" 400 /dev/null
  read -r shard seq _ < <(awk '$3 == 7' "$g.order")
  assert_eq 2000 "$(grep -c "^$shard: rt-noise $shard " "$g.err")" "[$g] the noisy handler's lines, prefixed with $shard"
}

for kind in "${KINDS[@]}"; do
  rm -rf fn
  handler_files "$kind"
  for c in throw partial timeout crash bisect init_error exit_at_start stop_in_backoff parallel slow_stderr; do
    "case_$c" "$kind"
  done
done

note "ok"
