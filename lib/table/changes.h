// Change records: what kv-put --emit changes writes, one line per change to an item, in the
// shape of DynamoDB Streams' records with NEW_AND_OLD_IMAGES (the images are the items' JSON
// as stored, not DynamoDB's typed attribute values):
//
//   {"eventName":"INSERT|MODIFY|REMOVE","Keys":{…},"NewImage":{…},"OldImage":{…},
//    "SequenceNumber":"00000000000000000001","ApproximateCreationDateTime":1795428000}
//
// INSERT has no OldImage, REMOVE no NewImage. A removal by TTL carries DynamoDB's
// "userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}. Sequence numbers
// count a table's changes from 1, as decimal strings of 20 digits (so they also sort as
// strings); ApproximateCreationDateTime is the commit's time in epoch seconds, as a Lambda
// function gets it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lines/time.h"

namespace millrace::table {

enum class ChangeKind { insert, modify, remove };

struct Change {
  ChangeKind kind;
  std::string_view keys;                      // {"PARTITION":…,"SORT":…}
  std::optional<std::string_view> new_image;  // INSERT, MODIFY
  std::optional<std::string_view> old_image;  // MODIFY, REMOVE
  std::uint64_t sequence;
  lines::EpochMs time;
  bool by_ttl = false;
};

// Appends the change record and a newline.
void append_change(std::string& out, const Change& change);

}  // namespace millrace::table
