#!/usr/bin/env bash
# Behaviour: members of a consumer group share a stream's shards through leases (KCL).
# Two `ks-consume -g G -f` members on 4 shards hold 2 each within a few renewals; records
# put while both run are seen by exactly one of them; after `kill -9` of one, the other
# takes all 4 shards over once the lease timeout has passed, and every record put is seen
# at least once (repeats only of what the dead member delivered without checkpointing).
# A member that ends cleanly (idle exit, SIGTERM) frees its leases at once.
source "$(dirname "$0")/common.sh"

LT=2s # --lease-timeout: renewals every ~0.67 s

# leases STREAM GROUP: one "ShardId<TAB>owner" line per shard of GROUP ("-" when free).
leases() {
  describe_json "$1" | jq -r --arg g "$2" '
    (.Groups // [])[] | select(.GroupName == $g) | .Shards[]
    | [.ShardId, (.LeaseOwner // "-")] | @tsv'
}

# complete_lines FILE: the lines of FILE that end with a newline (a member killed by
# SIGKILL may, in theory, leave a partial last line).
complete_lines() {
  if [[ -s $1 && $(tail -c 1 "$1" | od -An -c | tr -d ' ') != '\n' ]]; then
    sed '$d' "$1"
  else
    cat "$1"
  fi
}

shard create gm --shards 4 >/dev/null || fail "ks-shard create gm --shards 4 failed"
gen_numbered 400 p1 >"$TMP/p1.jsonl"
gen_numbered 1500 p2 >"$TMP/p2.jsonl"

# ---- two members split four shards ---------------------------------------------------
"$MILLRACE_BIN/ks-consume" -S "$STORE" -s gm -g G -f --idle-exit 6s --lease-timeout $LT \
  >"$TMP/a.out" 2>"$TMP/a.err" &
mem_a=$!
bg_register "$mem_a"
sleep 0.3
"$MILLRACE_BIN/ks-consume" -S "$STORE" -s gm -g G -f --idle-exit 6s --lease-timeout $LT \
  >"$TMP/b.out" 2>"$TMP/b.err" &
mem_b=$!
bg_register "$mem_b"

balanced=
for _ in $(seq 60); do
  leases gm G >"$TMP/leases"
  # 4 shards, 2 distinct owners, 2 shards each, none free.
  if [[ $(count_lines "$TMP/leases") == 4 ]] && ! cut -f2 "$TMP/leases" | grep -qx -- -; then
    counts=$(cut -f2 "$TMP/leases" | sort | uniq -c | awk '{print $1}' | sort | tr '\n' ' ')
    if [[ $counts == "2 2 " ]]; then
      balanced=1
      break
    fi
  fi
  sleep 0.1
done
[[ -n $balanced ]] || fail "two members of G on 4 shards do not hold 2 shards each after 6 s: $(tr '\t\n' ':,' <"$TMP/leases")"
kill -0 "$mem_a" 2>/dev/null || fail "member A ended early: $(head -c 300 "$TMP/a.err")"
kill -0 "$mem_b" 2>/dev/null || fail "member B ended early: $(head -c 300 "$TMP/b.err")"
cut -f2 "$TMP/leases" | sort -u >"$TMP/owners"
note "balanced: $(tr '\t\n' ':,' <"$TMP/leases")"

# ---- records put while both run: each seen by exactly one member ------------------------
put -s gm -k id "$TMP/p1.jsonl" || fail "ks-put (phase 1) failed"
seen=0
for _ in $(seq 100); do
  cat "$TMP/a.out" "$TMP/b.out" | grep -F '"p1-' | sort -u >"$TMP/p1.seen" || true
  seen=$(count_lines "$TMP/p1.seen")
  [[ $seen -ge 400 ]] && break
  sleep 0.1
done
assert_eq 400 "$seen" "distinct phase-1 records seen by the two members within 10 s"
same_sorted "$TMP/p1.jsonl" "$TMP/p1.seen" "phase-1 records seen by the two members"
complete_lines "$TMP/a.out" | grep -F '"p1-' >"$TMP/a.p1" || true
complete_lines "$TMP/b.out" | grep -F '"p1-' >"$TMP/b.p1" || true
na=$(count_lines "$TMP/a.p1")
nb=$(count_lines "$TMP/b.p1")
assert_eq 400 "$((na + nb))" "phase-1 records delivered by A ($na) plus B ($nb), while leases were stable"
dups=$(cat "$TMP/a.p1" "$TMP/b.p1" | sort | uniq -d | head -n 3)
[[ -z $dups ]] || fail "records seen by both members while both ran: $dups"
[[ $na -gt 0 && $nb -gt 0 ]] || fail "one member saw no record of phase 1 (A $na, B $nb) though each holds 2 of 4 shards"

# ---- kill -9 of one member while records keep coming -----------------------------------
(
  for c in $(seq 0 29); do
    sed -n "$((c * 50 + 1)),$((c * 50 + 50))p" "$TMP/p2.jsonl" |
      "$MILLRACE_BIN/ks-put" -S "$STORE" -s gm -k id || exit 1
    sleep 0.15
  done
) 2>"$TMP/producer.err" &
producer=$!
bg_register "$producer"
sleep 0.5
# (kill and wait in one group with stderr aside: bash's "Killed" notice is no failure.)
{
  kill -9 "$mem_b"
  wait "$mem_b" || true
} 2>/dev/null
killed_at=$(date +%s%N)

taken=
for _ in $(seq 100); do
  leases gm G >"$TMP/leases"
  if [[ $(count_lines "$TMP/leases") == 4 && $(cut -f2 "$TMP/leases" | sort -u | count_lines /dev/stdin) == 1 ]] &&
    ! cut -f2 "$TMP/leases" | grep -qx -- -; then
    taken=1
    break
  fi
  sleep 0.1
done
[[ -n $taken ]] || fail "the surviving member does not hold all 4 shards 10 s after kill -9 of the other: $(tr '\t\n' ':,' <"$TMP/leases")"
took_ms=$((($(date +%s%N) - killed_at) / 1000000))
survivor=$(cut -f2 "$TMP/leases" | sort -u)
grep -qxF -- "$survivor" "$TMP/owners" || fail "all 4 shards held by '$survivor', not one of the two members ($(tr '\n' ' ' <"$TMP/owners"))"
note "survivor $survivor holds all 4 shards ${took_ms} ms after kill -9 (lease timeout $LT)"

rc=0
wait "$producer" || rc=$?
assert_eq 0 "$rc" "exit status of the producer ($(head -c 300 "$TMP/producer.err"))"
# The survivor ends by itself (--idle-exit 6s) once it has read everything.
wait_exit "$mem_a" 30 "surviving member (--idle-exit 6s)"
assert_eq 0 "$WAIT_RC" "exit status of the surviving member after --idle-exit ($(head -c 300 "$TMP/a.err"))"
# A clean exit frees its leases at once (the lease timeout is 2 s: check right away).
leases gm G >"$TMP/leases"
held=$(cut -f2 "$TMP/leases" | grep -vx -- - || true)
[[ -z $held ]] || fail "leases still owned right after the survivor's clean exit: $(tr '\t\n' ':,' <"$TMP/leases")"

# ---- every record seen at least once; no member repeats itself -------------------------
cat "$TMP/p1.jsonl" "$TMP/p2.jsonl" >"$TMP/all.jsonl"
complete_lines "$TMP/a.out" >"$TMP/a.all"
complete_lines "$TMP/b.out" >"$TMP/b.all"
dups=$(sort "$TMP/a.all" | uniq -d | head -n 3)
[[ -z $dups ]] || fail "the survivor delivered a record twice: $dups"
dups=$(sort "$TMP/b.all" | uniq -d | head -n 3)
[[ -z $dups ]] || fail "the killed member delivered a record twice: $dups"
sort -u "$TMP/a.all" "$TMP/b.all" >"$TMP/union"
sort -u "$TMP/all.jsonl" >"$TMP/all.sorted"
missing=$(comm -23 "$TMP/all.sorted" "$TMP/union" | head -n 3)
[[ -z $missing ]] || fail "records put but seen by neither member ($(comm -23 "$TMP/all.sorted" "$TMP/union" | count_lines /dev/stdin) in all), e.g. $missing"
extra=$(comm -13 "$TMP/all.sorted" "$TMP/union" | head -n 3)
[[ -z $extra ]] || fail "lines output that were never put: $extra"
both=$(sort "$TMP/a.all" "$TMP/b.all" | uniq -d | count_lines /dev/stdin)
note "records seen by both members (delivered by the killed one, not checkpointed): $both"
# Phase-2 records put after the takeover belong to no dead member: B cannot have them all.
assert_eq 1900 "$(count_lines "$TMP/union")" "distinct records seen by the two members"

# The group is caught up: a new run of G finds nothing.
consume -s gm -g G >"$TMP/rest" || fail "ks-consume -g G after the members failed"
assert_eq 0 "$(count_lines "$TMP/rest")" "records left for group G after the survivor's idle exit"

# ---- SIGTERM frees the leases at once ------------------------------------------------
# A long lease timeout (30 s), so that a lease not freed would still show its owner.
put -s gm -k id "$TMP/p1.jsonl" >/dev/null || fail "ks-put (phase 3) failed"
"$MILLRACE_BIN/ks-consume" -S "$STORE" -s gm -g T -f --idle-exit 60s --lease-timeout 30s \
  >"$TMP/t.out" 2>"$TMP/t.err" &
mem_t=$!
bg_register "$mem_t"
ok=
for _ in $(seq 100); do
  leases gm T >"$TMP/leases"
  if [[ $(count_lines "$TMP/leases") == 4 ]] && ! cut -f2 "$TMP/leases" | grep -qx -- -; then
    ok=1
    break
  fi
  sleep 0.1
done
[[ -n $ok ]] || fail "a lone member of T does not hold all 4 shards after 10 s: $(tr '\t\n' ':,' <"$TMP/leases")"
[[ $(cut -f2 "$TMP/leases" | sort -u | count_lines /dev/stdin) == 1 ]] ||
  fail "a lone member's 4 leases have several owners: $(tr '\t\n' ':,' <"$TMP/leases")"
for _ in $(seq 50); do
  [[ $(count_lines "$TMP/t.out") -ge 2300 ]] && break
  sleep 0.1
done
kill -TERM "$mem_t"
wait_exit "$mem_t" 10 "member of T after SIGTERM"
assert_eq 0 "$WAIT_RC" "exit status of a member after SIGTERM ($(head -c 300 "$TMP/t.err"))"
leases gm T >"$TMP/leases"
assert_eq 4 "$(count_lines "$TMP/leases")" "shards listed for group T"
held=$(cut -f2 "$TMP/leases" | grep -vx -- - || true)
[[ -z $held ]] || fail "leases still owned right after SIGTERM of the member (lease timeout 30 s): $(tr '\t\n' ':,' <"$TMP/leases")"

note "ok"
