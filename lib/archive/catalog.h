// Catalog: reading an archive back (fh-cat), as Athena or an S3 listing reads a bucket.
//
// The objects are those beneath the bucket whose keys begin with the prefix, by their names
// (object_name.h): a file whose name is not an object's (a temporary file, anything else) is
// not read. An object's time is the one in its name, the arrival time of its oldest record;
// objects are selected by it (since <= time < until) without being opened, and read in its
// order (then by key). Each object is read whole, a zstd frame or frames decompressed, other
// bytes as they are; its last line ends with a newline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "archive/bucket.h"
#include "lines/time.h"
#include "lines/writer.h"

namespace millrace::archive {

struct Selection {
  std::string prefix;
  std::optional<lines::EpochMs> since, until;
};

struct ObjectEntry {
  std::string key;
  lines::EpochMs time;
};

// A --since or --until argument: an ISO 8601 time, or nullopt for "". Throws cli::Error(usage).
std::optional<lines::EpochMs> time_argument(const std::string& text, const std::string& option);

// The selected objects, in time order.
std::vector<ObjectEntry> select_objects(const Bucket& bucket, const Selection& selection);

// Writes the lines of the object `key` to `out`. Throws cli::Error(data) for a corrupt zstd
// frame, cli::Error(no_input) for an object gone meanwhile, std::system_error when reading fails.
void copy_object(const Bucket& bucket, const std::string& key, lines::Writer& out);

}  // namespace millrace::archive
