#!/usr/bin/env bash
# Behaviour: the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis, installed by .ci/run from
# tests/clients) works unchanged against gw-serve over its default HTTP/2 handler: a stream
# created, 200 Wild Rydes records put (100 PutRecord calls at once on one connection, one
# PutRecords), and read back over every shard; the same records as ks-consume reads, and the
# requests were HTTP/2.
source "$(dirname "$0")/common.sh"
need_tool node
cd "$TMP"
clients=$MILLRACE_SRC/tests/clients
[[ -d $clients/node_modules/@aws-sdk/client-kinesis ]] ||
  fail "the JavaScript SDK is not installed: (cd tests/clients && npm ci)"
start_gateway -v
wildrydes_sample all.jsonl
head -n 200 all.jsonl >rides.jsonl
node "$clients/kinesis_sdk.mjs" "$GW_URL" js-rides rides.jsonl >read.tsv 2>node.err ||
  fail "the SDK's producer and consumer failed: $(head -c 800 node.err)"
cut -f3 read.tsv | sort >got
sort rides.jsonl >want
same_file want got "the records the SDK read back"
consume -s js-rides | sort >consumed
same_file want consumed "what ks-consume reads of the SDK's records"
grep -q ' POST / HTTP/2 200 ' "$TMP/gw.err" || fail "the SDK's requests were not HTTP/2: $(tail -n 3 "$TMP/gw.err")"
((  $(grep -c ' POST / HTTP/1.1 ' "$TMP/gw.err" || true) == 0 )) || fail "some of the SDK's requests were HTTP/1.1"
