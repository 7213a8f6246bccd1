#include "stream/handler.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "stream/handler_output.h"
#include "temp_dir.h"

using namespace millrace;
using stream::HandlerResult;
using Status = HandlerResult::Status;

namespace {

// What run_handler wrote to its Writer: a memfd, read back whole (also while the handler runs).
struct Output {
  int fd = ::memfd_create("handler-out", MFD_CLOEXEC);
  lines::Writer writer{fd, 1};  // capacity 1: every append is flushed, so streaming is visible
  ~Output() { ::close(fd); }
  std::string text() const {
    std::string all(static_cast<std::size_t>(::lseek(fd, 0, SEEK_END)), '\0');
    CHECK(::pread(fd, all.data(), all.size(), 0) == static_cast<ssize_t>(all.size()));
    return all;
  }
};

// Runs a handler as ks-consume does: with SIGPIPE ignored.
HandlerResult run(const std::string& command, std::string_view input, Output& out,
                  std::optional<std::int64_t> timeout_ms = std::nullopt) {
  std::signal(SIGPIPE, SIG_IGN);
  return stream::run_handler(command, input, timeout_ms, "shardId-000000000001", out.writer);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A process is gone when it no longer exists or is a zombie waiting for init.
bool gone(pid_t pid) {
  std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  return stat.empty() || stat.find(") Z ") != std::string::npos;
}

bool gone_within_a_second(pid_t pid) {
  for (int i = 0; i < 100 && !gone(pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return gone(pid);
}

}  // namespace

TEST_CASE("handler: the batch is on its stdin, exactly") {
  Output out;
  HandlerResult result = run("wc -c", "hello\nworld\n", out);
  CHECK(result.status == Status::ok);
  CHECK(result.exit_status == 0);
  CHECK(out.text() == "12\n");
  Output empty;
  CHECK(run("wc -c", "", empty).status == Status::ok);
  CHECK(empty.text() == "0\n");
}

TEST_CASE("handler: its stdout passes through in order, its last line ended by a newline") {
  Output out;
  HandlerResult result = run("printf 'a\\nb\\n\\nc\\nd'", "", out);
  CHECK(result.status == Status::ok);
  CHECK(result.item_failures.empty());
  CHECK(out.text() == "a\nb\n\nc\nd\n");  // so that the next handler's output starts a line
}

TEST_CASE("handler: a batchItemFailures last line is consumed and its identifiers returned") {
  Output out;
  HandlerResult result =
      run("cat >/dev/null; echo done; echo '{\"batchItemFailures\": [{\"itemIdentifier\": "
          "\"10000000000000002\"}, "
          "{\"itemIdentifier\": \"10000000000000005\"}]}'; echo",
          "{}\n", out);
  CHECK(result.status == Status::ok);
  CHECK(result.item_failures == std::vector<std::string>{"10000000000000002", "10000000000000005"});
  CHECK(out.text() == "done\n\n");  // the blank line after the response stays

  Output unterminated;
  result = run("printf '%s' '{\"batchItemFailures\":[]}'", "", unterminated);
  CHECK(result.status == Status::ok);
  CHECK(result.item_failures.empty());
  CHECK(unterminated.text() == "");

  Output null_list;
  CHECK(run("echo '{\"batchItemFailures\":null}'", "", null_list).item_failures.empty());
  CHECK(null_list.text() == "");

  // Lambda fails the whole batch on an entry without a string itemIdentifier.
  Output bad_entry;
  result =
      run("echo "
          "'{\"batchItemFailures\":[{\"itemIdentifier\":\"10000000000000003\"},{\"id\":1},{"
          "\"itemIdentifier\":null}]}'",
          "", bad_entry);
  CHECK(result.item_failures == std::vector<std::string>{"10000000000000003", "", ""});
}

TEST_CASE("handler: a last line that is not a partial batch response passes through") {
  Output out;
  CHECK(run("echo one; echo 'not json'", "", out).item_failures.empty());
  CHECK(out.text() == "one\nnot json\n");
  Output object;
  run("echo '{\"batchItemFailures\":\"all\"}'; echo '{\"a\":1}'", "", object);
  CHECK(object.text() == "{\"batchItemFailures\":\"all\"}\n{\"a\":1}\n");
  Output not_last;
  HandlerResult result =
      run("echo '{\"batchItemFailures\":[{\"itemIdentifier\":\"1\"}]}'; echo after", "", not_last);
  CHECK(result.item_failures.empty());
  CHECK(not_last.text() == "{\"batchItemFailures\":[{\"itemIdentifier\":\"1\"}]}\nafter\n");
}

TEST_CASE("handler: stdout streams while it runs, only the last line held back") {
  test::TempDir dir;
  std::string fifo = (dir / "go").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  Output out;
  HandlerResult result{};
  std::thread handler(
      [&] { result = run("echo first; echo second; read x < " + fifo + "; echo third", "", out); });
  for (int i = 0; i < 500 && out.text() != "first\n"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(out.text() == "first\n");
  { std::ofstream(fifo) << "go\n"; }
  handler.join();
  CHECK(result.status == Status::ok);
  CHECK(out.text() == "first\nsecond\nthird\n");
}

TEST_CASE("handler: a non-zero exit or a signal fails it with its status") {
  Output out;
  HandlerResult result = run("echo partial; exit 3", "", out);
  CHECK(result.status == Status::failed);
  CHECK(result.exit_status == 3);
  CHECK(out.text() == "partial\n");
  result = run("kill -TERM $$", "", out);
  CHECK(result.status == Status::failed);
  CHECK(result.exit_status == 128 + SIGTERM);
}

TEST_CASE("handler: past its timeout it is killed with its background processes") {
  test::TempDir dir;
  std::string pid_file = (dir / "pid").string();
  Output out;
  auto start = std::chrono::steady_clock::now();
  HandlerResult result = run("sh -c 'sleep 30 & echo $! > " + pid_file + "; wait'", "", out, 200);
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(result.status == Status::timed_out);
  CHECK(result.exit_status == 128 + SIGKILL);
  CHECK(elapsed < std::chrono::seconds(1));
  pid_t grandchild = std::stoi(slurp(pid_file));
  CHECK(gone_within_a_second(grandchild));

  start = std::chrono::steady_clock::now();
  CHECK(run("sleep 5", "", out, 200).status == Status::timed_out);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}

TEST_CASE("handler: its exit ends the invocation even when a background process holds stdout") {
  test::TempDir dir;
  std::string pid_file = (dir / "pid").string();
  Output out;
  auto start = std::chrono::steady_clock::now();
  HandlerResult result = run("sleep 30 & echo $! > " + pid_file + "; echo done", "", out);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  CHECK(result.status == Status::ok);
  CHECK(out.text() == "done\n");
  ::kill(std::stoi(slurp(pid_file)), SIGKILL);
}

TEST_CASE("handler: printing a lot before reading a lot does not deadlock") {
  // 4 MiB each way: more than the largest pipe an unprivileged process gets (1 MiB).
  constexpr std::size_t kSize = 4 << 20;
  Output out;
  HandlerResult result =
      run("head -c " + std::to_string(kSize) + " /dev/zero | tr '\\0' x; echo; wc -c",
          std::string(kSize, 'r'), out);
  CHECK(result.status == Status::ok);
  std::string text = out.text();
  CHECK(text.size() == kSize + 1 + std::to_string(kSize).size() + 1);
  CHECK(text.substr(kSize) == "\n" + std::to_string(kSize) + "\n");
}

TEST_CASE("handler: one that does not read its stdin is not an error") {
  Output out;
  HandlerResult result = run("true", std::string(4 << 20, 'r'), out);
  CHECK(result.status == Status::ok);
  CHECK(result.exit_status == 0);
}

TEST_CASE("handler: SIGPIPE is at its default and no signal blocked in the handler") {
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  // Blocked here, it must not be blocked in the handler. (dash clears its mask when it starts, so
  // with dash as /bin/sh this guards only against the mask reaching the shell; bash keeps it.)
  pthread_sigmask(SIG_BLOCK, &usr1, &old);
  Output out;
  HandlerResult result = run("grep -E '^Sig(Ign|Blk)' /proc/self/status", "", out);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  CHECK(result.status == Status::ok);
  std::istringstream lines(out.text());
  std::string name, mask;
  int seen = 0;
  while (lines >> name >> mask) {
    unsigned long long bits = std::stoull(mask, nullptr, 16);
    if (name == "SigIgn:") CHECK((bits >> (SIGPIPE - 1) & 1) == 0);
    if (name == "SigBlk:") CHECK(bits == 0);
    ++seen;
  }
  CHECK(seen == 2);
  auto start = std::chrono::steady_clock::now();
  CHECK(run("yes | head -1", "", out).status == Status::ok);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}

TEST_CASE("handler: it gets no file descriptor beyond 0, 1 and 2") {
  int leaked = ::open("/dev/null", O_RDONLY);  // without O_CLOEXEC, as a careless library might
  REQUIRE(leaked > 2);
  Output out;
  HandlerResult result = run("ls /proc/$$/fd; true", "", out);  // `; true`: sh must not exec ls
  ::close(leaked);
  CHECK(result.status == Status::ok);
  CHECK(out.text() == "0\n1\n2\n");
}

TEST_CASE("handler: its stderr lines arrive on ours prefixed with the label") {
  int pipe_fds[2];
  REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
  int saved = ::dup(2);
  ::dup2(pipe_fds[1], 2);
  Output out;
  HandlerResult result = run("echo oops >&2; echo data; printf 'no newline' >&2", "", out);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(pipe_fds[1]);
  std::string captured;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    captured.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  CHECK(result.status == Status::ok);
  CHECK(out.text() == "data\n");
  CHECK(captured == "shardId-000000000001: oops\nshardId-000000000001: no newline\n");
}

TEST_CASE("handler output: the response is found whatever the chunks it arrives in") {
  std::string text =
      "a\n\n{\"x\":1}\n  \n{\"batchItemFailures\":[{\"itemIdentifier\":\"7\"}]}\r\n\n";
  Output out;
  stream::StdoutFilter filter(out.writer);
  for (char c : text) filter.feed(std::string_view(&c, 1));
  CHECK(out.text() == "a\n\n{\"x\":1}\n  \n");  // nothing after the last non-blank line yet
  CHECK(filter.finish() == std::vector<std::string>{"7"});
  CHECK(out.text() == "a\n\n{\"x\":1}\n  \n\n");
}
