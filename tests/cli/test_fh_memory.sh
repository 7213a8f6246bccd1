#!/usr/bin/env bash
# Behaviour: fh-archive's memory does not grow with --buffer-size. With 128 MiB buffers over
# 90 MB of lines (70% of one such buffer) its peak RSS stays under 64 MiB; partitioned 200 ways,
# under 64 MiB and 620 KiB per open partition (fh-archive(1)): 185 MiB. The objects are standard
# zstd frames that state their content size: zstdcat gives back exactly the input's lines, in
# their order within each partition.
source "$(dirname "$0")/common.sh"
need_tool zstd
[[ -x /usr/bin/time ]] || fail "GNU time is not installed (apt-get install time)"
[[ -x $MILLRACE_BIN/wildrydes ]] || fail "$MILLRACE_BIN/wildrydes not found"

# 560,000 Wild Rydes lines of 200 unicorns, each line {"Name":"...",...}: 90 MB, over 256 KiB
# per unicorn, so that every partition's object is compressed in steps as it fills.
"$MILLRACE_BIN/wildrydes" --rate max --records 560000 --seed 3 >"$TMP/in.jsonl"
bytes=$(wc -c <"$TMP/in.jsonl")
((bytes > 85000000)) || fail "the input is $bytes bytes, not enough to fill most of a 128 MiB buffer"

# peak_rss_kib CMD...: runs CMD, prints its peak resident set (KiB, GNU time's %M).
peak_rss_kib() {
  /usr/bin/time -f %M -o "$TMP/rss" "$@" >/dev/null || fail "$* exited $?"
  tail -n 1 "$TMP/rss"
}

# One buffer of 128 MiB: one object, the whole input.
rss=$(peak_rss_kib "$MILLRACE_BIN/fh-archive" -q -d "$TMP/plain" --buffer-size 128MiB "$TMP/in.jsonl")
note "128 MiB buffer: peak RSS $((rss / 1024)) MiB"
sanitized || ((rss < 64 * 1024)) || fail "peak RSS with a 128 MiB buffer is $((rss / 1024)) MiB, not under 64 MiB"
mapfile -t objects < <(find "$TMP/plain" -type f)
assert_eq 1 "${#objects[@]}" "objects of the 90 MB input in a 128 MiB buffer"
zstdcat "${objects[0]}" >"$TMP/back.jsonl"
same_file "$TMP/in.jsonl" "$TMP/back.jsonl" "zstdcat of the object gives the input"
# zstd -lv prints "Decompressed Size: ... (N B)" only for a frame that states its size.
stated=$(zstd -lv "${objects[0]}" 2>&1 | sed -n 's/^Decompressed Size:.*(\([0-9]*\) B)$/\1/p')
assert_eq "$bytes" "$stated" "the content size the frame states"

# Partitioned by Name: 200 partitions, each open until the end of the input.
rss=$(peak_rss_kib "$MILLRACE_BIN/fh-archive" -q -d "$TMP/parts" --buffer-size 128MiB --partition-by Name "$TMP/in.jsonl")
note "200 partitions: peak RSS $((rss / 1024)) MiB"
sanitized || ((rss < 64 * 1024 + 200 * 620)) || fail "peak RSS with 200 partitions is $((rss / 1024)) MiB, not under 185 MiB"
# The expected lines of each unicorn, in input order, split by awk (the 4th "-separated field
# of a line is its Name).
mkdir "$TMP/expected"
awk -F'"' -v dir="$TMP/expected" '{ print > (dir "/" $4) }' "$TMP/in.jsonl"
assert_eq 200 "$(find "$TMP/expected" -type f | wc -l)" "unicorns in the input"
mapfile -t objects < <(find "$TMP/parts" -type f)
assert_eq 200 "${#objects[@]}" "objects, one per partition"
for object in "${objects[@]}"; do
  zstdcat "$object" >"$TMP/object.jsonl"
  name=$(head -n 1 "$TMP/object.jsonl" | awk -F'"' '{ print $4 }')
  [[ -n $name && -f $TMP/expected/$name ]] || fail "$object: a first line of no unicorn"
  same_file "$TMP/expected/$name" "$TMP/object.jsonl" "the object of $name"
done
note "ok"
