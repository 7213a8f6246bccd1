#!/usr/bin/env bash
# Behaviour: fh-archive killed with SIGKILL leaves no partial object visible; and reading a
# stream as a group, by itself (-s -g) or from `ks-consume --checkpoint downstream` envelopes,
# it loses and duplicates nothing across kills and reruns: every record is in exactly one
# object.
source "$(dirname "$0")/common.sh"
need_tool zstd
archive() { "$MILLRACE_BIN/fh-archive" "$@"; }
fh_archive=$MILLRACE_BIN/fh-archive

# 400,000 distinct records (about 40 MiB) in three partitions of unequal rates, so that 1 MiB
# buffers fill at different times and objects are written out of the shards' order.
awk 'BEGIN { for (i = 1; i <= 400000; i++) {
  k = i % 7 == 0 ? "rare" : i % 7 < 3 ? "mid" : "busy"
  printf "{\"k\":\"%s\",\"n\":%d,\"pad\":\"abcdefghijklmnopqrstuvwxyz0123456789abcdefghij\"}\n", k, i } }' >"$TMP/in.jsonl"
shard create rides --shards 4 >/dev/null
put -s rides -k n "$TMP/in.jsonl" || fail "ks-put"
sort "$TMP/in.jsonl" >"$TMP/in.sorted"

# check_objects BUCKET: every visible object is whole (its zstd frame checks), and holds lines
# of the input, each once.
check_objects() {
  local object
  : >"$TMP/seen"
  [[ -d $1 ]] || return 0  # killed before it made the bucket
  while IFS= read -r object; do
    zstd -tq "$object" 2>/dev/null || fail "a partial or corrupt object is visible: $object"
  done < <(find "$1" -type f ! -name '.*')
  "$MILLRACE_BIN/fh-cat" -d "$1" >"$TMP/seen" || fail "fh-cat after a kill"
  sort "$TMP/seen" >"$TMP/seen.sorted"
  [[ -z $(uniq -d "$TMP/seen.sorted" | head -n 1) ]] || fail "a line twice in $1"
  [[ -z $(comm -23 "$TMP/seen.sorted" "$TMP/in.sorted" | head -n 1) ]] || fail "a line not from the input in $1"
}

# kill_after SECONDS CMD...: runs CMD in the background and kills it with SIGKILL; sets KILLED
# to 1 when it was still running.
kill_after() {
  local delay=$1 pid
  shift
  "$@" 2>>"$TMP/stderr" &
  pid=$!
  bg_register "$pid"
  sleep "$delay"
  KILLED=0
  kill -0 "$pid" 2>/dev/null && KILLED=1
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Plain lines: a kill, early or once objects are written, leaves whole objects only.
for delay in 0.02 0.05 0.1 1; do
  kill_after "$delay" bash -c '{ cat "$1"; sleep 30; } | "$2" -d "$3" --buffer-size 1MiB' _ "$TMP/in.jsonl" \
    "$MILLRACE_BIN/fh-archive" "$TMP/plain-$delay"
  check_objects "$TMP/plain-$delay"
done
[[ -s $TMP/seen ]] || fail "no object written before the kills"

# A group reading the stream itself, following it: killed at several points (while reading,
# while writing, while waiting with buffers open), then run to the end.
mid=0
# A short lease: a rerun takes over the shards of the member killed before it within a second.
for delay in 0.05 0.2 1 0.1 1; do
  kill_after "$delay" "$fh_archive" -S "$STORE" -s rides -g archive -f --lease-timeout 1s -d "$TMP/group" \
    --buffer-size 1MiB --partition-by k
  check_objects "$TMP/group"
  if ((KILLED)) && [[ -s $TMP/seen ]]; then mid=$((mid + 1)); fi
done
((mid >= 1)) || fail "no run was killed after writing objects; the input is too small for this machine"
sleep 1.5  # the last lease expires
archive -S "$STORE" -s rides -g archive -d "$TMP/group" --buffer-size 1MiB --partition-by k || fail "the rerun failed"
"$MILLRACE_BIN/fh-cat" -d "$TMP/group" >"$TMP/group.jsonl"
sort "$TMP/group.jsonl" >"$TMP/group.sorted"
same_file "$TMP/in.sorted" "$TMP/group.sorted" "-s -g after $mid kills mid-way and a rerun: every record once"
for k in rare mid busy; do
  "$MILLRACE_BIN/fh-cat" -d "$TMP/group" --prefix "k=$k/" | jq -r .k | sort -u | grep -qvx "$k" &&
    fail "partition k=$k holds another value"
done
shard describe rides | grep -A6 '^group archive' >"$TMP/describe"
[[ $(awk '$1 ~ /^shardId/ { print $3 }' "$TMP/describe" | sort -u) == 0 ]] ||
  fail "the group is behind after the final run: $(cat "$TMP/describe")"

# Envelopes from ks-consume, which leaves the checkpoint to fh-archive: killed, then rerun.
envelope_pipeline() {
  consume -s rides -g envelopes --format envelope --checkpoint downstream --lease-timeout 1s "$@" |
    archive -S "$STORE" --format envelope -d "$TMP/env" --buffer-size 1MiB --partition-by k
}
mid=0
for delay in 0.1 1 0.3; do
  setsid bash -c "$(declare -f consume archive envelope_pipeline); STORE='$STORE' TMP='$TMP' MILLRACE_BIN='$MILLRACE_BIN'; envelope_pipeline -f" 2>>"$TMP/stderr" &
  pid=$!
  bg_register "$pid"
  sleep "$delay"
  kill -0 "$pid" 2>/dev/null && ((++mid))
  kill -9 -- -"$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  check_objects "$TMP/env"
done
((mid >= 1)) || fail "no envelope pipeline was killed mid-way"
sleep 1.5
envelope_pipeline || fail "the envelope pipeline's rerun failed"
"$MILLRACE_BIN/fh-cat" -d "$TMP/env" >"$TMP/env.jsonl"
sort "$TMP/env.jsonl" >"$TMP/env.sorted"
same_file "$TMP/in.sorted" "$TMP/env.sorted" "envelopes after kills and a rerun: every record once"
note "ok ($mid envelope pipelines killed)"
