#!/usr/bin/env bash
# Behaviour: the AWS SDK for JavaScript v3's DynamoDB clients (@aws-sdk/client-dynamodb and
# @aws-sdk/lib-dynamodb's document client, installed from tests/clients) work unchanged against
# gw-serve: tests/clients/dynamodb_sdk.mjs creates tables, puts 100 Wild Rydes rides (PutItem,
# BatchWriteItem) and chat messages of native values (sets and binaries included), and checks
# GetItem, Query by KeyConditions, Scan and the document client's get and query against its
# input. Then kv-get reads the same items in the documented plain forms ({"$SS":[...]},
# {"$B":"base64"}, ...): each one as it was given, and in key order.
source "$(dirname "$0")/common.sh"
need_tool node
cd "$TMP"
clients=$MILLRACE_SRC/tests/clients
for package in client-dynamodb lib-dynamodb; do
  [[ -d $clients/node_modules/@aws-sdk/$package ]] ||
    fail "the JavaScript SDK is not installed: npm ci --prefix tests/clients"
done
start_gateway

wildrydes_sample all.jsonl
head -n 100 all.jsonl >rides.jsonl
# The chat messages, in kv-get's plain forms: string, number and binary sets, a binary, a list
# holding one, booleans, null, nested maps and lists, a fractional sort key.
cat >messages.jsonl <<'JSON'
{"UserId":"ann","SentAt":1700000000,"Text":"hello","Tags":{"$SS":["greeting","first"]},"Scores":{"$NS":[1,2.5,-3]},"Avatar":{"$B":"AAEC/w=="},"Thumbs":{"$BS":["AQ==","Ag=="]},"Read":true,"ReplyTo":null,"Meta":{"client":"web","path":[1,{"x":"y"}]}}
{"UserId":"ann","SentAt":1700000060,"Text":"how are you?","Read":false}
{"UserId":"bob","SentAt":1700000030,"Text":"hi ann","Tags":{"$SS":["reply"]}}
{"UserId":"ann","SentAt":1700000120.5,"Text":"later","Attachments":[{"$B":"aGVsbG8="}]}
JSON
node "$clients/dynamodb_sdk.mjs" "$GW_URL" rides.jsonl messages.jsonl >node.out 2>node.err ||
  fail "the SDK's clients failed: $(head -c 1500 node.err)"
note "$(cat node.out)"

# kv-get reads each message as it was given (attribute order aside): sets and binaries in
# their plain forms, members in the order given.
normal() { jq -cS . "$@"; }
: >got
while IFS=$'\t' read -r user sent; do
  kvget -t js-messages "$user" "$sent" >>got || fail "kv-get of $user $sent"
done < <(jq -r '[.UserId, .SentAt] | @tsv' messages.jsonl)
same_file <(normal messages.jsonl) <(normal got) "the messages as kv-get reads them"
# ann's messages by SentAt, numbers compared as numbers.
kvget -t js-messages --query ann >got
jq -c 'select(.UserId == "ann")' messages.jsonl | jq -s -c 'sort_by(.SentAt)[]' | normal >want
same_file want <(normal got) "ann's messages in SentAt order"

# The rides, each once, as given.
kvget -t js-rides --scan >got
same_file <(normal rides.jsonl | sort) <(normal got | sort) "the rides as kv-get reads them"
