// The loops of fh-archive: lines from files or stdin, or a stream read as a consumer group.
//
// Both hand records to an Archiver and flush it when a buffer is full, when a buffer's interval
// has passed (also while the input is idle: they wait for input or for the next buffer due,
// whichever comes first), and at the end of the input or on SIGINT/SIGTERM (every buffer).
// A record that cannot be delivered (not JSON, too long, a bad envelope, a partition key
// missing) goes to the error prefix; the delivery goes on.
#pragma once

#include "archive/archiver.h"
#include "archive/delivery.h"
#include "lines/input.h"
#include "lines/reader.h"
#include "store/env.h"
#include "store/notify.h"
#include "stream/consumer.h"

namespace millrace::archive {

// The longest line taken: Firehose's record limit (1000 KiB); envelopes quote their data, so
// theirs is six times that (every byte \u-escaped) and room for the envelope's fields.
std::size_t max_line_length(lines::InputFormat format);

// Archives the lines of `reader`, records or envelopes (whose group, if any, is tracked by
// `delivery`), until the end of the input or a stop signal.
void archive_lines(lines::Reader& reader, lines::InputFormat format, Archiver& archiver, Delivery& delivery);

// Archives the stream of `options` as a member of its group, until it is drained (or, with
// follow, until a stop signal). Throws cli::Error(no_input) for a missing stream.
void archive_stream(store::Env& env, store::Notifier& notifier, const stream::ConsumeOptions& options,
                    Archiver& archiver, Delivery& delivery);

}  // namespace millrace::archive
