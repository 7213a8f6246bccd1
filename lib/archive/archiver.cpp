#include "archive/archiver.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "archive/path_value.h"
#include "cli/error.h"

namespace millrace::archive {
namespace {

std::vector<std::string> key_names(const ArchiveOptions& options) {
  std::vector<std::string> names;
  for (const auto& [name, field] : options.partition_by) names.push_back(name);
  return names;
}

bool key_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

}  // namespace

std::pair<std::string, lines::Field> partition_key_argument(const std::string& spec) {
  std::size_t equals = spec.find('=');
  std::string name = equals == std::string::npos ? spec : spec.substr(0, equals);
  std::string field = equals == std::string::npos ? spec : spec.substr(equals + 1);
  if (name.empty() || !std::all_of(name.begin(), name.end(), key_name_char))
    throw cli::Error(cli::Exit::usage, "--partition-by",
                     equals == std::string::npos && spec.starts_with('/')
                         ? fmt::format("a JSON pointer needs a key name: NAME={}", spec)
                         : fmt::format("a key name is letters, digits, _ and -: {}", name));
  if (field.empty()) throw cli::Error(cli::Exit::usage, "--partition-by", "no field after " + name + "=");
  return {name, lines::Field(field)};
}

std::uint64_t buffer_size_argument(const std::string& text) {
  auto bytes = lines::parse_size(text);
  if (!bytes || *bytes < (1u << 20) || *bytes > (128u << 20))
    throw cli::Error(cli::Exit::usage, "--buffer-size", "not a size from 1MiB to 128MiB: " + text);
  return *bytes;
}

std::int64_t buffer_interval_argument(std::int64_t ms) {
  if (ms < 0 || ms > 900'000)
    throw cli::Error(cli::Exit::usage, "--buffer-interval", "not a duration from 0s to 900s: " + lines::format_duration(ms));
  return ms;
}

std::string default_prefix(const std::vector<std::pair<std::string, lines::Field>>& partition_by) {
  std::string prefix;
  for (const auto& [name, field] : partition_by) prefix += fmt::format("{0}=!{{partitionKeyFromQuery:{0}}}/", name);
  return prefix + "!{timestamp:yyyy/MM/dd/HH}/";
}

Archiver::Archiver(Bucket& bucket, Delivery& delivery, const ArchiveOptions& options)
    : bucket_(bucket),
      delivery_(delivery),
      options_(options),
      prefix_(options.prefix.empty() ? default_prefix(options.partition_by) : options.prefix, Prefix::Kind::records,
              key_names(options), "--prefix"),
      error_prefix_(options.error_prefix, Prefix::Kind::errors, {}, "--error-prefix"),
      publisher_(bucket, options.sync == store::Sync::full) {
  if (options.compression == Compression::zstd) {
    compressors_.emplace(options.level);
    // A core for the reading thread, which partitioning makes the longer part of the work, and
    // which every other thread waits for (measured with 200 partitions on 2 cores: 1 worker was
    // as fast as 2, and faster when nothing else ran).
    if (int threads = compression_workers(); threads > 0) workers_.emplace(std::max(1, threads - 1));
  }
  values_.resize(options.partition_by.size());
  for (std::size_t key = 0; key < options.partition_by.size(); ++key)
    if (std::find(prefix_.keys_used().begin(), prefix_.keys_used().end(), key) == prefix_.keys_used().end())
      throw cli::Error(cli::Exit::usage, "--prefix",
                       fmt::format("!{{partitionKeyFromQuery:{}}} is missing: each partition key must be in the prefix",
                                   options.partition_by[key].first));
}

void Archiver::add(std::string_view data, lines::Validator& parsed, lines::EpochMs arrival,
                   const std::optional<Origin>& origin) {
  partition_.assign("=");
  for (std::size_t i = 0; i < options_.partition_by.size(); ++i) {
    const auto& [name, field] = options_.partition_by[i];
    lines::FieldText text = parsed.field_text(field, scratch_);
    if (text.status != lines::FieldText::Status::ok) {
      std::string message = fmt::format("partition key {}: field {} is {}", name, field.spec(),
                                        text.status == lines::FieldText::Status::missing
                                            ? "missing"
                                            : "not a string, number or boolean");
      add_error({Failure::partitioning, "DynamicPartitioning.MetadataExtractionFailed", message, data, arrival,
                 lines::now_ms(), origin ? std::optional(origin->position) : std::nullopt},
                origin);
      return;
    }
    values_[i].clear();
    append_path_value(values_[i], text.text);
    partition_.append(values_[i]).push_back('/');
  }
  if (origin && delivery_.read(origin->source, origin->position, partition_)) {
    ++stats_.skipped;
    return;
  }
  taken(data, origin);
  Buffer& buffer = buffer_for(data.size() + 1, std::nullopt);
  buffer.stream.add_line(data);
  note(buffer, arrival, origin);
  ++stats_.records;
}

void Archiver::add_error(const ErrorRecord& error, const std::optional<Origin>& origin) {
  partition_.assign("!").append(error_output_type(error.failure));
  if (origin && delivery_.read(origin->source, origin->position, partition_)) {
    ++stats_.skipped;
    return;
  }
  taken(error.raw, origin);
  error_line_.clear();
  append_error_record(error_line_, error);
  Buffer& buffer = buffer_for(error_line_.size(), error.failure);
  buffer.stream.add(error_line_);
  note(buffer, error.arrival, origin);
  ++stats_.errors;
}

void Archiver::taken(std::string_view data, const std::optional<Origin>& origin) {
  if (!origin || delivery_.group(origin->source).empty()) return;
  if (!metrics_)
    metrics_.emplace(delivery_.recorder(), metrics::delivery_stream_name(bucket_.id(), delivery_.group(origin->source)));
  ++incoming_records_;
  incoming_bytes_ += data.size();
}

Archiver::Buffer& Archiver::buffer_for(std::size_t bytes, std::optional<Failure> failure) {
  auto it = open_.find(std::string_view(partition_));
  if (it != open_.end() && it->second.stream.lines() > 0 && it->second.stream.lines() + bytes > options_.buffer_bytes) {
    // Ended now, so that its compressor is free for the partition's next object.
    it->second.stream.end();
    full_.push_back(std::move(it->second));
    open_.erase(it);
    it = open_.end();
  }
  if (it == open_.end()) {
    bool parallel = !failure && options_.partition_by.empty();
    Buffer buffer(ObjectStream(bucket_, compressors_ ? &*compressors_ : nullptr,
                               parallel ? FrameCompressor::Kind::parallel : FrameCompressor::Kind::single,
                               workers_ ? &*workers_ : nullptr, buffers_opened_++));
    buffer.partition = partition_;
    if (!failure) buffer.values = values_;
    buffer.failure = failure;
    buffer.opened_at = lines::now_ms();
    it = open_.emplace(partition_, std::move(buffer)).first;
  }
  return it->second;
}

void Archiver::note(Buffer& buffer, lines::EpochMs arrival, const std::optional<Origin>& origin) {
  ++buffer.records;
  buffer.oldest = std::min(buffer.oldest, arrival);
  if (!origin) {
    buffer.all_from_streams = false;
    return;
  }
  if (!buffer.first) buffer.first = origin->position;
  buffer.last = origin->position;
  if (delivery_.group(origin->source).empty()) return;
  for (Range& range : buffer.ranges) {
    if (range.source == origin->source && range.shard == origin->position.shard) {
      range.last = origin->position.counter;
      return;
    }
  }
  buffer.ranges.push_back({origin->source, origin->position.shard, origin->position.counter, origin->position.counter});
}

std::optional<lines::EpochMs> Archiver::next_due() const {
  std::optional<lines::EpochMs> due;
  for (const auto& [partition, buffer] : open_)
    if (!due || buffer.opened_at + options_.interval_ms < *due) due = buffer.opened_at + options_.interval_ms;
  return due;
}

void Archiver::flush(lines::EpochMs now, bool all) {
  std::vector<Buffer> closing = std::move(full_);
  full_.clear();
  for (auto it = open_.begin(); it != open_.end();) {
    if (all || now - it->second.opened_at >= options_.interval_ms) {
      it->second.stream.end();
      closing.push_back(std::move(it->second));
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  if (!closing.empty()) close(std::move(closing));
  if (all) publisher_.drain();
  // At the end, a commit even without objects: records read again and skipped move the
  // checkpoints too.
  if (collect_published() || all) commit();
}

void Archiver::close(std::vector<Buffer> buffers) {
  std::vector<store::PendingObject> pending;
  std::vector<std::string> keys;
  for (const Buffer& buffer : buffers) {
    PrefixValues values{buffer.oldest, buffer.values,
                        buffer.failure ? error_output_type(*buffer.failure) : std::string_view()};
    std::string id = buffer.all_from_streams && buffer.first ? sequence_id(*buffer.first, *buffer.last) : random_id();
    std::string key = (buffer.failure ? error_prefix_ : prefix_).render(values) +
                      object_name(options_.name, buffer.oldest, id, options_.compression);
    if (!buffer.ranges.empty()) {
      store::PendingObject object{key, buffer.partition, {}};
      for (const Range& range : buffer.ranges)
        object.ranges.push_back(
            {delivery_.stream(range.source), delivery_.group(range.source), range.shard, range.first, range.last});
      pending.push_back(std::move(object));
    }
    keys.push_back(std::move(key));
  }
  delivery_.begin(pending);  // before any of these objects can be renamed into place
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    Buffer& buffer = buffers[i];
    std::uint64_t id = publisher_.publish(std::move(keys[i]), std::move(buffer.stream));
    if (metrics_ && !buffer.failure) closed_.emplace(id, Closed{buffer.records, buffer.opened_at});
    if (!buffer.ranges.empty()) unpublished_.emplace(id, std::move(buffer.ranges));
  }
}

bool Archiver::collect_published() {
  std::vector<Publisher::Published> published = publisher_.published();
  lines::EpochMs now = lines::now_ms();
  for (const Publisher::Published& object : published) {
    ++stats_.objects;
    stats_.bytes_in += object.lines;
    stats_.bytes_out += object.bytes;
    unpublished_.erase(object.id);
    if (auto closed = closed_.find(object.id); closed != closed_.end()) {
      metrics_->delivered(closed->second.records, object.bytes, closed->second.opened_at, now);
      closed_.erase(closed);
    }
  }
  return !published.empty();
}

void Archiver::commit() {
  // Every record not yet in a written object holds its shard's checkpoint back.
  ShardCounters oldest_buffered;
  auto hold = [&](const std::vector<Range>& ranges) {
    for (const Range& range : ranges) {
      auto [it, inserted] = oldest_buffered.try_emplace({range.source, range.shard}, range.first);
      if (!inserted) it->second = std::min(it->second, range.first);
    }
  };
  for (const auto& [partition, buffer] : open_) hold(buffer.ranges);
  for (const Buffer& buffer : full_) hold(buffer.ranges);
  for (const auto& [id, ranges] : unpublished_) hold(ranges);
  if (metrics_ && incoming_records_ > 0) {
    metrics_->incoming(incoming_records_, incoming_bytes_, lines::now_ms());
    incoming_records_ = incoming_bytes_ = 0;
  }
  delivery_.commit(oldest_buffered);
}

}  // namespace millrace::archive
