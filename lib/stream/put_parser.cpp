#include "stream/put_parser.h"

#include <fmt/format.h>

#include "store/names.h"

namespace millrace::stream {

void Batch::add(store::HashKey hash, std::string_view partition_key, std::string_view data, bool json) {
  auto offset = static_cast<std::uint32_t>(arena_.size());
  arena_.append(partition_key);
  arena_.append(data);
  items_.push_back({hash, offset, static_cast<std::uint32_t>(partition_key.size()),
                    offset + static_cast<std::uint32_t>(partition_key.size()), static_cast<std::uint32_t>(data.size()),
                    json});
}

void Batch::append_puts(std::vector<store::Put>& out) const {
  for (const Item& item : items_)
    out.push_back({item.hash, std::string_view(arena_).substr(item.key_offset, item.key_size),
                   std::string_view(arena_).substr(item.data_offset, item.data_size), item.json});
}

std::size_t max_line_length(InputFormat format) {
  return format == InputFormat::data ? store::kMaxRecordBytes : 6 * store::kMaxRecordBytes + 4096;
}

PutParser::PutParser(PutOptions options) : options_(std::move(options)), random_(std::random_device{}()) {}

std::optional<std::string> PutParser::parse(const lines::Line& line, Batch& batch) {
  if (line.too_long)
    return fmt::format("line longer than {} bytes", max_line_length(options_.format));
  if (options_.format == InputFormat::envelope) return parse_envelope(line.text, batch);

  auto error = validator_.parse(line.text);
  bool json = !error;
  if (error && !options_.raw) return lines::describe(error);

  std::string_view key;
  if (options_.key_field) {
    const std::string& spec = options_.key_field->spec();
    if (!json) return fmt::format("no partition key field {} in a line that is not JSON", spec);
    auto field = validator_.field_text(*options_.key_field, key_scratch_);
    if (field.status == lines::FieldText::Status::missing) return fmt::format("no partition key field {}", spec);
    if (field.status == lines::FieldText::Status::not_scalar)
      return fmt::format("partition key field {} is not a string, number or boolean", spec);
    key = field.text;
  } else if (options_.partition_key) {
    key = *options_.partition_key;
  } else {
    // A random key per record spreads records evenly over the shards, as a producer without a
    // natural key does with Kinesis.
    key_scratch_ = fmt::format("{:016x}", random_());
    key = key_scratch_;
  }
  return add(key, line.text, json, batch);
}

std::optional<std::string> PutParser::parse_envelope(std::string_view text, Batch& batch) {
  if (auto error = validator_.parse(text)) return lines::describe(error);
  // The DOM has checked the line; the envelope reader finds the raw bytes of "data", which the
  // DOM does not keep, so that a record comes back byte for byte.
  lines::Envelope envelope;
  if (auto problem = envelopes_.read(text, envelope)) return problem;
  if (envelope.pk.empty()) return std::string("envelope has no \"pk\"");
  if (!envelope.json && !options_.raw)
    return std::string("envelope \"data\" is not JSON (use --raw to store such records)");
  return add(envelope.pk, envelope.data, envelope.json, batch);
}

std::optional<std::string> PutParser::add(std::string_view key, std::string_view data, bool json, Batch& batch) {
  if (data.size() > store::kMaxRecordBytes)
    return fmt::format("record of {} bytes; at most {} (1 MiB)", data.size(), store::kMaxRecordBytes);
  if (auto problem = store::check_partition_key(key)) return problem;
  store::HashKey hash = options_.explicit_hash_key ? *options_.explicit_hash_key : md5_(key);
  batch.add(hash, key, data, json);
  return std::nullopt;
}

}  // namespace millrace::stream
