#!/usr/bin/env bash
# Behaviour: with --partition-by, each partition's objects hold only records of its value, and
# a value is encoded into its path, never trusted: "../", "/", NUL, ".", "..", "", a 10,000
# character value all stay inside the bucket, each in a partition of its own. A record without
# the key goes to errors/partitioning-failed/. A symbolic link inside the bucket is never
# followed.
source "$(dirname "$0")/common.sh"
need_tool zstd

long=$(printf 'x%.0s' $(seq 10000))
{
  for value in Shadowfax Rocinante "../" "/" "\\u0000" "." ".." "" "../../etc" "a/b" "%2F" "~" "$long" "Ivory Mane"; do
    for i in 1 2 3; do printf '{"Name":"%s","i":%d}\n' "$value" "$i"; done
  done
  printf '{"Name":5,"i":1}\n{"Name":true,"i":1}\n{"Other":1}\n{"Name":null}\n{"Name":{"a":1}}\n'
} >"$TMP/in.jsonl"
jq -c 'select(.Name | type == "string" or type == "number" or type == "boolean")' "$TMP/in.jsonl" >"$TMP/good.jsonl"

mkdir "$TMP/area"
expect_status 0 "fh-archive --partition-by Name" "$MILLRACE_BIN/fh-archive" -d "$TMP/area/b" --partition-by Name "$TMP/in.jsonl"
assert_eq "b" "$(ls -A "$TMP/area")" "nothing written beside the bucket"
bucket=$(cd "$TMP/area/b" && pwd -P)
while IFS= read -r -d '' path; do
  real=$(realpath "$path")
  [[ $real == "$bucket"/* ]] || fail "$path resolves outside the bucket: $real"
done < <(find "$TMP/area/b" -mindepth 1 -print0)
[[ -z $(find "$TMP/area/b" -type l) ]] || fail "a symbolic link in the bucket"

# Each object's records share one value, and each value has one partition directory.
: >"$TMP/pairs"
while IFS= read -r object; do
  dir=${object#"$TMP/area/b/"}
  dir=${dir%%/*}
  zstd -dc "$object" | jq -r --arg d "$dir" '[$d, (.Name | tojson)] | @tsv' >>"$TMP/pairs"
done < <(find "$TMP/area/b" -name '*.zst' ! -path '*/errors/*')
dirs=$(cut -f1 "$TMP/pairs" | sort -u | wc -l)
values=$(cut -f2 "$TMP/pairs" | sort -u | wc -l)
pairs=$(sort -u "$TMP/pairs" | wc -l)
assert_eq 16 "$values" "distinct values archived"
assert_eq "$values $values" "$dirs $pairs" "one partition per value and one value per partition"
grep -q '^Name=Shadowfax	"Shadowfax"$' "$TMP/pairs" || fail "Shadowfax is not in Name=Shadowfax"
grep -q '^Name=Ivory%20Mane	' "$TMP/pairs" || fail "a space is not %20"
awk -F'\t' 'length($1) > 255 { exit 1 }' "$TMP/pairs" || fail "a path component longer than 255 bytes"

"$MILLRACE_BIN/fh-cat" -d "$TMP/area/b" --prefix Name= >"$TMP/back.jsonl"
same_sorted "$TMP/good.jsonl" "$TMP/back.jsonl" "every record with a key, once"
"$MILLRACE_BIN/fh-cat" -d "$TMP/area/b" --prefix errors/partitioning-failed/ >"$TMP/errors.jsonl"
assert_eq 3 "$(count_lines "$TMP/errors.jsonl")" "records without a usable key"
assert_eq "DynamicPartitioning.MetadataExtractionFailed" "$(jq -r .errorCode "$TMP/errors.jsonl" | sort -u)" "error code"

# A prefix through a symbolic link that leads out of the bucket is refused, not followed.
mkdir "$TMP/outside" "$TMP/b2"
ln -s "$TMP/outside" "$TMP/b2/Name=Shadowfax"
printf '{"Name":"Shadowfax"}\n' >"$TMP/one.jsonl"
expect_status 73 "a symbolic link in the way" "$MILLRACE_BIN/fh-archive" -d "$TMP/b2" --partition-by Name "$TMP/one.jsonl"
assert_eq "" "$(ls -A "$TMP/outside")" "nothing written through the link"

# Templates that would leave the bucket, or leave a key unused, are usage errors.
expect_status 64 "a prefix with .." "$MILLRACE_BIN/fh-archive" -d "$TMP/b3" --prefix '../!{timestamp:yyyy}/' /dev/null
expect_status 64 "an unused key" "$MILLRACE_BIN/fh-archive" -d "$TMP/b3" --partition-by Name --prefix 'x/' /dev/null
note ok
