// How a program takes its input lines: their format, and what a bad one does.
#pragma once

namespace millrace::lines {

// data: each line is a record. envelope: each line is an envelope printed by
// `ks-consume --format envelope`; the record is its "data", with its partition key and arrival
// time beside it.
enum class InputFormat { data, envelope };

// At a bad line (not JSON, over a limit, a value of the wrong type): fail stops with exit 65
// naming FILE:LINE, after everything before the line is done (committed, or emitted); skip
// warns, counts the line and goes on.
enum class OnError { fail, skip };

}  // namespace millrace::lines
