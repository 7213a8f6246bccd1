#!/usr/bin/env bash
# Behaviour: ks-window computes the Wild Rydes workshop's summary (per unicorn per minute: the
# sum of Distance, min and max of MagicPoints and of HealthPoints). Over 3 simulated minutes
# of a generated file, in event time (--time StatusTime), the query of the spec, verbatim,
# gives the same rows as an independent jq computation: every (Name, minute) exactly once,
# Distance within 1e-6 relative (jq adds in floating point), the points exactly.
source "$(dirname "$0")/common.sh"

[[ -x $MILLRACE_BIN/ks-window ]] || fail "binary $MILLRACE_BIN/ks-window not found"
[[ -x $MILLRACE_BIN/wildrydes ]] || fail "binary $MILLRACE_BIN/wildrydes not found"

"$MILLRACE_BIN/wildrydes" --rate max --seconds 180 --seed 5 >"$TMP/in.jsonl" || fail "wildrydes failed"
n=$(count_lines "$TMP/in.jsonl")
((n > 1000)) || fail "wildrydes wrote only $n lines"
note "$n records"

# The query of the spec, verbatim (its select list spans two lines there).
select='Name, window_start AS StatusTime, sum(Distance) AS Distance,
    min(MagicPoints) AS MinMagicPoints, max(MagicPoints) AS MaxMagicPoints, min(HealthPoints) AS MinHealthPoints,
    max(HealthPoints) AS MaxHealthPoints'
expect_status 0 "ks-window (event time) over the file" \
  "$MILLRACE_BIN/ks-window" --tumbling 1m --by Name --select "$select" --time StatusTime "$TMP/in.jsonl"
cp "$TMP/out" "$TMP/got.jsonl"
# Nothing may be late: StatusTime never goes back across a minute in this file (checked here,
# so that a late record would be the program's fault, not the data's).
jq -r '.StatusTime[0:16]' "$TMP/in.jsonl" | awk '$0 < max { print "minute " $0 " after " max; exit 1 } $0 > max { max = $0 }' \
  >"$TMP/order.err" || fail "generated data goes back across a minute: $(cat "$TMP/order.err")"
if grep -qi 'late' "$TMP/err"; then fail "late records reported for in-order data: $(cat "$TMP/err")"; fi

# Every line: exactly the keys of the select list, in its order.
jq -c 'keys_unsorted' "$TMP/got.jsonl" | sort -u >"$TMP/keys"
echo '["Name","StatusTime","Distance","MinMagicPoints","MaxMagicPoints","MinHealthPoints","MaxHealthPoints"]' >"$TMP/keys.want"
same_file "$TMP/keys.want" "$TMP/keys" "output keys and their order"

# The independent computation: group by Name and the minute of StatusTime.
wildrydes_summary "$TMP/in.jsonl" >"$TMP/want.jsonl"
want_rows=$(count_lines "$TMP/want.jsonl")
((want_rows >= 3)) || fail "the jq computation gave only $want_rows rows"

# Every (Name, minute) exactly once.
jq -r '[.Name, .StatusTime] | @tsv' "$TMP/got.jsonl" | sort >"$TMP/got.keys"
dups=$(uniq -d "$TMP/got.keys" | head -n 3 || true)
[[ -z $dups ]] || fail "(Name, minute) written more than once: $dups"
jq -r '[.Name, .StatusTime] | @tsv' "$TMP/want.jsonl" | sort >"$TMP/want.keys"
same_file "$TMP/want.keys" "$TMP/got.keys" "the (Name, minute) rows"

# Window times are ISO 8601 UTC with milliseconds.
bad_time=$(jq -r '.StatusTime | select(test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:00\\.000Z$") | not)' "$TMP/got.jsonl" | head -n 1 || true)
[[ -z $bad_time ]] || fail "window_start not ISO 8601 with ms on a minute: $bad_time"

# Values: points exactly (and as integers), Distance within 1e-6 relative.
grep -Eq '"MinMagicPoints":-?[0-9]+,' "$TMP/got.jsonl" || fail "MinMagicPoints not written as an integer: $(head -n 1 "$TMP/got.jsonl")"
if grep -Eq '"(Min|Max)(Magic|Health)Points":-?[0-9]+\.' "$TMP/got.jsonl"; then
  fail "integer points written with a fraction: $(grep -Em1 '"(Min|Max)(Magic|Health)Points":-?[0-9]+\.' "$TMP/got.jsonl")"
fi
same_summary "$TMP/want.jsonl" "$TMP/got.jsonl" "summary against jq's"

# The same through stdin (ks-window < file works in batch).
"$MILLRACE_BIN/ks-window" --tumbling 1m --by Name --select "$select" --time StatusTime <"$TMP/in.jsonl" >"$TMP/stdin.jsonl" ||
  fail "ks-window (event time) on stdin failed"
same_sorted "$TMP/got.jsonl" "$TMP/stdin.jsonl" "the summary from stdin against the summary from the file"

note "ok ($want_rows rows)"
