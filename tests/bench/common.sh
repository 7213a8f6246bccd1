# Helpers shared by the benchmark scripts: timing, medians, rates and ratios, verdicts, h2load
# runs, the npm peers.
# shellcheck shell=bash

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Runs "$@" and sets ELAPSED to its wall time in seconds.
ELAPSED=
timed() {
  local t0=$EPOCHREALTIME
  "$@"
  local t1=$EPOCHREALTIME
  ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }  # records/s
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
human_rate() { awk -v r="$1" 'BEGIN { if (r >= 1e6) printf "%.2fM rec/s", r / 1e6; else if (r >= 1e4) printf "%.0fk rec/s", r / 1e3; else printf "%.0f rec/s", r }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }  # KiB → MiB

# The lines that head a report: the machine, its load (a busy machine gives noisy figures),
# and the file system of the temporary directory $1, then $2 (the peers' versions), if any.
describe_machine() {
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "  machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(uname -r)"
  echo "  load average $load$(awk -v l="$load" 'BEGIN { if (l > 0.5) print " -- the machine is busy: figures will be noisy" }')"
  echo "  temp dir: $1 on $(df -PT "$1" | awk 'NR == 2 { print $2 }')${2:+; $2}"
}

# A fresh redis-server in directory $1, on a unix socket only. Redis is the peer as it
# is commonly run durable: AOF on, fsync once a second.
# Sets REDIS_SOCK and REDIS_PID; needs die().
REDIS_SOCK=
REDIS_PID=
redis_start() {
  local dir=$1 i
  rm -rf "$dir" && mkdir -p "$dir"
  REDIS_SOCK=$dir/redis.sock
  redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 --dir "$dir" \
    --appendonly yes --appendfsync everysec --save '' --protected-mode yes \
    --logfile "$dir/redis.log" --daemonize no &
  REDIS_PID=$!
  for i in {1..200}; do
    [[ $(redis-cli -s "$REDIS_SOCK" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.05
  done
  die "redis-server did not start (log: $dir/redis.log)"
}
redis_stop() {
  [[ -n $REDIS_PID ]] || return 0
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=
}

# verdict CONDITION...: "ok" when every condition ("ge A B", "le A B") holds, else "MISS" and
# the file $WORK/missed is made (the script's exit status under BENCH_STRICT=1). Runs in $(...).
verdict() {
  local c
  for c in "$@"; do
    # shellcheck disable=SC2086
    if ! $c; then touch "$WORK/missed"; echo MISS; return; fi
  done
  echo ok
}

# rss_kib PID [FIELD]: a field of the process's /proc status in KiB (default VmRSS; VmHWM is
# the peak), read by bash itself: a sampling loop costs next to nothing.
rss_kib() {
  local key value _
  while read -r key value _; do
    [[ $key == "${2:-VmRSS}:" ]] && { echo "$value"; return; }
  done <"/proc/$1/status"
}

# h2load_run NAME DIR H2LOAD-ARGUMENT...: one h2load run (the arguments give the URL, -c, -D
# and the rest), each request logged in DIR/NAME.log and the summary kept in DIR/NAME.out;
# dies unless every request that finished succeeded with a 2xx. Sets RPS (requests/s), P50 and
# P99 (ms, from the log; "-" when no request finished), DONE (requests finished) and STARTED
# (sent; with -D those still in flight when the time is up are sent but not done) and
# BODY_BYTES (the bodies of the answers). Needs die().
RPS='' P50='' P99='' DONE='' STARTED='' BODY_BYTES=''
h2load_run() {
  local name=$1 dir=$2 out log
  shift 2
  out=$dir/$name.out log=$dir/$name.log
  rm -f "$log"
  h2load "$@" --log-file="$log" >"$out" 2>&1 || die "$name: h2load failed: $(tail -n 3 "$out")"
  DONE=$(sed -n 's/^requests: \([0-9]*\) total.*/\1/p' "$out")
  STARTED=$(sed -n 's/^requests: [0-9]* total, \([0-9]*\) started.*/\1/p' "$out")
  # (With -D or --rps, "started" runs ahead of "done": h2load counts them apart.)
  grep -Eq "^requests: $DONE total, [0-9]+ started, $DONE done, $DONE succeeded, 0 failed, 0 errored, 0 timeout" "$out" ||
    die "$name: not every request succeeded: $(grep '^requests:' "$out")"
  # (A response whose head came before the time was up has its status counted, done or not.)
  local ok
  ok=$(sed -n 's/^status codes: \([0-9]*\) 2xx, 0 3xx, 0 4xx, 0 5xx$/\1/p' "$out")
  [[ -n $ok ]] && ((ok >= DONE)) || die "$name: $(grep '^status codes' "$out")"
  RPS=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$out")
  BODY_BYTES=$(sed -n 's/^traffic: .*(\([0-9]*\)) data$/\1/p' "$out")
  read -r P50 P99 < <(cut -f3 "$log" | sort -n | awk '{ v[NR] = $1 } END {
    if (NR == 0) print "- -"; else printf "%.2f %.2f\n", v[int(NR * 0.50) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000 }')
}

# npm_peers CACHE PACKAGE...: the peers that tests/bench/package.json pins, installed by npm
# into CACHE (never into the repository) unless they are there already at those versions.
# Needs node and npm, and the npm registry the first time; needs die().
npm_peers() {
  local cache=$1 package fresh=1
  shift
  mkdir -p "$cache"
  cmp -s "$BENCH_DIR/package.json" "$cache/package.json" || fresh=0
  for package; do [[ -d $cache/node_modules/$package ]] || fresh=0; done
  ((fresh)) && return 0
  echo "installing $* into $cache" >&2
  cp "$BENCH_DIR/package.json" "$cache/package.json"
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error >&2) || die "npm install in $cache failed"
}

# flush_bound DIR CONNECTIONS: the disk's flush under DIR, timed as 100 writes of 4 KiB in place,
# each with O_DSYNC. Sets FLUSH_MS, one's time, and BOUND, the requests/s that CONNECTIONS
# connections each waiting for a durable commit (two flushes: LMDB's data, then its meta page)
# can make at most.
FLUSH_MS='' BOUND=''
flush_bound() {
  local probe=$1/flush.probe
  dd if=/dev/zero of="$probe" bs=4k count=100 status=none
  sync
  timed dd if=/dev/zero of="$probe" bs=4k count=100 oflag=dsync conv=notrunc status=none
  FLUSH_MS=$(awk -v s="$ELAPSED" 'BEGIN { printf "%.2f", s * 1000 / 100 }')
  rm -f "$probe"
  BOUND=$(awk -v c="$2" -v f="$FLUSH_MS" 'BEGIN { printf "%.0f", c / (2 * f / 1000) }')
}

# servers_work NAME: the temporary directory WORK (under BENCH_TMP) of a benchmark that starts
# servers, recorded in the associative arrays PID and URL; the servers are killed and WORK removed
# when the script ends.
servers_work() {
  WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-$1.XXXXXX")
  declare -gA PID=() URL=()
  trap servers_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
servers_cleanup() {
  local pid
  for pid in "${PID[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null
  rm -rf "$WORK"
}

# start_endpoint: the endpoint of endpoint.sh and endpoint_tables.sh, $BIN/gw-serve (--sync full)
# on $WORK/store. Sets GW_PID and GW_URL (http://127.0.0.1:PORT) and the AWS clients' environment:
# made-up keys, a region, no configuration files. Needs die().
start_endpoint() {
  "$BIN/gw-serve" -S "$WORK/store" --listen 127.0.0.1:0 2>"$WORK/gw.err" &
  GW_PID=$!
  for _ in {1..100}; do grep -q 'listening on' "$WORK/gw.err" 2>/dev/null && break; sleep 0.05; done
  GW_URL=$(grep -o 'http://[0-9.]*:[0-9]*' "$WORK/gw.err" | head -n 1)
  [[ -n $GW_URL ]] || die "gw-serve did not start: $(cat "$WORK/gw.err")"
  export AWS_ACCESS_KEY_ID=AKIDMILLRACEBENCH AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
}

# The servers of gw.sh and dynamodb.sh: each NAME's process and endpoint in the caller's
# associative arrays PID and URL (declare -A PID URL), its files under $WORK. Need die() and
# HEADERS (the requests' headers).
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# start_gw NAME SYNC [BINARY]: $WORK/bin/gw-serve (or BINARY) on a store of its own in $WORK/NAME.store.
start_gw() {
  mkdir -p "$WORK/$1.store"
  "${3:-$WORK/bin/gw-serve}" -S "$WORK/$1.store" --listen 127.0.0.1:0 --sync "$2" 2>"$WORK/$1.log" &
  PID[$1]=$!
  for _ in {1..100}; do
    URL[$1]=$(grep -so 'http://[0-9.]*:[0-9]*' "$WORK/$1.log" | head -n 1 || true)
    [[ -n ${URL[$1]} ]] && break
    sleep 0.05
  done
  [[ -n ${URL[$1]} ]] || die "$1 did not start: $(cat "$WORK/$1.log")"
  URL[$1]+=/
}
# wait_listening NAME LOG TARGET: until the operation TARGET (X-Amz-Target, a listing) answers,
# for up to a minute (DynamoDB Local's JVM takes seconds to start).
wait_listening() {
  for _ in {1..600}; do
    kill -0 "${PID[$1]}" 2>/dev/null || die "$1 exited: $(tail -n 5 "$2")"
    curl -s -o /dev/null --max-time 2 "${HEADERS[@]}" -H "X-Amz-Target: $3" -d '{}' "${URL[$1]}" && return 0
    sleep 0.1
  done
  die "$1 did not start: $(tail -n 5 "$2")"
}

# aws_json_api VERSION SERVICE TARGET: the headers every server of an AWS JSON API gets
# (HEADERS): the SDKs' content type (application/x-amz-json-VERSION) and a SigV4 header of
# made-up keys for SERVICE (some peers refuse a request without one; none of them verifies it);
# TARGET is X-Amz-Target's prefix (Kinesis_20131202). Then `call` sends to that API.
aws_json_api() {
  TARGET=$3
  HEADERS=(-H "Content-Type: application/x-amz-json-$1" -H 'X-Amz-Date: 20240101T000000Z'
    -H "Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCH/20240101/us-east-1/$2/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000")
}

# call SERVER OPERATION BODY: one request by curl to URL[SERVER]; the answer on stdout, 2xx or
# die. WORK is the script's temporary directory.
call() {
  local out=$WORK/call.out code
  code=$(curl -sS --max-time 300 -o "$out" -w '%{http_code}' "${HEADERS[@]}" -H "X-Amz-Target: $TARGET.$2" \
    --data-binary "$3" "${URL[$1]}") || die "$1: $2: curl failed"
  [[ $code == 2* ]] || die "$1: $2 answered $code: $(head -c 300 "$out")"
  cat "$out"
}

# has_peer NAME: whether NAME is among PEERS.
has_peer() { local p; for p in "${PEERS[@]}"; do [[ $p == "$1" ]] && return 0; done; return 1; }
