// stream::consume from an endpoint (consumer.h): the records of EndpointShards as lines.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "cli/signals.h"
#include "stream/consumer.h"
#include "stream/endpoint_shards.h"

namespace millrace::stream {
namespace {

using Clock = std::chrono::steady_clock;

class EndpointConsumer {
 public:
  EndpointConsumer(aws::KinesisClient& kinesis, EndpointGroup* group, const ConsumeOptions& options, lines::Writer& out)
      : shards_(kinesis, group, options), options_(options), out_(out), lambda_(options.source) {}

  std::uint64_t run() {
    shards_.start();
    Clock::time_point last_news = Clock::now();
    std::uint64_t written = 0;
    while (!cli::stop_requested()) {
      shards_.renew_if_due();
      bool ended_one = false;
      std::uint64_t before = delivered_;
      for (EndpointShard& shard : shards_.shards()) {
        if (!shards_.pollable(shard, Clock::now())) continue;
        std::uint64_t left = options_.limit == 0 ? kGetRecordsLimit : options_.limit - delivered_;
        write(shard, shards_.poll(shard, static_cast<std::uint32_t>(std::min<std::uint64_t>(left, kGetRecordsLimit))));
        // Its records are in the output ahead of any child's.
        shard.finished = shard.drained;
        ended_one = ended_one || shard.drained;
        if (limit_reached()) break;
      }
      if (delivered_ > before) {
        written += out_.buffer().size();
        out_.flush();
        if (options_.progress) options_.progress(delivered_, written, false);
      }
      commit();
      if (delivered_ > before) {
        if (limit_reached()) break;
        last_news = Clock::now();
      }
      if (ended_one) {
        shards_.refresh();
        continue;
      }
      if (delivered_ > before) continue;
      if (shards_.caught_up()) {
        if (options_.progress) options_.progress(delivered_, written, true);
        if (!options_.follow) break;
        if (options_.idle_exit_ms &&
            Clock::now() - last_news >= std::chrono::milliseconds(*options_.idle_exit_ms))
          break;
      }
      std::this_thread::sleep_until(shards_.next_due());
    }
    out_.flush();
    commit();
    return delivered_;
  }

 private:
  // With a group, after what was read is delivered (flushed): each shard's checkpoint moves past
  // it, and a shard read to its end is SHARD_END, so that its children are read next.
  void commit() {
    for (EndpointShard& shard : shards_.shards()) shards_.checkpoint(shard, shard.last_sequence);
  }

  void write(const EndpointShard& shard, const aws::FetchedRecords& fetched_records) {
    std::string& out = out_.buffer();
    bool in_event = false;
    std::uint32_t in_batch = 0;
    for (const aws::FetchedRecord& fetched : fetched_records.records) {
      RemoteRecord record{shard.info.id, fetched.sequence, fetched.partition_key, fetched.data, fetched.arrival_ms, false};
      switch (options_.format) {
        case OutputFormat::data: append_data(out, record); break;
        case OutputFormat::envelope:
          record.json = is_json(parser_, fetched.data);
          append_envelope(out, record, options_.source);
          break;
        case OutputFormat::lambda:
          if (!in_event) lambda_.begin(out);
          lambda_.add(out, record, !in_event);
          in_event = true;
          if (++in_batch == options_.batch_size) {
            lambda_.end(out);
            in_event = false;
            in_batch = 0;
          }
          break;
      }
      ++delivered_;
      if (!in_event) out_.maybe_flush();
    }
    if (in_event) lambda_.end(out);
  }

  bool limit_reached() const { return options_.limit != 0 && delivered_ >= options_.limit; }

  EndpointShards shards_;
  const ConsumeOptions& options_;
  lines::Writer& out_;
  LambdaEvent lambda_;
  simdjson::dom::parser parser_;
  std::uint64_t delivered_ = 0;
};

}  // namespace

std::uint64_t consume(aws::KinesisClient& kinesis, EndpointGroup* group, const ConsumeOptions& options,
                      lines::Writer& out) {
  return EndpointConsumer(kinesis, group, options, out).run();
}

}  // namespace millrace::stream
