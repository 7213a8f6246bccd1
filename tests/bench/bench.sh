#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called through timed, verdict and trap
# tests/bench/bench.sh — millrace against Redis Streams on the Wild Rydes workload.
#
# usage: tests/bench/bench.sh [--peer-only] [put] [consume] [latency] [memory]
#
# One generated file of RECORDS Wild Rydes lines (wildrydes --rate max, seed 1) feeds
# every measurement. Each one runs RUNS times, alternating with its peer, and the
# median is reported (for memory: the largest of the runs). Sections:
#   put      ks-put -k Name --sync full into a fresh 4-shard stream, fresh store each
#            run, vs redis-cli --pipe of XADD commands into a fresh redis-server
#            (appendonly yes, appendfsync everysec). Targets ≥ 1.5M rec/s, ≥ 3× redis.
#   consume  ks-consume of those records > /dev/null and | cat, vs redis-cli XRANGE.
#            Targets ≥ 4M rec/s, ≥ 8× redis.
#   latency  put-to-follower latency: `latency produce` trickles LAT_LINES lines, one
#            every LAT_INTERVAL_US µs, into ks-put; a `ks-consume -f --format envelope`
#            follower feeds `latency measure`. Targets p50 ≤ 0.5 ms, p99 ≤ 2 ms.
#   memory   peak RSS (GNU time %M) of ks-put and ks-consume on RECORDS and BIG_RECORDS
#            records. Target ≤ 64 MiB and flat (big/small ≤ 1.25).
# No section named: all four. --peer-only: only the generator and the Redis side
# (and the bare-pipe latency floor), for when the millrace binaries are not built.
#
# Environment: MILLRACE_BIN (binaries; default <repo>/build), RUNS (5), RECORDS
# (1000000), BIG_RECORDS (5000000), LAT_LINES (2000), LAT_INTERVAL_US (2000),
# BENCH_TMP (where the temporary directory goes; default $TMPDIR or /tmp — put it on a
# real disk: on tmpfs an fsync is free), BENCH_STRICT=1 (exit 1 when a target is missed).
#
# wildrydes and latency come from MILLRACE_BIN when built there, else they are compiled
# from tests/bench/*.cpp with g++. The script starts its own redis-server on a unix
# socket only (--port 0: no TCP at all), stops it on exit, and removes its temporary
# directory. It is a benchmark, not a test: timings depend on the machine.

set -euo pipefail
export LC_ALL=C  # '.' decimal points from EPOCHREALTIME and printf

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" 2>/dev/null && pwd || echo "${MILLRACE_BIN:-$SRC/build}")
RUNS=${RUNS:-5}
RECORDS=${RECORDS:-1000000}
BIG_RECORDS=${BIG_RECORDS:-5000000}
LAT_LINES=${LAT_LINES:-2000}
LAT_INTERVAL_US=${LAT_INTERVAL_US:-2000}
SEED=1

usage() { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "bench.sh: $*" >&2; exit 1; }
note() { echo "bench.sh: $*" >&2; }

PEER_ONLY=0
SECTIONS=()
for arg in "$@"; do
  case $arg in
    --peer-only) PEER_ONLY=1 ;;
    put | consume | latency | memory) SECTIONS+=("$arg") ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench.sh: unknown argument: $arg" >&2; usage | sed -n '3p' >&2; exit 64 ;;
  esac
done
((${#SECTIONS[@]})) || SECTIONS=(put consume latency memory)
want() { local s; for s in "${SECTIONS[@]}"; do [[ $s == "$1" ]] && return 0; done; return 1; }
millrace() { ((!PEER_ONLY)); }

if millrace; then
  for b in ks-put ks-shard ks-consume; do
    [[ -x $BIN/$b ]] || die "$BIN/$b not found: build first, set MILLRACE_BIN, or use --peer-only"
  done
fi
for b in redis-server redis-cli; do command -v "$b" >/dev/null || die "$b not found (apt-get install redis-server redis-tools)"; done

# ---- temporary directory, background processes, cleanup

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-bench.XXXXXX")
REDIS_PID=
BG_PIDS=()
cleanup() {
  local pid
  for pid in "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  redis_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The binaries are copied first: a rebuild while the benchmark runs must neither
# break it nor mix two versions into one table.
if millrace; then
  mkdir -p "$WORK/bin"
  for b in ks-put ks-shard ks-consume wildrydes latency; do
    if [[ -x $BIN/$b ]]; then cp "$BIN/$b" "$WORK/bin/"; fi
  done
  BIN_SRC=$BIN
  BIN=$WORK/bin
fi

# ---- helpers

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# A helper program: from MILLRACE_BIN when built there, else compiled from its source.
helper() {
  local name=$1
  if [[ -x $BIN/$name ]]; then
    echo "$BIN/$name"
  else
    g++ -std=c++20 -O2 "$SRC/tests/bench/$name.cpp" -lfmt -o "$WORK/$name" || die "cannot build $name"
    echo "$WORK/$name"
  fi
}

# ---- results, printed as a table at the end

declare -A R  # R[key] = value

# ---- the workload

WILDRYDES=$(helper wildrydes)
DATA=$WORK/rides.jsonl
"$WILDRYDES" --rate max --records "$RECORDS" --seed "$SEED" > "$DATA"
read -r DATA_LINES DATA_BYTES < <(wc -lc < "$DATA")
((DATA_LINES == RECORDS)) || die "wildrydes wrote $DATA_LINES lines, not $RECORDS"

# XADD commands in RESP, made before any timing. The record is one field "d" whose
# value is the line, byte for byte: the same bytes ks-put stores.
PROTO=$WORK/rides.resp
awk '{ printf "*5\r\n$4\r\nXADD\r\n$5\r\nrides\r\n$1\r\n*\r\n$1\r\nd\r\n$%d\r\n%s\r\n", length($0), $0 }' \
  "$DATA" > "$PROTO"

echo "millrace bench: $RECORDS Wild Rydes records ($((DATA_BYTES / 1000000)) MB, seed $SEED), $RUNS runs each"
describe_machine "$WORK" "$(redis-server --version | awk '{ print $1, $3 }')"
millrace && echo "  millrace: $BIN_SRC ($("$BIN/ks-put" --version 2>/dev/null | head -n 1))"
echo

ks_fresh_stream() {  # $1 store, $2 stream, $3 shards
  rm -rf "$1"
  "$BIN/ks-shard" -S "$1" create "$2" --shards "$3" > /dev/null
}
ks_put_rides() { "$BIN/ks-put" -S "$1" -s rides -k Name --sync full < "$DATA"; }
redis_pipe() {
  redis-cli -s "$REDIS_SOCK" --pipe < "$PROTO" > "$WORK/pipe.out"
}
redis_check_pipe() {
  grep -q "errors: 0, replies: $RECORDS" "$WORK/pipe.out" || die "redis-cli --pipe: $(tail -n 1 "$WORK/pipe.out")"
}
STORE=$WORK/store  # the store the put section leaves with RECORDS rides

# ---- a. put

if want put; then
  echo "a. put: $RUNS runs"
  ks_s=() rd_s=()
  for ((i = 1; i <= RUNS; i++)); do
    if millrace; then
      ks_fresh_stream "$STORE" rides 4
      sync  # no writeback of the previous run during this one
      timed ks_put_rides "$STORE"
      ks_s+=("$ELAPSED")
    fi
    redis_stop
    redis_start "$WORK/redis"
    sync
    timed redis_pipe
    redis_check_pipe
    rd_s+=("$ELAPSED")
    echo "   run $i: ks-put ${ks_s[i - 1]:--} s, redis ${rd_s[i - 1]} s"
  done
  [[ $(redis-cli -s "$REDIS_SOCK" XLEN rides) == "$RECORDS" ]] || die "redis holds $(redis-cli -s "$REDIS_SOCK" XLEN rides) entries"
  R[put_redis]=$(rate "$RECORDS" "$(median "${rd_s[@]}")")
  if millrace; then
    R[put_ks]=$(rate "$RECORDS" "$(median "${ks_s[@]}")")
    R[store_bytes]=$(stat -c %s "$STORE/data.mdb")
  fi
  R[redis_mem]=$(redis-cli -s "$REDIS_SOCK" INFO memory | awk -F: '/^used_memory_human/ { sub(/\r/, "", $2); print $2 }')
fi

# ---- b. consume

# XRANGE of the whole stream in one command is the fastest way for redis-cli to read
# it here (COUNT-paginated reads, one redis-cli per 10k–100k page, took 1.3–1.6× as
# long), so it is the peer's best case. Its output has three lines per entry (ID,
# field name, value), about 12% more bytes than ks-consume's one line per record.
redis_xrange() { redis-cli -s "$REDIS_SOCK" XRANGE rides - + > /dev/null; }
redis_xrange_pipe() { redis-cli -s "$REDIS_SOCK" XRANGE rides - + | cat > /dev/null; }
ks_consume() { "$BIN/ks-consume" -S "$STORE" -s rides > /dev/null; }
ks_consume_pipe() { "$BIN/ks-consume" -S "$STORE" -s rides | cat > /dev/null; }

if want consume; then
  if ! want put; then  # load both sides once, untimed
    if millrace; then ks_fresh_stream "$STORE" rides 4 && ks_put_rides "$STORE"; fi
    redis_stop; redis_start "$WORK/redis"; redis_pipe; redis_check_pipe
  fi
  if millrace; then  # everything comes back, one line per record, same bytes
    read -r got_lines got_bytes < <("$BIN/ks-consume" -S "$STORE" -s rides | wc -lc)
    [[ $got_lines == "$DATA_LINES" && $got_bytes == "$DATA_BYTES" ]] ||
      die "ks-consume gave $got_lines lines / $got_bytes bytes, put $DATA_LINES / $DATA_BYTES"
  fi
  echo "b. consume: $RUNS runs"
  ks_n=() ks_p=() rd_n=() rd_p=()
  for ((i = 1; i <= RUNS; i++)); do
    if millrace; then
      timed ks_consume; ks_n+=("$ELAPSED")
      timed ks_consume_pipe; ks_p+=("$ELAPSED")
    fi
    timed redis_xrange; rd_n+=("$ELAPSED")
    timed redis_xrange_pipe; rd_p+=("$ELAPSED")
    echo "   run $i: ks-consume ${ks_n[i - 1]:--} s, | cat ${ks_p[i - 1]:--} s; redis ${rd_n[i - 1]} s, | cat ${rd_p[i - 1]} s"
  done
  R[cons_redis]=$(rate "$RECORDS" "$(median "${rd_n[@]}")")
  R[consp_redis]=$(rate "$RECORDS" "$(median "${rd_p[@]}")")
  if millrace; then
    R[cons_ks]=$(rate "$RECORDS" "$(median "${ks_n[@]}")")
    R[consp_ks]=$(rate "$RECORDS" "$(median "${ks_p[@]}")")
  fi
fi
redis_stop

# ---- c. latency

json_field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$2"; }

if want latency; then
  LATENCY=$(helper latency)
  lat_secs=$(awk -v n="$LAT_LINES" -v us="$LAT_INTERVAL_US" 'BEGIN { printf "%d", n * us / 1e6 + 30 }')
  echo "c. latency: $LAT_LINES lines, one every $LAT_INTERVAL_US µs, $RUNS runs"
  # The floor: the same two programs joined by a bare pipe.
  "$LATENCY" produce "$LAT_LINES" "$LAT_INTERVAL_US" | "$LATENCY" measure > "$WORK/floor.json"
  R[lat_floor_p50]=$(json_field p50_ms "$WORK/floor.json")
  R[lat_floor_p99]=$(json_field p99_ms "$WORK/floor.json")
  if millrace; then
    p50s=() p99s=() maxs=()
    for ((i = 1; i <= RUNS; i++)); do
      lat_store=$WORK/lat-store
      ks_fresh_stream "$lat_store" lat 1
      rm -f "$WORK/lat.fifo" "$WORK/lat.json" && mkfifo "$WORK/lat.fifo"
      # Two background processes joined by a FIFO, so that each has a PID to wait for
      # and to kill. timeout bounds a follower that would not honour --idle-exit.
      timeout "$lat_secs" "$BIN/ks-consume" -S "$lat_store" -s lat -f --idle-exit 2s \
        --format envelope > "$WORK/lat.fifo" &
      cons_pid=$!
      "$LATENCY" measure < "$WORK/lat.fifo" > "$WORK/lat.json" &
      meas_pid=$!
      BG_PIDS=("$cons_pid" "$meas_pid")
      sleep 0.5  # the follower is waiting before the first line is sent
      "$LATENCY" produce "$LAT_LINES" "$LAT_INTERVAL_US" | "$BIN/ks-put" -S "$lat_store" -s lat
      status=0; wait "$cons_pid" || status=$?
      wait "$meas_pid" || true
      BG_PIDS=()
      ((status != 124)) || note "the follower did not stop on --idle-exit 2s; timeout ended it"
      n=$(json_field n "$WORK/lat.json")
      [[ $n == "$LAT_LINES" ]] || note "the follower received ${n:-0} of $LAT_LINES lines"
      p50s+=("$(json_field p50_ms "$WORK/lat.json")")
      p99s+=("$(json_field p99_ms "$WORK/lat.json")")
      maxs+=("$(json_field max_ms "$WORK/lat.json")")
      echo "   run $i: p50 ${p50s[i - 1]} ms, p99 ${p99s[i - 1]} ms, max ${maxs[i - 1]} ms"
    done
    R[lat_p50]=$(median "${p50s[@]}")
    R[lat_p99]=$(median "${p99s[@]}")
    R[lat_max]=$(maximum "${maxs[@]}")
  fi
fi

# ---- d. memory

# Runs "$@" under GNU time, stdin from $1, stdout to /dev/null. Sets MEM_KB, the peak
# RSS (GNU time %M: the heap and also every page of the store's map that was touched
# and is still resident) and ANON_KB, the peak RssAnon (heap and stacks only, sampled
# every 20 ms), which tells a growing heap from a growing map.
MEM_KB='' ANON_KB=''
mem_run() {
  local input=$1 tpid pid='' key val _
  shift
  /usr/bin/time -f %M -o "$WORK/mem.time" "$@" < "$input" > /dev/null &
  tpid=$!
  ANON_KB=0
  while kill -0 "$tpid" 2>/dev/null; do
    [[ -n $pid ]] || pid=$(pgrep -P "$tpid" || true)
    if [[ -n $pid ]]; then
      { while read -r key val _; do
        [[ $key == RssAnon: ]] && ((val > ANON_KB)) && ANON_KB=$val
      done < "/proc/$pid/status"; } 2>/dev/null || true
    fi
    sleep 0.02
  done
  wait "$tpid"
  MEM_KB=$(tail -n 1 "$WORK/mem.time")
}

if want memory && millrace; then
  if [[ ! -x /usr/bin/time ]]; then
    note "memory: skipped, GNU time is missing (apt-get install time)"
  else
    avail_kb=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
    # The big store takes ~250 bytes a record; keep a margin.
    if ((avail_kb < BIG_RECORDS / 2)); then
      note "memory: skipped $BIG_RECORDS records: only $((avail_kb / 1024)) MiB free"
      sizes=("$RECORDS")
    else
      sizes=("$RECORDS" "$BIG_RECORDS")
    fi
    echo "d. memory: $RUNS runs"
    for size in "${sizes[@]}"; do
      put_kb=() cons_kb=() put_anon=() cons_anon=()
      for ((i = 1; i <= RUNS; i++)); do
        ks_fresh_stream "$STORE" rides 4
        # The generator feeds ks-put through a FIFO: no file of BIG_RECORDS lines on disk.
        rm -f "$WORK/gen.fifo" && mkfifo "$WORK/gen.fifo"
        "$WILDRYDES" --rate max --records "$size" --seed "$SEED" > "$WORK/gen.fifo" &
        BG_PIDS=($!)
        mem_run "$WORK/gen.fifo" "$BIN/ks-put" -S "$STORE" -s rides -k Name
        wait "${BG_PIDS[0]}"
        BG_PIDS=()
        put_kb+=("$MEM_KB") put_anon+=("$ANON_KB")
        mem_run /dev/null "$BIN/ks-consume" -S "$STORE" -s rides
        cons_kb+=("$MEM_KB") cons_anon+=("$ANON_KB")
        echo "   $size records, run $i: ks-put ${put_kb[i - 1]} KiB (anon ${put_anon[i - 1]})," \
          "ks-consume ${cons_kb[i - 1]} KiB (anon ${cons_anon[i - 1]})"
      done
      R[mem_put_$size]=$(maximum "${put_kb[@]}")
      R[mem_cons_$size]=$(maximum "${cons_kb[@]}")
      R[anon_put_$size]=$(maximum "${put_anon[@]}")
      R[anon_cons_$size]=$(maximum "${cons_anon[@]}")
    done
  fi
fi
echo

# ---- the table

row() { printf '%-36s %-18s %-20s %-7s %-28s %s\n' "$@"; }
count() { awk -v n="$1" 'BEGIN { if (n % 1e6 == 0) printf "%dM", n / 1e6; else if (n % 1e3 == 0) printf "%dk", n / 1e3; else print n }'; }
anon_mib() { if [[ ${1:-0} == 0 ]]; then echo "n/a"; else mib "$1"; fi; }  # 0: ended before a sample
v() { echo "${R[$1]:-}"; }

row "measurement" "millrace" "peer" "ratio" "target" "verdict"
row "-----------" "--------" "----" "-----" "------" "-------"
if want put; then
  if millrace; then
    row "a. put, 4 shards, --sync full" "$(human_rate "$(v put_ks)")" "$(human_rate "$(v put_redis)") redis" \
      "$(ratio "$(v put_ks)" "$(v put_redis)")x" ">= 1.5M/s, >= 3x redis" \
      "$(verdict "ge $(v put_ks) 1500000" "ge $(ratio "$(v put_ks)" "$(v put_redis)") 3")"
  else
    row "a. put (redis XADD, AOF everysec)" "-" "$(human_rate "$(v put_redis)") redis" "-" "" ""
  fi
fi
if want consume; then
  for k in cons consp; do
    label="b. consume > /dev/null"; [[ $k == consp ]] && label="b. consume | cat > /dev/null"
    if millrace; then
      row "$label" "$(human_rate "$(v ${k}_ks)")" "$(human_rate "$(v ${k}_redis)") redis" \
        "$(ratio "$(v ${k}_ks)" "$(v ${k}_redis)")x" ">= 4M/s, >= 8x redis" \
        "$(verdict "ge $(v ${k}_ks) 4000000" "ge $(ratio "$(v ${k}_ks)" "$(v ${k}_redis)") 8")"
    else
      row "$label" "-" "$(human_rate "$(v ${k}_redis)") redis" "-" "" ""
    fi
  done
fi
if want latency; then
  if millrace; then
    row "c. put-to-follower latency p50" "$(v lat_p50) ms" "$(v lat_floor_p50) ms pipe" "-" "<= 0.5 ms" \
      "$(verdict "le $(v lat_p50) 0.5")"
    row "c. put-to-follower latency p99" "$(v lat_p99) ms" "$(v lat_floor_p99) ms pipe" "-" "<= 2 ms" \
      "$(verdict "le $(v lat_p99) 2")"
    row "c. latency max (worst run)" "$(v lat_max) ms" "" "" "" ""
  else
    row "c. latency p50 / p99, bare pipe" "-" "$(v lat_floor_p50) / $(v lat_floor_p99) ms" "-" "" ""
  fi
fi
if want memory && millrace && [[ -n $(v "mem_put_$RECORDS") ]]; then
  for prog in put cons; do
    name=ks-put; [[ $prog == cons ]] && name=ks-consume
    small=$(v "mem_${prog}_$RECORDS") big=$(v "mem_${prog}_$BIG_RECORDS")
    if [[ -n $big ]]; then
      row "d. peak RSS $name $(count "$RECORDS") / $(count "$BIG_RECORDS")" \
        "$(mib "$small") / $(mib "$big") MiB" "" "$(ratio "$big" "$small")x" "<= 64 MiB, flat (<= 1.25x)" \
        "$(verdict "le $big 65536" "le $small 65536" "le $(ratio "$big" "$small") 1.25")"
      row "   of which heap (peak RssAnon)" "$(anon_mib "$(v "anon_${prog}_$RECORDS")") / $(anon_mib "$(v "anon_${prog}_$BIG_RECORDS")") MiB" "" "" "" ""
    else
      row "d. peak RSS $name $(count "$RECORDS")" "$(mib "$small") MiB" "" "" "<= 64 MiB" \
        "$(verdict "le $small 65536")"
      row "   of which heap (peak RssAnon)" "$(anon_mib "$(v "anon_${prog}_$RECORDS")") MiB" "" "" "" ""
    fi
  done
fi
echo
[[ -n $(v store_bytes) ]] && echo "store: data.mdb $(($(v store_bytes) / 1048576)) MiB for $RECORDS records ($(($(v store_bytes) / RECORDS)) bytes a record)"
[[ -n $(v redis_mem) ]] && echo "redis: used_memory $(v redis_mem) for $RECORDS entries"
if [[ -e $WORK/missed && ${BENCH_STRICT:-0} == 1 ]]; then exit 1; fi
exit 0
