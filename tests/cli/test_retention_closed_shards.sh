#!/usr/bin/env bash
# Behaviour: as in Kinesis, a closed parent shard whose records have all passed the
# retention disappears from the stream, by a write or by `ks-shard trim`, and its group
# checkpoints go with it; its open children stay. Time is moved with MILLRACE_NOW.
source "$(dirname "$0")/common.sh"

T=2026-01-01T00:00:00Z
T2=2026-01-01T02:00:00Z   # past the 1h retention

gen_numbered 100 >"$TMP/in.jsonl"
MILLRACE_NOW=$T shard create s --shards 1 --retention 1h >/dev/null || fail "create failed"
MILLRACE_NOW=$T put -s s -k id "$TMP/in.jsonl" || fail "put at T failed"
MILLRACE_NOW=$T consume -s s -g g >/dev/null || fail "group read at T failed"
MILLRACE_NOW=$T shard split s shardId-000000000000 >/dev/null || fail "split failed"

shard_ids() { MILLRACE_NOW=$1 describe_json s | jq -r '[.Shards[].ShardId] | join(" ")'; }
assert_eq "shardId-000000000000 shardId-000000000001 shardId-000000000002" "$(shard_ids $T)" "shards after the split"

# A write past the retention trims the closed parent's records and removes it.
echo '{"id":"late"}' | MILLRACE_NOW=$T2 put -s s -k id || fail "put at T+2h failed"
assert_eq "shardId-000000000001 shardId-000000000002" "$(shard_ids $T2)" "shards after a write past the retention"
parent_rows=$(MILLRACE_NOW=$T2 describe_json s | jq '[.Groups[].Shards[] | select(.ShardId == "shardId-000000000000")] | length')
assert_eq 0 "$parent_rows" "group rows of the removed parent"
out=$(MILLRACE_NOW=$T2 consume -s s) || fail "read at T+2h failed"
assert_eq '{"id":"late"}' "$out" "what is left to read"

# ks-shard trim does the same for a stream nobody writes to.
MILLRACE_NOW=$T shard create quiet --shards 2 --retention 1h >/dev/null || fail "create quiet failed"
MILLRACE_NOW=$T put -s quiet -k id "$TMP/in.jsonl" || fail "put into quiet failed"
MILLRACE_NOW=$T shard merge quiet shardId-000000000000 shardId-000000000001 >/dev/null || fail "merge failed"
MILLRACE_NOW=$T2 shard trim quiet >/dev/null || fail "trim quiet failed"
ids=$(MILLRACE_NOW=$T2 describe_json quiet | jq -r '[.Shards[].ShardId] | join(" ")')
assert_eq "shardId-000000000002" "$ids" "shards of quiet after the trim"
note "ok"
