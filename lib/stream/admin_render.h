// How ks-shard shows streams: JSON documents for scripts (names as Kinesis' DescribeStream and
// ListStreams, so what a user knows carries over) and plain tables for people.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lines/time.h"
#include "metrics/canvas.h"
#include "store/env.h"
#include "stream/admin.h"

namespace millrace::stream {

std::string describe_json(const StreamState& state);
// The table; `last_hour` (incoming_last_hour's block, on a terminal) goes after its first line.
std::string describe_table(const StreamState& state, std::string_view last_hour = {});
// The stream's IncomingRecords of the last hour, and each shard's (a closed one's when it had
// any), as metrics/last_hour.h draws them in `columns` columns at `now`.
std::string incoming_last_hour(store::Env& env, const StreamState& state, lines::EpochMs now, int columns,
                               metrics::Glyphs glyphs);
std::string list_json(const std::vector<StreamState>& states);
// Without the RECORDS and BYTES columns when not `counted` (an endpoint's list).
std::string list_table(const std::vector<StreamState>& states, bool counted = true);
// The shards a resharding created: {"ShardIds":[...]} or one id a line.
std::string shard_ids_json(const std::vector<std::uint32_t>& shards);
std::string shard_ids_lines(const std::vector<std::uint32_t>& shards);

}  // namespace millrace::stream
