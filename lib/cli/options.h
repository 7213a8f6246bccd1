// Option adders shared by the programs, so each option is declared, checked and described once.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lines/input.h"
#include "lines/json.h"
#include "lines/time.h"
#include "store/env.h"
#include "store/hash_key.h"

namespace millrace::cli {

// A shard id argument ("shardId-000000000003"); throws cli::Error(usage) naming `option`.
std::uint32_t shard_argument(const std::string& id, const std::string& option);
// A decimal hash key argument, or nullopt when `text` is empty; throws cli::Error(usage).
std::optional<store::HashKey> hash_key_argument(const std::string& text, const std::string& option);

// A comma-separated list of FIELD arguments ("Name,/user/id"); empty for "".
std::vector<lines::Field> field_list(const std::string& text);

// A stream, group or table name: [A-Za-z0-9_.-]{1,128}.
CLI::Validator name_validator();

// A partition key given as an argument: 1 to 256 characters.
CLI::Validator partition_key_validator();

// -s,--stream NAME.
CLI::Option* add_stream(CLI::App& app, std::string& stream);
// -t,--table NAME.
CLI::Option* add_table(CLI::App& app, std::string& table);
// -g,--group NAME.
CLI::Option* add_group(CLI::App& app, std::optional<std::string>& group);
CLI::Validator duration_validator();

// An option taking a duration ("250ms", "10s", "5m", "2h", "7d") into milliseconds; `Ms` is
// std::int64_t or std::optional<std::int64_t>.
template <class Ms>
CLI::Option* add_duration(CLI::App& app, const std::string& name, Ms& ms, const std::string& description) {
  return app
      .add_option_function<std::string>(
          name, [&ms](const std::string& text) { ms = *lines::parse_duration_ms(text); }, description)
      ->check(duration_validator())
      ->option_text("DURATION");
}

// --sync full|none, --on-error fail|skip, --format data|envelope (input lines): the same words,
// and the same help, in every program that takes them.
CLI::Option* add_sync(CLI::App& app, store::Sync& sync, const std::string& description);
CLI::Option* add_on_error(CLI::App& app, lines::OnError& on_error);
CLI::Option* add_input_format(CLI::App& app, lines::InputFormat& format);

// An option that takes one of a fixed set of words, stored as the matching value (into a T, or
// a std::optional<T>).
template <class Target, class T>
CLI::Option* add_choice_into(CLI::App& app, const std::string& name, Target& value,
                             std::vector<std::pair<std::string, T>> choices, const std::string& description) {
  std::vector<std::string> words;
  std::string text;
  for (const auto& [word, ignored] : choices) {
    words.push_back(word);
    text += (text.empty() ? "" : "|") + word;
  }
  return app
      .add_option_function<std::string>(
          name,
          [&value, choices](const std::string& word) {
            for (const auto& [w, v] : choices)
              if (w == word) value = v;
          },
          description)
      ->check(CLI::IsMember(words))
      ->option_text(text);
}
template <class T>
CLI::Option* add_choice(CLI::App& app, const std::string& name, T& value, std::vector<std::pair<std::string, T>> choices,
                        const std::string& description) {
  return add_choice_into(app, name, value, std::move(choices), description);
}
template <class T>
CLI::Option* add_choice(CLI::App& app, const std::string& name, std::optional<T>& value,
                        std::vector<std::pair<std::string, T>> choices, const std::string& description) {
  return add_choice_into(app, name, value, std::move(choices), description);
}

}  // namespace millrace::cli
