#!/usr/bin/env bash
# Behaviour: the chatbot tutorial's POST through API Gateway, with curl: the retail invoices
# POSTed one by one to /streams/invoices, keyed by invoice number, read back by ks-consume
# byte for byte; JSON lines in one POST; the routes' errors; GET /health. With --credentials,
# an unsigned POST is refused (403) and the API refuses a wrong key as AWS does.
source "$(dirname "$0")/common.sh"
need_tool curl
cd "$TMP"
invoices=$MILLRACE_SRC/../shared/data/retail-invoices.jsonl
[[ -f $invoices ]] || invoices=/work/shared/data/retail-invoices.jsonl
[[ -f $invoices ]] || fail "no retail-invoices.jsonl"
start_gateway
shard create invoices --shards 2 >/dev/null

: >answers
while IFS= read -r invoice; do
  curl -sS --fail-with-body -H 'Content-Type: application/json' --data-binary "$invoice" \
    "$GW_URL/streams/invoices?key=InvoiceNo" >>answers || fail "POST of $invoice"
  echo >>answers
done <"$invoices"
assert_eq "$(count_lines "$invoices")" "$(jq -r .SequenceNumber answers | grep -c .)" "answers with a sequence number"
consume -s invoices --format envelope >read.jsonl || fail "ks-consume"
jq -c .data read.jsonl | sort >got
jq -c . "$invoices" | sort >want
same_file want got "the invoices as ks-consume reads them"
jq -r '[.pk, (.data.InvoiceNo)] | @tsv' read.jsonl | awk -F'\t' '$1 != $2 { exit 1 }' ||
  fail "a record's partition key is not its InvoiceNo"
# The bytes are those POSTed (ks-consume --format data gives them back unchanged).
consume -s invoices | sort >raw
sort "$invoices" >want.raw
same_file want.raw raw "the invoices byte for byte"

# JSON lines in one POST, keyed by a header.
printf '{"n":1}\n{"n":2}\n{"n":3}\n' >lines.jsonl
curl -sS --fail-with-body -H 'Content-Type: application/x-ndjson' -H 'X-Partition-Key: batch' \
  --data-binary @lines.jsonl "$GW_URL/streams/invoices" >many.json || fail "POST of JSON lines"
assert_eq 3 "$(jq '.Records | length' many.json)" "records of the JSON lines"

# Errors: a bad line (nothing put), a missing stream, no route, the health check.
status_of() { curl -s -o body.json -w '%{http_code}' "$@"; }
before=$(consume -s invoices | wc -l)
assert_eq 400 "$(status_of -H 'Content-Type: application/x-ndjson' --data-binary $'{"n":1}\n{"n":\n' "$GW_URL/streams/invoices")" \
  "a bad second line"
grep -q '"line 2: ' body.json || fail "the bad line is not named: $(cat body.json)"
assert_eq "$before" "$(consume -s invoices | wc -l)" "records after a refused body"
assert_eq 404 "$(status_of --data-binary '{}' "$GW_URL/streams/nope")" "a missing stream"
assert_eq 404 "$(status_of "$GW_URL/nowhere")" "no route"
assert_eq 200 "$(status_of "$GW_URL/health")" "GET /health"
assert_eq ok "$(jq -r .status body.json)" "the health check's body"

# With --credentials: unsigned routes are 403; the aws CLI with the right key works, with a
# wrong one it gets AWS's refusal.
kill "$GW_PID"
wait "$GW_PID" 2>/dev/null || true
printf '[default]\naws_access_key_id = AKIDGOOD\naws_secret_access_key = good-secret\n' >credentials
start_gateway --credentials credentials
assert_eq 403 "$(status_of --data-binary '{}' "$GW_URL/streams/invoices?key=n")" "an unsigned POST with --credentials"
if [[ -x /usr/bin/aws ]]; then
  AWS_ACCESS_KEY_ID=AKIDGOOD AWS_SECRET_ACCESS_KEY=good-secret /usr/bin/aws --endpoint-url "$GW_URL" \
    kinesis describe-stream-summary --stream-name invoices >/dev/null || fail "the right key was refused"
  rc=0
  AWS_ACCESS_KEY_ID=AKIDGOOD AWS_SECRET_ACCESS_KEY=wrong /usr/bin/aws --endpoint-url "$GW_URL" \
    kinesis describe-stream-summary --stream-name invoices 2>err >/dev/null || rc=$?
  grep -q InvalidSignatureException err || fail "a wrong secret: $(cat err)"
  AWS_ACCESS_KEY_ID=AKIDOTHER AWS_SECRET_ACCESS_KEY=good-secret /usr/bin/aws --endpoint-url "$GW_URL" \
    kinesis describe-stream-summary --stream-name invoices 2>err >/dev/null || rc=$?
  grep -q UnrecognizedClientException err || fail "an unknown key: $(cat err)"
fi
