#!/usr/bin/env bash
# tests/bench/sigv4.sh — the cost of verifying a request's SigV4 signature (lib/aws's Verifier).
#
# usage: tests/bench/sigv4.sh
#
# sigv4_check bench times, in one process, ITERATIONS calls of each of:
#   verify         Verifier::verify of a Kinesis PutRecord as botocore sends it (one Wild
#                  Rydes record, 267 bytes of body; 7 headers, 4 of them signed), signing key
#                  cached, as for every request of a day but the first;
#   verify hashed  the same, given the body's SHA-256 (what gw-serve may hash as it reads);
#   body SHA-256   the SHA-256 of that body alone: the baseline;
#   signing key    deriving a signing key, what the cache spares each request.
# CPU time of the thread, not wall time (a preempted round would count other programs' work),
# RUNS rounds, medians reported. Target: verify apart from hashing the body under 10 µs, i.e.
# verify hashed ≤ 10 µs with room to spare (BENCH_STRICT=1: exit 1 past 5 µs).
#
# Environment: MILLRACE_BIN (binaries; default <repo>/build), RUNS (15), ITERATIONS (20000).
# It is a benchmark, not a test: timings depend on the machine.

set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${MILLRACE_BIN:-$SRC/build}" 2>/dev/null && pwd || echo "${MILLRACE_BIN:-$SRC/build}")
RUNS=${RUNS:-15}
ITERATIONS=${ITERATIONS:-20000}

die() { echo "sigv4.sh: $*" >&2; exit 1; }
[[ ${1-} == -h || ${1-} == --help ]] && { sed -n '3,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
[[ -x $BIN/sigv4_check ]] || die "$BIN/sigv4_check not found: build first, or set MILLRACE_BIN"

# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

echo "millrace SigV4 bench: $RUNS rounds of $ITERATIONS calls each"
describe_machine "${TMPDIR:-/tmp}"
echo

rounds=$("$BIN/sigv4_check" bench --rounds "$RUNS" --iterations "$ITERATIONS")
field() { jq -r ".$1" <<<"$rounds"; }
mapfile -t verify < <(field verify_ns)
mapfile -t hashed < <(field verify_hashed_ns)
mapfile -t body < <(field body_sha256_ns)
mapfile -t key < <(field signing_key_ns)
bytes=$(field body_bytes | head -n 1)
v=$(median "${verify[@]}") h=$(median "${hashed[@]}") b=$(median "${body[@]}") k=$(median "${key[@]}")

echo "results (CPU ns per call, medians of $RUNS):"
printf '  %-46s %8s ns\n' "verify, Kinesis PutRecord ($bytes B body)" "$v"
printf '  %-46s %8s ns   %sx the body SHA-256 (target < 10 µs)\n' "verify given the body's SHA-256" "$h" "$(ratio "$h" "$b")"
printf '  %-46s %8s ns   (baseline)\n' "SHA-256 of the body" "$b"
printf '  %-46s %8s ns   saved per request by the cache\n' "deriving a signing key" "$k"
if le "$h" 5000; then
  echo "target met"
else
  echo "a target is missed"
  [[ ${BENCH_STRICT:-0} == 1 ]] && exit 1
fi
exit 0
