#!/usr/bin/env bash
# Behaviour: functions behind gw-serve --route, as API Gateway's Lambda proxy integration and
# Lambda's Invoke run them, driven by real clients (curl, Debian's aws CLI v2, boto3):
# - the chatbot tutorial's WriteKinesis, as the tutorial writes it (Node.js, the AWS SDK v3 with
#   no endpoint in its code): POST /invoices puts each invoice into a stream, GET /users/{id}
#   reads a user's item; the stream read by ks-consume and the users put by kv-put are compared
#   with what was sent, in a shell with no AWS settings at all (gw-serve is the endpoint);
# - the proxy event as the function sees it, worked out from each request (path parameters,
#   query, repeated headers, binary and empty bodies, requestContext), the result's mapping to
#   the answer, a throw, a malformed result, a timeout and the restart after it, which route
#   takes a request, and the requests that no route takes reaching gw-serve's own APIs;
# - Invoke by name, ARN and "function", a failing function, Event and DryRun, an unknown one;
# - a Python handler, --parallel 2 answering two slow requests at once.
source "$(dirname "$0")/common.sh"
need_tool curl node base64
[[ -x /usr/bin/aws ]] || fail "/usr/bin/aws (the aws CLI) is not installed"
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || fail "$PYTHON is not installed"
clients=$MILLRACE_SRC/tests/clients
for package in client-kinesis client-dynamodb lib-dynamodb; do
  [[ -d $clients/node_modules/@aws-sdk/$package ]] ||
    fail "the JavaScript SDK is not installed: npm ci --prefix tests/clients"
done
invoices=$MILLRACE_SRC/../shared/data/retail-invoices.jsonl
[[ -f $invoices ]] || invoices=/work/shared/data/retail-invoices.jsonl
[[ -f $invoices ]] || fail "no retail-invoices.jsonl"
cd "$TMP"

# ---- the functions ---------------------------------------------------------------------------

# WriteKinesis as the tutorial writes it: an ES module, its SDK clients with no endpoint and no
# credentials in the code; the SDK in the function's node_modules, as in its deployment package.
mkdir -p writekinesis lab py
ln -s "$clients/node_modules" writekinesis/node_modules
cat >writekinesis/index.mjs <<'JS'
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const kinesis = new KinesisClient({});
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  if (event.httpMethod === 'POST') {
    const invoice = JSON.parse(event.body);
    const result = await kinesis.send(new PutRecordCommand({
      StreamName: process.env.STREAM_NAME,
      PartitionKey: invoice.InvoiceNo,
      Data: Buffer.from(JSON.stringify(invoice)),
    }));
    return { statusCode: 200, body: JSON.stringify(result.SequenceNumber) };
  }
  const id = event.pathParameters.id;
  const { Item } = await dynamo.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { UserId: id } }));
  if (!Item) return { statusCode: 404, body: JSON.stringify({ message: `User ${id} not found` }) };
  return { statusCode: 200, body: JSON.stringify(Item) };
};
JS

# The lab: echoes its event (with its function's name and process id); /answer returns the
# request's body as its result; /act/throw throws, /act/sleep sleeps past --timeout; an event
# {"log": N} writes N numbered lines to stdout and one to stderr, and returns its request id.
cat >lab/lab.js <<'JS'
exports.handler = async (event, context) => {
  if (event.log !== undefined) {
    for (let i = 1; i <= event.log; i++) console.log(`line ${i} of ${event.log}`);
    console.error(`stderr of ${context.awsRequestId}`);
    return { id: context.awsRequestId };
  }
  if (event.resource === '/answer') return JSON.parse(event.body);
  const act = event.resource === '/act/{what}' ? event.pathParameters.what : '';
  if (act === 'throw') throw new Error('thrown on purpose');
  if (act === 'sleep') await new Promise((resolve) => setTimeout(resolve, 5000));
  return { statusCode: 200, body: JSON.stringify({ fn: context.functionName, pid: process.pid, event }) };
};
exports.any = exports.handler;
JS

cat >py/app.py <<'PY'
import base64
import json
import os
import time


def handler(event, context):
    if event["pathParameters"]["proxy"] == "sleep":
        time.sleep(1)
    seen = {"fn": context.function_name, "pid": os.getpid(), "path": event["path"], "resource": event["resource"],
            "method": event["httpMethod"], "query": event["queryStringParameters"],
            "parameters": event["pathParameters"], "stage": event["requestContext"]["stage"],
            "body": json.loads(event["body"]) if event["body"] else None}
    return {"statusCode": 200, "headers": {"Content-Type": "application/octet-stream"},
            "body": base64.b64encode(json.dumps(seen).encode()).decode(), "isBase64Encoded": True}
PY

# ---- the store and the three gateways --------------------------------------------------------

shard create invoices --shards 2 >/dev/null
# Users of every kind of value the document client gives back as JSON, ids that need escaping.
cat >users.jsonl <<'JSON'
{"UserId":"ann","Name":"Ann","Age":34,"Score":2.55,"Admin":true,"Tags":["a","b"],"Address":{"City":"Leeds","Zip":null}}
{"UserId":"bob smith","Name":"Bob","Age":-7,"Admin":false,"Orders":[{"InvoiceNo":"536365","Lines":5},{"InvoiceNo":"536366","Lines":2}]}
{"UserId":"c/d+e","Name":"Slash, plus","Note":"fünf – ünïcode ✓"}
{"UserId":"17850","Name":"Customer 17850","Country":"United Kingdom","Since":1291193160}
JSON
kvput -t users -k UserId --create users.jsonl || fail "kv-put of the users"
ann=$(jq -c -S 'select(.UserId == "ann")' users.jsonl)

# No AWS settings at all: the functions' SDKs find their endpoint and credentials in what
# gw-serve gives their runtimes, as a function finds them in what Lambda gives it.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL \
  AWS_REGION AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
gw() {
  local name=$1
  shift
  "$MILLRACE_BIN/gw-serve" -S "$STORE" --listen 127.0.0.1:0 "$@" 2>"$TMP/$name.err" &
}
gw writekinesis --route 'POST /invoices=index.handler' --route 'GET /users/{id}=index.handler' \
  --code writekinesis --env STREAM_NAME=invoices --env TABLE_NAME=users
WK_SERVE=$!
gw lab --timeout 1s --code lab \
  --route 'ANY /echo/{id}/{rest+}=lab.handler' --route 'POST /answer=lab.handler' --route 'GET /act/{what}=lab.handler' \
  --route 'GET /s/me=lab.handler' --route 'GET /s/{id}=lab.handler' --route 'GET /s/{rest+}=lab.handler' \
  --route 'ANY /s/me=lab.any'
LAB_SERVE=$!
gw py --runtime python --parallel 2 --code py --route 'ANY /py/{proxy+}=app.handler'
PY_SERVE=$!
wait_gateway "$WK_SERVE" "$TMP/writekinesis.err"
WK=$GW_URL
wait_gateway "$LAB_SERVE" "$TMP/lab.err"
LAB=$GW_URL
wait_gateway "$PY_SERVE" "$TMP/py.err"
PY=$GW_URL
# (wait_gateway has set the clients' environment: any key, region us-east-1, no config.)

# http_to FILE CURL_ARGS...: the status of a request, its body in FILE, its headers in FILE.h.
http_to() {
  local file=$1
  shift
  curl -sS -o "$file" -D "$file.h" -w '%{http_code}' "$@" || echo "curl-failed"
}
# header FILE NAME: the values of NAME in the answer headers FILE.h, one a line, in order.
header() { tr -d '\r' <"$1.h" | awk -v n="$(tr '[:upper:]' '[:lower:]' <<<"$2")" -F': ' 'tolower($1) == n { print substr($0, length($1) + 3) }'; }
now_ms() { date +%s%3N; }

# ---- 1. WriteKinesis -------------------------------------------------------------------------

# 200 invoices: the file's lines, then 39 more invoices of the same lines, numbered on and with
# larger quantities.
jq -c -s '[range(40) as $i | .[] | .InvoiceNo = (((.InvoiceNo | tonumber) + $i) | tostring)
           | .Quantity += $i] | .[]' "$invoices" >sample.jsonl
assert_eq 200 "$(count_lines sample.jsonl)" "invoices in the sample"
mkdir posts
: >posts.curl
n=0
while IFS= read -r invoice; do
  n=$((n + 1))
  printf '%s' "$invoice" >"posts/$n.json"
  ((n == 1)) || echo next >>posts.curl
  printf 'url = "%s/invoices"\nheader = "Content-Type: application/json"\ndata-binary = "@posts/%d.json"\noutput = "posts/%d.out"\nwrite-out = "%%{http_code}\\n"\n' \
    "$WK" "$n" "$n" >>posts.curl
done <sample.jsonl
curl -sS -K posts.curl >posts.status || fail "curl of the POSTs: $(tail -n 5 "$TMP/writekinesis.err")"
assert_eq 200 "$(grep -c '^200$' posts.status)" "POST /invoices answered 200 ($(sort posts.status | uniq -c | tr '\n' ' '))"
# Each answer is the record's sequence number as a JSON string; with the invoice POSTed, it is
# what the stream must hold.
files=()
for ((i = 1; i <= n; i++)); do files+=("posts/$i.out"); done
jq -r 'if type == "string" and test("^[0-9]+$") then . else "not a sequence number: \(tojson)" end' "${files[@]}" >answered.seq
bad=$(grep -v '^[0-9]*$' answered.seq | head -n 1 || true)
[[ -z $bad ]] || fail "an answer to POST /invoices is $bad"
paste -d ' ' answered.seq <(jq -c -S . sample.jsonl) | sort >want.records
consume -s invoices --format envelope >stream.jsonl || fail "ks-consume -s invoices"
# ks-consume(1)'s envelope, without a group: the stream, the shard, the record's sequence
# number, partition key and arrival time, its data.
assert_eq '["data","pk","seq","shard","stream","ts"] 0' \
  "$(jq -c 'keys' stream.jsonl | sort -u | paste -sd ' ') $(jq -c 'select(.stream != "invoices" or (.shard | test("^shardId-00000000000[01]$") | not))' stream.jsonl | count_lines /dev/stdin)" \
  "the envelopes' members; envelopes not of the stream's two shards"
paste -d ' ' <(jq -r .seq stream.jsonl) <(jq -c -S .data stream.jsonl) | sort >got.records
same_file want.records got.records "the records (sequence number answered, invoice POSTed) against the stream's"
bad=$(jq -c 'select(.pk != .data.InvoiceNo)' stream.jsonl | head -n 1)
[[ -z $bad ]] || fail "a record's partition key is not its InvoiceNo: $bad"

# The users, GET by id (percent-encoded), each the item put; an unknown one 404 as the handler says.
while IFS= read -r user; do
  id=$(jq -r .UserId <<<"$user")
  st=$(http_to got.user "$WK/users/$(jq -rn --arg s "$id" '$s | @uri')")
  assert_eq 200 "$st" "GET /users/$id ($(cat got.user))"
  assert_eq "$(jq -c -S . <<<"$user")" "$(jq -c -S . got.user)" "the user $id as the function answers it"
done <users.jsonl
assert_eq 404 "$(http_to got.user "$WK/users/nobody")" "GET of a user not in the table"
assert_eq '{"message":"User nobody not found"}' "$(cat got.user)" "the handler's 404 body"
note "WriteKinesis: 200 invoices put, $(count_lines users.jsonl) users read"

# ---- 3. Lambda's Invoke, through the aws CLI and boto3: started now, checked in part 3 ---------

# Each takes a second or more of CPU to start: they run meanwhile, and at once. WriteKinesis
# invoked directly with API Gateway's events, by name and by ARN, failing (a body that is not
# JSON), an unknown function.
get_ann='{"resource":"/users/{id}","path":"/users/ann","httpMethod":"GET","pathParameters":{"id":"ann"},"body":null}'
not_json='{"resource":"/invoices","path":"/invoices","httpMethod":"POST","body":"not JSON"}'
arn=arn:aws:lambda:us-east-1:000000000000:function:index-handler
declare -A cli_pid
lambda_invoke() {  # NAME PAYLOAD OUT: the aws CLI's stdout in OUT.cli, its stderr in OUT.err
  /usr/bin/aws --endpoint-url "$WK" lambda invoke --function-name "$1" --cli-binary-format raw-in-base64-out \
    --payload "$2" "$3" >"$3.cli" 2>"$3.err" &
  cli_pid[$3]=$!
  bg_register $!
}
cli_status() {  # OUT: the exit status of the aws CLI that wrote OUT
  wait_exit "${cli_pid[$1]}" 30 "aws lambda invoke ($1)"
  echo "$WAIT_RC" >"$1.rc"
}
lambda_invoke index-handler "$get_ann" by-name.json
lambda_invoke "$arn" "$get_ann" by-arn.json
lambda_invoke index-handler "$not_json" failed.json
lambda_invoke nope "$get_ann" unknown.json
# The lab's function, its log asked for: the CLI prints it as LogResult.
/usr/bin/aws --endpoint-url "$LAB" lambda invoke --function-name lab-handler --log-type Tail \
  --cli-binary-format raw-in-base64-out --payload '{"log":2}' cli-tail.json >cli-tail.json.cli 2>cli-tail.json.err &
cli_pid[cli-tail.json]=$!
bg_register $!
cat >boto3_invoke.py <<'PY'
import json
import sys

import boto3

url, get_ann, not_json = sys.argv[1:4]
client = boto3.client("lambda", endpoint_url=url, region_name="us-east-1")
ok = client.invoke(FunctionName="index-handler", Payload=get_ann.encode())
result = json.loads(ok["Payload"].read())
print(ok["StatusCode"], "FunctionError" in ok, result["statusCode"],
      json.dumps(json.loads(result["body"]), sort_keys=True, separators=(",", ":"), ensure_ascii=False))
failed = client.invoke(FunctionName="index-handler", Payload=not_json.encode())
print(failed["StatusCode"], failed.get("FunctionError"), json.loads(failed["Payload"].read())["errorType"])
try:
    client.invoke(FunctionName="nope", Payload=b"{}")
    print("no error")
except client.exceptions.ResourceNotFoundException as e:
    print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"])
PY
"$PYTHON" boto3_invoke.py "$WK" "$get_ann" "$not_json" >boto3.out 2>boto3.err &
boto3_pid=$!
bg_register "$boto3_pid"

# ---- 2. The proxy event and the answer -------------------------------------------------------

# A binary body (every byte value), a repeated header, a query with single, repeated, encoded,
# '+' and bare parameters, path parameters percent-encoded.
"$PYTHON" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 2)' >bytes.bin
before=$(now_ms)
st=$(http_to echo.json -X PUT -A 'lab-test/1.0' -H 'X-Repeated: one' -H 'X-Repeated: two' \
  -H 'Content-Type: application/octet-stream' --data-binary @bytes.bin \
  "$LAB/echo/a%2Fb%20c/x%20y/z+1?single=1&multi=a&multi=b%20c&plus=x+y&bare")
after=$(now_ms)
assert_eq 200 "$st" "PUT /echo/... ($(head -c 300 echo.json))"
# What the event must say of this request, each member named as the event names it.
host=${LAB#http://}
cat >event.json <<JSON
{"fn": "lab-handler", "resource": "/echo/{id}/{rest+}", "path": "/echo/a%2Fb%20c/x%20y/z+1", "httpMethod": "PUT",
 "pathParameters": {"id": "a/b c", "rest": "x y/z+1"},
 "queryStringParameters": {"single": "1", "multi": "b c", "plus": "x y", "bare": ""},
 "multiValueQueryStringParameters": {"single": ["1"], "multi": ["a", "b c"], "plus": ["x y"], "bare": [""]},
 "headers.X-Repeated": "two", "multiValueHeaders.X-Repeated": ["one", "two"], "headers.User-Agent": "lab-test/1.0",
 "isBase64Encoded": true,
 "requestContext": {"stage": "local", "path": "/local/echo/a%2Fb%20c/x%20y/z+1", "resourcePath": "/echo/{id}/{rest+}",
                    "httpMethod": "PUT", "protocol": "HTTP/1.1", "accountId": "000000000000", "domainName": "$host",
                    "identity.sourceIp": "127.0.0.1", "identity.userAgent": "lab-test/1.0"}}
JSON
jq -S '.fn as $fn | .event | {fn: $fn, resource, path, httpMethod, pathParameters, queryStringParameters,
         multiValueQueryStringParameters, "headers.X-Repeated": .headers["X-Repeated"],
         "multiValueHeaders.X-Repeated": .multiValueHeaders["X-Repeated"], "headers.User-Agent": .headers["User-Agent"],
         isBase64Encoded,
         requestContext: (.requestContext | {stage, path, resourcePath, httpMethod, protocol, accountId, domainName,
                          "identity.sourceIp": .identity.sourceIp, "identity.userAgent": .identity.userAgent})}' \
  echo.json >event.got
jq -S . event.json >event.want
same_file event.want event.got "the event of PUT /echo/a%2Fb%20c/x%20y/z+1?..."
jq -r .event.body echo.json | base64 -d >echoed.bin
cmp -s bytes.bin echoed.bin || fail "the binary body, base64-decoded, is not what was sent"
# This request's own: its time, its id (the answer's), ids of the API and of the route.
read -r epoch request_id resource_id api_id < <(jq -r '.event.requestContext |
  [.requestTimeEpoch, .requestId, .resourceId, .apiId] | map(tostring) | join(" ")' echo.json)
((before <= epoch && epoch <= after)) || fail "requestTimeEpoch $epoch is not between $before and $after"
assert_eq "$(header echo.json x-amzn-RequestId)" "$request_id" "requestContext.requestId: the answer's x-amzn-RequestId"
[[ $resource_id =~ ^[a-z0-9]+$ && $api_id =~ ^[a-z0-9]+$ ]] ||
  fail "requestContext's resourceId '$resource_id' and apiId '$api_id' are not API Gateway's ids"
# An empty body is null; a JSON one text; no query is null; HTTP/2 is told.
st=$(http_to echo.json -X POST --http2-prior-knowledge "$LAB/echo/1/2")
assert_eq 200 "$st" "POST /echo/1/2 without a body, over HTTP/2"
assert_eq 'null false null null "HTTP/2.0"' \
  "$(jq -r '[.event.body, .event.isBase64Encoded, .event.queryStringParameters, .event.multiValueQueryStringParameters,
             (.event.requestContext.protocol | tojson)] | map(tostring) | join(" ")' echo.json)" \
  "body, isBase64Encoded, query parameters of a request without body and query; the protocol"
st=$(http_to echo.json -H 'Content-Type: application/json' --data-binary '{"invoice":"536365","é":1}' "$LAB/echo/1/2")
assert_eq '"{\"invoice\":\"536365\",\"é\":1}" false' "$(jq -c '[.event.body, .event.isBase64Encoded]' echo.json | jq -r 'map(tojson) | join(" ")')" \
  "a JSON body, as text"

# The answer: statusCode, headers of every kind, multiValueHeaders over headers, a base64 body.
answer() { http_to answer.out -H 'Content-Type: application/json' --data-binary "$1" "$LAB/answer"; }
st=$(answer '{"statusCode":201,"headers":{"X-Text":"one","X-Number":5,"X-Bool":true,"X-Dup":"single"},
              "multiValueHeaders":{"Set-Cookie":["a=1","b=2"],"x-dup":["m1","m2"]},"body":"créé"}')
assert_eq 201 "$st" "the result's statusCode"
assert_eq "one 5 true" "$(header answer.out X-Text) $(header answer.out X-Number) $(header answer.out X-Bool)" \
  "headers of a string, a number and a boolean"
assert_eq "a=1 b=2" "$(header answer.out Set-Cookie | paste -sd ' ')" "multiValueHeaders' values, in order"
assert_eq "m1 m2" "$(header answer.out X-Dup | paste -sd ' ')" "multiValueHeaders' X-Dup replacing headers'"
assert_eq "application/json" "$(header answer.out Content-Type)" "the default Content-Type"
assert_eq "créé" "$(cat answer.out)" "the body"
st=$(answer "$(jq -n --arg b "$(base64 -w0 bytes.bin)" \
  '{statusCode: 200, isBase64Encoded: true, headers: {"Content-Type": "image/png"}, body: $b}')")
assert_eq 200 "$st" "a base64 body's status"
cmp -s bytes.bin answer.out || fail "the isBase64Encoded body is not decoded to the bytes encoded"
assert_eq "image/png" "$(header answer.out Content-Type)" "the result's Content-Type"
st=$(answer '{"statusCode":204}')
assert_eq "204 0" "$st $(wc -c <answer.out | tr -d ' ')" "a result of a statusCode alone"

# Failures: a throw is 502 as API Gateway answers it; a malformed result too, with a warning;
# a handler still sleeping at --timeout 1s is 504, and a new runtime answers the next request.
internal='{"message": "Internal server error"}'
assert_eq 502 "$(http_to failed.out "$LAB/act/throw")" "a handler that throws"
assert_eq "$internal" "$(cat failed.out)" "the answer to a throw"
assert_eq InternalServerErrorException "$(header failed.out x-amzn-ErrorType)" "x-amzn-ErrorType of a throw"
grep -q 'GET /act/{what}: handler Error: thrown on purpose' "$TMP/lab.err" ||
  fail "no warning of the thrown error: $(tail -n 5 "$TMP/lab.err")"
for malformed in '{"statusCode":"200","body":"x"}' '"a string"' '{"statusCode":200,"body":{"not":"a string"}}'; do
  assert_eq 502 "$(answer "$malformed")" "the malformed result $malformed"
  assert_eq "$internal" "$(cat answer.out)" "the answer to the malformed result $malformed"
done
for problem in 'statusCode is not an integer' 'the result is not a JSON object' 'body is not a string'; do
  grep -qF "POST /answer: malformed Lambda proxy response: $problem" "$TMP/lab.err" ||
    fail "no warning '$problem' on gw-serve's stderr: $(grep -i malformed "$TMP/lab.err" | head -n 3)"
done
pid=$(curl -sS "$LAB/act/nothing" | jq .pid)
started=$(now_ms)
assert_eq 504 "$(http_to failed.out "$LAB/act/sleep")" "a handler sleeping past --timeout 1s"
took=$(($(now_ms) - started))
((took >= 1000 && took < 4000)) || fail "the 504 came after $took ms, not after the 1 s timeout"
assert_eq '{"message": "Endpoint request timed out"}' "$(cat failed.out)" "the answer to a timeout"
assert_eq 200 "$(http_to echo.json "$LAB/act/nothing")" "the request after a timeout"
[[ $(jq .pid echo.json) != "$pid" ]] || fail "the runtime that timed out (process $pid) answered again"

# Which route takes a request: a literal before a parameter before a greedy parameter, the
# request's method before ANY; a method no route of a path has goes on to a less specific one.
route_of() { curl -sS -X "$1" "$LAB$2" | jq -r '.fn + " " + .event.resource'; }
assert_eq "lab-handler /s/me" "$(route_of GET /s/me)" "GET /s/me"
assert_eq "lab-handler /s/{id}" "$(route_of GET /s/you)" "GET /s/you"
assert_eq "lab-handler /s/{rest+}" "$(route_of GET /s/you/there)" "GET /s/you/there"
assert_eq "lab-any /s/me" "$(route_of POST /s/me)" "POST /s/me"
assert_eq "lab-any /s/me" "$(route_of DELETE /s/me/)" "DELETE /s/me/"
# No route: gw-serve's own routes and APIs.
assert_eq 200 "$(http_to health.out "$LAB/health")" "GET /health behind the routes"
assert_eq ok "$(jq -r .status health.out)" "the health check's body"
[[ $(http_to other.out -X POST "$LAB/s/you") == 404 ]] || fail "POST /s/you (no route): $(cat other.out)"
# (curl signs for Kinesis as the SDKs do; any key is taken without --credentials.)
st=$(http_to put.json --aws-sigv4 aws:amz:us-east-1:kinesis --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H 'X-Amz-Target: Kinesis_20131202.PutRecord' -H 'Content-Type: application/x-amz-json-1.1' \
  --data-binary "{\"StreamName\":\"invoices\",\"PartitionKey\":\"lab\",\"Data\":\"$(printf '{"from":"the Kinesis API"}' | base64 -w0)\"}" \
  "$LAB/")
assert_eq 200 "$st" "PutRecord behind the routes ($(cat put.json))"
consume -s invoices --format envelope | jq -c 'select(.pk == "lab") | .data' >lab.records
assert_eq '{"from":"the Kinesis API"}' "$(cat lab.records)" "the record put through the Kinesis API behind the routes"
# Each request counts under the route that took it (AWS/ApiGateway, millrace(7)); one that no
# route took, under none.
curl -sS "$LAB/metrics" >lab.metrics || fail "GET /metrics"
count_of() { awk -v k="aws_apigateway_count_total{api_name=\"gw-serve\",operation=\"$1\"}" 'index($0, k " ") == 1 { print $NF }' lab.metrics; }
assert_eq 1 "$(count_of 'GET /s/{id}')" "the requests GET /s/{id} took"
assert_eq 1 "$(count_of 'GET /s/{rest+}')" "the requests GET /s/{rest+} took"
assert_eq 2 "$(count_of 'ANY /s/me')" "the requests ANY /s/me took"
note "the proxy event, the answers, the failures and the routes"

# ---- 3. Lambda's Invoke ----------------------------------------------------------------------

# With curl: "function", WriteKinesis being its gateway's only function; DryRun (204, nothing
# run) and Event (202, run later): of the two invoices, only the Event's reaches the stream.
dry='{"resource":"/invoices","httpMethod":"POST","body":"{\"InvoiceNo\":\"DRY-RUN\"}"}'
event='{"resource":"/invoices","httpMethod":"POST","body":"{\"InvoiceNo\":\"EVENT\"}"}'
invoke_url=$WK/2015-03-31/functions/index-handler/invocations
assert_eq 200 "$(http_to alias.json --data-binary "$get_ann" "$WK/2015-03-31/functions/function/invocations")" \
  "Invoke of \"function\""
assert_eq "200 $ann" "$(jq -r '.statusCode, (.body | fromjson | tojson)' alias.json | jq -c -S . | paste -sd ' ')" "the result of \"function\""
# A name with a qualifier ($LATEST, as Lambda takes "my-function:v1"); an unknown one named by
# its ARN, qualifier kept, as Lambda names it.
assert_eq 200 "$(http_to qualified.json --data-binary "$get_ann" "$WK/2015-03-31/functions/index-handler%3A%24LATEST/invocations")" \
  "Invoke of index-handler:\$LATEST"
assert_eq 404 "$(http_to unknown.out --data-binary '{}' "$WK/2015-03-31/functions/nope%3Aprod/invocations")" "Invoke of nope:prod"
assert_eq '{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:prod"}' \
  "$(jq -c . unknown.out)" "the error of an unknown function with a qualifier"
assert_eq 204 "$(http_to dry.out -H 'X-Amz-Invocation-Type: DryRun' --data-binary "$dry" "$invoke_url")" "a DryRun invocation"
assert_eq 202 "$(http_to event.out -H 'X-Amz-Invocation-Type: Event' --data-binary "$event" "$invoke_url")" "an Event invocation"
for ((i = 0; i < 100; i++)); do
  consume -s invoices --format envelope | jq -r .pk | grep -qx EVENT && break
  sleep 0.1
done
consume -s invoices --format envelope | jq -r .pk | grep -x -e EVENT -e DRY-RUN >invoked.pk || true
assert_eq EVENT "$(cat invoked.pk)" "the invoices of the Event invocation and the DryRun one, in the stream"
# The lab's gateway has two functions: no "function" among them; one of them by name.
assert_eq 404 "$(http_to lab.out --data-binary '{}' "$LAB/2015-03-31/functions/function/invocations")" \
  "\"function\" with two functions"
assert_eq ResourceNotFoundException "$(header lab.out x-amzn-ErrorType)" "the error of \"function\" with two functions"
assert_eq 200 "$(http_to lab.out --data-binary '{"resource":"/s/me","path":"/s/me"}' "$LAB/2015-03-31/functions/lab-any/invocations")" \
  "Invoke of lab-any"
assert_eq '200 lab-any {"resource":"/s/me","path":"/s/me"}' "$(jq -r '.statusCode, (.body | fromjson | .fn, (.event | tojson))' lab.out | paste -sd ' ')" \
  "lab-any's result for the event invoked"

# X-Amz-Log-Type: Tail: the invocation's log in X-Amz-Log-Result, base64, as Lambda gives it:
# START, what the function wrote then (and nothing of the invocations before), END, REPORT;
# the last 4 KB of it when longer. None for an invocation that does not ask.
lab_invoke=$LAB/2015-03-31/functions/lab-handler/invocations
assert_eq 200 "$(http_to tail.out -H 'X-Amz-Log-Type: Tail' --data-binary '{"log":3}' "$lab_invoke")" "Invoke with a Tail log"
id=$(jq -r .id tail.out)
header tail.out X-Amz-Log-Result | base64 -d >tail.log || fail "X-Amz-Log-Result is not base64: $(header tail.out X-Amz-Log-Result)"
{
  echo "START RequestId: $id Version: \$LATEST"
  printf 'line %d of 3\n' 1 2 3
  echo "stderr of $id"
  echo "END RequestId: $id"
} >tail.want
# The output's two pipes are read apart: stderr's line may come anywhere among stdout's.
same_sorted tail.want <(head -n -1 tail.log) "the Tail log's lines but the REPORT"
head -n 1 tail.log | grep -qxF "START RequestId: $id Version: \$LATEST" || fail "the Tail log's first line: $(head -n 1 tail.log)"
sed -n '$p' tail.log | grep -qE "^REPORT RequestId: $id"$'\t'"Duration: [0-9]+\.[0-9]{2} ms"$'\t'"Billed Duration: [0-9]+ ms"$'\t'"Memory Size: 128 MB"$'\t' ||
  fail "the Tail log's REPORT line: $(sed -n '$p' tail.log)"
assert_eq 200 "$(http_to long.out -H 'X-Amz-Log-Type: Tail' --data-binary '{"log":2000}' "$lab_invoke")" "Invoke with a long Tail log"
header long.out X-Amz-Log-Result | base64 -d >long.log
assert_eq 4096 "$(wc -c <long.log)" "the bytes of a long Tail log"
grep -qx 'line 2000 of 2000' long.log || fail "the long Tail log lacks its last line"
grep -q 'line 1 of 2000' long.log && fail "the long Tail log is more than its last 4 KB"
assert_eq 200 "$(http_to quiet.out --data-binary '{"log":1}' "$lab_invoke")" "Invoke without a Tail log"
assert_eq "" "$(header quiet.out X-Amz-Log-Result)" "X-Amz-Log-Result of an invocation that does not ask"

for out in "${!cli_pid[@]}"; do cli_status "$out"; done
for out in by-name.json by-arn.json; do
  assert_eq 0 "$(cat "$out.rc")" "aws lambda invoke ($out): $(cat "$out.err")"
  # shellcheck disable=SC2016 # $LATEST is the version's name
  assert_eq '200 $LATEST false' "$(jq -r '[.StatusCode, .ExecutedVersion, has("FunctionError")] | map(tostring) | join(" ")' "$out.cli")" \
    "the aws CLI's output ($out)"
  assert_eq "200 $ann" "$(jq -r '.statusCode, (.body | fromjson | tojson)' "$out" | jq -c -S . | paste -sd ' ')" \
    "the function's result ($out)"
done
assert_eq 0 "$(cat failed.json.rc)" "aws lambda invoke of a failing function: $(cat failed.json.err)"
assert_eq "200 Unhandled" "$(jq -r '[.StatusCode, .FunctionError] | map(tostring) | join(" ")' failed.json.cli)" \
  "the aws CLI's output for a failing function"
assert_eq SyntaxError "$(jq -r .errorType failed.json)" "the error document of a failing function"
assert_eq 0 "$(cat cli-tail.json.rc)" "aws lambda invoke --log-type Tail: $(cat cli-tail.json.err)"
jq -r '.LogResult | @base64d' cli-tail.json.cli >cli-tail.log || fail "the aws CLI's LogResult: $(cat cli-tail.json.cli)"
id=$(jq -r .id cli-tail.json)
if ! grep -qxF "line 2 of 2" cli-tail.log || ! grep -qxF "END RequestId: $id" cli-tail.log; then
  fail "the aws CLI's LogResult is not the invocation's log: $(cat cli-tail.log)"
fi
assert_eq 254 "$(cat unknown.json.rc)" "aws lambda invoke of an unknown function"
grep -qF 'An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope' unknown.json.err ||
  fail "the aws CLI's error for an unknown function: $(cat unknown.json.err)"
wait_exit "$boto3_pid" 30 "boto3's invocations"
[[ $WAIT_RC == 0 ]] || fail "boto3's invocations: $(tail -n 5 boto3.err)"
{
  echo "200 False 200 $ann"
  echo "200 Unhandled SyntaxError"
  echo "ResourceNotFoundException 404 Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"
} >boto3.want
same_file boto3.want boto3.out "boto3's invocations"
note "Invoke: by name, ARN and alias, failing, Event, DryRun, unknown; the aws CLI and boto3"

# ---- 4. A Python handler, two runtimes -------------------------------------------------------

st=$(http_to py.out -H 'Content-Type: application/json' --data-binary '{"n":1}' "$PY/py/a%20b/c?x=1")
assert_eq 200 "$st" "POST to the Python handler ($(head -c 300 py.out))"
assert_eq application/octet-stream "$(header py.out Content-Type)" "the Python handler's Content-Type"
jq -c -S 'del(.pid)' py.out >py.got
jq -n -c -S '{fn: "app-handler", path: "/py/a%20b/c", resource: "/py/{proxy+}", method: "POST", query: {x: "1"},
              parameters: {proxy: "a b/c"}, stage: "local", body: {n: 1}}' >py.want
same_file py.want py.got "the Python handler's view of its event (its base64 body decoded)"
# Two requests that each sleep 1 s, at once: two runtimes answer them together.
started=$(now_ms)
curl -sS "$PY/py/sleep" >slow.1 &
slow1=$!
curl -sS "$PY/py/sleep" >slow.2
wait "$slow1" || fail "the first slow request"
took=$(($(now_ms) - started))
# One after the other, they would take 2 s at least.
((took < 1900)) || fail "two requests of 1 s with --parallel 2 took $took ms"
pids=$(jq .pid slow.1 slow.2 | sort -u | count_lines /dev/stdin)
assert_eq 2 "$pids" "runtime processes that answered the two slow requests"
note "Python: the event, --parallel 2 (two 1 s requests in $took ms)"

# ---- Stopping --------------------------------------------------------------------------------

# SIGTERM: each gw-serve ends with status 0, its runtimes with it, and (under the sanitizers) no
# report.
runtimes=$(jq -r .pid echo.json slow.1 slow.2)
for serve in "$WK_SERVE:writekinesis" "$LAB_SERVE:lab" "$PY_SERVE:py"; do
  kill -TERM "${serve%%:*}"
done
for serve in "$WK_SERVE:writekinesis" "$LAB_SERVE:lab" "$PY_SERVE:py"; do
  wait_exit "${serve%%:*}" 20 "gw-serve (${serve#*:}) after SIGTERM"
  assert_eq 0 "$WAIT_RC" "the exit status of gw-serve (${serve#*:}) after SIGTERM: $(grep -v -e '^index-handler: ' "$TMP/${serve#*:}.err" | tail -n 5)"
  ! grep -q -e 'Sanitizer' -e 'runtime error:' "$TMP/${serve#*:}.err" ||
    fail "a sanitizer's report from gw-serve (${serve#*:}): $(grep -A 12 -e Sanitizer -e 'runtime error:' "$TMP/${serve#*:}.err" | head -n 20)"
done
for pid in $runtimes; do
  ! kill -0 "$pid" 2>/dev/null || fail "the runtime process $pid outlived its gw-serve"
done
