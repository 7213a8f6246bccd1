#!/usr/bin/env bash
# Behaviour: `ks-put --print` prints one {"shard","seq"} line per record, in input order;
# sequence numbers are the shard index + 1 followed by a 16-digit per-shard counter, so
# they strictly increase within a shard; each printed (shard, seq) names the record put.
source "$(dirname "$0")/common.sh"

wildrydes_sample "$TMP/rides.jsonl"
head -n 300 "$TMP/rides.jsonl" >"$TMP/a.jsonl"
tail -n 200 "$TMP/rides.jsonl" >"$TMP/b.jsonl"
cat "$TMP/a.jsonl" "$TMP/b.jsonl" >"$TMP/in.jsonl"

shard create pr --shards 4 >/dev/null || fail "ks-shard create pr failed"
put -s pr -k Name --print "$TMP/a.jsonl" "$TMP/b.jsonl" >"$TMP/print" 2>"$TMP/err" || fail "ks-put --print failed: $(cat "$TMP/err")"
assert_eq 500 "$(count_lines "$TMP/print")" "lines printed for 500 records"

# Each line is exactly {"shard":..., "seq":...} with strings of the right shape.
bad=$(jq -c 'select((keys != ["seq", "shard"])
  or (.shard | type != "string" or (test("^shardId-00000000000[0-3]$") | not))
  or (.seq | type != "string" or (test("^[1-4][0-9]{16}$") | not)))' "$TMP/print" | head -n 3)
[[ -z $bad ]] || fail "malformed --print line(s): $bad"

# Per shard, the k-th record has seq = (index+1) followed by k in 16 digits: strictly increasing.
jq -r '[.shard, .seq] | @tsv' "$TMP/print" >"$TMP/pairs"
awk -F'\t' '{ i = substr($1, 9) + 0; k[i]++; printf "%s\t%d%016d\n", $1, i + 1, k[i] }' "$TMP/pairs" >"$TMP/pairs.want"
same_file "$TMP/pairs.want" "$TMP/pairs" "sequence numbers printed, per shard 1,2,3... after the shard prefix"
awk -F'\t' '
  { s = $2 "" }
  ($1 in last) && !(length(s) > length(last[$1]) || (length(s) == length(last[$1]) && s > last[$1])) {
    printf "%s: %s after %s\n", $1, s, last[$1]; bad = 1; exit }
  { last[$1] = s }
  END { exit bad }' "$TMP/pairs" >"$TMP/mono" || fail "seqs not strictly increasing in a shard: $(cat "$TMP/mono")"

# Input order: the i-th printed (shard, seq) is where the i-th input line went.
consume -s pr --format envelope | jq -r '[.shard, .seq, .pk] | @tsv' | sort >"$TMP/stored"
paste -d '\t' "$TMP/pairs" <(jq -r .Name "$TMP/in.jsonl") | sort >"$TMP/printed"
same_file "$TMP/printed" "$TMP/stored" "(shard, seq, key) of each printed line vs the stored records"
# Data check: the record at each printed (shard, seq) is the input line of that position.
for i in 0 1 2 3; do
  consume -s pr --shard "$(shard_id "$i")" >"$TMP/d$i" || fail "ks-consume --shard $i failed"
done
paste -d '\t' "$TMP/pairs" "$TMP/in.jsonl" >"$TMP/by-input"
for i in 0 1 2 3; do
  awk -F'\t' -v s="$(shard_id "$i")" '$1 == s' "$TMP/by-input" | cut -f3- >"$TMP/w$i"
  same_file "$TMP/w$i" "$TMP/d$i" "records of $(shard_id "$i") in the order of their printed seqs"
done

# A second put goes on from each shard's counter.
put -s pr -k Name --print "$TMP/b.jsonl" >"$TMP/print2" || fail "second ks-put --print failed"
cat "$TMP/pairs" >"$TMP/pairs-all"
jq -r '[.shard, .seq] | @tsv' "$TMP/print2" >>"$TMP/pairs-all"
awk -F'\t' '{ i = substr($1, 9) + 0; k[i]++; printf "%s\t%d%016d\n", $1, i + 1, k[i] }' "$TMP/pairs-all" >"$TMP/pairs-all.want"
same_file "$TMP/pairs-all.want" "$TMP/pairs-all" "sequence numbers across two puts"

# Without --print nothing goes to stdout.
put -s pr -k Name "$TMP/a.jsonl" >"$TMP/quiet" || fail "ks-put without --print failed"
[[ ! -s $TMP/quiet ]] || fail "ks-put without --print wrote to stdout: $(head -c 200 "$TMP/quiet")"

note "ok"
