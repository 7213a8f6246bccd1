// The ASCII text rules of AWS's wire formats, shared by lib/aws: header names compared without
// case, SigV4's percent-encoding, query strings taken apart.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace millrace::aws {

// ASCII case-insensitive equality (header names, INI keys).
bool iequals(std::string_view a, std::string_view b);
std::string ascii_lower(std::string_view text);

// Appends `text` percent-encoded: every byte but A-Z a-z 0-9 - _ . ~ (and '/', if
// `keep_slash`) as %XY with upper-case hex digits. SigV4's URI-encoding.
void append_uri_encoded(std::string& out, std::string_view text, bool keep_slash);
std::string uri_encode(std::string_view text, bool keep_slash);

// Percent-decodes `text`; "+" stays "+", and a '%' not followed by two hex digits stays as it
// is (a query is signed as the client sent it, whatever that was).
std::string percent_decode(std::string_view text);

// Calls `visit(name, value)` for each name=value pair of a raw query string, name and value
// still encoded; a pair without '=' has an empty value, and empty pairs ("a=1&&b=2") are
// skipped. `visit` returns false to stop.
template <typename Visit>
void for_each_query_pair(std::string_view query, Visit visit) {
  while (!query.empty()) {
    std::size_t end = query.find('&');
    std::string_view pair = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view{} : query.substr(end + 1);
    if (pair.empty()) continue;
    std::size_t equals = pair.find('=');
    std::string_view name = pair.substr(0, equals);
    std::string_view value =
        equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
    if (!visit(name, value)) return;
  }
}

// The decoded value of the first query parameter whose decoded name is `name`, or nullopt.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name);

}  // namespace millrace::aws
