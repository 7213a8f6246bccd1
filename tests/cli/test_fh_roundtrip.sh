#!/usr/bin/env bash
# Behaviour: fh-archive delivers every input line exactly once into objects that zstdcat reads
# as they are, each holding at most --buffer-size bytes of lines; a line that is not JSON goes
# to the error prefix as a Firehose error record whose rawData is the line; fh-cat reads the
# objects back (zstd or plain) and selects them by time with --since and --until.
source "$(dirname "$0")/common.sh"
need_tool zstd base64
archive() { "$MILLRACE_BIN/fh-archive" "$@"; }
cat_archive() { "$MILLRACE_BIN/fh-cat" "$@"; }

# 40000 distinct lines of about 160 bytes: over 6 MiB, so a 1 MiB buffer makes several objects.
wildrydes_sample "$TMP/sample.jsonl"
awk '{ for (i = 0; i < 40; i++) { sub(/^\{/, "{\"copy\":" i ","); print; sub(/^\{"copy":[0-9]+,/, "{") } }' \
  "$TMP/sample.jsonl" >"$TMP/in.jsonl"
assert_eq 40000 "$(sort -u "$TMP/in.jsonl" | wc -l | tr -d ' ')" "distinct input lines"
{ head -n 100 "$TMP/in.jsonl"; echo 'not json {'; tail -n +101 "$TMP/in.jsonl"; } >"$TMP/with-bad.jsonl"

expect_status 0 "fh-archive" archive -d "$TMP/b" --buffer-size 1MiB "$TMP/with-bad.jsonl"
find "$TMP/b" -name '*.jsonl.zst' ! -path '*/errors/*' | sort >"$TMP/objects"
n=$(count_lines "$TMP/objects")
((n >= 6)) || fail "expected at least 6 objects of 1 MiB, got $n"
while read -r object; do
  size=$(zstd -dc "$object" | wc -c)
  ((size <= 1048576)) || fail "$object holds $size bytes of lines, over the 1 MiB buffer"
  [[ $(basename "$object") =~ ^archive-[0-9]{4}(-[0-9]{2}){5}-[0-9a-f-]{36}\.jsonl\.zst$ ]] ||
    fail "object name is not NAME-yyyy-MM-dd-HH-mm-ss-UUID.jsonl.zst: $object"
done <"$TMP/objects"
xargs zstd -dc <"$TMP/objects" >"$TMP/zstdcat.jsonl"
same_sorted "$TMP/in.jsonl" "$TMP/zstdcat.jsonl" "zstdcat of the objects gives every line exactly once"

cat_archive -d "$TMP/b" --prefix 2 >"$TMP/back.jsonl" 2>"$TMP/err" || fail "fh-cat: $(cat "$TMP/err")"
same_sorted "$TMP/in.jsonl" "$TMP/back.jsonl" "fh-cat gives every line exactly once"

# The bad line, under errors/processing-failed/, with its bytes in base64.
cat_archive -d "$TMP/b" --prefix errors/processing-failed/ >"$TMP/errors.jsonl"
assert_eq 1 "$(count_lines "$TMP/errors.jsonl")" "one error record"
assert_eq "not json {" "$(jq -r .rawData "$TMP/errors.jsonl" | base64 -d)" "rawData is the line"
assert_eq "Processing.InvalidJson 1" "$(jq -r '"\(.errorCode) \(.attemptsMade)"' "$TMP/errors.jsonl")" "error code"
jq -e '(.arrivalTimestamp | type) == "number" and (.errorMessage | test("with-bad.jsonl:101"))' \
  "$TMP/errors.jsonl" >/dev/null || fail "error record lacks its time or place: $(cat "$TMP/errors.jsonl")"

# Uncompressed objects, read back alike.
expect_status 0 "fh-archive --compression none" archive -d "$TMP/plain" --compression none "$TMP/in.jsonl"
find "$TMP/plain" -type f -name '*.jsonl' | grep -q . || fail "no .jsonl object"
cat_archive -d "$TMP/plain" >"$TMP/plain.jsonl"
same_sorted "$TMP/in.jsonl" "$TMP/plain.jsonl" "uncompressed objects"

# Objects of three hours, selected by --since and --until, and read in time order.
for hour in 12 10 11; do
  grep "\"copy\":${hour#1}," "$TMP/in.jsonl" >"$TMP/hour$hour.jsonl"
  MILLRACE_NOW=2026-01-01T$hour:30:00Z archive -d "$TMP/t" "$TMP/hour$hour.jsonl" || fail "archive hour $hour"
done
[[ -d $TMP/t/2026/01/01/10 && -d $TMP/t/2026/01/01/12 ]] || fail "no hourly prefixes: $(find "$TMP/t" -type d)"
cat_archive -d "$TMP/t" >"$TMP/all.jsonl"
cat "$TMP/hour10.jsonl" "$TMP/hour11.jsonl" "$TMP/hour12.jsonl" >"$TMP/ordered.jsonl"
same_file "$TMP/ordered.jsonl" "$TMP/all.jsonl" "fh-cat reads objects in time order"
cat_archive -d "$TMP/t" --since 2026-01-01T11:00:00Z --until 2026-01-01T12:00:00Z >"$TMP/eleven.jsonl"
same_file "$TMP/hour11.jsonl" "$TMP/eleven.jsonl" "--since and --until select one hour"
cat_archive -d "$TMP/t" --since 2026-01-01T11:30:00Z >"$TMP/late.jsonl"
cat "$TMP/hour11.jsonl" "$TMP/hour12.jsonl" >"$TMP/want-late.jsonl"
same_file "$TMP/want-late.jsonl" "$TMP/late.jsonl" "--since is inclusive"
expect_status 64 "bad --since" cat_archive -d "$TMP/t" --since yesterday
expect_status 66 "missing bucket" cat_archive -d "$TMP/nothing"
note ok
