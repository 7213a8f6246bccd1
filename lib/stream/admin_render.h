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

}  // namespace millrace::stream
