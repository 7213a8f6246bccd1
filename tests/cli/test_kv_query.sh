#!/usr/bin/env bash
# Behaviour: items put by (Name, StatusTime) come back from kv-get as an independent
# computation (jq and sort over the input) says: GetItem of each kind, Query of one partition
# key with every sort-key condition, --reverse and --limit, Scan with --where, a number sort
# key ordered by value, DescribeTable's counts; a later put of the same key replaces the item.
source "$(dirname "$0")/common.sh"

"$MILLRACE_BIN/wildrydes" --rate max --records 20000 --seed 7 >"$TMP/rides.jsonl"
kvput -t U -k Name --sort-key StatusTime --create "$TMP/rides.jsonl" || fail "kv-put failed"

unicorn=$(head -n 1 "$TMP/rides.jsonl" | jq -r .Name)
# Expected: the unicorn's lines, by StatusTime (ISO 8601 UTC strings sort as times), byte for
# byte as put. Where jq selects, both sides go through jq (which rewrites 47.616280 as 47.61628).
grep -F "{\"Name\":\"$unicorn\"," "$TMP/rides.jsonl" | sort -t'"' -k8,8 >"$TMP/want"
[[ $(wc -l <"$TMP/want") -gt 50 ]] || fail "too few rides of $unicorn in the generated input"
kvget -t U --query "$unicorn" >"$TMP/got" || fail "kv-get --query failed"
same_file "$TMP/want" "$TMP/got" "query $unicorn"

kvget -t U --query "$unicorn" --reverse >"$TMP/got"
tac "$TMP/want" | same_file /dev/stdin "$TMP/got" "query --reverse"
kvget -t U --query "$unicorn" --limit 5 >"$TMP/got"
head -n 5 "$TMP/want" | same_file /dev/stdin "$TMP/got" "query --limit 5"
kvget -t U --query "$unicorn" --reverse --limit 3 >"$TMP/got"
tail -n 3 "$TMP/want" | tac | same_file /dev/stdin "$TMP/got" "query --reverse --limit 3"

# Sort-key conditions against the same list, with bounds taken from it.
t10=$(sed -n 10p "$TMP/want" | jq -r .StatusTime)
t20=$(sed -n 20p "$TMP/want" | jq -r .StatusTime)
sel() { jq -c --arg a "$t10" --arg b "$t20" "select($1)" "$TMP/want"; }
check_range() { # OPTION... -- JQ-CONDITION
  local args=() cond
  while [[ $1 != -- ]]; do args+=("$1"); shift; done
  cond=$2
  kvget -t U --query "$unicorn" "${args[@]}" | jq -c . >"$TMP/got" || fail "kv-get --query ${args[*]} failed"
  sel "$cond" | same_file /dev/stdin "$TMP/got" "query ${args[*]}"
}
check_range --between "$t10" "$t20" -- '.StatusTime >= $a and .StatusTime <= $b'
check_range --lt "$t10" -- '.StatusTime < $a'
check_range --le "$t10" -- '.StatusTime <= $a'
check_range --gt "$t20" -- '.StatusTime > $b'
check_range --ge "$t20" -- '.StatusTime >= $b'
prefix=${t10:0:15}
kvget -t U --query "$unicorn" --begins-with "$prefix" | jq -c . >"$TMP/got"
jq -c --arg p "$prefix" 'select(.StatusTime | startswith($p))' "$TMP/want" | same_file /dev/stdin "$TMP/got" "query --begins-with"
kvget -t U --query "$unicorn" --between "$t20" "$t10" >"$TMP/got"
assert_eq 0 "$(wc -l <"$TMP/got")" "--between HIGH LOW selects nothing"
kvget -t U --query "$unicorn" --where 'MagicPoints > 150' | jq -c . >"$TMP/got"
jq -c 'select(.MagicPoints > 150)' "$TMP/want" | same_file /dev/stdin "$TMP/got" "query --where"

# GetItem: the item, or nothing and 1.
line=$(sed -n 7p "$TMP/want")
kvget -t U "$unicorn" "$(jq -r .StatusTime <<<"$line")" >"$TMP/got" || fail "kv-get KEY SORTKEY failed"
assert_eq "$line" "$(cat "$TMP/got")" "GetItem"
expect_status 1 "GetItem of a missing item" kvget -t U "$unicorn" 1999-01-01T00:00:00.000Z
[[ ! -s $TMP/out ]] || fail "GetItem of a missing item printed something"
expect_status 64 "GetItem without the sort key" kvget -t U "$unicorn"
expect_status 66 "a missing table" kvget -t Missing x

# Scan: every item, by key (Name, then StatusTime), filtered by --where.
kvget -t U --scan --where 'Distance >= 20 and HealthPoints < 140' | jq -c . >"$TMP/got"
jq -c 'select(.Distance >= 20 and .HealthPoints < 140)' "$TMP/rides.jsonl" | sort -t'"' -k4,4 -k8,8 >"$TMP/want.scan"
same_file "$TMP/want.scan" "$TMP/got" "scan --where"
kvget -t U --describe U >"$TMP/describe" || fail "--describe failed"
assert_eq "$(wc -l <"$TMP/rides.jsonl")" "$(jq .ItemCount "$TMP/describe")" "ItemCount"
assert_eq "$(($(wc -c <"$TMP/rides.jsonl") - $(wc -l <"$TMP/rides.jsonl")))" "$(jq .TableSizeBytes "$TMP/describe")" "TableSizeBytes"
assert_eq 'Name HASH,StatusTime RANGE' "$(jq -r '[.KeySchema[] | .AttributeName + " " + .KeyType] | join(",")' "$TMP/describe")" "KeySchema"

# A put of an existing key replaces the whole item; the count stays.
jq -c '{Name, StatusTime, Replaced: true}' <<<"$line" | kvput -t U || fail "replacing put failed"
kvget -t U "$unicorn" "$(jq -r .StatusTime <<<"$line")" >"$TMP/got"
assert_eq "$(jq -c '{Name, StatusTime, Replaced: true}' <<<"$line")" "$(cat "$TMP/got")" "PutItem replaces"
assert_eq "$(wc -l <"$TMP/rides.jsonl")" "$(kvget --describe U | jq .ItemCount)" "ItemCount after a replace"

# A number sort key sorts by value, and a query argument is converted to a number.
printf '%s\n' '{"k":"n","v":10}' '{"k":"n","v":-2.5}' '{"k":"n","v":1e2}' '{"k":"n","v":0.25}' \
  '{"k":"n","v":-10}' '{"k":"n","v":9}' '{"k":"n","v":12345678901234567890123}' '{"k":"m","v":1}' |
  kvput -t N -k k --sort-key v --create || fail "kv-put of number keys failed"
kvget -t N --query n | sed 's/.*"v":\([^}]*\)}/\1/' | tr '\n' ' ' >"$TMP/got"
assert_eq "-10 -2.5 0.25 9 10 1e2 12345678901234567890123 " "$(cat "$TMP/got")" "number sort keys by value"
kvget -t N --query n --gt 9.0 | sed 's/.*"v":\([^}]*\)}/\1/' | tr '\n' ' ' >"$TMP/got"
assert_eq "10 1e2 12345678901234567890123 " "$(cat "$TMP/got")" "--gt 9.0 on a number key"
kvget -t N --query n --between -2.50 0.25 | sed 's/.*"v":\([^}]*\)}/\1/' | tr '\n' ' ' >"$TMP/got"
assert_eq "-2.5 0.25 " "$(cat "$TMP/got")" "--between -2.50 0.25 on a number key"
expect_status 64 "two sort key conditions" kvget -t N --query n --gt 9 --le 100
kvget -t N n 100.00 >"$TMP/got" || fail "GetItem by a number written otherwise"
assert_eq '{"k":"n","v":1e2}' "$(cat "$TMP/got")" "GetItem n 100.00 finds 1e2"
expect_status 64 "--begins-with on a number key" kvget -t N --query n --begins-with 1
kvget --list >"$TMP/got"
assert_eq '{"TableName":"N"} {"TableName":"U"}' "$(tr '\n' ' ' <"$TMP/got" | sed 's/ $//')" "--list"
note ok
