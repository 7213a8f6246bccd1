#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called through timed
# tests/bench/lambda.sh — Lambda handlers in warm runtimes (ks-consume --handler), issue 16.
#
# usage: tests/bench/lambda.sh
#
# 1. Per-batch overhead. A warm Node.js handler that returns at once (exports.handler = async
#    () => {}), fed batches of 100 Wild Rydes records from one shard by ks-consume --handler
#    --parallel 1, as many as the shard holds (BATCHES): batches/s and ms a batch, from the
#    start of ks-consume to its exit, without a group and with one (-g, --sync none: a
#    checkpoint committed after every batch, not fsynced). The run's fixed cost (the store
#    opened, node and the bootstrap started, the handler loaded: a run of a single batch) is
#    measured too and taken off for the warm figure, (run - fixed) / (batches - 1), which the
#    targets judge. Baseline, in the same run: --exec 'node handler.js', the same handler as a
#    script that reads the event on stdin, parses it and exits, a process a batch (EXEC_BATCHES
#    of them). Targets: warm >= 3000 batches/s (<= 0.3 ms a batch), >= 50x --exec.
#    The floor, in the same rounds: what node costs by itself whatever serves it the Runtime
#    API (tests/bench/lambda_runtime_floor.mjs, a server of canned bytes, the same event of 100
#    records): bootstrap.mjs with the same handler (batches/s, and node's own CPU a batch,
#    which bounds any server at 1 / CPU), and the least runtime a node:http client can be (GET
#    next, JSON.parse, POST null) with and without its JSON.parse: node:http's round trips and
#    the event's parse, the two costs that no server takes off a Node runtime.
# 2. The reference architecture (scripts/reference-architecture/fn-node/index.js: each record
#    base64-decoded, parsed and written by the SDK v3 document client's PutCommand, one after
#    another) on RECORDS Wild Rydes records in a stream of 4 shards keyed by Name, into a table
#    keyed Name + StatusTime; records/s from the start of the consumer to the last record
#    handled (everything put beforehand):
#      millrace   ks-consume --handler --parallel 4 --batch-size 100 (4 warm runtimes, one a
#                 shard), the handler's PutItems through gw-serve to the same store; gw-serve
#                 and the group's checkpoints with --sync none: committed, not fsynced, the like
#                 of the in-memory peers
#      durable    the same with --sync full everywhere, on DURABLE_RECORDS records: each PutItem
#                 waits for its commit's two flushes of the disk, so 4 connections make at most
#                 4 / (2 flushes) a second, printed beside it (the flush is timed first)
#      kinesalite + dynalite   (npm, tests/bench/package.json, in memory) the same records put
#                 into kinesalite, the same handler file writing to dynalite (AWS_ENDPOINT_URL);
#                 kinesalite has no Lambda, so tests/bench/lambda_event_source.mjs stands in for
#                 the event source mapping: one Node process a shard, GetShardIterator
#                 TRIM_HORIZON then GetRecords of 100, each batch given as Lambda's event to the
#                 handler loaded in that process, awaited before the next
#    What the comparison measures: the same handler code, SDK, records, batches and concurrency
#    (4 processes, one a shard) on two stacks; it differs in the event source (ks-consume reading
#    the store and serving the Runtime API to separate runtimes, against a poller calling the
#    handler in-process over kinesalite's HTTP API) and in the table's server (gw-serve against
#    dynalite). The handler's SDK does most of the work on both sides: the figures say what a
#    user of that handler gets, not what gw-serve can take (tests/bench/dynamodb.sh says that).
#    Checked: the table holds one item per distinct key of the input; every record handled.
#    PIPELINE_RUNS rounds (default 1: a million records take minutes), the median reported.
#
# Environment: MILLRACE_BIN (default <repo>/build), RUNS (5, rounds of part 1), BATCHES (5000),
# EXEC_BATCHES (200), RECORDS (1000000), PIPELINE_RUNS (1), DURABLE_RECORDS (20000; 0 skips),
# PEERS ("kinesalite+dynalite"; empty skips), BENCH_TMP (the temporary directory's parent,
# default $TMPDIR or /tmp; on a real disk), BENCH_CACHE (the peers' install, default
# ${XDG_CACHE_HOME:-~/.cache}/millrace-bench), BENCH_STRICT=1 (exit 1 when a target is missed).
# Needs node, npm (the registry the first time), the SDK of tests/clients (npm ci --prefix
# tests/clients), curl and jq. It is a benchmark, not a test.

set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" 2>/dev/null && pwd || echo "${MILLRACE_BIN:-$SRC/build}")
RUNS=${RUNS:-5}
BATCHES=${BATCHES:-5000}
EXEC_BATCHES=${EXEC_BATCHES:-200}
RECORDS=${RECORDS:-1000000}
PIPELINE_RUNS=${PIPELINE_RUNS:-1}
DURABLE_RECORDS=${DURABLE_RECORDS:-20000}
read -r -a PEERS <<<"${PEERS-kinesalite+dynalite}"
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/millrace-bench}
SHARDS=4
BATCH=100
TARGET_BATCHES=3000
TARGET_RATIO=50

die() { echo "lambda.sh: $*" >&2; exit 1; }
note() { echo "lambda.sh: $*" >&2; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
(($# == 0)) || { echo "lambda.sh: unknown argument: $1" >&2; exit 64; }
for b in gw-serve ks-shard ks-put ks-consume kv-put kv-get wildrydes; do
  [[ -x $BIN/$b ]] || die "$BIN/$b not found: build first, or set MILLRACE_BIN"
done
for b in node npm curl jq; do command -v "$b" >/dev/null || die "$b not found"; done
NODE_MODULES=$SRC/tests/clients/node_modules
[[ -d $NODE_MODULES/@aws-sdk/lib-dynamodb && -d $NODE_MODULES/@aws-sdk/client-kinesis ]] ||
  die "the SDK for JavaScript is not installed: npm ci --prefix tests/clients"
for p in "${PEERS[@]}"; do [[ $p == kinesalite+dynalite ]] || die "PEERS: unknown peer $p"; done
((BATCHES >= 2 && EXEC_BATCHES >= 1 && RECORDS >= 1)) || die "BATCHES must be 2 or more, EXEC_BATCHES and RECORDS 1 or more"

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

servers_work lambda

# The binaries, runtimes and functions as they are now: a rebuild or an edit while the benchmark
# runs must not change them. The bootstraps are found beside the binaries (share/millrace/runtime).
mkdir -p "$WORK/bin" "$WORK/share/millrace" "$WORK/code"
for b in gw-serve ks-shard ks-put ks-consume kv-put kv-get wildrydes; do cp "$BIN/$b" "$WORK/bin/"; done
cp -r "$SRC/share/runtime" "$WORK/share/millrace/runtime"
cp -r "$SRC/scripts/reference-architecture/fn-node" "$WORK/fn-node"
mkdir -p "$WORK/bench" && cp "$SRC/tests/bench/lambda_event_source.mjs" "$SRC/tests/bench/lambda_runtime_floor.mjs" "$WORK/bench/"
ln -s "$SRC/tests/clients" "$WORK/clients"  # lambda_event_source.mjs finds the SDK at ../clients
PATH=$WORK/bin:$PATH
# The SDKs sign their requests: made-up keys, which none of the servers verifies. The SDK's
# notice that its next versions need a newer Node goes once to the log, not once a runtime.
export AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null NODE_OPTIONS=--no-warnings
((${#PEERS[@]} == 0)) || npm_peers "$CACHE" kinesalite dynalite

# ---- part 1: the per-batch overhead

echo 'exports.handler = async () => {};' >"$WORK/code/index.js"
cat >"$WORK/code/handler.js" <<'EOF'
// The same handler for --exec: the event on stdin, parsed, then nothing.
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => { JSON.parse(Buffer.concat(chunks)); });
EOF
wildrydes --records $((BATCHES * BATCH)) --rate max --seed 1 >"$WORK/overhead.jsonl"
ks-shard -S "$WORK/overhead.store" create overhead --shards 1
ks-shard -S "$WORK/overhead.store" create one --shards 1
ks-put -S "$WORK/overhead.store" -s overhead -k Name --sync none "$WORK/overhead.jsonl"
head -n "$BATCH" "$WORK/overhead.jsonl" | ks-put -S "$WORK/overhead.store" -s one -k Name --sync none
# The floor's event: the first batch's, as ks-consume hands it out.
ks-consume -S "$WORK/overhead.store" -s overhead -n "$BATCH" --format lambda >"$WORK/event.json"

# floor NAME COMMAND...: the runtime COMMAND on the canned Runtime API for BATCHES events; sets
# FLOOR_RATE[NAME] and FLOOR_CPU[NAME] (node's own CPU, ms a batch), appending to the rounds'.
declare -A FLOOR_RATE FLOOR_CPU
floor() {
  local name=$1 out
  shift
  out=$(node "$WORK/bench/lambda_runtime_floor.mjs" serve "$WORK/event.json" "$BATCHES" "$WORK/code" "$@" 2>"$WORK/floor.err") ||
    die "lambda_runtime_floor.mjs ($name): $(tail -n 5 "$WORK/floor.err")"
  FLOOR_RATE[$name]+=" $(jq .batches_per_s <<<"$out")"
  FLOOR_CPU[$name]+=" $(jq .cpu_ms_per_batch <<<"$out")"
}

# consume ARGS...: ks-consume on the overhead store, quiet; its stderr kept for a failure.
consume() {
  ks-consume -S "$WORK/overhead.store" --batch-size "$BATCH" -q "$@" >/dev/null 2>"$WORK/consume.err" ||
    die "ks-consume $*: $(tail -n 5 "$WORK/consume.err")"
}
handler=(--handler index.handler --runtime nodejs --code "$WORK/code" --parallel 1)
declare -A T
echo "lambda: per-batch overhead of a warm Node handler, batches of $BATCH, --parallel 1, one shard;" \
  "median of $RUNS rounds"
describe_machine "$WORK" "node $(node --version)"
for ((round = 1; round <= RUNS; round++)); do
  timed consume -s one "${handler[@]}"
  T[fixed]+=" $ELAPSED"
  timed consume -s overhead "${handler[@]}"
  T[warm]+=" $ELAPSED"
  timed consume -s overhead -g "group$round" --sync none "${handler[@]}"
  T[group]+=" $ELAPSED"
  behind=$(ks-shard -S "$WORK/overhead.store" --json describe overhead |
    jq --arg g "group$round" '[.Groups[] | select(.GroupName == $g) | .Shards[].RecordsBehind] | add')
  [[ $behind == 0 ]] || die "the group group$round is $behind records behind after its run"
  timed consume -s overhead -n $((EXEC_BATCHES * BATCH)) --exec "node $WORK/code/handler.js"
  T[exec]+=" $ELAPSED"
  floor bootstrap node "$WORK/share/millrace/runtime/nodejs/bootstrap.mjs"
  floor least node "$WORK/bench/lambda_runtime_floor.mjs" runtime parse
  floor noparse node "$WORK/bench/lambda_runtime_floor.mjs" runtime noparse
done
# shellcheck disable=SC2086 # word lists of figures
fixed=$(median ${T[fixed]})
row() { printf '  %-44s %12s %12s %12s\n' "$@"; }
per_second() { awk -v b="$1" -v s="$2" 'BEGIN { printf (b / s < 100 ? "%.1f" : "%.0f"), b / s }'; }
ms() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.3f", s / b * 1000 }'; }
warm_seconds() { awk -v s="$1" -v f="$fixed" 'BEGIN { printf "%.6f", s - f }'; }
row "" "batches/s" "ms/batch" "end to end"
declare -A RATE
for c in warm group; do
  # shellcheck disable=SC2086
  t=$(median ${T[$c]})
  RATE[$c]=$(per_second $((BATCHES - 1)) "$(warm_seconds "$t")")
  label="--handler (warm runtime)"
  [[ $c == group ]] && label="--handler -g --sync none (checkpointed)"
  row "$label" "${RATE[$c]}" "$(ms $((BATCHES - 1)) "$(warm_seconds "$t")")" \
    "$(per_second "$BATCHES" "$t")/s"
done
# shellcheck disable=SC2086
t=$(median ${T[exec]})
RATE[exec]=$(per_second "$EXEC_BATCHES" "$t")
row "--exec 'node handler.js' (a process a batch)" "${RATE[exec]}" "$(ms "$EXEC_BATCHES" "$t")" "${RATE[exec]}/s"
printf '  fixed cost of a run (store, node, bootstrap, handler loaded): %.1f ms; warm = (run - fixed) / (%d - 1) batches\n' \
  "$(awk -v f="$fixed" 'BEGIN { print f * 1000 }')" "$BATCHES"
# shellcheck disable=SC2086
for f in bootstrap least noparse; do
  FLOOR_RATE[$f]=$(median ${FLOOR_RATE[$f]})
  FLOOR_CPU[$f]=$(median ${FLOOR_CPU[$f]})
done
echo "  the floor: node alone, on a Runtime API of canned bytes (lambda_runtime_floor.mjs), the same event;"
echo "  its own CPU a batch bounds it at 1 / CPU batches/s, whatever serves it the API"
row "" "batches/s" "CPU ms/batch" "at most"
floor_row() {
  row "$1" "$(awk -v r="${FLOOR_RATE[$2]}" 'BEGIN { printf "%.0f", r }')" "${FLOOR_CPU[$2]}" \
    "$(awk -v c="${FLOOR_CPU[$2]}" 'BEGIN { printf "%.0f/s", 1000 / c }')"
}
floor_row "bootstrap.mjs and the same handler" bootstrap
floor_row "least node:http runtime: GET, parse, POST" least
floor_row "the same without JSON.parse" noparse
echo "  --handler (warm runtime) / bootstrap.mjs on canned bytes: $(ratio "${RATE[warm]}" "${FLOOR_RATE[bootstrap]}")x"
ratio_exec=$(ratio "${RATE[warm]}" "${RATE[exec]}")
echo "  target >= $TARGET_BATCHES batches/s (<= 0.3 ms a batch): ${RATE[warm]}/s $(verdict "ge ${RATE[warm]} $TARGET_BATCHES")"
echo "  target >= ${TARGET_RATIO}x --exec: ${ratio_exec}x $(verdict "ge $ratio_exec $TARGET_RATIO")"

# ---- part 2: the reference architecture

echo
echo "lambda: the reference architecture's Node handler (PutCommand a record), $RECORDS Wild Rydes records," \
  "$SHARDS shards, batches of $BATCH, 4 at once; median of $PIPELINE_RUNS"
wildrydes --records "$RECORDS" --rate max --seed 1 >"$WORK/rides.jsonl"
keys=$(jq -r '[.Name, .StatusTime] | @tsv' "$WORK/rides.jsonl" | sort -u | wc -l)
function_env=(--env "NODE_PATH=$NODE_MODULES")

# stream_gateway NAME SYNC LINES: gw-serve on a store of its own holding the stream rides, the
# first LINES of the input put into it.
stream_gateway() {
  start_gw "$1" "$2"
  ks-shard -S "$WORK/$1.store" create rides --shards "$SHARDS"
  head -n "$3" "$WORK/rides.jsonl" | ks-put -S "$WORK/$1.store" -s rides -k Name --sync none
}
# reference_function NAME SYNC TABLE: ks-consume --handler, the reference function into TABLE.
reference_function() {
  ks-consume -S "$WORK/$1.store" -s rides -g "$3" --sync "$2" --handler index.handler --runtime nodejs \
    --code "$WORK/fn-node" --env "TABLE_NAME=$3" "${function_env[@]}" --endpoint "${URL[$1]%/}" \
    --batch-size "$BATCH" --parallel "$SHARDS" -q >/dev/null 2>"$WORK/$1.consume.err" ||
    die "$1: ks-consume --handler: $(tail -n 5 "$WORK/$1.consume.err")"
}
# millrace NAME SYNC TABLE KEYS: the handler by ks-consume over NAME's stream into a new TABLE,
# timed (ELAPSED); then the table must hold KEYS items.
millrace() {
  kv-put -S "$WORK/$1.store" -t "$3" -k Name --sort-key StatusTime --create --key-type string \
    --sort-key-type string </dev/null
  timed reference_function "$@"
  local items
  items=$(kv-get -S "$WORK/$1.store" --describe "$3" | jq .ItemCount)
  [[ $items == "$4" ]] || die "$1: $3 holds $items items, not $4"
}

stream_gateway gw-nosync none "$RECORDS"
if ((DURABLE_RECORDS > 0)); then
  durable_records=$((DURABLE_RECORDS < RECORDS ? DURABLE_RECORDS : RECORDS))
  durable_keys=$(head -n "$durable_records" "$WORK/rides.jsonl" | jq -r '[.Name, .StatusTime] | @tsv' | sort -u | wc -l)
  stream_gateway gw-sync full "$durable_records"
fi
peers=''
if ((${#PEERS[@]} > 0)); then
  for peer in kinesalite dynalite; do
    port=$(free_port)
    URL[$peer]=http://127.0.0.1:$port/
    case $peer in
      kinesalite) options=(--createStreamMs 0) ;;
      dynalite) options=(--createTableMs 0 --deleteTableMs 0) ;;
    esac
    node "$CACHE/node_modules/$peer/cli.js" --port "$port" "${options[@]}" >"$WORK/$peer.log" 2>&1 &
    PID[$peer]=$!
  done
  aws_json_api 1.1 kinesis Kinesis_20131202
  wait_listening kinesalite "$WORK/kinesalite.log" Kinesis_20131202.ListStreams
  call kinesalite CreateStream "{\"StreamName\":\"rides\",\"ShardCount\":$SHARDS}" >/dev/null
  timed node "$WORK/bench/lambda_event_source.mjs" put "${URL[kinesalite]}" rides "$WORK/rides.jsonl" >/dev/null
  note "$RECORDS records put into kinesalite in ${ELAPSED}s"
  aws_json_api 1.0 dynamodb DynamoDB_20120810
  wait_listening dynalite "$WORK/dynalite.log" DynamoDB_20120810.ListTables
  peers="kinesalite $(jq -r .version "$CACHE/node_modules/kinesalite/package.json"), dynalite $(jq -r .version "$CACHE/node_modules/dynalite/package.json")"
fi
table_schema='"KeySchema":[{"AttributeName":"Name","KeyType":"HASH"},{"AttributeName":"StatusTime","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"Name","AttributeType":"S"},{"AttributeName":"StatusTime","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"'
describe_machine "$WORK" "node $(node --version)${peers:+, $peers}"

# peers TABLE: the handler by one event source process a shard over kinesalite, into a new TABLE
# of dynalite, timed (ELAPSED); then every record handled and one item a key; the table dropped.
peers() {
  local shard handled=0 n items
  call dynalite CreateTable "{\"TableName\":\"$1\",$table_schema}" >/dev/null
  t0=$EPOCHREALTIME
  for ((shard = 0; shard < SHARDS; shard++)); do
    AWS_ENDPOINT_URL=${URL[dynalite]%/} TABLE_NAME=$1 NODE_PATH=$NODE_MODULES \
      node "$WORK/bench/lambda_event_source.mjs" poll "${URL[kinesalite]}" rides "$(printf 'shardId-%012d' "$shard")" \
      "$WORK/fn-node/index.handler" >"$WORK/poll.$shard.out" 2>"$WORK/poll.$shard.err" &
    POLLERS[shard]=$!
  done
  for ((shard = 0; shard < SHARDS; shard++)); do
    wait "${POLLERS[shard]}" || die "the event source of shard $shard: $(tail -n 5 "$WORK/poll.$shard.err")"
  done
  ELAPSED=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.6f", b - a }')
  for ((shard = 0; shard < SHARDS; shard++)); do
    read -r n <"$WORK/poll.$shard.out"
    handled=$((handled + n))
  done
  ((handled == RECORDS)) || die "kinesalite+dynalite: $handled records handled, not $RECORDS"
  items=$(node "$WORK/bench/lambda_event_source.mjs" count "${URL[dynalite]}" "$1")
  [[ $items == "$keys" ]] || die "kinesalite+dynalite: $1 holds $items items, not $keys"
  call dynalite DeleteTable "{\"TableName\":\"$1\"}" >/dev/null
}
declare -a POLLERS

for ((round = 1; round <= PIPELINE_RUNS; round++)); do
  millrace gw-nosync none "Rides$round" "$keys"
  T[millrace]+=" $ELAPSED"
  if ((${#PEERS[@]} > 0)); then
    peers "Rides$round"
    T[peers]+=" $ELAPSED"
  fi
  if ((DURABLE_RECORDS > 0)); then
    millrace gw-sync full "Rides$round" "$durable_keys"
    T[durable]+=" $ELAPSED"
  fi
done

row "" "records/s" "seconds" "records"
# shellcheck disable=SC2086
t=$(median ${T[millrace]})
RATE[millrace]=$(rate "$RECORDS" "$t")
row "millrace (ks-consume, gw-serve --sync none)" "${RATE[millrace]}" "$t" "$RECORDS"
if ((${#PEERS[@]} > 0)); then
  # shellcheck disable=SC2086
  t=$(median ${T[peers]})
  RATE[peers]=$(rate "$RECORDS" "$t")
  row "kinesalite + dynalite (event source .mjs)" "${RATE[peers]}" "$t" "$RECORDS"
  echo "  millrace / kinesalite+dynalite: $(ratio "${RATE[millrace]}" "${RATE[peers]}")x"
fi
if ((DURABLE_RECORDS > 0)); then
  # shellcheck disable=SC2086
  t=$(median ${T[durable]})
  flush_bound "$WORK" "$SHARDS"
  row "millrace durable (--sync full)" "$(rate "$durable_records" "$t")" "$t" "$durable_records"
  echo "  the disk's flush: $FLUSH_MS ms; $SHARDS connections waiting for durable commits make at most $BOUND PutItems/s"
fi
if [[ -e $WORK/missed ]]; then
  echo "a target is missed"
  [[ ${BENCH_STRICT:-0} == 1 ]] && exit 1
fi
exit 0
