#!/usr/bin/env bash
# Behaviour: a ks-put killed with SIGKILL while writing leaves exactly a prefix of its input
# in the stream (every commit whole, in order, nothing after a gap), and the store stays
# usable: a later put appends after that prefix.
source "$(dirname "$0")/common.sh"

lines=${MILLRACE_TEST_KILL_LINES:-3000000}
awk -v n="$lines" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"n\":%d,\"p\":\"kill-nine\"}\n", i }' >"$TMP/in.jsonl"
gen_numbered 1000 after >"$TMP/after.jsonl"

mid=0
run=0
# delay (s) before SIGKILL, and the sync mode
for spec in "0.1 full" "0.3 full" "0.6 full" "1.0 full" "0.3 none" "0.05 full"; do
  read -r delay sync <<<"$spec"
  run=$((run + 1))
  s=k$run
  shard create "$s" --shards 1 >/dev/null || fail "ks-shard create $s failed"
  "$MILLRACE_BIN/ks-put" -S "$STORE" -s "$s" --sync "$sync" "$TMP/in.jsonl" 2>"$TMP/put.err" &
  pid=$!
  bg_register "$pid"
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  rc=0
  wait "$pid" 2>/dev/null || rc=$?

  consume -s "$s" >"$TMP/out" 2>"$TMP/consume.err" ||
    fail "run $run: ks-consume after kill -9 failed: $(head -c 400 "$TMP/consume.err")"
  n=$(count_lines "$TMP/out")
  head -n "$n" "$TMP/in.jsonl" >"$TMP/prefix"
  same_file "$TMP/prefix" "$TMP/out" "run $run (kill after ${delay}s, --sync $sync): stream is not a prefix of the input"
  if [[ $rc == 0 ]]; then
    note "run $run: ks-put finished before the kill (${delay}s); $n records"
    assert_eq "$lines" "$n" "run $run: records after a complete put"
  else
    note "run $run: killed after ${delay}s (status $rc) with $n of $lines records committed"
    [[ $n -gt 0 && $n -lt $lines ]] && mid=$((mid + 1))
  fi

  # The store is usable after the kill: a new put appends right after the prefix.
  put -s "$s" "$TMP/after.jsonl" 2>"$TMP/put2.err" ||
    fail "run $run: ks-put after kill -9 failed: $(head -c 400 "$TMP/put2.err")"
  consume -s "$s" >"$TMP/out2" || fail "run $run: ks-consume after the second put failed"
  cat "$TMP/prefix" "$TMP/after.jsonl" >"$TMP/want2"
  same_file "$TMP/want2" "$TMP/out2" "run $run: prefix then the records put after the kill"
done

[[ $mid -ge 2 ]] || fail "only $mid run(s) killed ks-put in the middle of writing; the input ($lines lines) is too small or too large for this machine"
note "ok ($mid runs killed mid-write)"
