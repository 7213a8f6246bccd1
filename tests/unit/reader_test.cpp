#include "lines/reader.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cli/error.h"
#include "temp_dir.h"

using namespace millrace::lines;
using millrace::test::TempDir;

namespace {

struct Got {
  std::string text, file;
  std::uint64_t number;
  bool too_long;
};

// The lines one per row, so that a failed check shows them.
std::string show(const std::vector<Got>& lines) {
  std::string out;
  for (const Got& g : lines)
    out += g.file + ":" + std::to_string(g.number) + " '" + g.text + "'" + (g.too_long ? " (too long)" : "") + "\n";
  return out;
}

// Reads every line as a caller does: take the lines in the buffer, then fill, until the end.
std::vector<Got> read_all(Reader& reader) {
  std::vector<Got> got;
  for (;;) {
    while (auto line = reader.next())
      got.push_back({std::string(line->text), std::string(line->file), line->number, line->too_long});
    if (!reader.fill()) return got;
  }
}

// Writes `pieces` into the FIFO at `path`, pausing between them so each arrives in its own read.
std::thread feed_fifo(const std::string& path, std::vector<std::string> pieces) {
  return std::thread([path, pieces = std::move(pieces)] {
    int fd = ::open(path.c_str(), O_WRONLY);
    for (const std::string& piece : pieces) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      (void)!::write(fd, piece.data(), piece.size());
    }
    ::close(fd);
  });
}

std::string make_fifo(const TempDir& dir, const char* name) {
  std::string path = (dir / name).string();
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  return path;
}

}  // namespace

TEST_CASE("lines of several files come in order, numbered within each file") {
  TempDir dir;
  std::string a = dir.write("a.jsonl", "one\ntwo\n");
  std::string empty = dir.write("empty.jsonl", "");
  std::string b = dir.write("b.jsonl", "three\n\nfive");
  Reader reader({a, empty, b}, 100);
  std::vector<Got> expected = {
      {"one", a, 1, false}, {"two", a, 2, false}, {"three", b, 1, false}, {"", b, 2, false}, {"five", b, 3, false}};
  CHECK(show(read_all(reader)) == show(expected));
}

TEST_CASE("a line's place reads FILE:LINE") {
  TempDir dir;
  std::string a = dir.write("a.jsonl", "x\ny\n");
  Reader reader({a}, 100);
  REQUIRE(reader.fill());
  reader.next();
  auto second = reader.next();
  REQUIRE(second);
  CHECK(second->where() == a + ":2");
}

TEST_CASE("CRLF line endings are dropped, a lone carriage return inside a line is kept") {
  TempDir dir;
  std::string a = dir.write("crlf.jsonl", "a\r\nb\r\n\r\nx\ry\nc\r");
  Reader reader({a}, 100);
  std::vector<Got> expected = {
      {"a", a, 1, false}, {"b", a, 2, false}, {"", a, 3, false}, {"x\ry", a, 4, false}, {"c", a, 5, false}};
  CHECK(show(read_all(reader)) == show(expected));
}

TEST_CASE("lines that span read boundaries come out whole") {
  // Over 3 MiB of lines of 0 to 196 bytes: reads of at most a megabyte end inside lines.
  TempDir dir;
  std::string content;
  std::vector<Got> expected;
  std::string path = (dir / "big.jsonl").string();
  for (std::uint64_t i = 0; content.size() < (3u << 20) + 12345; ++i) {
    std::string line(i % 197, static_cast<char>('a' + i % 26));
    line += std::to_string(i);
    content += line + "\n";
    expected.push_back({line, path, i + 1, false});
  }
  dir.write("big.jsonl", content);
  Reader reader({path}, 1000);
  std::vector<Got> got = read_all(reader);
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(show({got[i]}) == show({expected[i]}));
}

TEST_CASE("lines split between writes to a pipe are joined") {
  TempDir dir;
  std::string fifo = make_fifo(dir, "fifo");
  std::thread writer = feed_fifo(fifo, {"hel", "lo\nwor", "ld\r", "\n", "\nla", "st"});
  Reader reader({fifo}, 100);
  std::vector<Got> got = read_all(reader);
  writer.join();
  std::vector<Got> expected = {{"hello", fifo, 1, false}, {"world", fifo, 2, false}, {"", fifo, 3, false},
                               {"last", fifo, 4, false}};
  CHECK(show(got) == show(expected));
}

TEST_CASE("a line longer than the limit is reported once, truncated, and the next line is read normally") {
  TempDir dir;
  std::string a = dir.write("a.jsonl", "short\n" + std::string(25, 'x') + "\nnext\n" + std::string(10, 'z') + "\n");
  std::string b = dir.write("b.jsonl", "ok\n" + std::string(30, 'y'));  // too long, and last without newline
  std::string c = dir.write("c.jsonl", "after\n");
  Reader reader({a, b, c}, 10);
  std::vector<Got> expected = {{"short", a, 1, false},       {"xxxxxxxxxx", a, 2, true}, {"next", a, 3, false},
                               {"zzzzzzzzzz", a, 4, false},  {"ok", b, 1, false},        {"yyyyyyyyyy", b, 2, true},
                               {"after", c, 1, false}};
  CHECK(show(read_all(reader)) == show(expected));
}

TEST_CASE("a long line arriving in pieces is reported once and skipped to its end") {
  TempDir dir;
  std::string fifo = make_fifo(dir, "fifo");
  std::thread writer = feed_fifo(fifo, {"0123456789ABCDEF", "GHIJKLMNOPQRSTUVWXYZ", "abcdef", "\nafter\n"});
  Reader reader({fifo}, 10);
  std::vector<Got> got = read_all(reader);
  writer.join();
  std::vector<Got> expected = {{"0123456789", fifo, 1, true}, {"after", fifo, 2, false}};
  CHECK(show(got) == show(expected));
}

TEST_CASE("a line of exactly the limit is not too long, whether or not it ends in CRLF") {
  TempDir dir;
  std::string a = dir.write("a.jsonl", "abcde\nfghij\r\nk\n");
  Reader reader({a}, 5);
  std::vector<Got> expected = {{"abcde", a, 1, false}, {"fghij", a, 2, false}, {"k", a, 3, false}};
  CHECK(show(read_all(reader)) == show(expected));
}

TEST_CASE("a line of exactly the limit is not too long when a read ends between its CR and LF") {
  // The same line as above, read from a pipe that delivers "fghij\r" before "\n".
  TempDir dir;
  std::string fifo = make_fifo(dir, "fifo");
  std::thread writer = feed_fifo(fifo, {"fghij\r", "\nk\n"});
  Reader reader({fifo}, 5);
  std::vector<Got> got = read_all(reader);
  writer.join();
  std::vector<Got> expected = {{"fghij", fifo, 1, false}, {"k", fifo, 2, false}};
  CHECK(show(got) == show(expected));
}

TEST_CASE("a missing file ends the reading with no_input once the files before it are read") {
  TempDir dir;
  std::string a = dir.write("a.jsonl", "one\ntwo");
  std::string missing = (dir / "missing.jsonl").string();
  Reader reader({a, missing}, 100);
  std::vector<std::string> texts;
  bool thrown = false;
  try {
    for (;;) {
      while (auto line = reader.next()) texts.emplace_back(line->text);
      if (!reader.fill()) break;
    }
  } catch (const millrace::cli::Error& e) {
    thrown = true;
    CHECK(e.status() == millrace::cli::Exit::no_input);
    CHECK(static_cast<int>(e.status()) == 66);
    CHECK(e.where() == missing);
  }
  CHECK(thrown);
  CHECK(texts == std::vector<std::string>{"one", "two"});
}

TEST_CASE("every line is followed by kPadding readable bytes") {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 50000; ++i) content += std::string(static_cast<std::size_t>(i % 61), 'p') + "\n";
  content += "last";  // no newline: the line ends where the input ends
  std::string a = dir.write("a.jsonl", content);
  Reader reader({a}, 100);
  std::size_t lines = 0, sum = 0;
  for (;;) {
    while (auto line = reader.next()) {
      ++lines;
      const volatile char* after = line->text.data() + line->text.size();
      for (std::size_t i = 0; i < kPadding; ++i) sum += static_cast<unsigned char>(after[i]);
    }
    if (!reader.fill()) break;
  }
  CHECK(lines == 50001);
  CHECK(sum > 0);  // the bytes were read; under AddressSanitizer an overrun would stop here
}

TEST_CASE("lines handed over with the buffer outlive the next fill, and a partial line carries on") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 40'000; ++i) text += "line " + std::to_string(i) + " " + std::string(static_cast<std::size_t>(100 + i % 50), 'x') + "\n";
  std::string path = dir.write("big.txt", text);
  Reader reader({path}, 1 << 20);
  std::vector<Buffer> buffers;
  std::vector<std::string_view> kept;
  Buffer spare;
  while (reader.fill()) {
    std::size_t before = kept.size();
    while (auto line = reader.next()) kept.push_back(line->text);
    if (kept.size() == before) continue;
    reader.exchange_buffer(spare);
    buffers.push_back(std::move(spare));
    spare.clear();
  }
  REQUIRE(buffers.size() >= 2);  // the file is larger than one read
  REQUIRE(kept.size() == 40'000);
  for (int i = 0; i < 40'000; ++i) {
    CAPTURE(i);
    REQUIRE(kept[static_cast<std::size_t>(i)] ==
            "line " + std::to_string(i) + " " + std::string(static_cast<std::size_t>(100 + i % 50), 'x'));
  }
}

TEST_CASE("block() is the text of the whole lines in the buffer, and the partial one at the end of input") {
  TempDir dir;
  std::string fifo = make_fifo(dir, "in");
  std::thread writer = feed_fifo(fifo, {"{\"a\":1}\r\n{\"b\":2}\n{\"c\"", ":3}\n{\"d\":4}"});
  Reader reader({fifo}, 64);
  std::vector<std::string> blocks, lines;
  for (;;) {
    std::string block(reader.block());
    std::string joined;
    while (auto line = reader.next()) {
      lines.emplace_back(line->text);
      joined += std::string(line->text) + (line->text == "{\"a\":1}" ? "\r\n" : "\n");
    }
    if (!block.empty()) blocks.push_back(block);
    // The block is the lines next() returned, newlines and all, except the last line's newline
    // when the input ended without one.
    CHECK((block == joined || block + "\n" == joined));
    if (!reader.fill()) break;
  }
  writer.join();
  CHECK(lines == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"d\":4}"});
  std::string all;  // however the writes came together in reads
  for (const std::string& block : blocks) all += block;
  CHECK(all == "{\"a\":1}\r\n{\"b\":2}\n{\"c\":3}\n{\"d\":4}");
  CHECK(blocks.size() >= 2);  // the last line, without its newline, only once the input has ended
}

TEST_CASE("a reader tells what it has read, and the size of its input when every file is a regular file") {
  TempDir dir;
  std::string a = dir.write("a.jsonl", "1\n2\n3\n"), b = dir.write("b.jsonl", "4\n55");
  Reader reader({a, b}, 100);
  CHECK(reader.input_size() == 10u);  // 6 + 4 bytes
  int reads = 0;
  reader.after_each_read([&] { ++reads; });
  CHECK(read_all(reader).size() == 5);
  CHECK(reader.lines_read() == 5);  // 3 of a.jsonl, then 2 of b.jsonl
  CHECK(reader.bytes_read() == 10);
  CHECK(reads == 5);  // fill() reads a.jsonl, finds its end, reads b.jsonl, finds its end, ends
  // A FIFO's size is not known, nor a missing file's.
  std::string fifo = make_fifo(dir, "fifo");
  CHECK(!Reader({a, fifo}, 100).input_size());
  CHECK(!Reader({a, (dir / "missing").string()}, 100).input_size());
}
