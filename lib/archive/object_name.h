// Object names, as Firehose's: NAME-yyyy-MM-dd-HH-mm-ss-ID, then .jsonl.zst (or .jsonl when not
// compressed).
//
// The time is the arrival time of the object's oldest record, in UTC, so that an object's name
// and its prefix's timestamp agree, and a reader can tell the time of an object from its name.
// ID makes the name unique: with records from a stream, the sequence numbers of the object's
// first and last records (each record is in one object only, so no two objects share a first
// record); otherwise a random UUID, as Firehose's.
//
// A name beginning with "." is a temporary file (an object being written) and never an object.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lines/time.h"
#include "store/sequence.h"

namespace millrace::archive {

enum class Compression { zstd, none };

// NAME: [A-Za-z0-9_.-]{1,128}, not beginning with "."; returns what is wrong, or nullopt.
std::optional<std::string> check_object_name(std::string_view name);

std::string object_name(std::string_view name, lines::EpochMs time, std::string_view id, Compression compression);
// "FIRST-LAST", the two sequence numbers.
std::string sequence_id(store::Position first, store::Position last);
// A random UUID (version 4).
std::string random_id();

// The time in an object's file name, to the second; nullopt when `file_name` is not an object's
// (a temporary file, or a name without -yyyy-MM-dd-HH-mm-ss- followed by an ID).
std::optional<lines::EpochMs> object_time(std::string_view file_name);

bool is_temporary(std::string_view file_name);
// The temporary name an object is written under, in its own directory, before its rename.
std::string temporary_name(std::string_view file_name);

}  // namespace millrace::archive
