// The line reader with JSON validation, as ks-put, kv-put, ks-window and fh-archive run them:
// lines::Reader over input that arrives in reads of any size, each read's whole lines validated
// as one stream (Validator::begin_block) and field values taken from them.
//
// Input: byte 0 picks the longest line, byte 1 the size of each read (the input reaches the
// reader through a SOCK_SEQPACKET socket on stdin, one message per read); the rest is the text.
//
// Checks: the reader returns exactly the lines of the text (split at \n, a trailing \r cut,
// those longer than the limit truncated and marked, numbered from 1); every line gets the same
// verdict, document and field values in the block as a second validator gives it alone.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>

#include "fuzz.h"
#include "lines/json.h"
#include "lines/reader.h"

using namespace millrace;
using fuzz::require;

namespace {

// Limits from one byte to what the programs use (max_line_length), so that lines are cut
// anywhere: before, inside and after their \r, and across reads.
constexpr std::array<std::size_t, 8> kMaxLengths = {1, 2, 3, 7, 16, 64, 255, 1 << 20};
// The messages of one input must fit the socket's send buffer (212992 bytes by default), each
// message costing some hundred bytes more than its data.
constexpr std::size_t kMaxInput = 64 * 1024;
constexpr std::size_t kMaxReads = 32;

// The fields every validated line is asked for: a top-level name, a pointer into an array, and
// a pointer through an object.
const std::array<lines::Field, 3> kFields = {lines::Field("a"), lines::Field("/a/0"), lines::Field("/user/id")};

struct Expected {
  std::string_view text;
  bool too_long;
};

// The lines of `text`, worked out without the reader.
std::vector<Expected> expected_lines(std::string_view text, std::size_t max_length) {
  std::vector<Expected> out;
  for (std::string_view line : fuzz::split_lines(text)) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    out.push_back({line.substr(0, max_length), line.size() > max_length});
  }
  return out;
}

// Feeds `text` to stdin in reads of `read_size` bytes, through a socket that keeps each write
// one read; restores stdin when it goes.
class StdinFeed {
 public:
  StdinFeed(std::string_view text, std::size_t read_size) {
    int pair[2];
    require(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair) == 0, "socketpair");
    for (std::size_t at = 0; at < text.size(); at += read_size) {
      std::size_t n = std::min(read_size, text.size() - at);
      require(::write(pair[1], text.data() + at, n) == static_cast<ssize_t>(n), "write to the socket");
    }
    ::close(pair[1]);
    saved_ = ::dup(STDIN_FILENO);
    ::dup2(pair[0], STDIN_FILENO);
    ::close(pair[0]);
  }
  ~StdinFeed() {
    ::dup2(saved_, STDIN_FILENO);
    ::close(saved_);
  }
  StdinFeed(const StdinFeed&) = delete;
  StdinFeed& operator=(const StdinFeed&) = delete;

 private:
  int saved_ = -1;
};

void same_document(lines::Validator& in_block, lines::Validator& alone) {
  simdjson::dom::element a, b;
  bool a_dom = in_block.root(a), b_dom = alone.root(b);
  require(a_dom == b_dom, "a line has a DOM in the block but not alone, or the reverse");
  if (a_dom) require(simdjson::minify(a) == simdjson::minify(b), "a line parses to another document in the block");
  std::string scratch_a, scratch_b;
  for (const lines::Field& field : kFields) {
    lines::FieldText x = in_block.field_text(field, scratch_a), y = alone.field_text(field, scratch_b);
    require(x.status == y.status && x.text == y.text, "a field has another value in the block");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || size > kMaxInput) return -1;
  std::size_t max_length = kMaxLengths[data[0] % kMaxLengths.size()];
  std::string_view text = fuzz::as_text(data + 2, size - 2);
  std::size_t read_size = std::max<std::size_t>(data[1] + 1, (text.size() + kMaxReads - 1) / kMaxReads);
  std::vector<Expected> expected = expected_lines(text, max_length);

  static lines::Validator in_block, alone;  // reused across inputs, as a program reuses them
  StdinFeed feed(text, read_size);
  lines::Reader reader({"-"}, max_length);
  std::size_t count = 0;
  do {
    in_block.begin_block(reader.block());
    while (std::optional<lines::Line> line = reader.next()) {
      require(count < expected.size(), "the reader returns more lines than the text has");
      const Expected& want = expected[count++];
      require(line->text == want.text, "a line's text differs from the text's line");
      require(line->too_long == want.too_long, "a line is marked too long wrongly");
      require(line->number == count && line->file == "stdin", "a line has the wrong place");
      if (line->too_long) continue;  // refused unparsed by every program
      fuzz::Padded copy(line->text);
      simdjson::error_code verdict = in_block.parse(line->text);
      require(verdict == alone.parse(copy.view()), "a line's verdict in the block differs from its verdict alone");
      if (verdict == simdjson::SUCCESS) same_document(in_block, alone);
    }
  } while (reader.fill());
  require(count == expected.size(), "the reader returns fewer lines than the text has");
  return 0;
}
