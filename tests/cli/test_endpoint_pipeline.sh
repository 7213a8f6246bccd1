#!/usr/bin/env bash
# Behaviour: the Wild Rydes pipeline of the README runs unchanged with KS_STORE naming an
# endpoint (gw-serve, both APIs on one port): ks-put of the rides, ks-consume | ks-window |
# kv-put of the per-unicorn, per-minute summary into a table, and kv-get's query of one unicorn.
# The table's items, read by the aws CLI's scan, are the summary worked out by jq from the
# rides; kv-get's query gives that unicorn's rows in StatusTime order.
source "$(dirname "$0")/common.sh"
cd "$TMP"

start_gateway
"$MILLRACE_BIN/wildrydes" --rate max --seconds 120 --seed 7 >rides.jsonl || fail "wildrydes failed"
export KS_STORE=$GW_URL

select='Name, window_start AS StatusTime, sum(Distance) AS Distance,
    min(MagicPoints) AS MinMagicPoints, max(MagicPoints) AS MaxMagicPoints, min(HealthPoints) AS MinHealthPoints,
    max(HealthPoints) AS MaxHealthPoints'
"$MILLRACE_BIN/ks-put" -s rides -k Name --create --shards 4 rides.jsonl 2>put.err || fail "ks-put: $(cat put.err)"
# The shards come out one GetRecords after another, each in its order, not merged by time as the
# store's are: a watermark that trails by the rides' whole span takes them all in event time.
set -o pipefail
"$MILLRACE_BIN/ks-consume" -s rides |
  "$MILLRACE_BIN/ks-window" --tumbling 1m --by Name --select "$select" --time StatusTime --lateness 5m |
  "$MILLRACE_BIN/kv-put" -t summary -k Name --sort-key StatusTime --create 2>pipeline.err ||
  fail "the pipeline on $GW_URL: $(cat pipeline.err)"

wildrydes_summary rides.jsonl >want.jsonl
aws --endpoint-url "$GW_URL" dynamodb scan --table-name summary --output json |
  jq -c '.Items[] | map_values(if has("N") then (.N | tonumber) else .S end)' >scanned.jsonl
same_summary want.jsonl scanned.jsonl "the table's items (aws dynamodb scan) against jq's summary of the rides"

unicorn=$(head -n 1 rides.jsonl | jq -r .Name)
expect_status 0 "kv-get --query on the endpoint" "$MILLRACE_BIN/kv-get" -t summary --query "$unicorn"
jq -c --arg u "$unicorn" 'select(.Name == $u)' want.jsonl | jq -s -c 'sort_by(.StatusTime) | .[]' >want.query
same_summary want.query "$TMP/out" "kv-get --query $unicorn"
jq -r .StatusTime want.query >want.order
jq -r .StatusTime "$TMP/out" >got.order
same_file want.order got.order "kv-get --query $unicorn: its rows in StatusTime order"
note "ok ($(count_lines want.jsonl) summary rows)"
