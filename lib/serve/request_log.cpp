#include "serve/request_log.h"

#include <fmt/format.h>

namespace millrace::serve {

namespace {

std::string_view protocol(int version) {
  switch (version) {
    case 10: return "HTTP/1.0";
    case 20: return "HTTP/2";
    default: return "HTTP/1.1";
  }
}

// The target as one word of the line, whatever bytes an HTTP/2 client put in it.
std::string printable(std::string_view text) {
  if (text.empty()) return "-";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte > ' ' && byte < 0x7f)
      out += c;
    else
      out += fmt::format("%{:02X}", byte);
  }
  return out;
}

}  // namespace

std::string log_line(const RequestLog& entry) {
  return fmt::format("{} {} {} {} {} {} {} {}us", entry.remote.empty() ? "-" : entry.remote,
                     printable(entry.method), printable(entry.target), protocol(entry.version),
                     entry.status, entry.body_in, entry.body_out, entry.elapsed.count());
}

}  // namespace millrace::serve
