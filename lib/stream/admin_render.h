// How ks-shard shows streams: JSON documents for scripts (names as Kinesis' DescribeStream and
// ListStreams, so what a user knows carries over) and plain tables for people.
#pragma once

#include <string>
#include <vector>

#include "stream/admin.h"

namespace millrace::stream {

std::string describe_json(const StreamState& state);
std::string describe_table(const StreamState& state);
std::string list_json(const std::vector<StreamState>& states);
std::string list_table(const std::vector<StreamState>& states);
// The shards a resharding created: {"ShardIds":[...]} or one id a line.
std::string shard_ids_json(const std::vector<std::uint32_t>& shards);
std::string shard_ids_lines(const std::vector<std::uint32_t>& shards);

}  // namespace millrace::stream
