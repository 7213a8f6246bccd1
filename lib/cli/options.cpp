#include "cli/options.h"

#include "cli/error.h"
#include "lines/time.h"
#include "store/sequence.h"
#include "store/names.h"

namespace millrace::cli {
CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return lines::parse_duration_ms(text) ? "" : "'" + text + "' is not a duration (like 250ms, 10s, 5m, 2h, 7d)";
      },
      "DURATION");
}

std::uint32_t shard_argument(const std::string& id, const std::string& option) {
  auto index = store::parse_shard_id(id);
  if (!index) throw Error(Exit::usage, option, "not a shard id like shardId-000000000000: " + id);
  return *index;
}

std::optional<store::HashKey> hash_key_argument(const std::string& text, const std::string& option) {
  if (text.empty()) return std::nullopt;
  auto key = store::parse_hash_key(text);
  if (!key) throw Error(Exit::usage, option, "not a decimal hash key from 0 to 2^128-1: " + text);
  return key;
}

std::vector<lines::Field> field_list(const std::string& text) {
  std::vector<lines::Field> fields;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) fields.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return fields;
}

CLI::Option* add_sync(CLI::App& app, store::Sync& sync, const std::string& description) {
  return add_choice(app, "--sync", sync, {{"full", store::Sync::full}, {"none", store::Sync::none}}, description);
}

CLI::Option* add_on_error(CLI::App& app, lines::OnError& on_error) {
  return add_choice(app, "--on-error", on_error, {{"fail", lines::OnError::fail}, {"skip", lines::OnError::skip}},
                    "at a bad line: stop with 65 (fail) or warn and go on (skip)");
}

CLI::Option* add_input_format(CLI::App& app, lines::InputFormat& format) {
  return add_choice(app, "--format", format,
                    {{"data", lines::InputFormat::data}, {"envelope", lines::InputFormat::envelope}},
                    "input lines: records, or envelopes from ks-consume --format envelope");
}

CLI::Validator name_validator() {
  return CLI::Validator(
      [](std::string& name) -> std::string {
        auto problem = store::check_name(name);
        return problem ? *problem : "";
      },
      "NAME");
}

CLI::Validator partition_key_validator() {
  return CLI::Validator(
      [](std::string& key) -> std::string {
        auto problem = store::check_partition_key(key);
        return problem ? *problem : "";
      },
      "STRING");
}

CLI::Option* add_stream(CLI::App& app, std::string& stream) {
  return app.add_option("-s,--stream", stream, "the stream")->check(name_validator())->option_text("NAME");
}

CLI::Option* add_table(CLI::App& app, std::string& table) {
  return app.add_option("-t,--table", table, "the table")->check(name_validator())->option_text("NAME");
}

CLI::Option* add_group(CLI::App& app, std::optional<std::string>& group) {
  return app.add_option("-g,--group", group, "consumer group: resume from its checkpoint and checkpoint what is delivered")
      ->check(name_validator())
      ->option_text("NAME");
}

}  // namespace millrace::cli
