#!/usr/bin/env bash
# Behaviour: the chatbot's GET of a user through API Gateway's route in front of a table, with
# curl. Items put by kv-put are read back by GET /tables/NAME/items/KEY[/SORTKEY]: an item as
# plain JSON, byte for byte as put; a partition as JSON lines in sort-key order (reversed,
# limited, by begins_with); keys percent-decoded (spaces, '/', UTF-8, base64 binaries) and typed
# as kv-get types them (1.5 finds the item put as 1.50, numbers in numeric order). A missing
# item or table is 404, a key that does not fit its type 400, another method 405, an expired
# item is never answered.
source "$(dirname "$0")/common.sh"
need_tool curl
cd "$TMP"
start_gateway

# percent_encode TEXT: every byte but the unreserved ones as %XY (a key within one path segment).
percent_encode() { jq -rn --arg s "$1" '$s | @uri'; }
# get PATH: the body of GET PATH, which must answer 200.
get() { curl -sS --fail-with-body "$GW_URL$1" || fail "GET $1: $(cat 2>/dev/null)"; }
status_of() { curl -s -o body.json -w '%{http_code}' "$@"; }

# The Wild Rydes sample: 200 unicorns (names with spaces), 5 statuses each, keyed by time.
wildrydes_sample rides.jsonl
kvput -t rides -k Name --sort-key StatusTime --create <rides.jsonl || fail "kv-put of the rides"
# Every ride as put, by name then StatusTime (ISO 8601 strings sort as their bytes).
jq -Rr 'fromjson as $o | "\($o.Name)\t\($o.StatusTime)\t\(.)"' rides.jsonl | sort -t $'\t' -k1,1 -k2,2 >by_key.tsv
rides_of() { awk -F'\t' -v n="$1" '$1 == n' by_key.tsv | cut -f3-; }

# Every unicorn's partition: GET of its name alone on a table with a sort key is its query.
cut -f3- by_key.tsv >want
# One curl for every GET, in the order of a config file's url lines (one connection kept alive).
get_all() { curl -sS --fail-with-body -K "$1" || fail "the GETs of $1"; }
cut -f1 by_key.tsv | uniq | jq -Rr --arg u "$GW_URL" '"url = \"\($u)/tables/rides/items/\(@uri)\""' >partitions.cfg
get_all partitions.cfg >got
assert_eq 200 "$(cut -f1 by_key.tsv | uniq | wc -l)" "unicorns in the sample"
same_file want got "every unicorn's rides, read by its partition"
# The content type of a query's lines.
type=$(curl -s -o /dev/null -w '%{content_type}' "$GW_URL/tables/rides/items/Shadowfax")
assert_eq application/x-ndjson "$type" "a query's content type"

# Every ride by its full key: the item alone, as JSON, byte for byte.
head -n 100 rides.jsonl | jq -r --arg u "$GW_URL" '"url = \"\($u)/tables/rides/items/\(.Name | @uri)/\(.StatusTime | @uri)\""' >keys.cfg
get_all keys.cfg >got
head -n 100 rides.jsonl >want
same_file want got "100 rides read by their key"
type=$(curl -s -o /dev/null -w '%{content_type}' \
  "$GW_URL/tables/rides/items/Shadowfax/$(jq -r 'select(.Name == "Shadowfax") | .StatusTime' rides.jsonl | head -n 1)")
assert_eq application/json "$type" "an item's content type"

# A query reversed, limited, by begins_with: Shadowfax's rides of second 2 or 3 of the sample's
# minute, the last two first.
rides_of Shadowfax >shadowfax
minute=$(head -n 1 shadowfax | jq -r '.StatusTime[0:16]')
grep -F "\"StatusTime\":\"$minute" shadowfax | tail -n 2 | tac >want
get "/tables/rides/items/Shadowfax?begins_with=$(percent_encode "$minute")&reverse=1&limit=2" >got
same_file want got "Shadowfax's last two rides of $minute"
get "/tables/rides/items/Shadowfax?limit=3" >got
head -n 3 shadowfax >want
same_file want got "Shadowfax's first three rides"
get "/tables/rides/items/Shadowfax?begins_with=1999" >got
assert_eq 0 "$(count_lines got)" "a prefix no ride has"

# Number sort keys: typed as numbers (1.5 is the item put as 1.50), in numeric order.
cat >scores.jsonl <<'EOF'
{"Player":"zoë/ß x","Score":10,"Note":"ten"}
{"Player":"zoë/ß x","Score":1.50,"Note":"one and a half"}
{"Player":"zoë/ß x","Score":-3,"Note":"minus three"}
{"Player":"zoë/ß x","Score":2e1,"Note":"twenty"}
{"Player":"other","Score":1,"Note":"not hers"}
EOF
kvput -t scores -k Player --sort-key Score --create <scores.jsonl || fail "kv-put of the scores"
player=$(percent_encode "zoë/ß x")
assert_eq '%C3%B6' "$(percent_encode ö)" "the test's own percent-encoding of UTF-8"
get "/tables/scores/items/$player/1.5" >got
sed -n 2p scores.jsonl >want
same_file want got "the score put as 1.50, read as 1.5"
get "/tables/scores/items/$player/20" >got
sed -n 4p scores.jsonl >want
same_file want got "the score put as 2e1, read as 20"
get "/tables/scores/items/$player" >got
{ sed -n 3p scores.jsonl; sed -n 2p scores.jsonl; sed -n 1p scores.jsonl; sed -n 4p scores.jsonl; } >want
same_file want got "a player's scores in numeric order: -3, 1.50, 10, 2e1"
get "/tables/scores/items/$player?reverse=1" >got
tac want >want.reversed
same_file want.reversed got "a player's scores, reversed"

# Binary partition keys, in base64: '/' within the key encoded as %2F, '+' as it is or %2B.
printf '%s\n' '{"Id":{"$B":"+/8="},"v":"first"}' '{"Id":{"$B":"AAEC"},"v":"second"}' >blobs.jsonl
kvput -t blobs -k Id --key-type binary --create <blobs.jsonl || fail "kv-put of the blobs"
get "/tables/blobs/items/%2B%2F8%3D" >got
head -n 1 blobs.jsonl >want
same_file want got "the binary key +/8= percent-encoded"
get "/tables/blobs/items/+%2F8=" >got
same_file want got "the binary key +/8= with '+' and '=' as they are"
get "/tables/blobs/items/AAEC" >got
tail -n 1 blobs.jsonl >want
same_file want got "the binary key AAEC"

# An item past its TTL (an epoch second of 1970) is never answered; one without a TTL is.
printf '%s\n' '{"id":"gone","expires":1000}' '{"id":"kept"}' |
  kvput -t sessions -k id --ttl expires --create || fail "kv-put of the sessions"
assert_eq 404 "$(status_of "$GW_URL/tables/sessions/items/gone")" "an expired item"
assert_eq kept "$(get /tables/sessions/items/kept | jq -r .id)" "an item without a TTL"

# Errors, with their statuses and messages.
assert_eq 404 "$(status_of "$GW_URL/tables/rides/items/Shadowfax/1999-01-01T00:00:00Z")" "a ride that is not there"
jq -e '.message | test("no item")' body.json >/dev/null || fail "a missing item's message: $(cat body.json)"
assert_eq 404 "$(status_of "$GW_URL/tables/nope/items/x")" "a table that is not there"
jq -e '.message | test("nope: no such table")' body.json >/dev/null || fail "a missing table's message: $(cat body.json)"
assert_eq 400 "$(status_of "$GW_URL/tables/scores/items/$player/ten")" "a number sort key that is not one"
jq -e '.message | test("Score: not a number")' body.json >/dev/null || fail "a bad number's message: $(cat body.json)"
assert_eq 400 "$(status_of "$GW_URL/tables/blobs/items/not%20base64")" "a binary key that is not base64"
assert_eq 400 "$(status_of "$GW_URL/tables/sessions/items/kept/extra")" "a sort key on a table without one"
assert_eq 400 "$(status_of "$GW_URL/tables/scores/items/$player?begins_with=1")" "begins_with on a number sort key"
jq -e '.message | test("begins_with")' body.json >/dev/null || fail "begins_with is not named: $(cat body.json)"
assert_eq 400 "$(status_of "$GW_URL/tables/rides/items/Shadowfax?limit=0")" "a limit of 0"
assert_eq 400 "$(status_of "$GW_URL/tables/rides/items/Shadowfax?sort=desc")" "a parameter the route does not take"
assert_eq 400 "$(status_of "$GW_URL/tables/bad%20name/items/x")" "a table name that cannot be one"
assert_eq 405 "$(status_of -X POST --data-binary '{}' "$GW_URL/tables/rides/items/Shadowfax")" "a POST to the route"
assert_eq 404 "$(status_of "$GW_URL/tables/rides/things/x")" "a path the route does not have"
