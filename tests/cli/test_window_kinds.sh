#!/usr/bin/env bash
# Behaviour: the window kinds and what is computed in them, against the spec and independent
# computations (awk, jq, sort):
#   - hopping windows hold each record SIZE/SLIDE times (sum of counts = records x SIZE/SLIDE),
#     each window's count being the records of its SIZE;
#   - sessions per user end after GAP without a record (hand-made input, sessions worked out
#     from the spec), and a record that bridges two sessions merges them;
#   - --where keeps only the matching records (compared with jq select);
#   - p50/p99/percentile within 1% of PERCENTILE_DISC (the value of rank ceil(q*n));
#   - count_distinct exactly as sort -u | wc -l.
source "$(dirname "$0")/common.sh"

[[ -x $MILLRACE_BIN/ks-window ]] || fail "binary $MILLRACE_BIN/ks-window not found"
[[ -x $MILLRACE_BIN/wildrydes ]] || fail "binary $MILLRACE_BIN/wildrydes not found"
win() { "$MILLRACE_BIN/ks-window" "$@"; }

"$MILLRACE_BIN/wildrydes" --rate max --seconds 180 --seed 11 --unicorns 50 >"$TMP/wr.jsonl" || fail "wildrydes failed"
n=$(count_lines "$TMP/wr.jsonl")
note "$n Wild Rydes records"

# ---- hopping: each record in SIZE/SLIDE windows ------------------------------------------------
expect_status 0 "hopping 5m/1m in event time" win --hopping 5m/1m --time StatusTime \
  --select 'window_start, window_end, count(*) AS n' "$TMP/wr.jsonl"
cp "$TMP/out" "$TMP/hop.jsonl"
total=$(jq -s 'map(.n) | add' "$TMP/hop.jsonl")
assert_eq "$((n * 5))" "$total" "hopping 5m/1m: sum of counts (records x 5)"
# Each window lasts 5m, starts on a minute, and holds the records of its five minutes.
jq -r '.StatusTime[0:16]' "$TMP/wr.jsonl" | sort | uniq -c | awk '{ print $2 "\t" $1 }' >"$TMP/per-minute"
jq -r '[.window_start, .window_end, .n] | @tsv' "$TMP/hop.jsonl" >"$TMP/hop.tsv"
awk -F'\t' '
  # minutes since 2024-01-01T00:00 of "YYYY-MM-DDThh:mm" (same day arithmetic is enough here:
  # the data spans minutes of one day, and windows may start the day before only at 23:5x).
  function mins(t,   h, m) { h = substr(t, 12, 2) + 0; m = substr(t, 15, 2) + 0; return (substr(t, 9, 2) + 0) * 1440 + h * 60 + m }
  NR == FNR { c[mins($1)] = $2; next }
  {
    s = mins($1); e = mins($2)
    if (substr($1, 17) != ":00.000Z" || substr($2, 17) != ":00.000Z") { print "not on a minute: " $1 " " $2; bad = 1; exit }
    if (e - s != 5) { print "window " $1 " to " $2 " does not last 5m"; bad = 1; exit }
    want = 0; for (m = s; m < e; m++) if (m in c) want += c[m]
    if (want != $3) { print "window " $1 ": count " $3 ", want " want; bad = 1; exit }
    seen[s] = 1; windows++
  }
  END {
    if (bad) exit 1
    # every window holding a record is there: the minutes of data plus the 4 before the first
    for (m in c) for (k = 0; k < 5; k++) if (!((m - k) in seen)) { print "missing the window starting " (m - k) " min"; exit 1 }
  }' "$TMP/per-minute" "$TMP/hop.tsv" >"$TMP/hop.err" || fail "hopping windows: $(cat "$TMP/hop.err")"
assert_eq 7 "$(count_lines "$TMP/hop.jsonl")" "hopping 5m/1m over 3 minutes of data: windows (3 + 4)"

# In processing time too (a batch file: every record is read now), 1m/15s: 4 windows each.
expect_status 0 "hopping 1m/15s in processing time" win --hopping 1m/15s --select 'count(*) AS n' "$TMP/wr.jsonl"
assert_eq "$((n * 4))" "$(jq -s 'map(.n) | add' "$TMP/out")" "hopping 1m/15s (processing time): sum of counts"

# Grouped: per Name, the sum over windows is 2 x the Name's records (10s/5s).
expect_status 0 "hopping 10s/5s by Name" win --hopping 10s/5s --by Name --time StatusTime \
  --select 'Name, count(*) AS n' "$TMP/wr.jsonl"
jq -s -r 'group_by(.Name) | .[] | [.[0].Name, (map(.n) | add)] | @tsv' "$TMP/out" >"$TMP/hop-by.got"
jq -r '.Name' "$TMP/wr.jsonl" | sort | uniq -c | awk '{ c = $1; $1 = ""; sub(/^ /, ""); print $0 "\t" 2 * c }' | sort >"$TMP/hop-by.want"
sort -o "$TMP/hop-by.got" "$TMP/hop-by.got"
same_file "$TMP/hop-by.want" "$TMP/hop-by.got" "hopping 10s/5s: per Name, sum of counts = 2 x records"

# ---- sessions ----------------------------------------------------------------------------------
# Gap 30s, by user, event time with a lateness of 1m (u4's bridge arrives out of order).
cat >"$TMP/sessions.jsonl" <<'EOF'
{"user":"u1","t":"2026-01-01T10:00:00Z","v":1}
{"user":"u2","t":"2026-01-01T10:00:05Z","v":10}
{"user":"u1","t":"2026-01-01T10:00:20Z","v":2}
{"user":"u2","t":"2026-01-01T10:00:40Z","v":20}
{"user":"u1","t":"2026-01-01T10:00:49.500Z","v":3}
{"user":"u2","t":"2026-01-01T10:01:05Z","v":30}
{"user":"u1","t":"2026-01-01T10:01:30Z","v":4}
{"user":"u1","t":"2026-01-01T10:01:59Z","v":5}
{"user":"u3","t":"2026-01-01T10:03:00Z","v":100}
{"user":"u4","t":"2026-01-01T10:05:00Z","v":1000}
{"user":"u4","t":"2026-01-01T10:05:50Z","v":2000}
{"user":"u4","t":"2026-01-01T10:05:25Z","v":4000}
{"user":"u5","t":"2026-01-01T10:07:00Z","v":7}
EOF
# From the spec (a session ends GAP after its last record; window_start is its first record):
#   u1: 10:00:00, :20, :49.5 (gaps 20 s, 29.5 s), then 40.5 s of nothing: ends 10:01:19.5;
#       10:01:30, 10:01:59: ends 10:02:29.
#   u2: 10:00:05, then 35 s of nothing: ends 10:00:35; 10:00:40, 10:01:05: ends 10:01:35.
#   u3: 10:03:00 alone: ends 10:03:30.
#   u4: 10:05:00 and 10:05:50 are 50 s apart, but 10:05:25 is within 30 s of both: one session
#       10:05:00 to 10:06:20 (within the lateness of 1m: 10:05:50 - 1m < 10:05:25).
#   u5: 10:07:00 alone: ends 10:07:30.
cat >"$TMP/sessions.want" <<'EOF'
{"user":"u1","window_start":"2026-01-01T10:00:00.000Z","window_end":"2026-01-01T10:01:19.500Z","n":3,"total":6}
{"user":"u1","window_start":"2026-01-01T10:01:30.000Z","window_end":"2026-01-01T10:02:29.000Z","n":2,"total":9}
{"user":"u2","window_start":"2026-01-01T10:00:05.000Z","window_end":"2026-01-01T10:00:35.000Z","n":1,"total":10}
{"user":"u2","window_start":"2026-01-01T10:00:40.000Z","window_end":"2026-01-01T10:01:35.000Z","n":2,"total":50}
{"user":"u3","window_start":"2026-01-01T10:03:00.000Z","window_end":"2026-01-01T10:03:30.000Z","n":1,"total":100}
{"user":"u4","window_start":"2026-01-01T10:05:00.000Z","window_end":"2026-01-01T10:06:20.000Z","n":3,"total":7000}
{"user":"u5","window_start":"2026-01-01T10:07:00.000Z","window_end":"2026-01-01T10:07:30.000Z","n":1,"total":7}
EOF
expect_status 0 "sessions by user" win --session 30s --by user --time t --lateness 1m \
  --select 'user, window_start, window_end, count(*) AS n, sum(v) AS total' "$TMP/sessions.jsonl"
same_sorted "$TMP/sessions.want" "$TMP/out" "sessions by user (gap 30s)"
if grep -qi late "$TMP/err"; then fail "sessions: late records reported: $(cat "$TMP/err")"; fi
# Emitted as the watermark passes their end: u1's first session (ends 10:01:19.5) is out before
# u3's (ends 10:03:30), whatever the order within one advance.
first_u1=$(grep -n '"window_end":"2026-01-01T10:01:19.500Z"' "$TMP/out" | cut -d: -f1)
u3=$(grep -n '"user":"u3"' "$TMP/out" | cut -d: -f1)
[[ -n $first_u1 && -n $u3 && $first_u1 -lt $u3 ]] || fail "sessions not emitted in order of their end: $(cat "$TMP/out")"

# ---- --where -----------------------------------------------------------------------------------
where="MagicPoints > 150 and (HealthPoints < 120 or Name = 'Hazel Horn') and not Distance >= 20"
expect_status 0 "--where" win --tumbling 1m --by Name --time StatusTime --where "$where" \
  --select 'Name, window_start, count(*) AS n, sum(HealthPoints) AS h, min(MagicPoints) AS m' "$TMP/wr.jsonl"
jq -r '[.Name, .window_start, .n, .h, .m] | @tsv' "$TMP/out" | sort >"$TMP/where.got"
jq -s -r 'map(select(.MagicPoints > 150 and (.HealthPoints < 120 or .Name == "Hazel Horn") and ((.Distance >= 20) | not)))
  | group_by([.Name, .StatusTime[0:16]]) | .[]
  | [.[0].Name, (.[0].StatusTime[0:16] + ":00.000Z"), length, (map(.HealthPoints) | add), (map(.MagicPoints) | min)] | @tsv' \
  "$TMP/wr.jsonl" | sort >"$TMP/where.want"
kept=$(awk -F'\t' '{ s += $3 } END { print s + 0 }' "$TMP/where.want")
((kept > 0 && kept < n)) || fail "--where test data: $kept of $n records match, want some but not all"
same_file "$TMP/where.want" "$TMP/where.got" "--where: per (Name, minute) count, sum and min against jq select"

# A missing field is null; records not matching are in no window at all (no empty groups).
cat >"$TMP/where-null.jsonl" <<'EOF'
{"k":"a","t":0,"x":1}
{"k":"b","t":1}
{"k":"c","t":2,"x":null}
{"k":"d","t":3,"x":"s"}
{"k":"e","t":4000,"x":2}
EOF
expect_status 0 "--where x is null" win --tumbling 1s --by k --time t --where 'x is null' \
  --select 'k, window_start, count(*) AS n' "$TMP/where-null.jsonl"
printf '%s\n' '{"k":"b","window_start":"1970-01-01T00:00:01.000Z","n":1}' \
  '{"k":"c","window_start":"1970-01-01T00:00:02.000Z","n":1}' >"$TMP/where-null.want"
# t is epoch seconds (below 10^11): 1, 2 and 3 s; 4000 s is 01:06:40.
same_sorted "$TMP/where-null.want" "$TMP/out" "--where 'x is null' (missing and null)"

# ---- percentiles -------------------------------------------------------------------------------
# Two groups of 20,000 values in one window: doubles (g = d) and integers (g = i), skewed.
awk 'BEGIN {
  srand(4242)
  for (i = 1; i <= 20000; i++) {
    printf "{\"g\":\"d\",\"t\":\"2026-01-01T00:00:00Z\",\"v\":%.6f,\"u\":\"user-%d\"}\n", exp(rand() * 9), int(rand() * 3000)
    printf "{\"g\":\"i\",\"t\":\"2026-01-01T00:00:01Z\",\"v\":%d,\"u\":%d}\n", int(100 + exp(rand() * 11)), int(rand() * rand() * 9000)
  }
}' >"$TMP/dist.jsonl"
expect_status 0 "percentiles and count_distinct" win --tumbling 1h --by g --time t \
  --select 'g, count(*) AS n, p50(v) AS p50, p90(v) AS p90, p99(v) AS p99, percentile(v, 0.25) AS q25, percentile(v, 1) AS q100, count_distinct(u) AS users' \
  "$TMP/dist.jsonl"
cp "$TMP/out" "$TMP/dist.out"
assert_eq 2 "$(count_lines "$TMP/dist.out")" "percentile windows (one per group)"
for g in d i; do
  jq -r --arg g "$g" 'select(.g == $g) | .v' "$TMP/dist.jsonl" | sort -g >"$TMP/v.$g"
  cnt=$(count_lines "$TMP/v.$g")
  for item in p50:0.5 p90:0.9 p99:0.99 q25:0.25 q100:1; do
    key=${item%%:*} q=${item#*:}
    # PERCENTILE_DISC: the value of rank ceil(q * n), 1-based.
    exact=$(awk -v q="$q" -v n="$cnt" 'BEGIN { r = q * n; k = int(r); if (k < r) k++; if (k < 1) k = 1; print k }' |
      { read -r k; sed -n "${k}p" "$TMP/v.$g"; })
    got=$(jq -r --arg g "$g" --arg k "$key" 'select(.g == $g) | .[$k]' "$TMP/dist.out")
    # 1% relative error; integer results are the estimate rounded to an integer (+0.5).
    awk -v e="$exact" -v x="$got" -v g="$g" 'BEGIN {
      if (x !~ /^-?[0-9]/) exit 1
      d = x - e; if (d < 0) d = -d
      tol = 0.01 * (e < 0 ? -e : e) + (g == "i" ? 0.5 : 1e-9)
      exit !(d <= tol) }' || fail "group $g: $key = $got, exact $exact (rank ceil($q*$cnt)); want within 1%"
    if [[ $g == i && ! $got =~ ^[0-9]+$ ]]; then fail "group i (integers): $key = $got is not an integer"; fi
  done
  # count_distinct: exact.
  want_users=$(jq -r --arg g "$g" 'select(.g == $g) | .u' "$TMP/dist.jsonl" | sort -u | wc -l | tr -d ' ')
  got_users=$(jq -r --arg g "$g" 'select(.g == $g) | .users' "$TMP/dist.out")
  assert_eq "$want_users" "$got_users" "group $g: count_distinct(u) against sort -u | wc -l"
  assert_eq "$cnt" "$(jq -r --arg g "$g" 'select(.g == $g) | .n' "$TMP/dist.out")" "group $g: count(*)"
done

note "ok"
