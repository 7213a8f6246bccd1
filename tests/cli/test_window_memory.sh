#!/usr/bin/env bash
# Behaviour: ks-window's memory is bounded (spec: ks-window(1), MEMORY and EXIT STATUS).
#  - --hopping whose SIZE/SLIDE exceeds 10,080 windows per record is a usage error (64) at
#    once, naming the ratio and the bound; 7d/1m, at the bound, runs.
#  - Windows between records far apart in event time are never opened.
#  - A record that would open more groups than --max-groups (summed over the open windows, a
#    session being one) ends the run with 65, naming FILE:LINE and the option, whatever
#    --on-error says, after writing every window that was due before it, complete, and
#    nothing more.
# Every run here is under `ulimit -v` (about 500 MB of address space, several times what
# they need) and a timeout, so that a regression fails the test instead of eating the machine.
source "$(dirname "$0")/common.sh"

[[ -x $MILLRACE_BIN/ks-window ]] || fail "binary $MILLRACE_BIN/ks-window not found"
win() {
  if sanitized; then
    timeout 20 "$MILLRACE_BIN/ks-window" "$@"
  else
    (ulimit -v 500000 && exec timeout 20 "$MILLRACE_BIN/ks-window" "$@")
  fi
}

# ---- windows per record ------------------------------------------------------------------------
# The two lines of the issue.
printf '%s\n' '{"t":"2026-01-01T10:00:00Z"}' '{"t":"2026-01-01T10:00:01Z"}' >"$TMP/two.jsonl"
started=$EPOCHREALTIME
expect_status 64 "--hopping 7d/1ms (604,800,000 windows per record)" \
  win --hopping 7d/1ms --time t --select 'count(*)' "$TMP/two.jsonl"
elapsed=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
((elapsed < 5000)) || fail "--hopping 7d/1ms: refused only after ${elapsed} ms"
# 7d/1ms: 7 * 86,400,000 / 1 windows; the bound: 10,080.
expect_stderr_match '^ks-window: --hopping: .*604800000 windows.*10080' "--hopping 7d/1ms: the ratio and the bound"
[[ ! -s $TMP/out ]] || fail "--hopping 7d/1ms wrote to stdout: $(head -c 300 "$TMP/out")"
expect_status 64 "--hopping 7d/30s (20,160 windows per record)" win --hopping 7d/30s --select 'count(*)' "$TMP/two.jsonl"
expect_stderr_match '20160 windows' "--hopping 7d/30s: the ratio"

# 7d/1m is the bound: both records, in one minute, are in the same 10,080 windows, the first
# starting 7 days less a minute before 10:00 and the last at 10:00.
expect_status 0 "--hopping 7d/1m (10,080 windows per record)" \
  win --hopping 7d/1m --time t --select 'window_start, count(*) AS n' "$TMP/two.jsonl"
assert_eq 10080 "$(count_lines "$TMP/out")" "--hopping 7d/1m: windows"
assert_eq '{"window_start":"2025-12-25T10:01:00.000Z","n":2}' "$(head -n 1 "$TMP/out")" "--hopping 7d/1m: the first window"
assert_eq '{"window_start":"2026-01-01T10:00:00.000Z","n":2}' "$(tail -n 1 "$TMP/out")" "--hopping 7d/1m: the last window"
assert_eq 0 "$(jq -c 'select(.n != 2)' "$TMP/out" | wc -l)" "--hopping 7d/1m: every window holds both records"

# ---- records far apart in event time -----------------------------------------------------------
# A year of 1 ms windows is 3.2e10 windows; with a lateness longer than the year, both records'
# windows stay open until the end: only those two exist, written in order.
printf '%s\n' '{"t":"2025-01-01T00:00:00Z"}' '{"t":"2026-01-01T00:00:00.007Z"}' '{"t":"2025-01-01T00:00:00Z"}' \
  >"$TMP/year.jsonl"
expect_status 0 "--tumbling 1ms over a year, --lateness 400d" \
  win --tumbling 1ms --time t --lateness 400d --select 'window_start, count(*) AS n' "$TMP/year.jsonl"
printf '%s\n' '{"window_start":"2025-01-01T00:00:00.000Z","n":2}' '{"window_start":"2026-01-01T00:00:00.007Z","n":1}' \
  >"$TMP/year.want"
same_file "$TMP/year.want" "$TMP/out" "--tumbling 1ms over a year: the two windows that hold records"
# Without the lateness the record a year back is late: written aside, in no window.
expect_status 0 "--tumbling 1ms over a year, no lateness" \
  win --tumbling 1ms --time t --late "$TMP/late.jsonl" --select 'window_start, count(*) AS n' "$TMP/year.jsonl"
printf '%s\n' '{"window_start":"2025-01-01T00:00:00.000Z","n":1}' '{"window_start":"2026-01-01T00:00:00.007Z","n":1}' \
  >"$TMP/year.want"
same_file "$TMP/year.want" "$TMP/out" "--tumbling 1ms over a year, no lateness: the windows"
same_file <(sed -n 3p "$TMP/year.jsonl") "$TMP/late.jsonl" "--tumbling 1ms over a year, no lateness: the late record"

# ---- --max-groups --------------------------------------------------------------------------------
cat >"$TMP/groups.jsonl" <<'EOF'
{"t":"2026-01-01T10:00:10Z","k":"a"}
{"t":"2026-01-01T10:00:20Z","k":"b"}
{"t":"2026-01-01T10:00:30Z","k":"a"}
{"t":"2026-01-01T10:01:10Z","k":"b"}
{"t":"2026-01-01T10:01:20Z","k":"a"}
{"t":"2026-01-01T10:01:30Z","k":"c"}
{"t":"2026-01-01T10:02:10Z","k":"a"}
EOF
sel='k, window_start, count(*) AS n'
# Line 4 closes [10:00, 10:01), holding a twice and b once: it is written whole. Line 6 would
# open a third group in [10:01, 10:02), which holds a and b: the run ends there.
printf '%s\n' '{"k":"a","window_start":"2026-01-01T10:00:00.000Z","n":2}' \
  '{"k":"b","window_start":"2026-01-01T10:00:00.000Z","n":1}' >"$TMP/due.want"
expect_status 65 "--max-groups 2, a third group (line 6)" \
  win --tumbling 1m --time t --by k --max-groups 2 --select "$sel" "$TMP/groups.jsonl"
expect_stderr_match '^ks-window: [^ ]*groups\.jsonl:6: .*--max-groups' "--max-groups 2: FILE:LINE and the option"
expect_stderr_match '(^|[^0-9])2 groups' "--max-groups 2: the limit"
same_file "$TMP/due.want" "$TMP/out" "--max-groups 2: the window due before line 6, complete, and nothing more"

# The same through a pipe, and under --on-error skip: no fault of the line, so not skipped.
rc=0
# shellcheck disable=SC2002  # a pipe on purpose
cat "$TMP/groups.jsonl" | win --tumbling 1m --time t --by k --max-groups 2 --on-error skip --select "$sel" \
  >"$TMP/out" 2>"$TMP/err" || rc=$?
assert_eq 65 "$rc" "--max-groups 2 through a pipe, --on-error skip: status"
expect_stderr_match ':6: .*--max-groups' "--max-groups 2 through a pipe: the line and the option"
same_file "$TMP/due.want" "$TMP/out" "--max-groups 2 through a pipe: the window due before line 6"

# With room for three, every window: [10:00) a 2, b 1; [10:01) b, a, c 1 each; [10:02) a 1.
expect_status 0 "--max-groups 3" win --tumbling 1m --time t --by k --max-groups 3 --select "$sel" "$TMP/groups.jsonl"
{
  cat "$TMP/due.want"
  printf '%s\n' '{"k":"b","window_start":"2026-01-01T10:01:00.000Z","n":1}' \
    '{"k":"a","window_start":"2026-01-01T10:01:00.000Z","n":1}' \
    '{"k":"c","window_start":"2026-01-01T10:01:00.000Z","n":1}' \
    '{"k":"a","window_start":"2026-01-01T10:02:00.000Z","n":1}'
} >"$TMP/all.want"
same_file "$TMP/all.want" "$TMP/out" "--max-groups 3: every window"
expect_status 0 "the default --max-groups" win --tumbling 1m --time t --by k --select "$sel" "$TMP/groups.jsonl"
same_file "$TMP/all.want" "$TMP/out" "the default --max-groups: every window"

# Groups are counted per open window: one record of --hopping 2m/1m opens two.
expect_status 65 "--hopping 2m/1m --max-groups 1" win --hopping 2m/1m --time t --max-groups 1 --select 'count(*)' "$TMP/two.jsonl"
expect_stderr_match 'two\.jsonl:1: ' "--hopping 2m/1m --max-groups 1: the first line"
expect_status 0 "--hopping 2m/1m --max-groups 2" win --hopping 2m/1m --time t --max-groups 2 --select 'count(*)' "$TMP/two.jsonl"
assert_eq 2 "$(count_lines "$TMP/out")" "--hopping 2m/1m --max-groups 2: windows"

# A session is a group: a third user's session is one too many.
expect_status 65 "--session 1m --max-groups 2, a third session (line 6)" \
  win --session 1m --time t --by k --max-groups 2 --select "$sel" "$TMP/groups.jsonl"
expect_stderr_match 'groups\.jsonl:6: .*--max-groups' "--session --max-groups 2: FILE:LINE and the option"
[[ ! -s $TMP/out ]] || fail "--session --max-groups 2: no session had ended, yet stdout has: $(head -c 300 "$TMP/out")"

note "ok"
