#!/usr/bin/env bash
# Behaviour: what a `ks-consume --exec` handler gets, as handler.h promises. Its only file
# descriptors are its three pipes (no store descriptor: data.mdb, lock.mdb, the notifier);
# SIGPIPE (and every standard signal) at its default, none blocked; the batch on stdin only
# (the Lambda event parses, Records has the batch's size, base64 data decodes to the record,
# record data in neither its arguments nor its environment). A handler running past
# --timeout is killed with its process group and counts as failed: with --retries 0 the
# batch goes to --on-failure at once.
source "$(dirname "$0")/common.sh"
need_tool base64 readlink

shard create he --shards 1 >/dev/null || fail "ks-shard create he failed"
shard create fails --shards 1 >/dev/null || fail "ks-shard create fails failed"
# 20 records, each with a marker that must not reach the handler's argv or environment.
awk 'BEGIN { for (i = 1; i <= 20; i++) printf "{\"n\":%d,\"marker\":\"zq-secret-%d\",\"s\":\"caf\\u00e9 \\\"q\\\"\"}\n", i, i }' >"$TMP/in.jsonl"
put -s he -k n "$TMP/in.jsonl" || fail "ks-put failed"

mkdir -p "$TMP/h"
# The handler is an inline sh -c script (a script file would itself be an open descriptor of
# the shell). While its descriptors are listed, the handler's shell opens nothing (no
# redirection, no pipe, no $(...)): the glob and [ are builtins, readlink is a child that
# reads /proc/<handler>/fd from outside, and the lines go out on the handler's stdout, which
# ks-consume passes through ("fd INVOCATION FD TARGET").
# shellcheck disable=SC2016 # expanded by the handler's shell
handler='d='"$TMP/h"'; i=$$
set -- /proc/$$/fd/*
for f do n=${f##*/}; if [ -e "$f" ]; then printf "fd %s %s " "$i" "$n"; readlink "$f"; fi; done
while read -r k v; do case $k in SigIgn:|SigBlk:) echo "sig $i $k $v";; esac; done </proc/$$/status
tr "\0" "\n" </proc/$$/environ >"$d/env.$i"
tr "\0" "\n" </proc/$$/cmdline >"$d/cmdline.$i"
cat >"$d/event.$i"'

consume -s he -g G --exec "$handler" --batch-size 7 >"$TMP/out" 2>"$TMP/err" ||
  fail "ks-consume --exec (environment probe) failed: $(head -c 600 "$TMP/err")"
mapfile -t invs < <(for e in "$TMP"/h/event.*; do [[ -e $e ]] && echo "${e##*.}"; done | sort -n)
assert_eq 3 "${#invs[@]}" "invocations for 20 records at --batch-size 7"

: >"$TMP/data.got"
for i in "${invs[@]}"; do
  # Descriptors: exactly 0, 1, 2, and each a pipe.
  awk -v i="$i" '$1 == "fd" && $2 == i { print $3, $4 }' "$TMP/out" >"$TMP/h/fds.$i"
  fds=$(cut -d' ' -f1 "$TMP/h/fds.$i" | sort -n | tr '\n' ' ')
  store_fds=$(grep -E 'data\.mdb|lock\.mdb|notif|'"$STORE" "$TMP/h/fds.$i" || true)
  [[ -z $store_fds ]] || fail "the handler has store descriptors: ${store_fds//$'\n'/; }"
  assert_eq "0 1 2 " "$fds" "the handler's descriptors ($(tr '\n' ';' <"$TMP/h/fds.$i"))"
  nonpipe=$(grep -v ' pipe:\[' "$TMP/h/fds.$i" || true)
  [[ -z $nonpipe ]] || fail "handler descriptors that are not pipes: ${nonpipe//$'\n'/; }"
  # Signals, as the handler's shell reads its own status (a child reading it may catch dash
  # between vfork and restoring its mask): none blocked; SIGPIPE (13) not ignored, nor any
  # other standard signal (1-31) or application real-time one (34-64). 32 and 33 are glibc's
  # own (its posix_spawn sets them to SIG_IGN in every child), unusable by programs.
  blk=$(awk -v i="$i" '$1 == "sig" && $2 == i && $3 == "SigBlk:" {print $4}' "$TMP/out")
  ign=$(awk -v i="$i" '$1 == "sig" && $2 == i && $3 == "SigIgn:" {print $4}' "$TMP/out")
  [[ -n $blk && -n $ign ]] || fail "invocation $i did not report its signal masks"
  [[ $blk =~ ^0+$ ]] || fail "signals blocked in the handler: SigBlk $blk"
  (((0x$ign >> 12) & 1)) && fail "SIGPIPE ignored in the handler: SigIgn $ign"
  ((0x$ign & ~0x180000000)) && fail "signals ignored in the handler: SigIgn $ign"
  # No record data in the handler's environment or arguments.
  grep -q zq-secret "$TMP/h/env.$i" && fail "record data in the handler's environment"
  grep -q zq-secret "$TMP/h/cmdline.$i" && fail "record data in the handler's arguments"
  # The batch on stdin: one Lambda event.
  jq -e . "$TMP/h/event.$i" >/dev/null 2>&1 || fail "invocation $i: stdin is not one JSON event: $(head -c 300 "$TMP/h/event.$i")"
  assert_eq 1 "$(jq -s length "$TMP/h/event.$i")" "JSON values on the handler's stdin"
  n=$(jq '.Records | length' "$TMP/h/event.$i")
  echo "$n" >>"$TMP/sizes"
  jq -r '.Records[].kinesis.data' "$TMP/h/event.$i" | while read -r b; do
    printf '%s' "$b" | base64 -d
    echo
  done >>"$TMP/data.got"
  assert_eq aws:kinesis "$(jq -r '[.Records[].eventSource] | unique | join(",")' "$TMP/h/event.$i")" "eventSource of the records"
done
assert_eq "7 7 6 " "$(tr '\n' ' ' <"$TMP/sizes")" "Records per event at --batch-size 7 (20 records)"
same_file "$TMP/in.jsonl" "$TMP/data.got" "base64-decoded data of the events, in order"

# ---- a handler past its --timeout ----------------------------------------------------
# It notes its pid (its process group), starts a background sleep, and sleeps itself.
shard create slow --shards 1 >/dev/null || fail "ks-shard create slow failed"
gen_numbered 3 >"$TMP/slow.jsonl"
put -s slow "$TMP/slow.jsonl" || fail "ks-put (slow) failed"
consume -s slow --format envelope >"$TMP/slow.env" || fail "ks-consume --format envelope (slow) failed"
t0=$(date +%s%N)
rc=0
# Neither AWS_REGION nor AWS_DEFAULT_REGION: the ARNs name us-east-1, as the SDKs' examples.
(unset AWS_REGION AWS_DEFAULT_REGION
  consume -s slow -g G --exec "echo \$\$ >>$TMP/slow.pids; sleep 5 & sleep 5" --timeout 300ms --retries 0 \
  --on-failure fails >"$TMP/out" 2>"$TMP/err") || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
note "ks-consume with a sleep 5 handler and --timeout 300ms: status $rc after $ms ms"
assert_eq 0 "$rc" "exit status of ks-consume after a timed-out batch went to --on-failure ($(head -c 300 "$TMP/err"))"
((ms < 3000)) || fail "ks-consume took $ms ms with --timeout 300ms and --retries 0 (the handler sleeps 5 s)"
assert_eq 1 "$(count_lines "$TMP/slow.pids")" "invocations with --retries 0"
pg=$(cat "$TMP/slow.pids")
# live_in_group PGID: the pids of processes of that group that are not zombies (an orphaned
# zombie may wait for an init that does not reap).
live_in_group() {
  local f line rest
  for f in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$f" || continue
    rest=${line##*) }
    # shellcheck disable=SC2086 # split the fields after the command name
    set -- $rest
    [[ $3 == "$pg" ]] || continue
    [[ $1 == Z || $1 == X ]] || echo "${f//[^0-9]/}"
  done
}
left=
for _ in $(seq 20); do
  left=$(live_in_group "$pg")
  [[ -z $left ]] && break
  sleep 0.1
done
[[ -z $left ]] || fail "processes of the timed-out handler's group $pg still run: ${left//$'\n'/ }"

consume -s fails >"$TMP/fails.jsonl" || fail "ks-consume -s fails failed"
assert_eq 1 "$(count_lines "$TMP/fails.jsonl")" "failure records for the timed-out batch"
f=$(cat "$TMP/fails.jsonl")
assert_eq RetryAttemptsExhausted "$(jq -r .requestContext.condition <<<"$f")" "condition of a timed-out batch"
assert_eq Unhandled "$(jq -r .responseContext.functionError <<<"$f")" "functionError of a timed-out batch"
assert_eq 3 "$(jq -r .KinesisBatchInfo.batchSize <<<"$f")" "batchSize of the timed-out batch"
assert_eq "$(head -n 1 "$TMP/slow.env" | jq -r .seq)" "$(jq -r .KinesisBatchInfo.startSequenceNumber <<<"$f")" "startSequenceNumber of the timed-out batch"
assert_eq "$(jq -r .seq "$TMP/slow.env" | tail -n 1)" "$(jq -r .KinesisBatchInfo.endSequenceNumber <<<"$f")" "endSequenceNumber of the timed-out batch"
assert_eq "arn:aws:kinesis:us-east-1:000000000000:stream/slow" "$(jq -r .KinesisBatchInfo.streamArn <<<"$f")" "streamArn of the timed-out batch"
assert_eq "arn:aws:lambda:us-east-1:000000000000:function:G" "$(jq -r .requestContext.functionArn <<<"$f")" "functionArn of the timed-out batch"
behind=$(describe_json slow | jq '[.Groups[] | select(.GroupName == "G") | .Shards[].RecordsBehind] | add')
assert_eq 0 "$behind" "RecordsBehind after the timed-out batch went to the failure stream"

note "ok"
