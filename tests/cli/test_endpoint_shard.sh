#!/usr/bin/env bash
# Behaviour: ks-shard with --store http://HOST:PORT administers streams through the Kinesis API
# on two implementations of it, gw-serve and kinesis-local (LocalStack's kinesis-mock, from
# npm), and the aws CLI, an independent client, finds what each command asked for: create with
# --shards and --retention (up from Kinesis' 24 hours), retention down, split (in the middle of
# the shard's range by default, or --at), merge, scale (UpdateShardCount) and delete. Hash-key
# ranges, parents and shard ids are worked out here from 2^128 with python's integers.
# `describe --json` gives the shards the aws CLI lists, without the counts an endpoint does not
# tell; records put before and after a split come back in each key's order. A missing stream or
# shard is exit 66 as locally, a closed shard 64, an existing stream 73; trim and a retention
# Kinesis cannot keep are exit 69 naming the endpoint. `--store aws` goes where
# AWS_ENDPOINT_URL_KINESIS says.
source "$(dirname "$0")/common.sh"
PYTHON=/usr/bin/python3
need_tool aws
cd "$TMP"

start_gateway
start_kinesis_local

# The expected catalog of stream s3 after: create --shards 3; split shardId-000000000001 (the
# middle: start + (end - start) / 2 + 1 starts the second child, as ks-shard(1) says); split
# shardId-000000000000 --at 2^64; merge shardId-000000000003 shardId-000000000004. One line a
# shard: id, parent, adjacent parent, starting and ending hash key.
"$PYTHON" - >s3.want <<'PY'
N = 1 << 128
ranges = {i: (i * N // 3, (i + 1) * N // 3 - 1) for i in range(3)}
lineage = {i: ("-", "-") for i in range(3)}
start, end = ranges[1]
middle = start + (end - start) // 2 + 1
ranges[3], ranges[4] = (start, middle - 1), (middle, end)
lineage[3] = lineage[4] = ("shardId-000000000001", "-")
at = 1 << 64
ranges[5], ranges[6] = (0, at - 1), (at, ranges[0][1])
lineage[5] = lineage[6] = ("shardId-000000000000", "-")
ranges[7] = (ranges[3][0], ranges[4][1])
lineage[7] = ("shardId-000000000003", "shardId-000000000004")
for i in range(8):
    print("shardId-%012d\t%s\t%s\t%d\t%d" % (i, *lineage[i], *ranges[i]))
PY

# list-shards' JSON (the aws CLI's) or describe --json's Shards (ks-shard's), as lines of
# id, parents, range and state.
shard_lines() {
  jq -r '.Shards[] | [.ShardId, (.ParentShardId // "-"), (.AdjacentParentShardId // "-"),
    .HashKeyRange.StartingHashKey, .HashKeyRange.EndingHashKey,
    (if has("SequenceNumberRange") then (if .SequenceNumberRange.EndingSequenceNumber then "CLOSED" else "OPEN" end)
     else .State end)] | @tsv' "$1"
}

# The open shards of a listing (shard_lines) cover 0..2^128-1 without gap or overlap, COUNT of
# them; with `even`, each is Kinesis' even split (start of i = floor(i * 2^128 / COUNT)).
check_open_ranges() {
  "$PYTHON" - "$@" <<'PY'
import sys
path, count, even = sys.argv[1], int(sys.argv[2]), sys.argv[3:] == ["even"]
rows = [line.rstrip("\n").split("\t") for line in open(path)]
open_ranges = sorted((int(r[3]), int(r[4])) for r in rows if r[5] == "OPEN")
N = 1 << 128
assert len(open_ranges) == count, f"{len(open_ranges)} open shards, not {count}: {open_ranges}"
assert open_ranges[0][0] == 0 and open_ranges[-1][1] == N - 1, f"the open shards do not span 0..2^128-1: {open_ranges}"
for (_, end), (start, _) in zip(open_ranges, open_ranges[1:]):
    assert start == end + 1, f"a gap or an overlap at {end}..{start}"
if even:
    want = [(i * N // count, (i + 1) * N // count - 1) for i in range(count)]
    assert open_ranges == want, f"not the even split of {count}: {open_ranges}"
PY
}

summary() { aws --endpoint-url "$url" kinesis describe-stream-summary --stream-name "$1" --output json; }

awk 'BEGIN { for (i = 1; i <= 400; i++) printf "{\"k\":\"key-%d\",\"n\":%d}\n", i % 9, i }' >input.jsonl

for url in "$GW_URL" "$KL_URL"; do
  note "endpoint $url"
  ks() { "$MILLRACE_BIN/ks-shard" -S "$url" "$@"; }

  # create and list; the service's summary has the shards and retention asked for.
  expect_status 0 "create s3" ks create s3 --shards 3
  expect_status 0 "create r with a retention" ks create r --shards 2 --retention 48h
  expect_status 0 "list (KS_STORE)" env KS_STORE="$url" "$MILLRACE_BIN/ks-shard" --json list
  assert_eq "r:2:48 s3:3:24" "$(jq -r '[.StreamSummaries[] | "\(.StreamName):\(.OpenShardCount):\(.RetentionPeriodHours)"]
    | sort | join(" ")' "$TMP/out")" "$url: list's streams, shards and retentions"
  assert_eq '"r" "s3"' "$(jq -c '.StreamNames | sort | .[]' "$TMP/out" | paste -sd ' ')" "$url: list's names"
  expect_status 0 "list" ks list
  grep -Eq '^r +2 +2d$' "$TMP/out" || fail "$url: the list table lacks r: $(cat "$TMP/out")"
  summary r >r.json
  assert_eq "ACTIVE 2 48" "$(jq -r '.StreamDescriptionSummary | "\(.StreamStatus) \(.OpenShardCount) \(.RetentionPeriodHours)"' r.json)" \
    "$url: the aws CLI's summary of r"

  # retention: up (create's IncreaseStreamRetentionPeriod, above) and down (Decrease...).
  expect_status 0 "retention down" ks retention r 24h
  assert_eq 24 "$(summary r | jq .StreamDescriptionSummary.RetentionPeriodHours)" "$url: retention after 24h"

  # Resharding: the new shards' ids are printed, their lineage and ranges are the service's.
  expect_status 0 "split in the middle" ks --json split s3 shardId-000000000001
  assert_eq '{"ShardIds":["shardId-000000000003","shardId-000000000004"]}' "$(cat "$TMP/out")" "$url: split's children"
  expect_status 0 "split --at" ks split s3 shardId-000000000000 --at 18446744073709551616
  printf 'shardId-000000000005\nshardId-000000000006\n' >want.ids
  same_file want.ids "$TMP/out" "$url: split --at's children, one a line"
  expect_status 0 "merge" ks merge s3 shardId-000000000003 shardId-000000000004
  assert_eq shardId-000000000007 "$(cat "$TMP/out")" "$url: merge's child"
  expect_status 0 "scale" ks --json scale s3 --shards 6
  jq -r '.ShardIds[]' "$TMP/out" >scaled.ids

  aws --endpoint-url "$url" kinesis list-shards --stream-name s3 --output json >s3.listed
  shard_lines s3.listed >s3.lines
  # Shards 0 to 7 as worked out above; the parents of the splits and the merge closed.
  head -n 8 s3.lines | cut -f 1-5 >s3.first
  same_file s3.want s3.first "$url: shards 0 to 7 after two splits and a merge, as the aws CLI lists them"
  assert_eq "CLOSED CLOSED CLOSED CLOSED" "$(sed -n '1p;2p;4p;5p' s3.lines | cut -f 6 | paste -sd ' ')" \
    "$url: the state of the parents 0, 1, 3 and 4"
  # The scale's new shards are the open ones the aws CLI lists past shard 7. gw-serve's replace
  # every open shard by Kinesis' even split, as AWS's UNIFORM_SCALING; kinesis-local splits
  # some of them only (test_gw_kinesis_local.sh has the difference): there the open shards span
  # the space, six of them.
  tail -n +9 s3.lines | awk -F'\t' '$6 == "OPEN" { print $1 }' >opened.ids
  same_file opened.ids scaled.ids "$url: the shards scale printed are those it opened"
  if [[ $url == "$GW_URL" ]]; then
    assert_eq "" "$(head -n 8 s3.lines | cut -f 6 | grep -v CLOSED || true)" "$url: the scale closed shards 0 to 7"
    check_open_ranges s3.lines 6 even 2>check.err || fail "$url: after scale --shards 6: $(cat check.err)"
  else
    check_open_ranges s3.lines 6 2>check.err || fail "$url: after scale --shards 6: $(cat check.err)"
  fi

  # describe --json: the shards the aws CLI lists, without what an endpoint does not tell.
  expect_status 0 "describe --json" ks --json describe s3
  cp "$TMP/out" s3.described
  shard_lines s3.described >s3.described.lines
  same_file s3.lines s3.described.lines "$url: describe --json's shards are list-shards'"
  assert_eq "s3 ACTIVE 6 24 false false" "$(jq -r '"\(.StreamName) \(.StreamStatus) \(.OpenShardCount) \(.RetentionPeriodHours)
    \(has("Groups")) \([.Shards[] | has("Records")] | any)"' s3.described | paste -sd ' ' | tr -s ' ')" \
    "$url: describe --json's summary, without groups or counts"
  expect_status 0 "describe" ks describe s3
  grep -q '^stream s3: 6 open shards, retention 1d, created ' "$TMP/out" || fail "$url: describe's first line: $(head -n 1 "$TMP/out")"
  state7=$(sed -n 8p s3.lines | cut -f 6 | tr '[:upper:]' '[:lower:]')
  grep -Eq "^shardId-000000000007 +$state7 +shardId-000000000003,shardId-000000000004 +$(sed -n 8p s3.want | cut -f 4)\.\." "$TMP/out" ||
    fail "$url: describe's table lacks the merged shard: $(cat "$TMP/out")"
  if grep -q RECORDS "$TMP/out"; then fail "$url: describe's table has counts an endpoint does not tell"; fi

  # A split between two puts: each key's records in order across it.
  expect_status 0 "create ord" ks create ord --shards 2
  head -n 200 input.jsonl | "$MILLRACE_BIN/ks-put" -S "$url" -s ord -k k || fail "$url: the first put"
  expect_status 0 "split ord" ks split ord shardId-000000000000
  tail -n +201 input.jsonl | "$MILLRACE_BIN/ks-put" -S "$url" -s ord -k k || fail "$url: the second put"
  expect_status 0 "consume across the split" "$MILLRACE_BIN/ks-consume" -S "$url" -s ord
  same_keys_in_order input.jsonl "$TMP/out" "$url: across a split" key-0 key-4 key-8

  # Errors, as locally where the store has the same one.
  expect_status 66 "describe a missing stream" ks describe missing
  expect_stderr_match '^ks-shard: missing: no such stream' "$url: the missing stream is named"
  expect_status 66 "split a missing shard" ks split s3 shardId-000000000099
  expect_stderr_match '^ks-shard: shardId-000000000099: no such shard' "$url: the missing shard is named"
  expect_status 64 "split a closed shard" ks split s3 shardId-000000000001
  expect_stderr_match '^ks-shard: shardId-000000000001: shard is closed' "$url: the closed shard is named"
  expect_status 73 "create an existing stream" ks create r
  expect_stderr_match '^ks-shard: r: stream exists already' "$url: the existing stream is named"
  expect_status 69 "trim on an endpoint" ks trim s3
  expect_stderr_match "^ks-shard: $url: trim works on a store directory only" "$url: trim's refusal names the endpoint"
  expect_status 69 "a retention Kinesis cannot keep" ks retention r 12h
  expect_stderr_match "^ks-shard: $url: retention 12h: Kinesis keeps records 24h to 365d" "$url: the retention's refusal"

  # A request the service refuses: its type and message, naming the stream. kinesis-local keeps
  # UpdateShardCount's limit of double the open shards (InvalidArgumentException: 65).
  if [[ $url == "$KL_URL" ]]; then
    expect_status 65 "scale beyond double" ks scale s3 --shards 13
    expect_stderr_match '^ks-shard: s3: UpdateShardCount: InvalidArgumentException: .*2x' "$url: the service's refusal"
  fi

  # --store aws with the service's endpoint named as the SDKs name it.
  if [[ $url == "$GW_URL" ]]; then
    expect_status 0 "describe on --store aws" env AWS_ENDPOINT_URL_KINESIS="$url" "$MILLRACE_BIN/ks-shard" -S aws --json describe r
    assert_eq "r 2" "$(jq -r '"\(.StreamName) \(.Shards | length)"' "$TMP/out")" "--store aws: r's shards"
  fi

  # delete: gone from the service.
  for s in r s3 ord; do expect_status 0 "delete $s" ks delete "$s"; done
  assert_eq "[]" "$(aws --endpoint-url "$url" kinesis list-streams --output json | jq -c .StreamNames)" "$url: streams after delete"
  expect_status 66 "delete a deleted stream" ks delete r
done
note ok
