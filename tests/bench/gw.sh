#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called through trap
# tests/bench/gw.sh — gw-serve's Kinesis API against kinesalite and kinesis-local.
#
# usage: tests/bench/gw.sh
#
# The same requests, sent by the same load generator (h2load, one request in flight on each
# keep-alive connection, as that many SDK clients each waiting for its answer), to:
#   gw-serve       the build's, --sync full (a put is answered once fsynced), its store in a
#                  temporary directory under BENCH_TMP; over HTTP/1.1, as the peers, for the
#                  ratios, and over HTTP/2 (prior knowledge) as the SDKs for JavaScript v3 and
#                  Java v2 speak it
#   gw-serve --sync none  the same with a store of its own, answering once committed, not
#                  fsynced: the like of the in-memory peers, for the puts, over HTTP/1.1
#   kinesalite     3.3.3 (npm), in memory (its --path store needs leveldown), HTTP/1.1 only
#   kinesis-local  0.6.2 (npm; LocalStack's kinesis-mock compiled to JavaScript), in memory
# The peers are installed by npm, at the versions tests/bench/package.json pins, into
# BENCH_CACHE. Cases, each in its own stream made beforehand:
#   putrecords  PutRecords of 500 Wild Rydes records (wildrydes --rate max, seed 1: Data the
#               line, PartitionKey its Name; a 128 kB body) into 4 shards, over
#               BATCH_CONNECTIONS connections. Targets >= 500k records/s, >= 20x kinesalite.
#   putrecord   PutRecord of the first of those records into 4 shards, over CONNECTIONS
#               connections. Targets >= 40k requests/s with p99 <= 5 ms, >= 10x kinesalite.
#   getrecords  GetRecords with Limit 10000 of a shard preloaded with those 500 records 20
#               times, over READ_CONNECTIONS connections; every request reads the 10,000 with
#               one TRIM_HORIZON iterator, taken afresh before each run (Kinesis takes an
#               iterator again and again until it expires, 5 minutes after it was issued).
#               Target >= 1M records/s.
#   memory      gw-serve's resident set, sampled every 0.2 s through every run of its: peak
#               (VmHWM) <= 100 MiB, and flat: in each case, the largest sample of its own memory
#               (RssAnon) in the last run within 5 MiB of the first run's. The rest of the
#               resident set (RssFile) is the store's pages that LMDB's map brings in, which the
#               kernel maps and drops as it likes: reported, not judged.
# A durable commit is two flushes of the disk (LMDB's data, then its meta page), so the flush's
# time bounds what a connection waiting for its commit can do: the script measures it first
# (dd of 4 KiB in place with O_DSYNC) and prints PutRecord's bound, CONNECTIONS / (2 flushes).
# Each case runs a 1 s warm-up on every server, then DURATION seconds on each server in turn,
# RUNS times; after each run the script waits until the server has answered what was still
# in flight. Reported: medians of requests/s (and records/s) and of the latency p50 and p99
# (h2load's log of every request), the ratios of the medians, the servers' memory.
# Checked: every request of every run answered 2xx (h2load's counts and status codes); every
# record put is there afterwards (gw-serve: counted in the store by ks-consume, the peers: by
# GetRecords over their shards), between the records of the requests done and of those sent;
# every GetRecords answer as long as one of 10,000 records.
# kinesis-local answers tens of requests a second: its figures rest on few requests.
#
# Environment: MILLRACE_BIN (binaries; default <repo>/build), RUNS (5), DURATION (5),
# CONNECTIONS (64), BATCH_CONNECTIONS (16), READ_CONNECTIONS (4), BENCH_TMP (where the
# temporary directory and gw-serve's store go; default $TMPDIR or /tmp; on a real disk, as on
# tmpfs an fsync is free), BENCH_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/millrace-bench),
# PEERS ("kinesalite kinesis-local"; fewer to skip one), BENCH_STRICT=1 (exit 1 when a target
# is missed). Needs h2load (nghttp2-client), node and npm (the npm registry the first time),
# curl and jq. It is a benchmark, not a test.

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
read -r -a PEERS <<<"${PEERS-kinesalite kinesis-local}"
BATCH=500        # records a PutRecords
READ_BATCHES=20  # PutRecords into the read stream: 10,000 records
SEED=1

die() { echo "gw.sh: $*" >&2; exit 1; }
note() { echo "gw.sh: $*" >&2; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
(($# == 0)) || { echo "gw.sh: unknown argument: $1" >&2; exit 64; }
for b in gw-serve ks-consume wildrydes; do [[ -x $BIN/$b ]] || die "$BIN/$b not found: build first, or set MILLRACE_BIN"; done
command -v h2load >/dev/null || die "h2load not found (apt-get install nghttp2-client)"
for b in node npm curl jq; do command -v "$b" >/dev/null || die "$b not found"; done
for p in "${PEERS[@]}"; do [[ $p == kinesalite || $p == kinesis-local ]] || die "PEERS: unknown peer $p"; done

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-gw.XXXXXX")
declare -A PID URL
SAMPLER=''
cleanup() {
  local pid
  for pid in "${PID[@]}" $SAMPLER; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The binaries are copied first: a rebuild while the benchmark runs must not change them.
mkdir -p "$WORK/bin"
for b in gw-serve ks-consume wildrydes; do cp "$BIN/$b" "$WORK/bin/"; done
npm_peers "$CACHE" kinesalite kinesis-local

# ---- the requests: one body file per case, the same bytes to every server

"$WORK/bin/wildrydes" --rate max --records "$BATCH" --seed "$SEED" >"$WORK/rides.jsonl"
# Data is each line's own bytes in base64 (jq's tojson would rewrite the numbers).
jq -Rcn '{StreamName: "batches", Records: [inputs | {Data: @base64, PartitionKey: fromjson.Name}]}' \
  "$WORK/rides.jsonl" >"$WORK/putrecords.json"
jq -c '{StreamName: "singles", Data: .Records[0].Data, PartitionKey: .Records[0].PartitionKey}' \
  "$WORK/putrecords.json" >"$WORK/putrecord.json"
jq -c '.StreamName = "reads"' "$WORK/putrecords.json" >"$WORK/preload.json"

aws_json_api 1.1 kinesis Kinesis_20131202

# ---- the servers

start_gw gw-serve full
start_gw gw-nosync none
for peer in "${PEERS[@]}"; do
  port=$(free_port)
  URL[$peer]=http://127.0.0.1:$port/
  case $peer in
    kinesalite)
      node "$CACHE/node_modules/kinesalite/cli.js" --port "$port" --createStreamMs 0 --deleteStreamMs 0 \
        --updateStreamMs 0 --shardLimit 100 >"$WORK/$peer.log" 2>&1 &
      ;;
    kinesis-local)
      # It reads its TLS certificate (server.json) from the working directory.
      (cd "$CACHE/node_modules/kinesis-local" && KINESIS_MOCK_PLAIN_PORT=$port KINESIS_MOCK_TLS_PORT=$(free_port) \
        CREATE_STREAM_DURATION=0ms LOG_LEVEL=ERROR exec node main.js) >"$WORK/$peer.log" 2>&1 &
      ;;
  esac
  PID[$peer]=$!
done
SERVERS=(gw-serve gw-nosync "${PEERS[@]}")
for s in "${SERVERS[@]}"; do wait_listening "$s" "$WORK/$s.log" Kinesis_20131202.ListStreams; done

# The streams, made and ACTIVE on every server; the read stream's shard preloaded.
for s in "${SERVERS[@]}"; do
  call "$s" CreateStream '{"StreamName":"batches","ShardCount":4}' >/dev/null
  call "$s" CreateStream '{"StreamName":"singles","ShardCount":4}' >/dev/null
  call "$s" CreateStream '{"StreamName":"reads","ShardCount":1}' >/dev/null
  for stream in batches singles reads; do
    for _ in {1..100}; do
      [[ $(call "$s" DescribeStreamSummary "{\"StreamName\":\"$stream\"}" | jq -r .StreamDescriptionSummary.StreamStatus) == ACTIVE ]] && break
      sleep 0.1
    done
  done
  for ((i = 0; i < READ_BATCHES; i++)); do
    [[ $(call "$s" PutRecords "@$WORK/preload.json" | jq .FailedRecordCount) == 0 ]] || die "$s: preloading failed"
  done
done
READ_RECORDS=$((READ_BATCHES * BATCH))

# GetRecords' body for server $1, with a fresh TRIM_HORIZON iterator of the read stream.
read_body() {
  local iterator
  iterator=$(call "$1" GetShardIterator '{"StreamName":"reads","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}' |
    jq -r .ShardIterator)
  printf '{"ShardIterator":"%s","Limit":%d}' "$iterator" "$READ_RECORDS" >"$WORK/getrecords.$1.json"
}
# Each server answers one GetRecords with all the records, as long as READ_BYTES[server].
declare -A READ_BYTES
for s in "${SERVERS[@]}"; do
  read_body "$s"
  call "$s" GetRecords "@$WORK/getrecords.$s.json" >"$WORK/probe.json"
  got=$(jq '.Records | length' "$WORK/probe.json")
  ((got == READ_RECORDS)) || die "$s: GetRecords gave $got records of the $READ_RECORDS preloaded"
  READ_BYTES[$s]=$(wc -c <"$WORK/probe.json")
done

# ---- gw-serve's resident set, sampled through the runs: "CASE RUN VmRSS RssAnon RssFile" (KiB)

echo "start 0" >"$WORK/phase"
(
  while kill -0 "${PID[gw-serve]}" 2>/dev/null; do
    echo "$(<"$WORK/phase") $(rss_kib "${PID[gw-serve]}") $(rss_kib "${PID[gw-serve]}" RssAnon) $(rss_kib "${PID[gw-serve]}" RssFile)"
    sleep 0.2
  done
) >"$WORK/rss.samples" 2>/dev/null &
SAMPLER=$!

# ---- the runs

# The records each stream should hold: [low, high] from the requests done and sent.
declare -A LOW HIGH
# drain SERVER: returns once the server has answered a request sent after the run's last
# (a peer may still be busy with what h2load left in flight).
drain() { call "$1" DescribeStreamSummary '{"StreamName":"reads"}' >/dev/null; }

# measure CASE SERVER PROTOCOL RUN: one run of CASE on SERVER over h1 or h2; RUN 0 is the
# warm-up. Sets RPS, P50, P99 (h2load_run).
measure() {
  local case=$1 server=$2 protocol=$3 run=$4 target records=1 connections body duration=$DURATION options=()
  [[ $protocol == h1 ]] && options+=(--h1)
  ((run > 0)) || duration=1
  case $case in
    putrecords) target=PutRecords records=$BATCH connections=$BATCH_CONNECTIONS body=$WORK/putrecords.json ;;
    putrecord) target=PutRecord connections=$CONNECTIONS body=$WORK/putrecord.json ;;
    getrecords) target=GetRecords connections=$READ_CONNECTIONS body=$WORK/getrecords.$server.json
      read_body "$server" ;;
  esac
  [[ $server == gw-serve ]] && echo "$case-$protocol $run" >"$WORK/phase"
  h2load_run "$case-$server-$protocol-$run" "$WORK" "${options[@]}" -c "$connections" -m 1 -t 1 -D "$duration" \
    -d "$body" "${HEADERS[@]}" -H "X-Amz-Target: Kinesis_20131202.$target" "${URL[$server]}"
  [[ $server == gw-serve ]] && echo "idle $run" >"$WORK/phase"
  drain "$server"
  if [[ $case == put* ]]; then
    LOW[$server.$case]=$((${LOW[$server.$case]:-0} + DONE * records))
    HIGH[$server.$case]=$((${HIGH[$server.$case]:-0} + STARTED * records))
  elif ((DONE > 0)); then
    ((BODY_BYTES / DONE >= READ_BYTES[$server] * 99 / 100)) ||
      die "$case on $server: answers of $((BODY_BYTES / DONE)) bytes on average, not of ${READ_BYTES[$server]}"
  fi
}

declare -A R  # R[case.server.protocol.rps|p50|p99] = "run1 run2 ..."
CASES=(putrecords putrecord getrecords)
# The (server protocol) pairs of a case, in the order they run.
pairs() {
  echo "gw-serve h1" && echo "gw-serve h2"
  [[ $1 == put* ]] && echo "gw-nosync h1"
  local p
  for p in "${PEERS[@]}"; do echo "$p h1"; done
}

flush_bound "$WORK" "$CONNECTIONS"

echo "millrace gw bench: $RUNS runs of ${DURATION}s; connections: PutRecords $BATCH_CONNECTIONS, PutRecord $CONNECTIONS, GetRecords $READ_CONNECTIONS"
describe_machine "$WORK" "$(h2load --version | head -n 1); node $(node --version)"
echo "  disk: a 4 KiB write with O_DSYNC takes $FLUSH_MS ms: $CONNECTIONS connections each waiting for a durable"
echo "        commit (2 flushes) make at most $BOUND requests/s"
echo "  gw-serve: $BIN/gw-serve, $(nproc) threads, --sync full; gw-nosync: the same, --sync none"
for p in "${PEERS[@]}"; do
  echo "  $p $(jq -r .version "$CACHE/node_modules/$p/package.json"), in memory"
done
echo

for case in "${CASES[@]}"; do
  mapfile -t PAIRS < <(pairs "$case")
  for pair in "${PAIRS[@]}"; do
    read -r server protocol <<<"$pair"
    measure "$case" "$server" "$protocol" 0
  done
  for ((run = 1; run <= RUNS; run++)); do
    line="   $case run $run:"
    for pair in "${PAIRS[@]}"; do
      read -r server protocol <<<"$pair"
      measure "$case" "$server" "$protocol" "$run"
      key=$case.$server.$protocol
      R[$key.rps]+="$RPS " R[$key.p50]+="$P50 " R[$key.p99]+="$P99 "
      line+=$(printf ' %s/%s %.0f req/s p99 %s ms;' "$server" "$protocol" "$RPS" "$P99")
    done
    echo "${line%;}"
  done
done
echo "done" >"$WORK/phase"
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=''

# ---- every record put is there

# count_records SERVER STREAM: the records of every shard, read by GetRecords.
count_records() {
  local shard iterator total=0 page
  for shard in $(call "$1" ListShards "{\"StreamName\":\"$2\"}" | jq -r '.Shards[].ShardId'); do
    iterator=$(call "$1" GetShardIterator "{\"StreamName\":\"$2\",\"ShardId\":\"$shard\",\"ShardIteratorType\":\"TRIM_HORIZON\"}" |
      jq -r .ShardIterator)
    while :; do
      call "$1" GetRecords "{\"ShardIterator\":\"$iterator\",\"Limit\":10000}" >"$WORK/page.json"
      read -r page iterator < <(jq -r '"\(.Records | length) \(.NextShardIterator // "")"' "$WORK/page.json")
      ((page > 0)) || break
      total=$((total + page))
    done
  done
  echo "$total"
}
echo
echo "check: the records put are all there"
for s in "${SERVERS[@]}"; do
  for case in putrecords putrecord; do
    stream=$([[ $case == putrecords ]] && echo batches || echo singles)
    if [[ $s == gw-* ]]; then
      have=$("$WORK/bin/ks-consume" -S "$WORK/$s.store" -s "$stream" | wc -l)
    else
      have=$(count_records "$s" "$stream")
    fi
    low=${LOW[$s.$case]} high=${HIGH[$s.$case]}
    ((have >= low && have <= high)) || die "$s: stream $stream holds $have records, not between $low and $high"
    echo "   $s $stream: $have records (requests done: $low, sent: $high)"
  done
done

# ---- the table

# shellcheck disable=SC2086  # the runs' figures, one word each
med() { median ${R[$1]}; }  # the median of a key's runs
records() { awk -v r="$1" -v n="$2" 'BEGIN { printf "%.0f", r * n }'; }
row() { printf '%-38s %-24s %-16s %s\n' "$@"; }

echo
echo "results (medians of $RUNS):"
row "measurement" "figure" "p50 / p99 ms" "gw-serve (HTTP/1.1) is"
for case in "${CASES[@]}"; do
  per=1
  [[ $case == putrecords ]] && per=$BATCH
  [[ $case == getrecords ]] && per=$READ_RECORDS
  mapfile -t PAIRS < <(pairs "$case")
  for pair in "${PAIRS[@]}"; do
    read -r server protocol <<<"$pair"
    key=$case.$server.$protocol
    rps=$(med "$key.rps")
    figure=$(awk -v r="$rps" 'BEGIN { printf (r < 10 ? "%.1f" : "%.0f") " req/s", r }')
    ((per > 1)) && figure+=", $(human_rate "$(records "$rps" "$per")")"
    compared=''
    [[ $server != gw-serve ]] && compared="$(ratio "$(med "$case.gw-serve.h1.rps")" "$rps")x"
    label=$server
    [[ $server == gw-nosync ]] && label="gw-serve --sync none"
    row "$case, $label, $protocol" "$figure" "$(med "$key.p50") / $(med "$key.p99")" "$compared"
  done
done

# Memory: the largest sample of each run of gw-serve, of a column of the samples (3 VmRSS,
# 4 RssAnon, 5 RssFile); growth: in the case and protocol where it grew most, from the first
# run to the last (MiB).
growth() {
  awk -v last="$RUNS" -v c="$1" '
    $1 != "idle" && $2 >= 1 { k = $1 SUBSEP $2; if ($c > m[k]) m[k] = $c; phases[$1] = 1 }
    END { g = 0; for (p in phases) { d = m[p, last] - m[p, 1]; if (d > g) g = d }; printf "%.1f", g / 1024 }' "$WORK/rss.samples"
}
largest() { awk -v c="$1" '$c > m { m = $c } END { printf "%.1f", m / 1024 }' "$WORK/rss.samples"; }
peak_kib=$(rss_kib "${PID[gw-serve]}" VmHWM)
growth=$(growth 4)
samples=$(awk '$3 > 0' "$WORK/rss.samples" | wc -l)
row "gw-serve memory" "$(mib "$peak_kib") MiB peak" "" "$samples samples; growth from run 1 to $RUNS:"
row "" "own: $(largest 4) MiB max" "" "$growth MiB"
row "" "store pages: $(largest 5) MiB max" "" "$(growth 5) MiB (the kernel's to keep or drop)"
for p in "${PEERS[@]}"; do row "$p memory" "$(mib "$(rss_kib "${PID[$p]}" VmHWM)") MiB peak" "" ""; done

# ---- the verdicts

rps() { med "$1.gw-serve.h1.rps"; }
versus() { ratio "$(rps "$1")" "$(med "$1.$2.h1.rps")"; }
put_rate=$(records "$(rps putrecords)" "$BATCH")
read_rate=$(records "$(rps getrecords)" "$READ_RECORDS")
p99=$(med putrecord.gw-serve.h1.p99)
echo
row "target" "measured" "verdict" ""
row "PutRecords >= 500k records/s" "$(human_rate "$put_rate")" "$(verdict "ge $put_rate 500000")" ""
has_peer kinesalite &&
  row "PutRecords >= 20x kinesalite" "$(versus putrecords kinesalite)x" "$(verdict "ge $(versus putrecords kinesalite) 20")" ""
row "PutRecord >= 40k requests/s" "$(printf '%.0f' "$(rps putrecord)") req/s" "$(verdict "ge $(rps putrecord) 40000")" \
  "(the disk's bound: $BOUND)"
row "PutRecord p99 <= 5 ms" "$p99 ms" "$(verdict "le $p99 5")" ""
has_peer kinesalite &&
  row "PutRecord >= 10x kinesalite" "$(versus putrecord kinesalite)x" "$(verdict "ge $(versus putrecord kinesalite) 10")" \
    "(--sync none: $(ratio "$(med putrecord.gw-nosync.h1.rps)" "$(med putrecord.kinesalite.h1.rps)")x)"
row "GetRecords >= 1M records/s" "$(human_rate "$read_rate")" "$(verdict "ge $read_rate 1000000")" ""
row "memory <= 100 MiB" "$(mib "$peak_kib") MiB" "$(verdict "le $peak_kib 102400")" ""
row "memory flat (own, <= 5 MiB growth)" "$growth MiB" "$(verdict "le $growth 5")" ""
if [[ -e $WORK/missed ]]; then
  echo "a target is missed"
  [[ ${BENCH_STRICT:-0} == 1 ]] && exit 1
else
  echo "targets met"
fi
exit 0
