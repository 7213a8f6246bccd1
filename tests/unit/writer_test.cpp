#include "lines/writer.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <system_error>

using millrace::lines::Writer;

namespace {

// A pipe whose read end does not block, so a test can see what has (not) been written yet.
struct Pipe {
  int read_fd = -1, write_fd = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read_fd = fds[0];
    write_fd = fds[1];
    ::fcntl(read_fd, F_SETFL, O_NONBLOCK);
  }
  ~Pipe() {
    if (read_fd >= 0) ::close(read_fd);
    if (write_fd >= 0) ::close(write_fd);
  }
  void close_reader() {
    ::close(read_fd);
    read_fd = -1;
  }
  // Everything in the pipe now.
  std::string drain() const {
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::read(read_fd, buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
    return out;
  }
};

}  // namespace

TEST_CASE("buffered writes reach the pipe in order on flush, and not before") {
  Pipe pipe;
  Writer writer(pipe.write_fd);
  writer.append("{\"a\":1}\n");
  writer.buffer().append("{\"b\":2}\n");
  writer.maybe_flush();
  writer.append("{\"c\":3}\n");
  CHECK_FALSE(writer.empty());
  CHECK(pipe.drain().empty());
  writer.flush();
  CHECK(writer.empty());
  CHECK(pipe.drain() == "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
  writer.append("later\n");
  writer.flush();
  CHECK(pipe.drain() == "later\n");
}

TEST_CASE("passing the capacity writes the buffer by itself") {
  Pipe pipe;
  Writer writer(pipe.write_fd, 8);
  writer.append("12345");
  CHECK(pipe.drain().empty());
  writer.append("6789");  // 9 bytes buffered: more than 8
  CHECK(writer.empty());
  CHECK(pipe.drain() == "123456789");
}

TEST_CASE("a large flush arrives whole and in order") {
  Pipe pipe;
  Writer writer(pipe.write_fd);
  std::string expected;
  for (int i = 0; i < 20000; ++i) expected += std::to_string(i) + "\n";  // about 110 KiB
  writer.append(expected);
  writer.flush();
  CHECK(pipe.drain() == expected);
}

TEST_CASE("nothing is written by the destructor") {
  Pipe pipe;
  {
    Writer writer(pipe.write_fd);
    writer.append("undelivered\n");
  }
  CHECK(pipe.drain().empty());
}

TEST_CASE("writing to a pipe whose reader has gone throws EPIPE") {
  std::signal(SIGPIPE, SIG_IGN);
  Pipe pipe;
  pipe.close_reader();
  Writer writer(pipe.write_fd);
  writer.append("nobody reads this\n");
  int code = 0;
  try {
    writer.flush();
  } catch (const std::system_error& e) {
    code = e.code().value();
  }
  CHECK(code == EPIPE);
}

TEST_CASE("other write errors throw std::system_error too") {
  Writer writer(-1);  // a descriptor that is not open
  writer.append("x");
  int code = 0;
  try {
    writer.flush();
  } catch (const std::system_error& e) {
    code = e.code().value();
  }
  CHECK(code == EBADF);
}
