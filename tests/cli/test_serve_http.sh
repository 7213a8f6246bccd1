#!/usr/bin/env bash
# gw-serve's HTTP server (lib/serve), driven by real clients through tests/tools/echo_server:
# HTTP/1.1 keep-alive and pipelining, HTTP/2 with prior knowledge and concurrent streams, 5 MiB
# bodies both ways, the limits (431, 413, 503), malformed requests, slow and idle clients, and
# SIGTERM finishing the requests in flight. Expected bodies are the inputs (echo) or fixed by
# echo_server's routes; statuses and messages are those lib/serve documents.
#
# curl 7.88 (Debian 12) cannot reuse an HTTP/2 connection with --http2-prior-knowledge
# (curl#10634), so concurrent HTTP/2 streams are driven by h2load, one stream a curl.
source "$(dirname "$0")/common.sh"
need_tool curl h2load
ECHO=$MILLRACE_BIN/echo_server
[[ -x $ECHO ]] || fail "$ECHO not found (set MILLRACE_BIN)"

# start_server NAME OPTION...: echo_server on a free port; sets PORT and SERVER_PID.
start_server() {
  local name=$1 i
  shift
  : >"$TMP/$name.out"  # there before the server opens it, for the loop below
  "$ECHO" --listen 127.0.0.1:0 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  SERVER_PID=$!
  bg_register "$SERVER_PID"
  for ((i = 0; i < 100; i++)); do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$TMP/$name.out")
    [[ -n $PORT ]] && return 0
    sleep 0.05
  done
  fail "$name: echo_server did not start: $(cat "$TMP/$name.err")"
}

# seconds_since T0: wall time since $EPOCHREALTIME was T0.
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
between() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; }

# closed_after PORT INTERVAL FIRST [NEXT...]: connects, sends FIRST, then each NEXT INTERVAL
# seconds apart (with printf's backslash escapes), and prints how long the server took to close the connection.
closed_after() {
  local port=$1 interval=$2 first=$3 t0 writer
  shift 3
  exec {fd}<>"/dev/tcp/127.0.0.1/$port"
  t0=$EPOCHREALTIME
  printf '%b' "$first" >&"$fd"
  (for next in "$@"; do
    sleep "$interval"
    { printf '%b' "$next" >&"$fd"; } 2>/dev/null || exit 0
  done) &
  writer=$!
  timeout 10 cat <&"$fd" >/dev/null || true  # a server that never closes fails the check, at 10 s
  seconds_since "$t0"
  kill "$writer" 2>/dev/null || true
  wait "$writer" 2>/dev/null || true
  exec {fd}<&-
}

PREFACE='PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
SETTINGS='\x00\x00\x00\x04\x00\x00\x00\x00\x00'
PING='\x00\x00\x08\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
# HEADERS on stream 1, END_HEADERS without END_STREAM (a body should follow): GET, http, /,
# :authority "a" (HPACK: static indexes 2, 6, 4, then a literal of index 1).
HEADERS='\x00\x00\x06\x01\x04\x00\x00\x00\x01\x82\x86\x84\x41\x01\x61'
# SETTINGS_INITIAL_WINDOW_SIZE 0, then a whole GET /sleep?ms=0 (END_STREAM): the answer's body
# waits for a WINDOW_UPDATE that never comes.
ZERO_WINDOW='\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00'
GET_SLEEP='\x00\x00\x12\x01\x05\x00\x00\x00\x01\x82\x86\x44\x0b/sleep?ms=0\x41\x01\x61'

start_server main -v --request-timeout 2000 --idle-timeout 3000 --max-body $((8 << 20)) \
  --max-header-bytes 8192 --max-header-count 50
URL=http://127.0.0.1:$PORT

# The slow and idle clients take seconds: they run beside the other checks.
closed_after "$PORT" 1 G E T ' ' / e c h o ' ' H T T P / 1 . 1 >"$TMP/slow.time" &
SLOW=$!
closed_after "$PORT" 0 '' >"$TMP/idle.time" &
IDLE=$!
closed_after "$PORT" 0 "$PREFACE$SETTINGS$HEADERS" >"$TMP/h2slow.time" &
H2SLOW=$!
pings=()
for _ in {1..10}; do pings+=("$PING"); done
closed_after "$PORT" 0.5 "$PREFACE$SETTINGS" "${pings[@]}" >"$TMP/h2idle.time" &
H2IDLE=$!
closed_after "$PORT" 0 "$PREFACE$ZERO_WINDOW$GET_SLEEP" >"$TMP/h2window.time" &
H2WINDOW=$!

note "HTTP/1.1 keep-alive: three requests on one connection"
curl -s -o /dev/null -w '%{http_code} %{num_connects} %{http_version}\n' "$URL/echo" "$URL/echo" "$URL/echo" >"$TMP/out"
printf '200 1 1.1\n200 0 1.1\n200 0 1.1\n' >"$TMP/want"
same_file "$TMP/want" "$TMP/out" "keep-alive: one connect, then reuses"
got=$(curl -s -H 'X-Amz-Target: Kinesis_20131202.PutRecord' "$URL/header?name=x-amz-target")
assert_eq Kinesis_20131202.PutRecord "$got" "a field found whatever the case of its name"

note "HTTP/1.1 pipelining: three requests written at once, answered in order"
exec {pipe}<>"/dev/tcp/127.0.0.1/$PORT"
t0=$EPOCHREALTIME
printf 'GET /sleep?ms=600 HTTP/1.1\r\nHost: a\r\n\r\nGET /sleep?ms=400 HTTP/1.1\r\nHost: a\r\n\r\nGET /sleep?ms=200 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' >&"$pipe"
timeout 10 cat <&"$pipe" >"$TMP/pipelined"
elapsed=$(seconds_since "$t0")
exec {pipe}<&-
grep -o 'slept [0-9]*' "$TMP/pipelined" >"$TMP/out" || true
printf 'slept 600\nslept 400\nslept 200\n' >"$TMP/want"
same_file "$TMP/want" "$TMP/out" "pipelined answers in request order"
assert_eq 3 "$(grep -o 'HTTP/1.1 200 OK' "$TMP/pipelined" | wc -l | tr -d ' ')" "three 200 answers"
# Handled at once, not one after another (1.2 s).
between "$elapsed" 0.55 1.1 || fail "pipelined requests took ${elapsed}s: not handled concurrently"

note "HTTP/2 with prior knowledge"
got=$(curl -s --http2-prior-knowledge -D "$TMP/h2.head" --data-binary 'over h2' "$URL/echo")
assert_eq 'over h2' "$got" "h2 echo"
grep -q '^HTTP/2 200' "$TMP/h2.head" || fail "h2: not an HTTP/2 200: $(cat "$TMP/h2.head")"
grep -qi '^x-version: 20' "$TMP/h2.head" || fail "h2: the handler did not see HTTP/2"

note "HTTP/2: eight concurrent streams on one connection"
h2load -n 8 -c 1 -m 8 "$URL/sleep?ms=500" >"$TMP/h2load" 2>&1 || fail "h2load failed: $(cat "$TMP/h2load")"
grep -q 'requests: 8 total, 8 started, 8 done, 8 succeeded' "$TMP/h2load" || fail "h2load: $(grep requests: "$TMP/h2load")"
grep -q 'status codes: 8 2xx' "$TMP/h2load" || fail "h2load: $(grep 'status codes' "$TMP/h2load")"
ms=$(sed -n 's/^finished in \([0-9.]*\)ms.*/\1/p; s/^finished in \([0-9.]*\)s,.*/\1 * 1000/p' "$TMP/h2load" | bc)
between "$ms" 490 1500 || fail "eight 500 ms streams took ${ms} ms: not concurrent"

note "5 MiB bodies over HTTP/1.1 (with Expect: 100-continue) and HTTP/2"
head -c 3932160 /dev/urandom | base64 -w 0 >"$TMP/big"
assert_eq 5242880 "$(wc -c <"$TMP/big" | tr -d ' ')" "the 5 MiB body"
curl -sv --data-binary @"$TMP/big" -o "$TMP/big.h1" "$URL/echo" 2>"$TMP/h1.trace"
same_file "$TMP/big" "$TMP/big.h1" "5 MiB over HTTP/1.1"
grep -q '^< HTTP/1.1 100 Continue' "$TMP/h1.trace" || fail "no 100 Continue for curl's Expect"
curl -s --http2-prior-knowledge --data-binary @"$TMP/big" -o "$TMP/big.h2" "$URL/echo"
same_file "$TMP/big" "$TMP/big.h2" "5 MiB over HTTP/2"

note "limits: 431 for a large head or too many fields, 413 for a large body"
big_field="X-Big: $(head -c 9000 /dev/zero | tr '\0' a)"
many=()
for i in $(seq 1 60); do many+=(-H "X-F$i: v"); done
for proto in --http1.1 --http2-prior-knowledge; do
  status=$(curl -s $proto -o "$TMP/body" -w '%{http_code}' -H "$big_field" "$URL/echo")
  assert_eq 431 "$status" "$proto: a head of 9 KB past 8 KiB"
  assert_eq "the request head is larger than the limit of 8192 bytes" "$(jq -r .message "$TMP/body")" "$proto: 431 message"
  status=$(curl -s $proto -o "$TMP/body" -w '%{http_code}' "${many[@]}" "$URL/echo")
  assert_eq 431 "$status" "$proto: 60 fields past 50"
  status=$(curl -s $proto -o "$TMP/body" -w '%{http_code}' --data-binary "$(head -c 2048 /dev/zero | tr '\0' b)" "$URL/small")
  assert_eq 413 "$status" "$proto: 2 KiB past /small's 1 KiB (the body_limit hook)"
  assert_eq "the request body of 2048 bytes is larger than the limit of 1024 bytes" "$(jq -r .message "$TMP/body")" "$proto: 413 message"
done
head -c $((9 << 20)) /dev/zero >"$TMP/nine"
status=$(curl -s -o "$TMP/body" -w '%{http_code}' --data-binary @"$TMP/nine" "$URL/echo")
assert_eq 413 "$status" "9 MiB past --max-body 8 MiB"

note "malformed requests: 400 with a JSON message, and the server goes on"
exec {bad}<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GARBAGE\r\n\r\n' >&"$bad"
timeout 5 cat <&"$bad" >"$TMP/bad"
exec {bad}<&-
head -n 1 "$TMP/bad" | grep -q '^HTTP/1.1 400 Bad Request' || fail "garbage: $(head -n 1 "$TMP/bad")"
tail -n 1 "$TMP/bad" | jq -e '.message | startswith("malformed HTTP/1.1 request")' >/dev/null || fail "garbage: body $(tail -n 1 "$TMP/bad")"
status=$(curl -s -o /dev/null -w '%{http_code}' "$URL/echo")
assert_eq 200 "$status" "a new connection after the malformed one"
status=$(curl -s -o "$TMP/body" -w '%{http_code}' "$URL/drop")
assert_eq 500 "$status" "a dropped responder"
assert_eq "the request was dropped unanswered" "$(jq -r .message "$TMP/body")" "500 message"

note "slow and idle clients are closed within their deadlines"
wait "$SLOW" "$IDLE" "$H2SLOW" "$H2IDLE" "$H2WINDOW"
slow=$(cat "$TMP/slow.time")
idle=$(cat "$TMP/idle.time")
h2slow=$(cat "$TMP/h2slow.time")
h2idle=$(cat "$TMP/h2idle.time")
h2window=$(cat "$TMP/h2window.time")
# --request-timeout 2000: from its first byte, a request of 16 bytes has 2 s (and 16 bytes at
# 64 KiB/s); the timer fires within a few milliseconds of it.
note "closed after: slow ${slow}s, idle ${idle}s, h2 stream without its body ${h2slow}s, h2 idle with PINGs ${h2idle}s, h2 window shut ${h2window}s"
between "$slow" 1.9 2.6 || fail "a client sending a byte a second was closed after ${slow}s, not ~2 s"
between "$idle" 2.9 3.6 || fail "an idle connection was closed after ${idle}s, not ~3 s"
between "$h2slow" 1.9 2.6 || fail "an HTTP/2 stream whose body never came was closed after ${h2slow}s, not ~2 s"
# PINGs every half second do not keep an HTTP/2 connection with no stream open.
between "$h2idle" 2.9 3.6 || fail "an idle HTTP/2 connection sending PINGs was closed after ${h2idle}s, not ~3 s"
between "$h2window" 1.9 2.6 || fail "a client that never opens its window was closed after ${h2window}s, not ~2 s"

note "the log has a line a request"
grep -Eq '^127\.0\.0\.1:[0-9]+ POST /echo HTTP/2 200 7 7 [0-9]+us$' "$TMP/main.err" ||
  fail "no log line for the h2 echo: $(head -n 5 "$TMP/main.err")"

note "SIGTERM: requests in flight are answered, then the server exits 0"
curl -s -o "$TMP/flight.h1" "$URL/sleep?ms=1500" &
H1=$!
curl -s --http2-prior-knowledge -o "$TMP/flight.h2" "$URL/sleep?ms=1200" &
H2=$!
exec {idle_fd}<>"/dev/tcp/127.0.0.1/$PORT"
sleep 0.4
t0=$EPOCHREALTIME
kill -TERM "$SERVER_PID"
timeout 1 cat <&"$idle_fd" >/dev/null || fail "an idle connection was not closed at SIGTERM"
exec {idle_fd}<&-
wait_exit "$SERVER_PID" 10 "echo_server after SIGTERM"
elapsed=$(seconds_since "$t0")
[[ $WAIT_RC == 0 ]] || fail "exit status after SIGTERM: expected 0, got $WAIT_RC; the end of its stderr: $(tail -n 40 "$TMP/main.err")"
wait "$H1" "$H2"
assert_eq "slept 1500" "$(cat "$TMP/flight.h1")" "the HTTP/1.1 request in flight"
assert_eq "slept 1200" "$(cat "$TMP/flight.h2")" "the HTTP/2 request in flight"
between "$elapsed" 0.9 2.5 || fail "exit ${elapsed}s after SIGTERM: not once the last answer (1.1 s) was written"
grep -qx 'stopped on signal 15' "$TMP/main.out" || fail "no 'stopped on signal 15'"
status=$(curl -s -o /dev/null -w '%{http_code}' "$URL/echo" || true)
assert_eq 000 "$status" "no answer once stopped"

note "max connections: the one past the limit is answered 503"
start_server capped --max-connections 2
exec {c1}<>"/dev/tcp/127.0.0.1/$PORT" {c2}<>"/dev/tcp/127.0.0.1/$PORT"
sleep 0.2
status=$(curl -s -o "$TMP/body" -w '%{http_code}' "http://127.0.0.1:$PORT/echo")
assert_eq 503 "$status" "a third connection past --max-connections 2"
assert_eq "too many connections: try again later" "$(jq -r .message "$TMP/body")" "503 message"
exec {c1}<&-
for _ in {1..50}; do
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/echo")
  [[ $status == 200 ]] && break
  sleep 0.05
done
assert_eq 200 "$status" "a connection once one of the two closed"
exec {c2}<&-

note "ok"
