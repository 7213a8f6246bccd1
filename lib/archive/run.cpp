#include "archive/run.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "cli/signals.h"
#include "lines/envelope.h"
#include "lines/json.h"
#include "store/names.h"
#include "store/records.h"
#include "store/sequence.h"
#include "stream/stream_reader.h"

namespace millrace::archive {
namespace {

constexpr std::size_t kMaxRecordBytes = 1000 << 10;
// A poll of the stream stops at this much data, so its read transaction stays short.
constexpr std::size_t kPollBytes = 1 << 20;
// A follower wakes at least this often to notice a stop signal that came just before its wait.
constexpr std::int64_t kLongestWaitMs = 1000;

constexpr std::string_view kInvalidJson = "Processing.InvalidJson";
constexpr std::string_view kInvalidEnvelope = "Processing.InvalidEnvelope";

// Takes lines, records or envelopes, to the archiver.
class LineHandler {
 public:
  LineHandler(lines::InputFormat format, Archiver& archiver, Delivery& delivery)
      : format_(format), archiver_(archiver), delivery_(delivery) {}

  // The lines handle() is given next. Only plain lines are validated as a block: an envelope's
  // record is validated again by itself, within its line.
  void begin_block(std::string_view block) {
    if (format_ == lines::InputFormat::data) validator_.begin_block(block);
  }

  void handle(const lines::Line& line, lines::EpochMs now) {
    if (line.too_long) {
      fail(kInvalidJson, fmt::format("{}: line longer than {} bytes", line.where(), max_line_length(format_)),
           line.text, now, std::nullopt);
    } else if (format_ == lines::InputFormat::envelope) {
      envelope(line, now);
    } else if (auto error = validator_.parse(line.text)) {
      fail(kInvalidJson, fmt::format("{}: {}", line.where(), lines::describe(error)), line.text, now, std::nullopt);
    } else {
      archiver_.add(line.text, validator_, now, std::nullopt);
    }
  }

 private:
  void fail(std::string_view code, const std::string& message, std::string_view raw, lines::EpochMs arrival,
            const std::optional<Origin>& origin) {
    archiver_.add_error({Failure::processing, code, message, raw, arrival, lines::now_ms(),
                         origin ? std::optional(origin->position) : std::nullopt},
                        origin);
  }

  void envelope(const lines::Line& line, lines::EpochMs now) {
    auto bad = [&](std::string_view what) {
      fail(kInvalidEnvelope, fmt::format("{}: {}", line.where(), what), line.text, now, std::nullopt);
    };
    if (auto error = validator_.parse(line.text)) return bad(lines::describe(error));
    lines::Envelope envelope;
    if (auto problem = envelopes_.read(line.text, envelope)) return bad(*problem);
    if (envelope.stream.empty() || envelope.seq.empty() || envelope.ts.empty())
      return bad("not an envelope with \"stream\", \"seq\", \"ts\" and \"data\"");
    std::optional<store::Position> position = store::parse_sequence(envelope.seq);
    if (!position) return bad("envelope \"seq\" is not a sequence number");
    std::optional<lines::EpochMs> arrival = lines::parse_iso8601(envelope.ts);
    if (!arrival) return bad("envelope \"ts\" is not ISO 8601");
    if (auto problem = store::check_name(envelope.stream)) return bad("envelope \"stream\": " + *problem);
    if (!envelope.group.empty())
      if (auto problem = store::check_name(envelope.group)) return bad("envelope \"group\": " + *problem);
    Origin origin{delivery_.source(envelope.stream, envelope.group), *position};
    if (!envelope.json) return fail(kInvalidJson, "the record is not JSON", envelope.data, *arrival, origin);
    // The record lies within the line, so the line's padding follows it too.
    if (auto error = validator_.parse(envelope.data))
      return fail(kInvalidJson, lines::describe(error), envelope.data, *arrival, origin);
    archiver_.add(envelope.data, validator_, *arrival, origin);
  }

  lines::InputFormat format_;
  Archiver& archiver_;
  Delivery& delivery_;
  lines::Validator validator_;
  lines::EnvelopeReader envelopes_;
};

}  // namespace

std::size_t max_line_length(lines::InputFormat format) {
  return format == lines::InputFormat::data ? kMaxRecordBytes : 6 * kMaxRecordBytes + 4096;
}

void archive_lines(lines::Reader& reader, lines::InputFormat format, Archiver& archiver, Delivery& delivery) {
  LineHandler handler(format, archiver, delivery);
  for (bool more = true; more && !cli::stop_requested();) {
    lines::EpochMs read_at = lines::now_ms();  // the arrival time of the lines just read
    handler.begin_block(reader.block());
    while (auto line = reader.next()) {
      handler.handle(*line, read_at);
      if (archiver.has_full()) archiver.flush(lines::now_ms(), false);
    }
    archiver.flush(lines::now_ms(), false);
    // The input pauses: wait for more, or for the next buffer due, whichever comes first.
    while (auto due = archiver.next_due()) {
      if (reader.wait(std::max<std::int64_t>(0, *due - lines::now_ms())) || cli::stop_requested()) break;
      archiver.flush(lines::now_ms(), false);
    }
    if (!cli::stop_requested()) more = reader.fill();
  }
  archiver.flush(lines::now_ms(), true);
}

void archive_stream(store::Env& env, store::Notifier& notifier, const stream::ConsumeOptions& options,
                    Archiver& archiver, Delivery& delivery) {
  stream::StreamReader positions(env, options);
  store::ReadTxn reader(env);
  std::uint32_t stream_id = positions.start(reader.renew());
  reader.reset();
  std::uint32_t source = delivery.source(options.source.stream, options.source.group.value_or(""));
  lines::Validator validator;
  std::string padded;  // a record's copy, followed by the padding simdjson reads
  auto take = [&](const store::Record& record) {
    Origin origin{source, record.position};
    if (!record.json) {
      archiver.add_error({Failure::processing, kInvalidJson, "the record is not JSON", record.data, record.arrival_ms,
                          lines::now_ms(), record.position},
                         origin);
      return;
    }
    padded.assign(record.data);
    padded.append(lines::kPadding, '\0');
    std::string_view data(padded.data(), record.data.size());
    if (auto error = validator.parse(data)) {
      archiver.add_error({Failure::processing, kInvalidJson, lines::describe(error), data, record.arrival_ms,
                          lines::now_ms(), record.position},
                         origin);
      return;
    }
    archiver.add(data, validator, record.arrival_ms, origin);
  };
  while (!cli::stop_requested()) {
    std::uint32_t epoch = notifier.epoch(stream_id);
    store::Txn txn = positions.begin_poll(reader);
    std::uint64_t count = 0, bytes = 0;
    std::vector<store::ShardMeta> shards = positions.shards();
    for (const store::ShardMeta& shard : shards) {
      if (bytes >= kPollBytes || archiver.has_full()) break;
      if (!positions.may_read(shard)) continue;
      std::uint64_t position = positions.position(shard);
      store::ShardCursor cursor(txn, stream_id, shard.index);
      if (position >= shard.next_counter || !cursor.seek(position)) continue;
      do {
        const store::Record& record = cursor.record();
        take(record);
        positions.delivered(shard.index, record.position.counter + 1);
        ++count;
        bytes += record.data.size();
      } while (bytes < kPollBytes && !archiver.has_full() && cursor.next());
    }
    reader.reset();
    lines::EpochMs now = lines::now_ms();
    archiver.flush(now, false);
    if (count > 0) continue;
    if (!options.follow) break;
    std::int64_t wait_ms = kLongestWaitMs;
    if (auto due = archiver.next_due()) wait_ms = std::clamp<std::int64_t>(*due - now, 0, wait_ms);
    if (auto due = positions.leases_due_in(now)) wait_ms = std::min(wait_ms, *due);
    notifier.wait(stream_id, epoch, wait_ms);
  }
  archiver.flush(lines::now_ms(), true);
}

}  // namespace millrace::archive
