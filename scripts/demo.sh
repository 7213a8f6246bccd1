#!/usr/bin/env bash
# The Wild Rydes pipeline: unicorn telemetry into a sharded stream, the stream described, read
# back by consumer groups, summarised per unicorn per minute into a second stream, the
# summaries into the workshop's table, and the raw stream archived as compressed objects (the
# data lake), each read back. Runs on ./demo-store and ./demo-bucket.
set -euo pipefail
bin=${MILLRACE_BIN:-build}
store=${DEMO_STORE:-./demo-store}
bucket=${DEMO_BUCKET:-./demo-bucket}
rm -rf "$store" "$bucket"
export KS_STORE=$store

step() { if [ -t 1 ]; then printf '\n\033[1m$ %s\033[0m\n' "$*"; else printf '\n$ %s\n' "$*"; fi; }

step "ks-shard create wildrydes --shards 4"
"$bin/ks-shard" create wildrydes --shards 4

step "wildrydes --rate max --seconds 60 | ks-put -s wildrydes -k Name   # a minute of 200 unicorns"
"$bin/wildrydes" --rate max --seconds 60 | "$bin/ks-put" -s wildrydes -k Name -v

step "wildrydes --rate realtime --seconds 3 | ks-put -s wildrydes -k Name &   # the workshop's producer, live"
"$bin/wildrydes" --rate realtime --seconds 3 | "$bin/ks-put" -s wildrydes -k Name &
producer=$!

step "ks-consume -s wildrydes -g dashboard --from latest -f --idle-exit 2s | wc -l   # a follower sees them as they come"
"$bin/ks-consume" -s wildrydes -g dashboard --from latest -f --idle-exit 2s | wc -l
wait "$producer"

step "ks-consume -s wildrydes -g peek -n 3 --format envelope"
"$bin/ks-consume" -s wildrydes -g peek -n 3 --format envelope

step "ks-shard describe wildrydes   # shards, counts, and each group's checkpoint and lag"
"$bin/ks-shard" describe wildrydes

step "ks-consume -s wildrydes --shard shardId-000000000001 -n 2 --format lambda | jq -c '.Records[].kinesis.partitionKey'"
"$bin/ks-consume" -s wildrydes --shard shardId-000000000001 -n 2 --format lambda | jq -c '.Records[].kinesis.partitionKey'

summary='Name, window_start AS StatusTime, sum(Distance) AS Distance, min(MagicPoints) AS MinMagicPoints, max(MagicPoints) AS MaxMagicPoints, min(HealthPoints) AS MinHealthPoints, max(HealthPoints) AS MaxHealthPoints'
step "ks-consume -s wildrydes -g summary | ks-window --tumbling 1m --time StatusTime --by Name --select '...' | ks-put -s wildrydes-summary -k Name --create"
"$bin/ks-consume" -s wildrydes -g summary \
  | "$bin/ks-window" --tumbling 1m --time StatusTime --by Name --select "$summary" \
  | "$bin/ks-put" -s wildrydes-summary -k Name --create -v

step "ks-consume -s wildrydes-summary --shard shardId-000000000000 -n 3   # the workshop's summary rows"
"$bin/ks-consume" -s wildrydes-summary --shard shardId-000000000000 -n 3

step "ks-consume -s wildrydes-summary -g table | kv-put -t UnicornSensorData -k Name --sort-key StatusTime --create"
"$bin/ks-consume" -s wildrydes-summary -g table \
  | "$bin/kv-put" -t UnicornSensorData -k Name --sort-key StatusTime --create -v

unicorn=$("$bin/kv-get" -t UnicornSensorData --scan --limit 1 | jq -r .Name)
step "kv-get -t UnicornSensorData --query '$unicorn' --reverse --limit 3   # one unicorn's last minutes"
"$bin/kv-get" -t UnicornSensorData --query "$unicorn" --reverse --limit 3

step "kv-get --describe UnicornSensorData"
"$bin/kv-get" --describe UnicornSensorData

step "fh-archive -s wildrydes -g archive -d $bucket --buffer-interval 60s   # the data lake: zstd objects, by hour"
"$bin/fh-archive" -s wildrydes -g archive -d "$bucket" --buffer-interval 60s -v
(cd "$bucket" && find . -type f | sort | head -n 3)

step "fh-cat -d $bucket | wc -l   # every raw record, back from the objects"
"$bin/fh-cat" -d "$bucket" | wc -l

step "fh-cat -d $bucket | ks-window --tumbling 1h --by Name --select 'Name, count(*) AS reports, avg(HealthPoints) AS health' | head -n 3   # query the lake"
"$bin/fh-cat" -d "$bucket" | "$bin/ks-window" --tumbling 1h --by Name --select 'Name, count(*) AS reports, avg(HealthPoints) AS health' | head -n 3
