#!/usr/bin/env bash
# Behaviour: per-key order survives resharding. 2400 records over 60 keys, each with a
# per-key counter, put in four phases into a 2-shard stream with a split, a merge of the
# two children and a scale to 3 shards between them: every reader (no group, a follower
# running throughout, a group reading between the phases, a group restarted in -n chunks)
# gets every record once and each key's counters strictly increasing. describe shows the
# parents CLOSED and the children's lineage (ParentShardId, AdjacentParentShardId) and
# ranges; ks-put routes to open shards only, by MD5 of the key. Bad reshards: 64 / 66.
source "$(dirname "$0")/common.sh"
need_bigint
need_tool openssl

seed=424242
awk -v seed="$seed" 'BEGIN {
  srand(seed)
  split("A B C D", ph, " ")
  for (i = 1; i <= 2400; i++) {
    k = int(rand() * 60)
    c[k]++
    printf "{\"key\":\"key-%02d\",\"counter\":%d,\"phase\":\"%s\",\"i\":%d}\n", k, c[k], ph[int((i - 1) / 600) + 1], i
  }
}' >"$TMP/in.jsonl"
for p in A B C D; do grep -F "\"phase\":\"$p\"" "$TMP/in.jsonl" >"$TMP/in.$p"; done
assert_eq 60 "$(jq -r .key "$TMP/in.jsonl" | sort -u | count_lines /dev/stdin)" "distinct keys in the generated input"

# check_order FILE WHAT: every record of the input exactly once, counters per key increasing.
check_order() {
  assert_eq 2400 "$(count_lines "$1")" "records read ($2)"
  same_sorted "$TMP/in.jsonl" "$1" "records read ($2)"
  jq -r '[.key, .counter] | @tsv' "$1" | awk -F'\t' '
    ($1 in last) && $2 <= last[$1] { printf "key %s: counter %d after %d (output line %d)\n", $1, $2, last[$1], NR; bad = 1; exit }
    { last[$1] = $2 }
    END { exit bad }' >"$TMP/order.err" || fail "per-key order broken ($2): $(cat "$TMP/order.err")"
}

# shard_field ID JQ: a field of one shard in describe --json.
shard_field() {
  describe_json ro | jq -r --arg id "$1" ".Shards[] | select(.ShardId == \$id) | $2"
}

# expect_shard ID STATE START END PARENTS: state, range and the set of parents (sorted,
# comma separated, "" for none) of shard ID.
expect_shard() {
  local id=$1 got
  got=$(describe_json ro | jq -r --arg id "$id" '.Shards[] | select(.ShardId == $id)
    | [.State, (.HashKeyRange.StartingHashKey|tostring), (.HashKeyRange.EndingHashKey|tostring),
       ([.ParentShardId, .AdjacentParentShardId] | map(select(. != null)) | sort | join(","))] | @tsv')
  [[ -n $got ]] || fail "describe does not list shard $id"
  assert_eq "$2	$3	$4	$5" "$got" "state, range and parents of $id"
}

# Independent arithmetic: the hash-key space [0, 2^128-1].
mapfile -t _b < <(bigcalc '2^126' '2^127' '2^128' '2^128/3' '2*2^128/3')
H126=${_b[0]} H127=${_b[1]} H128=${_b[2]} T1=${_b[3]} T2=${_b[4]}
[[ -n $T2 ]] || fail "bigcalc gave no result"
dec() { bigcalc "$1"; }
S0=$(shard_id 0) S1=$(shard_id 1) S2=$(shard_id 2) S3=$(shard_id 3) S4=$(shard_id 4)
S5=$(shard_id 5) S6=$(shard_id 6) S7=$(shard_id 7)

# Per key: MD5 as a zero-padded 40-digit decimal, compared as strings against shard starts.
jq -r .key "$TMP/in.jsonl" | sort -u >"$TMP/keys"
while read -r k; do printf '%s\t%040s\n' "$k" "$(md5_dec "$k")"; done <"$TMP/keys" | tr ' ' 0 >"$TMP/keyhash"

# check_routing PUTFILE PRINTFILE "ID START" ...: each record went to the open shard whose
# range holds MD5(key) (the starts given in order, each shard up to the next start).
check_routing() {
  local input=$1 printed=$2
  shift 2
  assert_eq "$(count_lines "$input")" "$(count_lines "$printed")" "lines printed by ks-put --print"
  local starts=""
  for s in "$@"; do starts+="${s%% *}=$(printf '%040s' "${s#* }" | tr ' ' 0);"; done
  jq -r .key "$input" | paste - <(jq -r .shard "$printed") | awk -F'\t' -v starts="$starts" -v kh="$TMP/keyhash" '
    BEGIN {
      while ((getline l < kh) > 0) { split(l, f, "\t"); h[f[1]] = f[2] }
      n = split(starts, a, ";")
      for (i = 1; i < n; i++) { split(a[i], b, "="); id[i] = b[1]; st[i] = b[2]; open[b[1]] = 1 }
      m = n - 1
    }
    {
      want = ""
      for (i = 1; i <= m; i++) if (h[$1] >= st[i]) want = id[i]
      if (!($2 in open)) { printf "line %d (key %s) went to %s, not an open shard\n", NR, $1, $2; bad = 1; exit }
      if ($2 != want) { printf "line %d (key %s, MD5 %s) went to %s, expected %s\n", NR, $1, h[$1], $2, want; bad = 1; exit }
    }
    END { exit bad }' >"$TMP/route.err" || fail "routing: $(cat "$TMP/route.err")"
}

shard create ro --shards 2 >/dev/null || fail "ks-shard create ro --shards 2 failed"

# A follower without a group runs through every phase.
"$MILLRACE_BIN/ks-consume" -S "$STORE" -s ro -f --idle-exit 6s >"$TMP/follow.out" 2>"$TMP/follow.err" &
follower=$!
bg_register "$follower"

: >"$TMP/g1.out"
# g1_read N: group G1 reads up to N more records.
g1_read() { consume -s ro -g G1 -n "$1" >>"$TMP/g1.out" || fail "ks-consume -g G1 -n $1 failed"; }

# ---- phase A: two shards --------------------------------------------------------------
put -s ro -k key --print "$TMP/in.A" >"$TMP/print.A" || fail "ks-put (phase A) failed"
check_routing "$TMP/in.A" "$TMP/print.A" "$S0 0" "$S1 $H127"
g1_read 250

# ---- split shard 0 in the middle ------------------------------------------------------
shard split ro "$S0" >/dev/null || fail "ks-shard split ro $S0 failed"
expect_shard "$S0" CLOSED 0 "$(dec "$H127-1")" ""
expect_shard "$S1" OPEN "$H127" "$(dec "$H128-1")" ""
expect_shard "$S2" OPEN 0 "$(dec "$H126-1")" "$S0"
expect_shard "$S3" OPEN "$H126" "$(dec "$H127-1")" "$S0"
assert_eq "$S0" "$(shard_field "$S2" .ParentShardId)" "ParentShardId of the first child of the split"
assert_eq "$S0" "$(shard_field "$S3" .ParentShardId)" "ParentShardId of the second child of the split"
assert_eq 3 "$(describe_json ro | jq .OpenShardCount)" "OpenShardCount after the split"

put -s ro -k key --print "$TMP/in.B" >"$TMP/print.B" || fail "ks-put (phase B) failed"
check_routing "$TMP/in.B" "$TMP/print.B" "$S2 0" "$S3 $H126" "$S1 $H127"
g1_read 500

# ---- merge the two children -------------------------------------------------------------
shard merge ro "$S2" "$S3" >/dev/null || fail "ks-shard merge ro $S2 $S3 failed"
expect_shard "$S2" CLOSED 0 "$(dec "$H126-1")" "$S0"
expect_shard "$S3" CLOSED "$H126" "$(dec "$H127-1")" "$S0"
expect_shard "$S4" OPEN 0 "$(dec "$H127-1")" "$S2,$S3"
assert_eq "$S2" "$(shard_field "$S4" .ParentShardId)" "ParentShardId of the merged shard (the first shard named)"
assert_eq "$S3" "$(shard_field "$S4" .AdjacentParentShardId)" "AdjacentParentShardId of the merged shard"
assert_eq 2 "$(describe_json ro | jq .OpenShardCount)" "OpenShardCount after the merge"

put -s ro -k key --print "$TMP/in.C" >"$TMP/print.C" || fail "ks-put (phase C) failed"
check_routing "$TMP/in.C" "$TMP/print.C" "$S4 0" "$S1 $H127"
g1_read 500

# ---- scale to 3 shards (uniform) --------------------------------------------------------
shard scale ro --shards 3 >/dev/null || fail "ks-shard scale ro --shards 3 failed"
expect_shard "$S4" CLOSED 0 "$(dec "$H127-1")" "$S2,$S3"
expect_shard "$S1" CLOSED "$H127" "$(dec "$H128-1")" ""
# Shard i of 3 starts at floor(i * 2^128 / 3); its parents: the old open shards it overlaps.
expect_shard "$S5" OPEN 0 "$(dec "$T1-1")" "$S4"
expect_shard "$S6" OPEN "$T1" "$(dec "$T2-1")" "$S1,$S4"
expect_shard "$S7" OPEN "$T2" "$(dec "$H128-1")" "$S1"
assert_eq 3 "$(describe_json ro | jq .OpenShardCount)" "OpenShardCount after scale --shards 3"
assert_eq 8 "$(describe_json ro | jq '.Shards | length')" "shards listed after the scale"

put -s ro -k key --print "$TMP/in.D" >"$TMP/print.D" || fail "ks-put (phase D) failed"
check_routing "$TMP/in.D" "$TMP/print.D" "$S5 0" "$S6 $T1" "$S7 $T2"
g1_read 500
consume -s ro -g G1 >>"$TMP/g1.out" || fail "ks-consume -g G1 (the rest) failed"
check_order "$TMP/g1.out" "group G1, reading between the reshards"

# Closed parents keep their records: the shard totals still add up.
assert_eq 2400 "$(describe_json ro | jq '[.Shards[].Records] | add')" "records over all shards in describe"

# ---- readers after the fact -------------------------------------------------------------
consume -s ro >"$TMP/all.out" || fail "ks-consume -s ro failed"
check_order "$TMP/all.out" "no group"

: >"$TMP/g2.out"
for run in 1 2 3 4 5 6 7; do
  consume -s ro -g G2 -n 370 >"$TMP/g2.part" || fail "run $run of ks-consume -g G2 -n 370 failed"
  cat "$TMP/g2.part" >>"$TMP/g2.out"
done
assert_eq 180 "$(count_lines "$TMP/g2.part")" "records in the 7th run of -g G2 -n 370 (2400 - 6*370)"
consume -s ro -g G2 >"$TMP/g2.part" || fail "last run of ks-consume -g G2 failed"
assert_eq 0 "$(count_lines "$TMP/g2.part")" "records left for G2 after seven runs"
check_order "$TMP/g2.out" "group G2 in runs of -n 370"

# A group reading one shard at a time through a lineage: -n 1 runs across every boundary.
: >"$TMP/g3.out"
for _ in $(seq 30); do consume -s ro -g G3 -n 1 >>"$TMP/g3.out" || fail "ks-consume -g G3 -n 1 failed"; done
consume -s ro -g G3 >>"$TMP/g3.out" || fail "ks-consume -g G3 (the rest) failed"
check_order "$TMP/g3.out" "group G3, thirty runs of -n 1 then the rest"

wait_exit "$follower" 30 "follower without a group (--idle-exit 6s)"
assert_eq 0 "$WAIT_RC" "exit status of the follower ($(head -c 300 "$TMP/follow.err"))"
check_order "$TMP/follow.out" "a follower running through the split, the merge and the scale"

# ---- bad reshards ----------------------------------------------------------------------
expect_status 64 "split with --at past the shard's range" shard split ro "$S5" --at "$(dec "$T1+5")"
expect_status 64 "split with --at before the shard's range" shard split ro "$S6" --at 7
expect_status 64 "split with --at beyond the hash-key space" shard split ro "$S7" --at "$H128"
# (5 and 7 are the first and the last of the hash-key space: 2^128-1 + 1 must not wrap to 0.)
expect_status 64 "merge of non-adjacent shards (first and last)" shard merge ro "$S5" "$S7"
expect_status 64 "merge of non-adjacent shards (last and first)" shard merge ro "$S7" "$S5"
expect_status 64 "merge of a shard with itself" shard merge ro "$S6" "$S6"
expect_status 64 "split of a closed shard" shard split ro "$S0"
expect_status 64 "split of a closed shard (merged away)" shard split ro "$S2"
expect_status 64 "merge of closed shards" shard merge ro "$S4" "$S1"
expect_status 64 "merge of an open and a closed shard" shard merge ro "$S5" "$S4"
expect_status 66 "split of an unknown shard" shard split ro "$(shard_id 99)"
expect_status 66 "merge with an unknown shard" shard merge ro "$S5" "$(shard_id 99)"
expect_status 66 "split in an unknown stream" shard split nosuchstream "$S0"
# Non-adjacent in the middle of the space: shards 0 and 2 of 4 (and 1 and 3).
shard create na --shards 4 >/dev/null || fail "ks-shard create na --shards 4 failed"
expect_status 64 "merge of shards 0 and 2 of 4" shard merge na "$S0" "$S2"
expect_status 64 "merge of shards 1 and 3 of 4" shard merge na "$S1" "$S3"
expect_status 64 "merge of shards 0 and 3 of 4 (first and last)" shard merge na "$S0" "$S3"
assert_eq 4 "$(describe_json na | jq .OpenShardCount)" "OpenShardCount of na after the refused merges"
assert_eq 8 "$(describe_json ro | jq '.Shards | length')" "shards after the refused reshards"
assert_eq 3 "$(describe_json ro | jq .OpenShardCount)" "OpenShardCount after the refused reshards"

# A split at a given hash key: the second child starts there.
at=$(dec "$T2+1000")
shard split ro "$S7" --at "$at" >/dev/null || fail "ks-shard split ro $S7 --at $at failed"
expect_shard "$S7" CLOSED "$T2" "$(dec "$H128-1")" "$S1"
expect_shard "$(shard_id 8)" OPEN "$T2" "$(dec "$at-1")" "$S7"
expect_shard "$(shard_id 9)" OPEN "$at" "$(dec "$H128-1")" "$S7"

note "ok"
