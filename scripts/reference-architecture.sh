#!/usr/bin/env bash
# The stream-processing reference architecture on millrace: Wild Rydes telemetry into a Kinesis
# stream, a Lambda function (scripts/reference-architecture/fn-node/index.js, AWS's event
# processor written for the Node.js SDK v3) invoked with batches of its records, writing each
# one into the DynamoDB table UnicornSensorData; then the same with the Python function
# (fn-python/app.py, boto3) into UnicornSensorDataPython. The stream and the tables are one
# millrace store; gw-serve serves it through the DynamoDB API to the functions' SDKs, which
# ks-consume points at it with --endpoint (AWS_ENDPOINT_URL); the handlers' code is unchanged.
#
# Runs on a fresh store (./refarch-store, or REFARCH_STORE), removed first.
# Environment: MILLRACE_BIN (default build), RECORDS (10000), SHARDS (4), RUNTIMES ("nodejs
# python"), REFARCH_STORE. Needs node, the SDK for JavaScript of tests/clients (npm ci --prefix
# tests/clients), python3 with boto3 (Debian's python3-boto3), jq.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$(cd "${MILLRACE_BIN:-$src/build}" && pwd)
store=${REFARCH_STORE:-./refarch-store}
records=${RECORDS:-10000}
shards=${SHARDS:-4}
read -r -a runtimes <<<"${RUNTIMES:-nodejs python}"
functions=$src/scripts/reference-architecture
# The Node function's require() finds the SDK through NODE_PATH, as Lambda's Node.js runtime
# finds a layer's modules (/opt/nodejs/node_modules): the function's directory stays as written.
node_modules=$src/tests/clients/node_modules
if [[ " ${runtimes[*]} " == *" nodejs "* && ! -d $node_modules/@aws-sdk/lib-dynamodb ]]; then
  echo "reference-architecture.sh: no AWS SDK for JavaScript in $node_modules: run npm ci --prefix tests/clients" >&2
  exit 69
fi

step() { if [ -t 1 ]; then printf '\n\033[1m$ %s\033[0m\n' "$*"; else printf '\n$ %s\n' "$*"; fi; }

rm -rf "$store"
mkdir -p "$store"
export KS_STORE=$store
# The SDKs sign every request and so need keys; gw-serve without --credentials takes any.
export AWS_ACCESS_KEY_ID=AKIDREFARCH AWS_SECRET_ACCESS_KEY=reference-architecture AWS_REGION=us-east-1

step "gw-serve --listen 127.0.0.1:0 &   # the store behind the Kinesis and DynamoDB APIs"
"$bin/gw-serve" --listen 127.0.0.1:0 2>"$store/gw-serve.log" &
gateway=$!
trap 'kill "$gateway" 2>/dev/null || true; wait "$gateway" 2>/dev/null || true' EXIT
endpoint=
for _ in {1..100}; do
  endpoint=$(grep -o 'http://[0-9.]*:[0-9]*' "$store/gw-serve.log" | head -n 1 || true)
  [[ -n $endpoint ]] && break
  kill -0 "$gateway" 2>/dev/null || { cat "$store/gw-serve.log" >&2; exit 69; }
  sleep 0.05
done
[[ -n $endpoint ]] || { echo "reference-architecture.sh: gw-serve did not start" >&2; exit 69; }
echo "$endpoint"

step "ks-shard create wildrydes --shards $shards"
"$bin/ks-shard" create wildrydes --shards "$shards"

step "wildrydes --records $records --rate max --seed 1 | ks-put -s wildrydes -k Name"
"$bin/wildrydes" --records "$records" --rate max --seed 1 | "$bin/ks-put" -s wildrydes -k Name -v

for runtime in "${runtimes[@]}"; do
  case $runtime in
    nodejs) table=UnicornSensorData handler=index.handler code=$functions/fn-node
      extra=(--env "NODE_PATH=$node_modules") ;;
    python) table=UnicornSensorDataPython handler=app.handler code=$functions/fn-python extra=() ;;
    *) echo "reference-architecture.sh: RUNTIMES: unknown runtime $runtime" >&2; exit 64 ;;
  esac

  step "kv-put -t $table -k Name --sort-key StatusTime --create --key-type string --sort-key-type string </dev/null"
  "$bin/kv-put" -t "$table" -k Name --sort-key StatusTime --create --key-type string --sort-key-type string </dev/null

  step "ks-consume -s wildrydes -g $runtime --handler $handler --runtime $runtime --code ${code#"$src"/} --env TABLE_NAME=$table ${extra[*]} --endpoint $endpoint --batch-size 100 --parallel $shards -v"
  "$bin/ks-consume" -s wildrydes -g "$runtime" --handler "$handler" --runtime "$runtime" --code "$code" \
    --env "TABLE_NAME=$table" "${extra[@]}" --endpoint "$endpoint" --batch-size 100 --parallel "$shards" -v

  step "kv-get --describe $table | jq '{TableName, ItemCount}'"
  "$bin/kv-get" --describe "$table" | jq -c '{TableName, ItemCount}'

  unicorn=$("$bin/kv-get" -t "$table" --scan --limit 1 | jq -r .Name)
  step "kv-get -t $table --query '$unicorn' --reverse --limit 2   # one unicorn's last reports"
  "$bin/kv-get" -t "$table" --query "$unicorn" --reverse --limit 2
done

step "ks-shard describe wildrydes   # each group's checkpoint at the end of every shard"
"$bin/ks-shard" describe wildrydes
