#!/usr/bin/env bash
# Behaviour: mistakes get a clear error naming the place and the documented status.
#   - a config file with an unknown key or a line that is not `key = value`: 64, naming the
#     file, the line and the key, and nothing is written anywhere;
#   - a negative -n/--limit: 64; a directory as input: 66; a writer without --create on a missing
#     store: 66, as a missing stream; "no such stream/table" says how to create one;
#   - a full file system: 74, "no space left on device", naming the store, with every commit
#     before it kept.
source "$(dirname "$0")/common.sh"
cd "$TMP"

echo '{"id":"a","n":1}' >one.jsonl

# ---- the config file ---------------------------------------------------------------------
shard create conf >/dev/null || fail "ks-shard create conf"
printf '# where the records go\nsotre = %s/elsewhere\nstream = "conf"\n' "$TMP" >misspelt.conf
expect_status 64 "a config file with a misspelt key" "$MILLRACE_BIN/ks-put" --config misspelt.conf one.jsonl
expect_stderr_match "^ks-put: misspelt\.conf:2: unknown key 'sotre' \(did you mean 'store'\?\)$" "the misspelt key"
[[ ! -e $TMP/elsewhere ]] || fail "a store was made from a misspelt config"
[[ -z $(consume -s conf) ]] || fail "records were put despite the bad config file"

printf 'stream = conf\nverbose\n' >bare.conf
expect_status 64 "a config line that is not key = value" put --config bare.conf one.jsonl
expect_stderr_match "^ks-put: bare\.conf:2: not a 'key = value' line: verbose$" "the bare line"

printf '[create]\nshards = 2\n[craete]\n' >section.conf
expect_status 64 "a section that names no subcommand" shard --config section.conf create s
expect_stderr_match "^ks-shard: section\.conf:3: no subcommand 'craete'$" "the misspelt section"

printf '[create]\nshard = 2\n' >subkey.conf
expect_status 64 "a subcommand's misspelt key" shard --config subkey.conf create s
expect_stderr_match "^ks-shard: subkey\.conf:2: unknown key 'shard' \(did you mean 'shards'\?\)$" "the subcommand's key"

# A good file still works: comments, blank lines, quotes, a flag, a section.
printf '# cron job\n\nstore = "%s"\nstream = conf\nverbose = true\n' "$STORE" >good.conf
expect_status 0 "a good config file" "$MILLRACE_BIN/ks-put" --config good.conf one.jsonl
expect_stderr_match "1 records put" "verbose = true"
printf 'store = %s\n[create]\nshards = 3\n' "$STORE" >create.conf
expect_status 0 "a config file with a section" "$MILLRACE_BIN/ks-shard" --config create.conf create three
assert_eq 3 "$(shard --json describe three | jq '.Shards | length')" "shards from the [create] section"

# ---- statuses ------------------------------------------------------------------------------
expect_status 64 "ks-consume -n -1" consume -s conf -n -1
expect_status 64 "kv-get --limit -1" kvget -t none --scan --limit -1
mkdir adir
expect_status 66 "a directory as input" put -s conf adir
expect_stderr_match '^ks-put: adir: is a directory$' "the directory named"
expect_status 66 "a directory as kv-put's input" kvput -t none -k id --create adir

missing=$TMP/missing-store
expect_status 66 "kv-put without --create on a missing store" "$MILLRACE_BIN/kv-put" -S "$missing" -t t -k id one.jsonl
expect_stderr_match "^kv-put: t: no such table; create it with 'kv-put -t t -k KEY --create'$" "kv-put's hint"
expect_status 66 "ks-put without --create on a missing store" "$MILLRACE_BIN/ks-put" -S "$missing" -s x one.jsonl
expect_stderr_match "^ks-put: x: no such stream; create it with 'ks-shard create x' \(or ks-put --create\)$" "ks-put's hint"
[[ ! -e $missing ]] || fail "a writer without --create made a store"
expect_status 66 "ks-consume of a missing stream" consume -s nope
expect_stderr_match "ks-shard create nope" "ks-consume's hint"
expect_status 66 "kv-get of a missing table" kvget -t nope a
expect_stderr_match "kv-put -t nope -k KEY --create" "kv-get's hint"

# ---- a full file system --------------------------------------------------------------------
# A 4 MiB tmpfs in a mount namespace of this test's own; 40,000 records take more once stored.
if [[ $(id -u) != 0 ]] || ! unshare -m true 2>/dev/null; then
  skip "the full file system needs root and mount namespaces"
fi
gen_numbered 40000 >big.jsonl
mkdir full
rc=0
unshare -m bash -c '
  mount -t tmpfs -o size=4m tmpfs "$1" || exit 99
  "$2/ks-put" -S "$1/store" -s x --create --sync full "$3" 2>"$4/err"
  rc=$?
  "$2/ks-consume" -S "$1/store" -s x >"$4/kept" 2>"$4/read-err" || echo "read failed" >>"$4/err"
  exit $rc' _ "$TMP/full" "$MILLRACE_BIN" "$TMP/big.jsonl" "$TMP" || rc=$?
((rc != 99)) || fail "could not mount a tmpfs"
assert_eq 74 "$rc" "ks-put's status on a full file system"
expect_stderr_match "^ks-put: $TMP/full/store: commit: no space left on device$" "the full disk named"
kept=$(count_lines kept)
((kept > 0 && kept < 40000)) || fail "$kept records kept of 40000 on a 4 MiB file system"
head -n "$kept" big.jsonl | cmp -s - kept || fail "what was kept is not the first $kept lines"
note "a full file system: $kept of 40000 records committed before it filled"
