#!/usr/bin/env bash
# Behaviour: `ks-consume --exec --max-record-age` sends records older than the limit to the
# failure stream unhandled. Records put at 00:00 (MILLRACE_NOW) and read at 00:10 with
# --max-record-age 5m: the handler gets none of them; failure records with condition
# RecordAgeExceeded cover each of them once (sum of batchSize = their count). Records put at
# 00:08, younger than 5 minutes at 00:10, still go to the handler.
source "$(dirname "$0")/common.sh"

# Every command runs at a set time (MILLRACE_NOW), so the store's clock never jumps back.
T0=2026-01-01T00:00:00Z
MILLRACE_NOW=$T0 shard create ma --shards 2 >/dev/null || fail "ks-shard create ma --shards 2 failed"
MILLRACE_NOW=$T0 shard create fails --shards 1 >/dev/null || fail "ks-shard create fails failed"
gen_numbered 250 old >"$TMP/old.jsonl"
gen_numbered 40 young >"$TMP/young.jsonl"
MILLRACE_NOW=$T0 put -s ma -k id "$TMP/old.jsonl" || fail "ks-put (old records) failed"

# Their shards and sequence numbers, by an ordinary read (before the young ones exist).
MILLRACE_NOW=2026-01-01T00:01:00Z consume -s ma --format envelope >"$TMP/old.env" || fail "ks-consume --format envelope failed"
assert_eq 250 "$(count_lines "$TMP/old.env")" "envelopes of the old records"
jq -r '.ts' "$TMP/old.env" | sort -u >"$TMP/ts"
grep -q '^2026-01-01T00:0' "$TMP/ts" || fail "MILLRACE_NOW=2026-01-01T00:00:00Z did not set the arrival time: $(head -n 1 "$TMP/ts")"

# The handler records every batch it gets.
cat >"$TMP/handler.sh" <<EOF
#!/bin/sh
cat >>"$TMP/got.txt"
EOF
chmod +x "$TMP/handler.sh"
: >"$TMP/got.txt"

# No AWS_REGION: the ARNs' region is AWS_DEFAULT_REGION's.
MILLRACE_NOW=2026-01-01T00:10:00Z AWS_REGION='' AWS_DEFAULT_REGION=ap-south-1 consume -s ma -g G --exec "$TMP/handler.sh" --exec-format data \
  --max-record-age 5m --on-failure fails >"$TMP/out" 2>"$TMP/err" ||
  fail "ks-consume --exec --max-record-age 5m failed: $(head -c 600 "$TMP/err")"
[[ -s $TMP/got.txt ]] && fail "the handler got records older than --max-record-age: $(head -n 2 "$TMP/got.txt")"

# check_failures FILE ENVELOPES: failure records with RecordAgeExceeded that cover each
# envelope's (shard, seq) exactly once.
check_failures() {
  local f=$1 env=$2
  local conds
  conds=$(jq -r .requestContext.condition "$f" | sort -u | tr '\n' ' ')
  assert_eq "RecordAgeExceeded " "$conds" "requestContext.condition of the failure records"
  assert_eq "$(count_lines "$env")" "$(jq -s '[.[].KinesisBatchInfo.batchSize] | add' "$f")" "sum of batchSize over the failure records"
  # Each record of the source lies in exactly one [start, end] of its shard (sequence numbers
  # compared as numbers: zero-padded decimal strings).
  jq -r '[.shard, .seq] | @tsv' "$env" >"$TMP/recs"
  jq -r '.KinesisBatchInfo | [.shardId, .startSequenceNumber, .endSequenceNumber, .batchSize] | @tsv' "$f" >"$TMP/ranges"
  awk -F'\t' -v rf="$TMP/ranges" '
    function pad(s) { return sprintf("%060s", s) }
    BEGIN { while ((getline l < rf) > 0) { split(l, f, "\t"); n++; sh[n] = f[1]; lo[n] = pad(f[2]); hi[n] = pad(f[3]); size[n] = f[4] } }
    {
      c = 0; s = pad($2)
      for (i = 1; i <= n; i++) if (sh[i] == $1 && lo[i] <= s && s <= hi[i]) { c++; hits[i]++ }
      if (c != 1) { printf "record %s %s covered by %d failure records\n", $1, $2, c; bad = 1; exit }
    }
    END {
      if (bad) exit 1
      for (i = 1; i <= n; i++) if (hits[i] != size[i]) { printf "failure record %s [%s, %s] has batchSize %s but covers %d records\n", sh[i], lo[i], hi[i], size[i], hits[i]; exit 1 }
    }' "$TMP/recs" >"$TMP/cover.err" || fail "failure records do not cover the old records once each: $(cat "$TMP/cover.err")"
  local arn
  arn=$(jq -r .KinesisBatchInfo.streamArn "$f" | sort -u | tr '\n' ' ')
  assert_eq "arn:aws:kinesis:ap-south-1:000000000000:stream/ma " "$arn" "KinesisBatchInfo.streamArn"
  # The arrival times are the records' (00:00, not the reader's 00:10).
  local late
  late=$(jq -r '.KinesisBatchInfo | .approximateArrivalOfFirstRecord, .approximateArrivalOfLastRecord' "$f" | grep -v '^2026-01-01T00:0[0-4]' | head -n 1 || true)
  [[ -z $late ]] || fail "failure record arrival time $late, the records arrived at 2026-01-01T00:00"
}

MILLRACE_NOW=2026-01-01T00:10:10Z consume -s fails >"$TMP/fails.jsonl" || fail "ks-consume -s fails failed"
[[ -s $TMP/fails.jsonl ]] || fail "no failure record for 250 records older than --max-record-age"
note "$(count_lines "$TMP/fails.jsonl") failure records for 250 old records"
check_failures "$TMP/fails.jsonl" "$TMP/old.env"
behind=$(MILLRACE_NOW=2026-01-01T00:10:10Z describe_json ma | jq '[.Groups[] | select(.GroupName == "G") | .Shards[].RecordsBehind] | add')
assert_eq 0 "$behind" "RecordsBehind of group G after the old records were given up"

# ---- old and young records together --------------------------------------------------
# 250 more old ones (00:00:30) and 40 young ones (00:08): a new group at 00:10 hands the
# young ones to the handler and gives the old ones up.
gen_numbered 250 old2 >"$TMP/old2.jsonl"
MILLRACE_NOW=2026-01-01T00:00:30Z put -s ma -k id "$TMP/old2.jsonl" || fail "ks-put (old2 records) failed"
MILLRACE_NOW=2026-01-01T00:08:00Z put -s ma -k id "$TMP/young.jsonl" || fail "ks-put (young records) failed"
MILLRACE_NOW=2026-01-01T00:09:00Z consume -s ma --format envelope | jq -c 'select(.data.id | startswith("old"))' >"$TMP/allold.env" ||
  fail "ks-consume --format envelope (second read) failed"
assert_eq 500 "$(count_lines "$TMP/allold.env")" "envelopes of the 500 old records"
: >"$TMP/got.txt"
MILLRACE_NOW=2026-01-01T00:10:20Z AWS_REGION='' AWS_DEFAULT_REGION=ap-south-1 consume -s ma -g H --exec "$TMP/handler.sh" --exec-format data \
  --max-record-age 5m --on-failure fails >"$TMP/out" 2>"$TMP/err" ||
  fail "ks-consume -g H --exec --max-record-age 5m failed: $(head -c 600 "$TMP/err")"
same_sorted "$TMP/young.jsonl" "$TMP/got.txt" "records the handler got: the young ones only"
MILLRACE_NOW=2026-01-01T00:10:30Z consume -s fails >"$TMP/fails2.all" || fail "ks-consume -s fails (second read) failed"
tail -n +"$(($(count_lines "$TMP/fails.jsonl") + 1))" "$TMP/fails2.all" >"$TMP/fails2.jsonl"
check_failures "$TMP/fails2.jsonl" "$TMP/allold.env"

note "ok"
