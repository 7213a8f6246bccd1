#!/usr/bin/env bash
# Behaviour: errors of ks-window (spec: exit 64 usage for a bad --select, --where or duration;
# 65 for a bad input line, naming FILE:LINE, after emitting the windows due before it and
# nothing more; --on-error skip warns and goes on; 66 for a missing file).
source "$(dirname "$0")/common.sh"

[[ -x $MILLRACE_BIN/ks-window ]] || fail "binary $MILLRACE_BIN/ks-window not found"
win() { "$MILLRACE_BIN/ks-window" "$@"; }
sel='window_start, count(*) AS n, sum(v) AS s'

# ---- a line that is not JSON -------------------------------------------------------------------
cat >"$TMP/bad.jsonl" <<'EOF'
{"t":"2026-01-01T10:00:10Z","v":1}
{"t":"2026-01-01T10:01:10Z","v":2}
{"t":"2026-01-01T10:01:20Z","v":
{"t":"2026-01-01T10:02:10Z","v":4}
EOF
expect_status 65 "a line that is not JSON (line 3)" win --tumbling 1m --time t --select "$sel" "$TMP/bad.jsonl"
expect_stderr_match 'bad\.jsonl:3([^0-9]|$)' "not JSON: FILE:LINE"
# [10:00, 10:01) was due (the watermark passed 10:01:00 at line 2): emitted before the error;
# [10:01, 10:02) was not due: nothing more is written.
printf '%s\n' '{"window_start":"2026-01-01T10:00:00.000Z","n":1,"s":1}' >"$TMP/due.want"
same_file "$TMP/due.want" "$TMP/out" "not JSON: the windows due before the bad line, and nothing more"

# The same on stdin.
expect_status 65 "a line that is not JSON on stdin" win --tumbling 1m --time t --select "$sel" <"$TMP/bad.jsonl"
expect_stderr_match ':3([^0-9]|$)' "not JSON on stdin: the line number"
same_file "$TMP/due.want" "$TMP/out" "not JSON on stdin: the windows due before the bad line"

# --on-error skip: a warning naming the line, exit 0, every other record in its window.
expect_status 0 "--on-error skip over a line that is not JSON" win --tumbling 1m --time t --on-error skip \
  --select "$sel" "$TMP/bad.jsonl"
expect_stderr_match 'bad\.jsonl:3([^0-9]|$)' "--on-error skip: the warning names FILE:LINE"
printf '%s\n' '{"window_start":"2026-01-01T10:00:00.000Z","n":1,"s":1}' \
  '{"window_start":"2026-01-01T10:01:00.000Z","n":1,"s":2}' \
  '{"window_start":"2026-01-01T10:02:00.000Z","n":1,"s":4}' >"$TMP/skip.want"
same_file "$TMP/skip.want" "$TMP/out" "--on-error skip: the windows without the bad line"

# ---- a value of the wrong type for its aggregate -------------------------------------------------
cat >"$TMP/type.jsonl" <<'EOF'
{"t":"2026-01-01T10:00:10Z","v":1}
{"t":"2026-01-01T10:00:20Z","v":2}
{"t":"2026-01-01T10:00:30Z","v":3}
{"t":"2026-01-01T10:00:40Z","v":"four"}
{"t":"2026-01-01T10:00:50Z","v":5}
EOF
expect_status 65 "a string in sum() (line 4)" win --tumbling 1m --time t --select "$sel" "$TMP/type.jsonl"
expect_stderr_match 'type\.jsonl:4([^0-9]|$)' "a string in sum(): FILE:LINE"
[[ ! -s $TMP/out ]] || fail "a string in sum(): no window was due, yet stdout has: $(head -c 300 "$TMP/out")"
expect_status 0 "--on-error skip over a string in sum()" win --tumbling 1m --time t --on-error skip \
  --select "$sel" "$TMP/type.jsonl"
expect_stderr_match 'type\.jsonl:4([^0-9]|$)' "--on-error skip, a string in sum(): the warning names FILE:LINE"
# The whole record is skipped: count(*) does not count it either.
printf '%s\n' '{"window_start":"2026-01-01T10:00:00.000Z","n":4,"s":11}' >"$TMP/type.want"
same_file "$TMP/type.want" "$TMP/out" "--on-error skip: the record with a string in sum() is in no aggregate"

# ---- the --time field ----------------------------------------------------------------------------
printf '%s\n' '{"t":"2026-01-01T10:00:10Z","v":1}' '{"v":2}' >"$TMP/notime.jsonl"
expect_status 65 "a missing --time field (line 2)" win --tumbling 1m --time t --select "$sel" "$TMP/notime.jsonl"
expect_stderr_match 'notime\.jsonl:2([^0-9]|$)' "a missing --time field: FILE:LINE"
printf '%s\n' '{"t":"2026-01-01T10:00:10Z","v":1}' '{"t":"yesterday","v":2}' '{"t":true,"v":3}' >"$TMP/badtime.jsonl"
expect_status 65 "a --time field that is not a time (line 2)" win --tumbling 1m --time t --select "$sel" "$TMP/badtime.jsonl"
expect_stderr_match 'badtime\.jsonl:2([^0-9]|$)' "a --time field that is not a time: FILE:LINE"
expect_status 0 "--on-error skip over bad --time fields" win --tumbling 1m --time t --on-error skip --select "$sel" "$TMP/badtime.jsonl"
printf '%s\n' '{"window_start":"2026-01-01T10:00:00.000Z","n":1,"s":1}' >"$TMP/badtime.want"
same_file "$TMP/badtime.want" "$TMP/out" "--on-error skip over bad --time fields: the good record only"

# ---- usage errors (64) ---------------------------------------------------------------------------
printf '%s\n' '{"t":"2026-01-01T10:00:10Z","v":1,"Name":"x"}' >"$TMP/one.jsonl"
usage() {  # usage DESCRIPTION ARGS...: ks-window ARGS one.jsonl must exit 64, writing nothing
  local what=$1
  shift
  expect_status 64 "$what" win "$@" "$TMP/one.jsonl"
  [[ ! -s $TMP/out ]] || fail "$what: a usage error wrote to stdout: $(head -c 300 "$TMP/out")"
  [[ -s $TMP/err ]] || fail "$what: a usage error with nothing on stderr"
}
usage "--select: an unknown aggregate" --tumbling 1m --select 'median(v)'
usage "--select: wrong arity" --tumbling 1m --select 'sum(v, w)'
usage "--select: percentile without q" --tumbling 1m --select 'percentile(v)'
usage "--select: percentile q out of range" --tumbling 1m --select 'percentile(v, 1.5)'
usage "--select: percentile q = 0" --tumbling 1m --select 'percentile(v, 0)'
usage "--select: a field that is not a --by field" --tumbling 1m --by Name --select 'Name, v'
usage "--select: a field without --by" --tumbling 1m --select 'Name, count(*)'
usage "--select: duplicate names" --tumbling 1m --select 'count(*) AS n, sum(v) AS n'
usage "--select: empty" --tumbling 1m --select ''
usage "--where: unfinished comparison" --tumbling 1m --select 'count(*)' --where 'v ='
usage "--where: chained comparison" --tumbling 1m --select 'count(*)' --where 'v < 1 < 2'
usage "--where: unbalanced parenthesis" --tumbling 1m --select 'count(*)' --where '(v = 1'
usage "--where: a literal as a condition" --tumbling 1m --select 'count(*)' --where '42'
usage "--hopping 5m/2m (slide does not divide size)" --hopping 5m/2m --select 'count(*)'
usage "--hopping without a slide" --hopping 5m --select 'count(*)'
usage "--hopping with a bad duration" --hopping 5q/1m --select 'count(*)'
usage "--tumbling with a bad duration" --tumbling 5 --select 'count(*)'
usage "--tumbling 0s" --tumbling 0s --select 'count(*)'
usage "--session with a bad duration" --session soon --select 'count(*)'
usage "--max-groups 0" --tumbling 1m --max-groups 0 --select 'count(*)'
usage "--max-groups that is not a number" --tumbling 1m --max-groups many --select 'count(*)'
usage "--lateness with a bad duration" --tumbling 1m --time t --lateness 10 --select 'count(*)'
usage "no window option" --select 'count(*)'
usage "two window options" --tumbling 1m --session 1m --select 'count(*)'
usage "no --select" --tumbling 1m
usage "--format of another kind" --tumbling 1m --format lambda --select 'count(*)'
usage "--on-error of another kind" --tumbling 1m --on-error ignore --select 'count(*)'

# ---- a missing file (66) -------------------------------------------------------------------------
expect_status 66 "a missing file" win --tumbling 1m --select 'count(*)' "$TMP/no-such-file.jsonl"
expect_stderr_match 'no-such-file\.jsonl' "a missing file is named"

note "ok"
