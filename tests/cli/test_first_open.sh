#!/usr/bin/env bash
# Behaviour: a store's first open is atomic. Any number of processes of every program may
# create, open and use a new store at the same moment: each writer's work is there afterwards,
# and no reader is told "not a millrace store". A process killed at any point of making a store
# (every file-changing system call of it, in turn) leaves a store that the next program
# completes, never one that is refused; so does an empty or short data file.
source "$(dirname "$0")/common.sh"
cd "$TMP"
need_tool strace flock
! sanitized || export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# ---- concurrent creators and readers ---------------------------------------------------
# Every process waits on a shared lock of the gate, which the test holds exclusively until
# all of them are started: they then open the new store within a few hundred microseconds.
rounds=${FIRST_OPEN_ROUNDS:-25}
exec 9>gate
for ((round = 1; round <= rounds; round++)); do
  store=$TMP/race-$round
  flock -x 9
  pids=()
  launch() { # launch NAME CMD...: run CMD once the gate opens; its status goes to NAME.rc
    local name=$1
    shift
    (
      exec 9>&-
      flock -s gate true
      rc=0
      "$@" >"$name.out" 2>"$name.err" || rc=$?
      echo "$rc" >"$name.rc"
    ) &
    pids+=($!)
  }
  launch put1 sh -c "echo '{\"w\":1}' | '$MILLRACE_BIN/ks-put' -S '$store' -s x1 --create"
  launch put2 sh -c "echo '{\"w\":2}' | '$MILLRACE_BIN/ks-put' -S '$store' -s x2 --create --shards 2"
  launch kv sh -c "echo '{\"id\":\"a\",\"w\":3}' | '$MILLRACE_BIN/kv-put' -S '$store' -t t1 -k id --create"
  launch shard "$MILLRACE_BIN/ks-shard" -S "$store" create s3 --shards 3
  launch consume "$MILLRACE_BIN/ks-consume" -S "$store" -s x1
  launch get "$MILLRACE_BIN/kv-get" -S "$store" -t t1 a
  launch list "$MILLRACE_BIN/ks-shard" -S "$store" list
  flock -u 9
  wait "${pids[@]}"

  for writer in put1 put2 kv shard; do
    [[ $(cat $writer.rc) == 0 ]] ||
      fail "round $round: concurrent writer $writer exited $(cat $writer.rc): $(cat $writer.err)"
  done
  # A reader that came first finds no store (69), or no such stream or table (66) yet, or the
  # writer's work; never a store it refuses.
  for reader in consume get list; do
    rc=$(cat $reader.rc)
    case $rc in
      0 | 66 | 69) ;;
      1) [[ $reader == get ]] || fail "round $round: reader $reader exited 1" ;;  # kv-get: no such item yet
      *) fail "round $round: concurrent reader $reader exited $rc: $(cat $reader.err)" ;;
    esac
    if [[ $rc == 69 ]]; then
      grep -q 'no store here' $reader.err || fail "round $round: reader $reader: $(cat $reader.err)"
    fi
    if grep -Eq 'not a millrace store|unusable|another format' $reader.err; then
      fail "round $round: reader $reader refused a store being made: $(cat $reader.err)"
    fi
  done
  # Every writer's work is in the store: nothing was made twice over another's commit.
  assert_eq '{"w":1}' "$("$MILLRACE_BIN/ks-consume" -S "$store" -s x1)" "round $round: x1's record"
  assert_eq '{"w":2}' "$("$MILLRACE_BIN/ks-consume" -S "$store" -s x2)" "round $round: x2's record"
  assert_eq '{"id":"a","w":3}' "$("$MILLRACE_BIN/kv-get" -S "$store" -t t1 a)" "round $round: t1's item"
  assert_eq "s3 x1 x2" "$("$MILLRACE_BIN/ks-shard" -S "$store" --json list | jq -r '.StreamNames | sort | join(" ")')" \
    "round $round: the streams"
  assert_eq 3 "$("$MILLRACE_BIN/ks-shard" -S "$store" --json describe s3 | jq '.Shards | length')" "round $round: s3's shards"
done
exec 9>&-
note "$rounds rounds of 4 concurrent creators and 3 readers"

# ---- a creator killed at every point -------------------------------------------------
# strace counts the file-changing system calls of a first `ks-put --create` (the same in every
# run of it), then kills a run at each of them in turn, before the call is made.
syscalls=openat,mkdir,ftruncate,fallocate,pwrite64,pwritev,write,fsync,fdatasync,msync,flock,fcntl,mmap,rename,unlink
echo '{"first":1}' >first.jsonl
echo '{"second":2}' >second.jsonl
strace -f -qq -o calls.txt -e trace="$syscalls" "$MILLRACE_BIN/ks-put" -S "$TMP/counted" -s x --create first.jsonl ||
  fail "ks-put under strace failed"
# The calls before the first that names the store (the dynamic loader's; under the sanitizers
# also their start-up's, 170 of 230) change nothing of it: a kill at any of them leaves what a
# kill at that first call leaves, no store at all, so only the calls from that one on are tried.
first=$(grep -n -m 1 -F "\"$TMP/counted\"" calls.txt | cut -d: -f1)
[[ -n $first ]] || fail "ks-put --create under strace made no system call on its store"
killed=0 points=0
for call in ${syscalls//,/ }; do
  count=$(grep -c -E "^[0-9]+ +$call\(" calls.txt || true)
  before=$(head -n $((first - 1)) calls.txt | grep -c -E "^[0-9]+ +$call\(" || true)
  for ((n = before + 1; n <= count; n++)); do
    points=$((points + 1))
    store=$TMP/killed
    rm -rf "$store"
    rc=0
    (strace -f -qq -o /dev/null -e trace="$call" -e inject="$call:signal=KILL:when=$n" \
      "$MILLRACE_BIN/ks-put" -S "$store" -s x --create first.jsonl 2>/dev/null
      exit $?) 2>/dev/null || rc=$?  # the subshell exits, where strace's own death by SIGKILL would be reported
    ((rc == 0)) || killed=$((killed + 1))
    where="killed at $call #$n (exit $rc)"
    # A reader first: it finds no store, or completes the half-made one and finds no stream,
    # or reads the stream.
    rc=0
    "$MILLRACE_BIN/ks-consume" -S "$store" -s x >read.out 2>read.err || rc=$?
    case $rc in
      0 | 66) ;;
      69) grep -q 'no store here' read.err || fail "$where: the reader was refused: $(cat read.err)" ;;
      *) fail "$where: the reader exited $rc: $(cat read.err)" ;;
    esac
    # Then a writer, which finishes what the killed one began.
    "$MILLRACE_BIN/ks-put" -S "$store" -s x --create second.jsonl 2>put.err ||
      fail "$where: the next ks-put --create failed: $(cat put.err)"
    "$MILLRACE_BIN/ks-consume" -S "$store" -s x >got || fail "$where: ks-consume failed"
    if ! cmp -s got second.jsonl && ! cmp -s got <(cat first.jsonl second.jsonl); then
      fail "$where: the stream holds $(tr '\n' ' ' <got)"
    fi
  done
done
((killed > 20 && killed * 4 > points * 3)) || fail "only $killed of $points runs were killed: the fault points were not reached"
note "ks-put killed at $killed of $points points of a store's first open, each store completed"

# ---- an empty or short data file -------------------------------------------------------
for size in 0 100 4096; do
  store=$TMP/short-$size
  mkdir -m 0700 "$store"
  head -c "$size" /dev/zero >"$store/data.mdb"
  expect_status 0 "ks-put --create on a data file of $size bytes" \
    "$MILLRACE_BIN/ks-put" -S "$store" -s x --create second.jsonl
  "$MILLRACE_BIN/ks-consume" -S "$store" -s x >got || fail "ks-consume after a data file of $size bytes"
  same_file second.jsonl got "the record put into a store whose data file was $size bytes"
done

# A file of another program's making is still refused, never "completed".
mkdir -m 0700 foreign
head -c 16384 /dev/urandom >foreign/data.mdb
cp foreign/data.mdb foreign.copy
expect_status 69 "ks-put --create on a data file that is not LMDB's" "$MILLRACE_BIN/ks-put" -S foreign -s x --create second.jsonl
cmp -s foreign.copy foreign/data.mdb || fail "the foreign data file was changed"
