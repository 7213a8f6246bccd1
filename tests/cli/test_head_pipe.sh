#!/usr/bin/env bash
# Behaviour: a closed stdout (`| head -n 1`) ends ks-consume quietly: status 0, nothing on
# stderr, in every output format and while following.
source "$(dirname "$0")/common.sh"

# Enough records that the output is far larger than a pipe buffer (64 KiB): the
# writer must meet EPIPE, not finish first.
gen_numbered 50000 >"$TMP/in.jsonl"
shard create pipe --shards 1 >/dev/null || fail "ks-shard create pipe failed"
put -s pipe "$TMP/in.jsonl" || fail "ks-put failed"
first=$(head -n 1 "$TMP/in.jsonl")

check_quiet() { # check_quiet DESCRIPTION -- the pipeline has run; inspects PIPESTATUS copy
  local what=$1 st=$2 line=$3
  [[ $st == 0 ]] || fail "$what: ks-consume exited $st when head closed the pipe; stderr: $(head -c 400 "$TMP/err")"
  [[ ! -s $TMP/err ]] || fail "$what: ks-consume wrote to stderr when head closed the pipe: $(head -c 400 "$TMP/err")"
  [[ -n $line ]] || fail "$what: head got no line"
}

line=$(timeout 60 "$MILLRACE_BIN/ks-consume" -S "$STORE" -s pipe 2>"$TMP/err" | head -n 1; echo "${PIPESTATUS[0]}" >"$TMP/st")
check_quiet "--format data" "$(cat "$TMP/st")" "$line"
assert_eq "$first" "$line" "first line through head"

line=$(timeout 60 "$MILLRACE_BIN/ks-consume" -S "$STORE" -s pipe --format envelope 2>"$TMP/err" | head -n 1; echo "${PIPESTATUS[0]}" >"$TMP/st")
check_quiet "--format envelope" "$(cat "$TMP/st")" "$line"
assert_eq "$first" "$(jq -c .data <<<"$line")" "first envelope's data through head"

line=$(timeout 60 "$MILLRACE_BIN/ks-consume" -S "$STORE" -s pipe --format lambda --batch-size 10 2>"$TMP/err" | head -n 1; echo "${PIPESTATUS[0]}" >"$TMP/st")
check_quiet "--format lambda" "$(cat "$TMP/st")" "$line"
assert_eq 10 "$(jq '.Records | length' <<<"$line")" "records in the first lambda batch"

# Following: the backlog is larger than a pipe buffer, so EPIPE comes before any idle wait;
# it must end the follower at once (well before --idle-exit 30s or the 20 s timeout).
start=$(date +%s)
line=$(timeout 20 "$MILLRACE_BIN/ks-consume" -S "$STORE" -s pipe -f --idle-exit 30s 2>"$TMP/err" | head -n 1; echo "${PIPESTATUS[0]}" >"$TMP/st")
check_quiet "-f (following)" "$(cat "$TMP/st")" "$line"
elapsed=$(($(date +%s) - start))
[[ $elapsed -lt 15 ]] || fail "-f: the follower took ${elapsed}s to end after head closed the pipe"

# With a group: quiet too, and the checkpoint never passes what was delivered (a restart
# reads on from some point at or before where head stopped, without losing records).
line=$(timeout 60 "$MILLRACE_BIN/ks-consume" -S "$STORE" -s pipe -g G 2>"$TMP/err" | head -n 1; echo "${PIPESTATUS[0]}" >"$TMP/st")
check_quiet "-g G" "$(cat "$TMP/st")" "$line"
consume -s pipe -g G >"$TMP/rest" || fail "ks-consume -g G (after head) failed"
n=$(count_lines "$TMP/rest")
[[ $n -ge 1 ]] || fail "-g G: nothing left after head took one line"
tail -n "$n" "$TMP/in.jsonl" >"$TMP/tail"
same_file "$TMP/tail" "$TMP/rest" "-g G: the rest after a closed pipe is a suffix of the input"

note "ok"
