#include "store/codec.h"

#include <fmt/format.h>

#include "cli/error.h"

namespace millrace::store {

std::string_view Decoder::bytes(std::size_t n) {
  if (n > in_.size() - pos_)
    throw cli::Error(cli::Exit::unavailable, "", fmt::format("corrupt store: short {} entry", what_));
  std::string_view out = in_.substr(pos_, n);
  pos_ += n;
  return out;
}

std::uint64_t Decoder::get(int width) {
  std::string_view b = bytes(static_cast<std::size_t>(width));
  std::uint64_t v = 0;
  for (char c : b) v = v << 8 | static_cast<unsigned char>(c);
  return v;
}

}  // namespace millrace::store
