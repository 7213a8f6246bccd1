#!/usr/bin/env bash
# Behaviour: ks-put and ks-consume with --store http://HOST:PORT work on two implementations of
# the Kinesis API, gw-serve and kinesis-local (LocalStack's kinesis-mock, from npm): put then
# consume gives every line back byte for byte, each key's records in input order (one shard,
# which takes several requests at once, and four shards); every record is in the stream once as
# GetRecords (boto3) reads it, each key in the shard whose HashKeyRange holds MD5(key) (python's
# hashlib), and --print named the shard and sequence number GetRecords gives. --from at:/after: take the service's sequence numbers;
# a missing stream is exit 66 as locally; a group name too short for a DynamoDB table is a usage
# error (exit 64; groups are test_endpoint_groups.sh's).
source "$(dirname "$0")/common.sh"
PYTHON=/usr/bin/python3
"$PYTHON" -c 'import boto3' 2>/dev/null || fail "python3-boto3 is not installed (see packages.txt)"
cd "$TMP"

start_gateway
start_kinesis_local

# 1200 records over 40 keys, with unicode and escapes in the data.
awk 'BEGIN { for (i = 1; i <= 1200; i++)
  printf "{\"k\":\"key-%d\",\"n\":%d,\"text\":\"caf\\u00e9 \\\"%d\\\" ünï\"}\n", i % 40, i, i }' >input.jsonl

for url in "$GW_URL" "$KL_URL"; do
  note "endpoint $url"
  # One shard: the same bytes back, each key's in order (ks-put sends a shard's keys by several
  # lanes at once).
  expect_status 0 "put to one shard" "$MILLRACE_BIN/ks-put" -S "$url" -s one --create -k k input.jsonl
  expect_status 0 "consume one shard" "$MILLRACE_BIN/ks-consume" -S "$url" -s one
  # shellcheck disable=SC2046
  same_keys_in_order input.jsonl "$TMP/out" "one shard, put then consumed" $(printf 'key-%d ' {0..39})

  # Four shards: routing, --print and envelopes checked against boto3 and hashlib.
  expect_status 0 "put to four shards" "$MILLRACE_BIN/ks-put" -S "$url" -s four --create --shards 4 -k k --print input.jsonl
  cp "$TMP/out" printed.jsonl
  expect_status 0 "consume four shards" "$MILLRACE_BIN/ks-consume" -S "$url" -s four --format envelope
  cp "$TMP/out" consumed.jsonl
  "$PYTHON" "$MILLRACE_SRC/tests/cli/endpoint_check.py" "$url" four input.jsonl printed.jsonl consumed.jsonl \
    >check.out 2>check.err || fail "$url: $(head -c 2000 check.err)"
  note "$(cat check.out)"

  # --from at:/after: the 10th record of the first record's shard, by the service's sequence number.
  shard5=$(head -n 1 printed.jsonl | jq -r .shard)
  # The shard's sequence numbers in their order (by length, then digits: they are too long for
  # awk's numbers), which is not the input's: the shard takes several requests at once.
  jq -r --arg s "$shard5" 'select(.shard == $s) | .seq' printed.jsonl | awk '{ print length($0), $0 }' |
    sort -k1,1n -k2,2 | cut -d' ' -f2 >seqs
  seq5=$(sed -n 10p seqs)
  sed -n "/^$seq5\$/,\$p" seqs >want.at  # (not awk: it compares 56 digits as doubles)
  # Without --shard, the shard of SEQ is the one whose GetShardIterator takes it: AWS and gw-serve
  # refuse another shard's sequence number; kinesis-local does not check, so there it is named.
  by_shard=()
  if [[ $url == "$KL_URL" ]]; then by_shard=(--shard "$shard5"); fi
  expect_status 0 "--from at:SEQ" "$MILLRACE_BIN/ks-consume" -S "$url" -s four --from "at:$seq5" "${by_shard[@]}" --format envelope
  jq -r .seq "$TMP/out" >got.at
  same_file want.at got.at "--from at:SEQ reads the shard of SEQ from SEQ on"
  expect_status 0 "--from after:SEQ" "$MILLRACE_BIN/ks-consume" -S "$url" -s four --from "after:$seq5" -n 2 "${by_shard[@]}" --format envelope
  jq -r .seq "$TMP/out" >got.after
  sed -n 2,3p want.at >want.after
  same_file want.after got.after "--from after:SEQ -n 2"
  expect_status 0 "--from latest" "$MILLRACE_BIN/ks-consume" -S "$url" -s four --from latest
  assert_eq 0 "$(count_lines "$TMP/out")" "--from latest without -f reads nothing"

  # A reshard between two puts: parents are read before their children, so each key's records
  # come out in input order.
  head -n 600 input.jsonl | "$MILLRACE_BIN/ks-put" -S "$url" -s resharded --create --shards 2 -k k
  aws --endpoint-url "$url" kinesis update-shard-count --stream-name resharded --target-shard-count 3 \
    --scaling-type UNIFORM_SCALING >/dev/null
  for _ in {1..50}; do
    [[ $(aws --endpoint-url "$url" kinesis describe-stream-summary --stream-name resharded \
      --query StreamDescriptionSummary.StreamStatus --output text) == ACTIVE ]] && break
    sleep 0.1
  done
  tail -n +601 input.jsonl | "$MILLRACE_BIN/ks-put" -S "$url" -s resharded -k k
  expect_status 0 "consume across a reshard" "$MILLRACE_BIN/ks-consume" -S "$url" -s resharded
  same_keys_in_order input.jsonl "$TMP/out" "across a reshard" key-0 key-13 key-39

  expect_status 66 "a missing stream" "$MILLRACE_BIN/ks-put" -S "$url" -s missing -k k input.jsonl
  expect_stderr_match '^ks-put: missing: no such stream' "a missing stream is named"
  expect_status 66 "consume a missing stream" "$MILLRACE_BIN/ks-consume" -S "$url" -s missing
  expect_status 64 "a group named too short for its lease table" "$MILLRACE_BIN/ks-consume" -S "$url" -s four -g g
  expect_stderr_match "g: on an endpoint a group is a DynamoDB table's name" "the group's refusal says why"
  printf '{"k":"x"}\nnot json\n' >bad.jsonl
  expect_status 65 "a bad line" "$MILLRACE_BIN/ks-put" -S "$url" -s one -k k bad.jsonl
  expect_stderr_match '^ks-put: bad.jsonl:2: ' "a bad line is named by its place"
done

# Parents before children where it shows: a parent of more than one GetRecords' worth (10,000).
awk 'BEGIN { for (i = 1; i <= 30000; i++) printf "{\"k\":\"key-%d\",\"n\":%d}\n", i % 7, i }' >many.jsonl
head -n 24000 many.jsonl | "$MILLRACE_BIN/ks-put" -S "$GW_URL" -s lineage --create -k k
aws --endpoint-url "$GW_URL" kinesis update-shard-count --stream-name lineage --target-shard-count 2 \
  --scaling-type UNIFORM_SCALING >/dev/null
tail -n +24001 many.jsonl | "$MILLRACE_BIN/ks-put" -S "$GW_URL" -s lineage -k k
expect_status 0 "consume a parent of 24,000 and its children" "$MILLRACE_BIN/ks-consume" -S "$GW_URL" -s lineage
same_keys_in_order many.jsonl "$TMP/out" "a long parent before its children" key-0 key-3 key-6

# Following: records put after ks-consume -f started arrive; --idle-exit ends it.
"$MILLRACE_BIN/ks-consume" -S "$GW_URL" -s four -f --from latest --idle-exit 1500ms >follow.out 2>follow.err &
follower=$!
sleep 0.5
head -n 50 input.jsonl | "$MILLRACE_BIN/ks-put" -S "$GW_URL" -s four -k k
wait_exit "$follower" 10 "ks-consume -f --idle-exit"
assert_eq 0 "$WAIT_RC" "ks-consume -f exit status"
same_sorted <(head -n 50 input.jsonl) follow.out "records put while following"
note ok
