// What the fuzz targets of gw-serve's AWS APIs share: a store of their own, and the input read
// as one call of the API.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

#include "aws/model.h"
#include "fuzz.h"

namespace millrace::fuzz {

// A new directory for the target's store, named after `prefix` ("/tmp/millrace-fuzz-kinesis").
inline std::string store_directory(std::string prefix) {
  prefix += "-XXXXXX";
  require(::mkdtemp(prefix.data()) != nullptr, "mkdtemp");
  return prefix;
}

// One call of an API: the first line of the input names the operation (or, when it names none
// of the model's, picks one by its bytes, so that every operation is reached), the rest is the
// request body.
struct ApiCall {
  const aws::model::Operation* operation = nullptr;  // nullptr: the input has no first line
  std::string body;
};

inline ApiCall api_call_of(const aws::model::Service& service, std::string_view text) {
  std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return {};
  std::string_view first = text.substr(0, newline);
  const aws::model::Operation* named = service.operation(first);
  if (!named) {
    std::size_t index = 0;
    for (char c : first) index = index * 31 + static_cast<unsigned char>(c);
    named = &service.operations[index % service.operations.size()];
  }
  return ApiCall{named, std::string(text.substr(newline + 1))};
}

}  // namespace millrace::fuzz
