#!/usr/bin/env bash
# tests/bench/serve.sh — the HTTP server's own ceiling (lib/serve through build/echo_server),
# known before an API sits on it.
#
# usage: tests/bench/serve.sh
#
# h2load (nghttp2-client) sends POST /echo with a 100-byte body, a PutRecord's size, over
# CONNECTIONS keep-alive connections with one request in flight on each, as that many SDK
# clients each waiting for its answer; echo_server answers at once with the same body:
#   h1        h2load --h1 -c 64 -m 1, HTTP/1.1
#   h2        h2load -c 64 -m 1, HTTP/2 with prior knowledge
#   nghttpd   the h2 load against nghttpd (nghttp2's own server, 2 threads, serving a 100-byte
#             file): the peer, whose requests/s give the ratio
#   paced     h1 and h2 again, at RATE requests/s in all (h2load --rps): the latency at the
#             API's target rate rather than at saturation, where it is the queue's
# Each runs DURATION seconds after 1 s of warm-up, RUNS times in turn. Reported: the medians of
# requests/s and of the latency p50 and p99 (from h2load's log of every request), echo_server's
# resident memory after each run and its peak. Every request of every run must succeed.
# Targets: the API's (PutRecord at >= 40k requests/s with p99 <= 5 ms), which the server alone
# must pass with room to spare for the commits: >= 40k requests/s at saturation and p99 <= 5 ms
# at 40k requests/s, on both protocols; about nghttpd's requests/s on HTTP/2 (>= 0.9x, the
# runs' noise); memory <= 100 MiB and flat (the last run's RSS within 5 MiB of the first's).
# h2load and the server share the machine's cores, as an SDK client on the same host would.
#
# Environment: MILLRACE_BIN (binaries; default <repo>/build), RUNS (5), DURATION (5),
# CONNECTIONS (64), RATE (40000), BENCH_TMP. Needs h2load and nghttpd (apt-get install nghttp2-client
# nghttp2-server). It is a benchmark, not a test.

set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" 2>/dev/null && pwd || echo "${MILLRACE_BIN:-$SRC/build}")
RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-64}
RATE=${RATE:-40000}

die() { echo "serve.sh: $*" >&2; exit 1; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
[[ -x $BIN/echo_server ]] || die "$BIN/echo_server not found: build first, or set MILLRACE_BIN"
for b in h2load nghttpd; do command -v "$b" >/dev/null || die "$b not found (apt-get install nghttp2-client nghttp2-server)"; done

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/millrace-serve.XXXXXX")
SERVER_PID='' PEER_PID=''
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null
  [[ -n $PEER_PID ]] && kill "$PEER_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The binary is copied first: a rebuild while the benchmark runs must not change it.
cp "$BIN/echo_server" "$WORK/"
head -c 100 /dev/zero | tr '\0' r >"$WORK/body"
mkdir -p "$WORK/root" && cp "$WORK/body" "$WORK/root/echo"

: >"$WORK/server.out"
"$WORK/echo_server" --listen 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in {1..100}; do
  PORT=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$WORK/server.out")
  [[ -n $PORT ]] && break
  sleep 0.05
done
[[ -n $PORT ]] || die "echo_server did not start: $(cat "$WORK/server.err")"
PEER_PORT=$((20000 + RANDOM % 20000))
nghttpd --no-tls -n 2 -d "$WORK/root" "$PEER_PORT" >/dev/null 2>"$WORK/peer.err" &
PEER_PID=$!
sleep 0.3
kill -0 "$PEER_PID" 2>/dev/null || die "nghttpd did not start: $(cat "$WORK/peer.err")"

# load NAME URL H2LOAD-OPTION...: one run; sets RPS, P50 and P99 (ms).
load() {
  local name=$1 url=$2
  shift 2
  h2load_run "$name" "$WORK" "$@" -c "$CONNECTIONS" -m 1 -t 1 -D "$DURATION" --warm-up-time=1 -d "$WORK/body" "$url"
}

echo "millrace serve bench: $CONNECTIONS connections, one request in flight each, ${DURATION}s runs, $RUNS runs"
describe_machine "$WORK" "$(h2load --version | head -n 1); nghttpd $(nghttpd --version | awk '{ print $NF }')"
echo "  echo_server: $BIN/echo_server, $(nproc) threads"
echo

per_connection=$((RATE / CONNECTIONS))
h1=() h1_50=() h1_99=() h2=() h2_50=() h2_99=() peer=() peer_50=() peer_99=() rss=()
h1p=() h1p_50=() h1p_99=() h2p=() h2p_50=() h2p_99=()
for ((i = 1; i <= RUNS; i++)); do
  load h1 "http://127.0.0.1:$PORT/echo" --h1
  h1+=("$RPS") h1_50+=("$P50") h1_99+=("$P99")
  load h2 "http://127.0.0.1:$PORT/echo"
  h2+=("$RPS") h2_50+=("$P50") h2_99+=("$P99")
  load nghttpd "http://127.0.0.1:$PEER_PORT/echo"
  peer+=("$RPS") peer_50+=("$P50") peer_99+=("$P99")
  load h1-paced "http://127.0.0.1:$PORT/echo" --h1 --rps="$per_connection"
  h1p+=("$RPS") h1p_50+=("$P50") h1p_99+=("$P99")
  load h2-paced "http://127.0.0.1:$PORT/echo" --rps="$per_connection"
  h2p+=("$RPS") h2p_50+=("$P50") h2p_99+=("$P99")
  rss+=("$(rss_kib "$SERVER_PID")")
  printf '   run %d: h1 %.0f req/s, h2 %.0f, nghttpd %.0f; at %d/s p99 h1 %s ms, h2 %s ms; RSS %s MiB\n' "$i" \
    "${h1[i - 1]}" "${h2[i - 1]}" "${peer[i - 1]}" "$RATE" "${h1p_99[i - 1]}" "${h2p_99[i - 1]}" "$(mib "${rss[i - 1]}")"
done
peak=$(rss_kib "$SERVER_PID" VmHWM)
h1_rps=$(median "${h1[@]}") h2_rps=$(median "${h2[@]}") peer_rps=$(median "${peer[@]}")
p99_h1=$(median "${h1p_99[@]}") p99_h2=$(median "${h2p_99[@]}")
growth=$(awk -v a="${rss[0]}" -v b="${rss[RUNS - 1]}" 'BEGIN { printf "%.1f", (b - a) / 1024 }')

echo
echo "results (medians of $RUNS):"
printf '  %-40s %9.0f req/s   p50 %5s ms   p99 %5s ms\n' "echo_server, HTTP/1.1" "$h1_rps" "$(median "${h1_50[@]}")" \
  "$(median "${h1_99[@]}")"
printf '  %-40s %9.0f req/s   p50 %5s ms   p99 %5s ms   %sx nghttpd\n' "echo_server, HTTP/2" "$h2_rps" \
  "$(median "${h2_50[@]}")" "$(median "${h2_99[@]}")" "$(ratio "$h2_rps" "$peer_rps")"
printf '  %-40s %9.0f req/s   p50 %5s ms   p99 %5s ms\n' "nghttpd, HTTP/2 (the peer)" "$peer_rps" "$(median "${peer_50[@]}")" \
  "$(median "${peer_99[@]}")"
printf '  %-40s %9.0f req/s   p50 %5s ms   p99 %5s ms\n' "echo_server, HTTP/1.1, paced at $RATE/s" "$(median "${h1p[@]}")" \
  "$(median "${h1p_50[@]}")" "$p99_h1"
printf '  %-40s %9.0f req/s   p50 %5s ms   p99 %5s ms\n' "echo_server, HTTP/2, paced at $RATE/s" "$(median "${h2p[@]}")" \
  "$(median "${h2p_50[@]}")" "$p99_h2"
printf '  %-40s %s MiB peak, %s MiB after run 1, %s MiB after run %d (%s MiB)\n' "echo_server memory" "$(mib "$peak")" \
  "$(mib "${rss[0]}")" "$(mib "${rss[RUNS - 1]}")" "$RUNS" "$growth"
ge "$h1_rps" 40000 && ge "$h2_rps" 40000 && le "$p99_h1" 5 && le "$p99_h2" 5 && ge "$(ratio "$h2_rps" "$peer_rps")" 0.9 &&
  le "$(mib "$peak")" 100 && le "$growth" 5 &&
  echo "targets met" || echo "a target is missed"
