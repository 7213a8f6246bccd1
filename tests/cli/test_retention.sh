#!/usr/bin/env bash
# Behaviour: records older than the stream's retention (default 24h) are removed by
# `ks-shard trim`; `ks-shard retention S 48h` keeps them longer; sequence numbers go on
# after a trim. Time is moved with MILLRACE_NOW, no sleeping.
source "$(dirname "$0")/common.sh"

T=2026-01-01T00:00:00Z
T23=2026-01-01T23:00:00Z
T25=2026-01-02T01:00:00Z
T49=2026-01-03T01:00:00Z

# records_in STREAM: total records over the shards, from describe --json.
records_in() {
  MILLRACE_NOW=$2 describe_json "$1" | jq '[.Shards[] | (.Records // .RecordCount // .records)] | add'
}

gen_numbered 100 >"$TMP/in.jsonl"
gen_numbered 10 late >"$TMP/late.jsonl"

for s in r24 r48; do
  MILLRACE_NOW=$T shard create "$s" --shards 2 >/dev/null || fail "ks-shard create $s failed"
  MILLRACE_NOW=$T put -s "$s" -k id "$TMP/in.jsonl" || fail "ks-put into $s at T failed"
  assert_eq 100 "$(records_in "$s" "$T")" "records in $s after the put"
done

# Default retention 24h: a trim at T+23h keeps everything, at T+25h removes everything.
MILLRACE_NOW=$T23 shard trim r24 >/dev/null || fail "ks-shard trim r24 at T+23h failed"
assert_eq 100 "$(records_in r24 "$T23")" "records in r24 after a trim at T+23h"
MILLRACE_NOW=$T23 consume -s r24 >"$TMP/out" || fail "ks-consume r24 at T+23h failed"
same_sorted "$TMP/in.jsonl" "$TMP/out" "records of r24 read at T+23h"

MILLRACE_NOW=$T25 shard trim r24 >/dev/null || fail "ks-shard trim r24 at T+25h failed"
assert_eq 0 "$(records_in r24 "$T25")" "records in r24 after a trim at T+25h"
MILLRACE_NOW=$T25 consume -s r24 >"$TMP/out" || fail "ks-consume r24 at T+25h failed"
assert_eq 0 "$(count_lines "$TMP/out")" "records of r24 read after the trim"
# ks-shard --json trim is one JSON document.
MILLRACE_NOW=$T25 shard --json trim r24 | jq -e . >/dev/null || fail "ks-shard --json trim r24 is not JSON"

# Sequence numbers go on after a trim: the next record of shard N gets the next counter.
MILLRACE_NOW=$T shard create one --shards 1 >/dev/null || fail "ks-shard create one failed"
MILLRACE_NOW=$T put -s one "$TMP/in.jsonl" || fail "ks-put into one at T failed"
MILLRACE_NOW=$T25 shard trim one >/dev/null || fail "ks-shard trim one failed"
MILLRACE_NOW=$T25 put -s one --print "$TMP/late.jsonl" >"$TMP/print" || fail "ks-put --print after trim failed"
assert_eq 10000000000000101 "$(head -n 1 "$TMP/print" | jq -r .seq)" "first sequence number after trimming 100 records"
MILLRACE_NOW=$T25 consume -s one >"$TMP/out" || fail "ks-consume one after trim failed"
same_file "$TMP/late.jsonl" "$TMP/out" "only the records put after the trim remain"

# Retention 48h keeps the records through T+25h; they go at T+49h.
MILLRACE_NOW=$T shard retention r48 48h >/dev/null || fail "ks-shard retention r48 48h failed"
MILLRACE_NOW=$T25 shard trim r48 >/dev/null || fail "ks-shard trim r48 at T+25h failed"
assert_eq 100 "$(records_in r48 "$T25")" "records in r48 (retention 48h) after a trim at T+25h"
MILLRACE_NOW=$T25 consume -s r48 >"$TMP/out" || fail "ks-consume r48 at T+25h failed"
same_sorted "$TMP/in.jsonl" "$TMP/out" "records of r48 read at T+25h"
MILLRACE_NOW=$T49 shard trim r48 >/dev/null || fail "ks-shard trim r48 at T+49h failed"
assert_eq 0 "$(records_in r48 "$T49")" "records in r48 after a trim at T+49h"

# A retention given at create time.
MILLRACE_NOW=$T shard create c72 --retention 72h >/dev/null || fail "ks-shard create --retention 72h failed"
MILLRACE_NOW=$T put -s c72 "$TMP/in.jsonl" || fail "ks-put into c72 failed"
MILLRACE_NOW=$T49 shard trim c72 >/dev/null || fail "ks-shard trim c72 at T+49h failed"
assert_eq 100 "$(records_in c72 "$T49")" "records in c72 (retention 72h) after a trim at T+49h"

# Bounds: 1m..365d.
expect_status 64 "ks-shard retention r48 30s (below 1m)" shard retention r48 30s
expect_status 64 "ks-shard retention r48 366d (above 365d)" shard retention r48 366d
expect_status 64 "ks-shard retention r48 bogus" shard retention r48 bogus
expect_status 0 "ks-shard retention r48 1m" shard retention r48 1m
expect_status 0 "ks-shard retention r48 365d" shard retention r48 365d
expect_status 66 "ks-shard retention of a missing stream" shard retention no-such 48h
expect_status 66 "ks-shard trim of a missing stream" shard trim no-such

note "ok"
