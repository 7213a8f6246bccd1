#include "table/changes.h"

#include <fmt/format.h>

namespace millrace::table {

void append_change(std::string& out, const Change& change) {
  static constexpr std::string_view kNames[] = {"INSERT", "MODIFY", "REMOVE"};
  out.append("{\"eventName\":\"").append(kNames[static_cast<int>(change.kind)]).append("\",\"Keys\":");
  out.append(change.keys);
  if (change.new_image) out.append(",\"NewImage\":").append(*change.new_image);
  if (change.old_image) out.append(",\"OldImage\":").append(*change.old_image);
  fmt::format_to(std::back_inserter(out), ",\"SequenceNumber\":\"{:020}\",\"ApproximateCreationDateTime\":{}",
                 change.sequence, change.time / 1000);
  if (change.by_ttl) out.append(R"(,"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"})");
  out.append("}\n");
}

}  // namespace millrace::table
