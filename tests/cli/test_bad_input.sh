#!/usr/bin/env bash
# Behaviour: bad input has a clear answer and loses nothing. A bad line stops ks-put with
# status 65 naming FILE:LINE, every earlier line committed; --on-error skip warns and goes
# on. Limits (data <= 1 MiB, partition key 1..256 characters, names [A-Za-z0-9_.-]{1,128})
# are errors, never truncations. Missing store on read -> 69; missing stream or file -> 66.
source "$(dirname "$0")/common.sh"
cd "$TMP"

# ---- a bad JSON line at line 1042 ----------------------------------------------------
gen_numbered 2000 >good.jsonl
awk 'NR == 1042 { print "{\"n\":1042,\"id\":\"r-1042\",\"pad\":\"missing closing brace\""; next } { print }' \
  good.jsonl >input.jsonl
shard create bad --shards 1 >/dev/null || fail "ks-shard create bad failed"
expect_status 65 "ks-put of a file with invalid JSON at line 1042" put -s bad -k id input.jsonl
expect_stderr_match '^ks-put: .*input\.jsonl:1042' "diagnostic for the bad line"
consume -s bad >got || fail "ks-consume -s bad failed"
head -n 1041 input.jsonl >want
same_file want got "records committed before the bad line at 1042"

# The same from stdin: the location names the line (as -, stdin, or <stdin>).
shard create bad-stdin --shards 1 >/dev/null || fail "ks-shard create bad-stdin failed"
rc=0
put -s bad-stdin -k id <input.jsonl 2>err || rc=$?
assert_eq 65 "$rc" "exit status of ks-put with invalid JSON on stdin at line 1042"
grep -q '1042' err || fail "stdin diagnostic does not name line 1042: $(cat err)"
consume -s bad-stdin >got || fail "ks-consume -s bad-stdin failed"
same_file want got "records committed before the bad stdin line"

# A second file after a good first one: the location names the second file and its line.
head -n 10 good.jsonl >first.jsonl
printf '{"n":1}\n{"n":2}\nnot json at all\n{"n":4}\n' >second.jsonl
shard create two-files --shards 1 >/dev/null || fail "ks-shard create two-files failed"
expect_status 65 "ks-put first.jsonl second.jsonl (bad line 3 in the second)" put -s two-files first.jsonl second.jsonl
expect_stderr_match 'second\.jsonl:3' "diagnostic names second.jsonl:3"
consume -s two-files >got || fail "ks-consume -s two-files failed"
{ cat first.jsonl; head -n 2 second.jsonl; } >want2
same_file want2 got "records committed before the bad line of the second file"

# --on-error skip: warns about line 1042, stores every other line.
shard create skip --shards 1 >/dev/null || fail "ks-shard create skip failed"
expect_status 0 "ks-put --on-error skip" put -s skip -k id --on-error skip input.jsonl
expect_stderr_match 'input\.jsonl:1042' "warning for the skipped line"
consume -s skip >got || fail "ks-consume -s skip failed"
awk 'NR != 1042' input.jsonl >want3
same_file want3 got "records stored with --on-error skip"

# ---- limits ---------------------------------------------------------------------------
# Data: exactly 1 MiB is accepted, 1 MiB + 1 byte is rejected (65), never truncated.
mib=1048576
make_line() { # make_line BYTES: a JSON line {"d":"xxx..."} of exactly BYTES bytes
  printf '{"d":"'
  head -c $(($1 - 8)) /dev/zero | tr '\0' x
  printf '"}\n'
}
make_line $mib >max.jsonl
make_line $((mib + 1)) >over.jsonl
assert_eq $((mib + 1)) "$(wc -c <max.jsonl | tr -d ' ')" "size of the 1 MiB test line (with newline)"
shard create lim --shards 1 >/dev/null || fail "ks-shard create lim failed"
expect_status 0 "ks-put of a record of exactly 1 MiB" put -s lim --partition-key big max.jsonl
expect_status 65 "ks-put of a record of 1 MiB + 1 byte" put -s lim --partition-key big over.jsonl
expect_stderr_match '^ks-put: .*over\.jsonl:1' "diagnostic for data over 1 MiB"
consume -s lim >got || fail "ks-consume -s lim failed"
same_file max.jsonl got "only the 1 MiB record is stored (no truncated copy of the bigger one)"

# Partition keys: 256 characters pass (also 256 multibyte characters: up to 1 KiB of
# UTF-8), 257 characters fail, an empty key fails; from data -> 65, from an option -> 64.
k256=$(head -c 256 /dev/zero | tr '\0' k)
k257=${k256}k
e256=$(for _ in $(seq 256); do printf 'é'; done)
u256=$(for _ in $(seq 256); do printf '😀'; done)
u257=${u256}😀
shard create keys --shards 4 >/dev/null || fail "ks-shard create keys failed"
printf '{"Name":"%s","i":1}\n{"Name":"%s","i":2}\n{"Name":"%s","i":3}\n' "$k256" "$e256" "$u256" >keys-ok.jsonl
expect_status 0 "ks-put -k Name with 256-character keys (ASCII, 2-byte, 4-byte UTF-8)" put -s keys -k Name keys-ok.jsonl
consume -s keys --format envelope | jq -r '.pk' | sort >pk.got
printf '%s\n' "$k256" "$e256" "$u256" | sort >pk.want
same_file pk.want pk.got "256-character partition keys stored whole"

printf '{"Name":"ok","i":1}\n{"Name":"%s","i":2}\n' "$k257" >k257.jsonl
expect_status 65 "ks-put -k Name with a 257-character key in the data" put -s keys -k Name k257.jsonl
expect_stderr_match 'k257\.jsonl:2' "diagnostic names the line of the 257-character key"
printf '{"Name":"%s"}\n' "$u257" >u257.jsonl
expect_status 65 "ks-put -k Name with a 257-character (emoji) key in the data" put -s keys -k Name u257.jsonl
printf '{"Name":"ok2"}\n{"Name":""}\n' >empty.jsonl
expect_status 65 "ks-put -k Name with an empty key in the data" put -s keys -k Name empty.jsonl
expect_stderr_match 'empty\.jsonl:2' "diagnostic names the line of the empty key"
printf '{"Name":"ok3"}\n{"Other":"x"}\n' >nokey.jsonl
expect_status 65 "ks-put -k Name with the field missing" put -s keys -k Name nokey.jsonl
expect_stderr_match 'nokey\.jsonl:2' "diagnostic names the line without the key field"
expect_status 64 "ks-put --partition-key of 257 characters" put -s keys --partition-key "$k257" keys-ok.jsonl
[[ -s $TMP/err ]] || fail "no message for --partition-key of 257 characters"
expect_status 64 "ks-put --partition-key ''" put -s keys --partition-key "" keys-ok.jsonl
[[ -s $TMP/err ]] || fail "no message for an empty --partition-key"
# The rejected records are not in the stream; the good lines before them are.
consume -s keys --format envelope | jq -r '.pk' | sort >pk.got
printf '%s\n' "$k256" "$e256" "$u256" ok ok2 ok3 | sort >pk.want
same_file pk.want pk.got "partition keys stored after the rejected lines"

# Stream names: [A-Za-z0-9_.-]{1,128}.
n128=$(head -c 128 /dev/zero | tr '\0' n)
expect_status 0 "ks-shard create of a 128-character name" shard create "$n128"
for name in "a/b" "${n128}n" "" "sp ace" "../x" "é"; do
  expect_status 64 "ks-shard create '$name'" shard create "$name"
  [[ -s $TMP/err ]] || fail "no message for ks-shard create '$name'"
  expect_status 64 "ks-put -s '$name'" put -s "$name" --create keys-ok.jsonl
  expect_status 64 "ks-consume -s '$name'" consume -s "$name"
done
[[ ! -e $TMP/a ]] || fail "a stream name 'a/b' created a path in the working directory"

# ---- missing things -------------------------------------------------------------------
expect_status 69 "ks-consume on a missing store" "$MILLRACE_BIN/ks-consume" -S "$TMP/no-store" -s bad
[[ -s $TMP/err ]] || fail "no message for a missing store"
expect_status 69 "ks-shard describe on a missing store" "$MILLRACE_BIN/ks-shard" -S "$TMP/no-store" describe bad
[[ ! -e $TMP/no-store ]] || fail "reading a missing store created it"
expect_status 66 "ks-consume -s of a missing stream" consume -s no-such-stream
expect_stderr_match 'no-such-stream' "diagnostic names the missing stream"
expect_status 66 "ks-put -s of a missing stream (no --create)" put -s no-such-stream good.jsonl
expect_status 66 "ks-shard describe of a missing stream" shard describe no-such-stream
expect_status 66 "ks-put of a missing input file" put -s bad no-such-file.jsonl
expect_stderr_match 'no-such-file\.jsonl' "diagnostic names the missing file"

# Usage errors.
expect_status 64 "ks-put without -s" put good.jsonl
expect_status 64 "ks-put --on-error bogus" put -s bad --on-error bogus good.jsonl
expect_status 64 "ks-consume --from bogus" consume -s bad --from bogus
expect_status 64 "ks-put with an unknown option" put -s bad --no-such-option good.jsonl
expect_status 0 "ks-put --help" put --help
[[ -s $TMP/out ]] || fail "ks-put --help printed nothing on stdout"

note "ok"
