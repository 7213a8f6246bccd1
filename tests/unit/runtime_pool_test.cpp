#include "runtime/pool.h"

#include <doctest/doctest.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "temp_dir.h"

using namespace millrace::runtime;
using millrace::test::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

// A custom runtime of the Runtime API, as small as one can be. Each event is an object saying
// what to do: {"mark": FILE} makes FILE as the work begins, {"sleep_ms": N} then, {"exit": N}
// ends the process, {"error": MESSAGE} posts an error of type Oops, anything else is answered
// with {"event": EVENT, "pid": PID, "start": S, "end": E} (S and E the epoch seconds the work
// began and ended). With INIT_ERROR in its environment it posts /init/error instead of asking
// for an event, and exits; with HANG_AT_INIT it writes its pid to hung.pid and sleeps.
constexpr std::string_view kRuntime = R"(
import os, time
if os.environ.get("HANG_AT_INIT"):  # first thing, before the imports that take time
    with open("hung.pid", "w") as f:
        f.write(str(os.getpid()))
    time.sleep(3600)
import http.client, json, sys
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
conn = http.client.HTTPConnection(host, int(port))
api = "/2018-06-01/runtime"
def post(path, body, kind=None):
    conn.request("POST", api + path, body=json.dumps(body),
                 headers={"Lambda-Runtime-Function-Error-Type": kind} if kind else {})
    conn.getresponse().read()
if os.environ.get("INIT_ERROR"):
    post("/init/error", {"errorMessage": "cannot load", "errorType": "Runtime.ImportModuleError"},
         "Runtime.ImportModuleError")
    sys.exit(1)
while True:
    conn.request("GET", api + "/invocation/next")
    r = conn.getresponse()
    event = json.loads(r.read())
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    start = time.time()
    if "mark" in event:
        open(event["mark"], "w").close()
    time.sleep(event.get("sleep_ms", 0) / 1000)
    if "exit" in event:
        os._exit(event["exit"])
    if "error" in event:
        post(f"/invocation/{rid}/error", {"errorMessage": event["error"], "errorType": "Oops"}, "Oops")
    else:
        post(f"/invocation/{rid}/response", {"event": event, "pid": os.getpid(), "start": start, "end": time.time()})
)";

struct Fixture {
  TempDir dir;
  Function function;

  Fixture() {
    dir.write("runtime.py", kRuntime);
    function.name = "pool-test";
    // exec: the runtime is the process the pool started, not a child of /bin/sh. -S: it starts
    // sooner without site.
    function.command = "exec /usr/bin/python3 -S runtime.py";
    function.code = dir.path().string();
  }
};

// What the runtime answered: the event it got, its pid, when it worked on it.
struct Answer {
  std::string event;
  std::int64_t pid = 0;
  double start = 0, end = 0;
};

Answer answer_of(const Outcome& outcome) {
  REQUIRE(outcome.status == Outcome::Status::ok);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(outcome.payload);
  Answer a;
  a.event = simdjson::minify(root["event"]);
  a.pid = root["pid"].get_int64();
  a.start = root["start"].get_double();
  a.end = root["end"].get_double();
  return a;
}

// Outcomes of asynchronous invocations, each kept once, waited for all together.
class Outcomes {
 public:
  explicit Outcomes(std::size_t count) : outcomes_(count), calls_(count) {}

  Pool::Done done(std::size_t i) {
    return [this, i](Outcome outcome) {
      std::lock_guard lock(mutex_);
      outcomes_[i] = std::move(outcome);
      ++calls_[i];
      changed_.notify_all();
    };
  }
  // Waits until every invocation is done (at most `seconds`); true if they all are.
  bool wait(int seconds) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(seconds), [&] {
      return std::all_of(outcomes_.begin(), outcomes_.end(), [](const auto& o) { return o.has_value(); });
    });
  }
  const Outcome& operator[](std::size_t i) const { return *outcomes_.at(i); }
  int calls(std::size_t i) const { return calls_.at(i); }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::optional<Outcome>> outcomes_;
  std::vector<int> calls_;
};

bool process_exists(std::int64_t pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH; }

}  // namespace

TEST_CASE_FIXTURE(Fixture, "Pool::invoke hands the event to a warm runtime and returns its response") {
  Pool pool(function, 1);
  Answer first = answer_of(pool.invoke(R"({"n":1})", "label"));
  CHECK(first.event == R"({"n":1})");
  Answer second = answer_of(pool.invoke(R"({"n":2,"s":"caf\u00e9"})", "label"));
  CHECK(second.event == R"({"n":2,"s":"café"})");
  CHECK(second.pid == first.pid);  // the same process, warm
}

TEST_CASE_FIXTURE(Fixture, "Pool::invoke from several threads: each invocation done once, with its own event") {
  constexpr int kThreads = 4, kEach = 10;
  Outcomes outcomes(kThreads * kEach);
  {
    Pool pool(function, 2);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          std::size_t k = static_cast<std::size_t>(t * kEach + i);
          pool.invoke(R"({"k":)" + std::to_string(k) + "}", "t" + std::to_string(t), outcomes.done(k));
        }
      });
    for (std::thread& t : threads) t.join();
    REQUIRE(outcomes.wait(20));
  }
  std::vector<std::int64_t> pids;
  for (std::size_t k = 0; k < kThreads * kEach; ++k) {
    CAPTURE(k);
    CHECK(outcomes.calls(k) == 1);
    Answer a = answer_of(outcomes[k]);
    CHECK(a.event == R"({"k":)" + std::to_string(k) + "}");
    pids.push_back(a.pid);
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  CHECK(pids.size() <= 2);  // two warm runtimes, none started again
}

TEST_CASE_FIXTURE(Fixture, "invocations queue while every runtime is busy") {
  SUBCASE("one runtime: one after the other") {
    Outcomes outcomes(3);
    Pool pool(function, 1);
    for (std::size_t i = 0; i < 3; ++i) pool.invoke(R"({"sleep_ms":100})", "q", outcomes.done(i));
    REQUIRE(outcomes.wait(20));
    std::vector<Answer> answers;
    for (std::size_t i = 0; i < 3; ++i) answers.push_back(answer_of(outcomes[i]));
    std::sort(answers.begin(), answers.end(), [](const Answer& a, const Answer& b) { return a.start < b.start; });
    for (std::size_t i = 1; i < answers.size(); ++i) CHECK(answers[i].start >= answers[i - 1].end);
  }
  SUBCASE("two runtimes: never more than two at once, both used") {
    Outcomes outcomes(6);
    Pool pool(function, 2);
    // Long enough that the second runtime is up before the first has done them all, even on a
    // loaded machine where a runtime takes a few hundred milliseconds to start.
    for (std::size_t i = 0; i < 6; ++i) pool.invoke(R"({"sleep_ms":300})", "q", outcomes.done(i));
    REQUIRE(outcomes.wait(20));
    std::vector<Answer> answers;
    for (std::size_t i = 0; i < 6; ++i) answers.push_back(answer_of(outcomes[i]));
    for (const Answer& a : answers) {
      auto running = std::count_if(answers.begin(), answers.end(), [&](const Answer& b) {
        return b.start <= a.start && a.start < b.end;  // b runs when a starts (a included)
      });
      CHECK(running <= 2);
    }
    auto pid = answers.front().pid;
    CHECK(std::any_of(answers.begin(), answers.end(), [&](const Answer& a) { return a.pid != pid; }));
  }
}

TEST_CASE_FIXTURE(Fixture, "~Pool ends the invocations in progress and waiting as stopped") {
  Outcomes outcomes(3);
  auto began = Clock::now();
  {
    Pool pool(function, 1);
    std::string mark = (dir / "working").string();
    pool.invoke(R"({"sleep_ms":20000,"mark":")" + mark + R"("})", "long", outcomes.done(0));
    pool.invoke(R"({"n":1})", "queued", outcomes.done(1));
    pool.invoke(R"({"n":2})", "queued", outcomes.done(2));
    // Until the first is being worked on.
    while (!std::filesystem::exists(mark) && Clock::now() - began < std::chrono::seconds(5))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(std::filesystem::exists(mark));
  }
  CHECK(Clock::now() - began < std::chrono::seconds(5));
  REQUIRE(outcomes.wait(0));
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(outcomes.calls(i) == 1);
    CHECK(outcomes[i].status == Outcome::Status::stopped);
    CHECK(outcomes[i].error_type == "Runtime.Stopping");
  }
}

TEST_CASE_FIXTURE(Fixture, "a runtime past its deadline is killed; the next invocation gets a new one") {
  function.timeout_ms = 300;
  Pool pool(function, 1);
  std::int64_t before = answer_of(pool.invoke("{}", "t")).pid;
  auto began = Clock::now();
  Outcome late = pool.invoke(R"({"sleep_ms":10000})", "t");
  CHECK(Clock::now() - began < std::chrono::seconds(3));
  CHECK(late.status == Outcome::Status::timed_out);
  CHECK(late.error_type == "Sandbox.Timedout");
  CHECK(late.describe() == "Sandbox.Timedout: Task timed out after 0.30 seconds");
  std::int64_t after = answer_of(pool.invoke("{}", "t")).pid;
  CHECK(after != before);
  CHECK_FALSE(process_exists(before));  // killed and reaped
}

TEST_CASE_FIXTURE(Fixture, "a runtime that exits fails its invocation; a new one takes the next") {
  Pool pool(function, 1);
  Outcome crashed = pool.invoke(R"({"exit":3})", "c");
  CHECK(crashed.status == Outcome::Status::error);
  CHECK(crashed.error_type == "Runtime.ExitError");
  CHECK(crashed.describe() == "Runtime.ExitError: Runtime exited with error: exit status 3");
  CHECK(answer_of(pool.invoke("{}", "c")).event == "{}");
}

TEST_CASE_FIXTURE(Fixture, "an error post is the invocation's outcome") {
  Pool pool(function, 1);
  Outcome failed = pool.invoke(R"({"error":"bad record"})", "e");
  CHECK(failed.status == Outcome::Status::error);
  CHECK(failed.error_type == "Oops");
  CHECK(failed.describe() == "Oops: bad record");
  CHECK(answer_of(pool.invoke("{}", "e")).event == "{}");  // the runtime goes on
}

TEST_CASE_FIXTURE(Fixture, "a runtime that posts /init/error fails the invocation waiting, with its document") {
  function.environment = {"INIT_ERROR=1"};
  Pool pool(function, 1);
  Outcome failed = pool.invoke("{}", "i");
  CHECK(failed.status == Outcome::Status::error);
  CHECK(failed.error_type == "Runtime.InitError");
  CHECK(failed.describe() == "Runtime.ImportModuleError: cannot load");
}

TEST_CASE_FIXTURE(Fixture, "a runtime that does not ask for an event within its Init limit is killed and fails the invocation") {
  function.environment = {"HANG_AT_INIT=1"};
  function.init_timeout_ms = 1000;
  function.timeout_ms = 100;  // the longer of the two is the limit
  Outcomes outcomes(1);
  Pool pool(function, 1);
  pool.invoke("{}", "h", outcomes.done(0));
  REQUIRE(outcomes.wait(5));  // not for ever
  const Outcome& failed = outcomes[0];
  CHECK(failed.status == Outcome::Status::error);
  CHECK(failed.error_type == "Runtime.InitError");
  CHECK(failed.describe() == "Sandbox.Timedout: Init timed out after 1.00 seconds");
  std::ifstream pid_file(dir / "hung.pid");
  std::int64_t pid = 0;
  REQUIRE(static_cast<bool>(pid_file >> pid));
  CHECK_FALSE(process_exists(pid));
}

TEST_CASE_FIXTURE(Fixture, "close() ends at once what waits for a runtime's restart, and what comes after") {
  function.environment = {"INIT_ERROR=1"};
  Pool pool(function, 1);
  // Each failed start doubles the back-off before the next: 50, 100, 200, 400 ms, then 800.
  for (int i = 0; i < 4; ++i) CHECK(pool.invoke("{}", "b").error_type == "Runtime.InitError");
  Outcomes outcomes(1);
  pool.invoke("{}", "b", outcomes.done(0));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto closed = Clock::now();
  pool.close();
  REQUIRE(outcomes.wait(5));
  CHECK(Clock::now() - closed < std::chrono::milliseconds(300));  // not the 800 ms of the back-off
  CHECK(outcomes[0].status == Outcome::Status::stopped);
  CHECK(outcomes[0].error_type == "Runtime.Stopping");
  CHECK(pool.invoke("{}", "b").status == Outcome::Status::stopped);
}

TEST_CASE_FIXTURE(Fixture, "Log::tail: the invocation's own output between Lambda's START, END and REPORT lines") {
  dir.write("logging.py", R"(
import http.client, os, sys
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
conn = http.client.HTTPConnection(host, int(port))
api = "/2018-06-01/runtime"
n = 0
while True:
    conn.request("GET", api + "/invocation/next")
    r = conn.getresponse()
    r.read()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    n += 1
    print(f"out {n}", flush=True)
    print(f"err {n}", file=sys.stderr, flush=True)
    conn.request("POST", f"{api}/invocation/{rid}/response", body=rid)
    conn.getresponse().read()
)");
  function.command = "exec /usr/bin/python3 -S logging.py";
  function.memory_mb = 256;
  Pool pool(function, 1);
  CHECK(pool.invoke("{}", "l").log.empty());  // not asked for: none
  Outcome second = pool.invoke("{}", "l", Pool::Log::tail);
  REQUIRE(second.status == Outcome::Status::ok);
  const std::string& id = second.payload;
  std::string log = second.log;
  // The lines of invocation 2 only; stdout's and stderr's read apart, in either order.
  std::string head = "START RequestId: " + id + " Version: $LATEST\n";
  REQUIRE(log.starts_with(head));
  std::string middle = log.substr(head.size(), 12);
  CHECK((middle == "out 2\nerr 2\n" || middle == "err 2\nout 2\n"));
  std::string rest = log.substr(head.size() + 12);
  std::string end = "END RequestId: " + id + "\n";
  REQUIRE(rest.starts_with(end));
  std::string report = rest.substr(end.size());
  CHECK(report.starts_with("REPORT RequestId: " + id + "\tDuration: "));
  CHECK(report.find("\tMemory Size: 256 MB\tMax Memory Used: ") != std::string::npos);
  CHECK(report.ends_with(" MB\t\n"));
}
