#!/usr/bin/env bash
# Behaviour: a record goes to the shard whose hash-key range holds MD5(partition key) read as
# a big-endian 128-bit integer; N shards split [0, 2^128-1] evenly (start of shard i =
# floor(i*2^128/N)), as Kinesis. Expected shards are computed with openssl md5 and bc.
source "$(dirname "$0")/common.sh"
need_tool openssl
need_bigint

wildrydes_sample "$TMP/rides.jsonl"
# Extra keys: non-ASCII (MD5 is over the UTF-8 bytes), spaces, punctuation, one character.
awk 'BEGIN {
  n = split("Ünïcörn|日本語のユニコーン|🦄 rainbow|a|Z|with  two spaces|quote\\\"d|back\\\\slash|0|-1", k, "|")
  for (r = 1; r <= 3; r++) for (i = 1; i <= n; i++) printf "{\"Name\":\"%s\",\"r\":%d}\n", k[i], r }' \
  >"$TMP/extra.jsonl"
cat "$TMP/rides.jsonl" "$TMP/extra.jsonl" >"$TMP/in.jsonl"
total=$(count_lines "$TMP/in.jsonl")
jq -r .Name "$TMP/in.jsonl" >"$TMP/names.want"

shard create route --shards 4 >/dev/null || fail "ks-shard create route --shards 4 failed"
put -s route -k Name "$TMP/in.jsonl" || fail "ks-put -k Name failed"

# The four ranges are Kinesis' even split.
shard_ranges route >"$TMP/ranges" || fail "ks-shard --json describe route failed"
assert_eq 4 "$(count_lines "$TMP/ranges")" "shard count in describe --json"
mapfile -t want_bounds < <(bigcalc "0" "2^128/4-1" "2^128/4" "2*2^128/4-1" "2*2^128/4" "3*2^128/4-1" "3*2^128/4" "2^128-1")
i=0
while IFS=$'\t' read -r id start end; do
  assert_eq "$(shard_id "$i")" "$id" "id of shard $i"
  assert_eq "${want_bounds[2 * i]}" "$start" "StartingHashKey of $id"
  assert_eq "${want_bounds[2 * i + 1]}" "$end" "EndingHashKey of $id"
  i=$((i + 1))
done <"$TMP/ranges"

# Read each shard alone and collect (shard index, partition key).
: >"$TMP/pairs"
i=0
while IFS=$'\t' read -r id start end; do
  consume -s route --shard "$id" --format envelope >"$TMP/shard$i.jsonl" ||
    fail "ks-consume --shard $id --format envelope failed"
  other=$(jq -r --arg id "$id" 'select(.shard != $id) | .shard' "$TMP/shard$i.jsonl" | head -n 1)
  [[ -z $other ]] || fail "ks-consume --shard $id printed a record of $other"
  # (not @tsv: it would escape backslashes in keys)
  jq -r '.pk' "$TMP/shard$i.jsonl" | awk -v i="$i" '{ print i "\t" $0 }' >>"$TMP/pairs"
  i=$((i + 1))
done <"$TMP/ranges"

assert_eq "$total" "$(count_lines "$TMP/pairs")" "records over all shards"
cut -f2- "$TMP/pairs" >"$TMP/names.got"
same_sorted "$TMP/names.want" "$TMP/names.got" "partition keys over all shards"

# Each distinct (shard, key): MD5(key) lies in that shard's range, and the shard index is
# floor(MD5/2^126) (the even split of 4 shards), computed independently of describe.
sort -u "$TMP/pairs" >"$TMP/upairs"
checked=0
while IFS=$'\t' read -r idx key; do
  h=$(md5_dec "$key")
  start=${want_bounds[2 * idx]}
  end=${want_bounds[2 * idx + 1]}
  mapfile -t r < <(bigcalc "$h >= $start" "$h <= $end" "$h / 2^126")
  if [[ ${r[0]} != 1 || ${r[1]} != 1 || ${r[2]} != "$idx" ]]; then
    fail "key '$key' (MD5 = $h) is in $(shard_id "$idx"), whose range is [$start, $end]; expected $(shard_id "${r[2]}")"
  fi
  checked=$((checked + 1))
done <"$TMP/upairs"
note "checked $checked distinct keys over 4 shards"
# A key never lands in two shards.
dups=$(cut -f2- "$TMP/upairs" | sort | uniq -d | head -n 3)
[[ -z $dups ]] || fail "keys found in more than one shard: $dups"

# expected_shard KEY: the shard index of KEY in a 4-shard stream.
expected_shard() { bigcalc "$(md5_dec "$1") / 2^126"; }

# --partition-key: every record on the shard of that one key.
shard create fixed --shards 4 >/dev/null || fail "ks-shard create fixed failed"
head -n 50 "$TMP/rides.jsonl" | put -s fixed --partition-key Shadowfax || fail "ks-put --partition-key failed"
want=$(shard_id "$(expected_shard Shadowfax)")
consume -s fixed --format envelope >"$TMP/fixed.jsonl" || fail "ks-consume -s fixed failed"
assert_eq 50 "$(count_lines "$TMP/fixed.jsonl")" "records put with --partition-key"
got=$(jq -r '[.shard, .pk] | @tsv' "$TMP/fixed.jsonl" | sort -u)
assert_eq "$want"$'\t'"Shadowfax" "$got" "shard and key of --partition-key Shadowfax"

# -k with a JSON pointer, and with a number (its shortest form is the key).
shard create ptr --shards 4 >/dev/null || fail "ks-shard create ptr failed"
printf '{"user":{"id":"Shadowfax"},"i":1}\n{"user":{"id":"Rocinante"},"i":2}\n' | put -s ptr -k /user/id ||
  fail "ks-put -k /user/id failed"
printf '{"n":42}\n{"n":7}\n' | put -s ptr -k n || fail "ks-put -k n (number) failed"
consume -s ptr --format envelope | jq -r '[.pk, .shard] | @tsv' | sort >"$TMP/ptr.got"
for k in 42 7 Rocinante Shadowfax; do
  printf '%s\t%s\n' "$k" "$(shard_id "$(expected_shard "$k")")"
done | sort >"$TMP/ptr.want"
same_file "$TMP/ptr.want" "$TMP/ptr.got" "keys from a JSON pointer and from a number"

# --explicit-hash-key routes by the given hash instead of MD5, boundaries included.
shard create ehk --shards 4 >/dev/null || fail "ks-shard create ehk failed"
: >"$TMP/ehk.want"
for expr in "0" "2^126-1" "2^126" "2^127+1" "3*2^126-1" "3*2^126" "2^128-1"; do
  mapfile -t r < <(bigcalc "$expr" "($expr) / 2^126")
  printf '{"h":"%s"}\n' "${r[0]}" | put -s ehk --partition-key same --explicit-hash-key "${r[0]}" ||
    fail "ks-put --explicit-hash-key ${r[0]} failed"
  printf '%s\t%s\n' "${r[0]}" "$(shard_id "${r[1]}")" >>"$TMP/ehk.want"
done
consume -s ehk --format envelope | jq -r '[.data.h, .shard] | @tsv' | sort >"$TMP/ehk.got"
sort -o "$TMP/ehk.want" "$TMP/ehk.want"
same_file "$TMP/ehk.want" "$TMP/ehk.got" "records routed by --explicit-hash-key"
big=$(bigcalc "2^128")
expect_status 64 "--explicit-hash-key 2^128 (out of range)" \
  put -s ehk --partition-key same --explicit-hash-key "$big" /dev/null

note "ok"
