#include "runtime/pool.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "aws/request_id.h"
#include "lines/json.h"
#include "lines/time.h"
#include "os/child.h"
#include "os/fd.h"
#include "serve/server.h"
#include "stream/handler_output.h"

namespace millrace::runtime {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kApiPrefix = "/2018-06-01/runtime/";
constexpr std::int64_t kFirstBackoffMs = 50;
constexpr std::int64_t kMaxBackoffMs = 5000;
// A body past Lambda's payload limit is still read, up to this, so that the runtime hears 413
// from us and the invocation fails as Lambda fails it (Function.ResponseSizeTooLarge); a larger
// one the server refuses by itself.
constexpr std::size_t kMaxBodyBytes = 16 << 20;
// Without a pidfd, how often the supervisor looks for runtimes that have exited.
constexpr int kExitPollMs = 50;

// Lambda's error document.
std::string error_document(std::string_view type, std::string_view message) {
  return fmt::format("{{\"errorMessage\":{},\"errorType\":{}}}", lines::json_string(message), lines::json_string(type));
}

serve::Response api_error(int status, std::string_view type, std::string_view message) {
  return serve::Response::json(status, error_document(type, message));
}

struct Invocation {
  std::string id, event, label;
  Pool::Done done;
  Pool::Log log = Pool::Log::none;
  Clock::time_point started, deadline;
};

// The peak resident set of process `pid` in MB, rounded up (Lambda's "Max Memory Used"); 0
// when it cannot be read.
std::uint64_t peak_memory_mb(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (!line.starts_with("VmHWM:")) continue;
    std::uint64_t kb = std::strtoull(line.c_str() + 6, nullptr, 10);
    return (kb + 1023) / 1024;
  }
  return 0;
}

struct Completion {
  Pool::Done done;
  Outcome outcome;
};

// One runtime process and the Runtime API it is served. The process is the supervisor thread's
// alone, and so are its pipes, but for reading them when an event is handed out; the rest is
// guarded by State::mutex.
struct Runtime {
  enum class Phase {
    down,      // no process
    starting,  // started, has not asked for an event yet
    between,   // answered an invocation, has not asked for the next yet
    ready,     // holds a `next` request
    busy,      // working on `current`
  };

  unsigned index = 0;
  std::unique_ptr<serve::Server> server;
  std::thread serving;
  std::string api;  // 127.0.0.1:PORT

  // Guarded by State::mutex.
  Phase phase = Phase::down;
  pid_t pid = 0;  // of its process, while it has one
  serve::Responder next;
  std::optional<Invocation> current;
  std::string label;
  std::optional<std::string> init_error;  // posted to /init/error
  bool kill = false;                      // asked of the supervisor
  bool timed_out = false;                 // killed at a deadline: restarted without a back-off
  Clock::time_point init_deadline;        // starting: killed unless it asks for an event by then
  Clock::time_point restart_at;
  std::int64_t backoff_ms = kFirstBackoffMs;

  // The supervisor's.
  std::optional<os::Child> child;
  os::Fd exit;
  // The supervisor's to open and close; read by it and by the thread that hands out an event,
  // under `output`.
  std::mutex output;
  os::Fd out, err;
  std::optional<stream::StderrLines> out_lines, err_lines;
  std::string shown_label;
  // While an invocation with Log::tail runs: its log so far, what the runtime writes added as
  // it is read (the front dropped past a bound: only its tail is returned).
  std::optional<std::string> log;
};

// An event handed to a runtime: the answer to its `next`, sent once the lock is released.
struct Delivery {
  Runtime* runtime;
  serve::Responder next;
  serve::Response event;
  std::string label;
  std::optional<std::string> log;  // with Log::tail: its START line, where the log begins
};

Outcome failure(std::string_view type, std::string_view message) {
  return {Outcome::Status::error, error_document(type, message), std::string(type), {}};
}

Outcome stopped() {
  constexpr std::string_view kType = "Runtime.Stopping";
  return {Outcome::Status::stopped, error_document(kType, "the function is stopping"), std::string(kType), {}};
}

}  // namespace

struct Pool::State {
  Function function;
  std::vector<std::string> argv;
  std::vector<std::unique_ptr<Runtime>> runtimes;
  os::Fd wake;  // an eventfd: the supervisor's poll wakes on it
  std::thread supervisor;

  std::string arn;  // the function's, as every event's header names it

  std::mutex mutex;
  std::deque<Invocation> waiting;
  bool closed = false;    // close(): nothing more is handed to a runtime
  bool stopping = false;  // the destructor: the runtimes go too
  std::mt19937_64 random{std::random_device{}()};

  void notify() {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake.get(), &one, sizeof one);
  }

  std::string trace_id() {
    std::uint64_t a = random(), b = random();
    return fmt::format("Root=1-{:08x}-{:08x}{:016x};Parent={:016x};Sampled=0", lines::now_ms() / 1000, a >> 32,
                       b, random());
  }

  // Hands waiting invocations to runtimes that hold a `next`; the caller delivers() them once it
  // has released the lock. Under the lock.
  //
  // The supervisor is not woken for the new deadline: it wakes at least once a timeout (see
  // supervise()), so it is never later than the deadline of an invocation handed over since.
  void dispatch(std::vector<Delivery>& deliveries) {
    for (auto& runtime : runtimes) {
      if (waiting.empty()) break;
      if (runtime->phase != Runtime::Phase::ready) continue;
      Invocation invocation = std::move(waiting.front());
      waiting.pop_front();
      invocation.started = Clock::now();
      invocation.deadline = invocation.started + std::chrono::milliseconds(function.timeout_ms);
      serve::Response response = serve::Response::json(200, std::move(invocation.event));
      invocation.event.clear();
      response.headers.add("Lambda-Runtime-Aws-Request-Id", invocation.id);
      response.headers.add("Lambda-Runtime-Deadline-Ms", std::to_string(lines::now_ms() + function.timeout_ms));
      response.headers.add("Lambda-Runtime-Invoked-Function-Arn", arn);
      response.headers.add("Lambda-Runtime-Trace-Id", trace_id());
      std::optional<std::string> log;
      if (invocation.log == Pool::Log::tail) log = fmt::format("START RequestId: {} Version: $LATEST\n", invocation.id);
      deliveries.push_back({runtime.get(), std::move(runtime->next), std::move(response), invocation.label, std::move(log)});
      runtime->label = invocation.label;
      runtime->current = std::move(invocation);
      runtime->phase = Runtime::Phase::busy;
    }
  }

  // Sends a runtime its event. What it wrote before is the previous invocation's: it is in its
  // pipes now, read with that label before the event goes, and what it writes from then on
  // carries the new one. (Relabelled by the supervisor after the event went, the runtime's last
  // lines could be read after the switch, or its first lines before it.)
  // (The same holds for an invocation's own log: what was written before is not its.)
  void deliver(Delivery& delivery) {
    Runtime& r = *delivery.runtime;
    {
      std::lock_guard lock(r.output);
      if (r.out_lines && (delivery.label != r.shown_label || delivery.log)) {
        drain_available(r);
        r.shown_label = delivery.label;
        r.out_lines->relabel(delivery.label);
        r.err_lines->relabel(delivery.label);
      }
      r.log = std::move(delivery.log);
    }
    delivery.next.send(std::move(delivery.event));
  }

  // Ends the runtime's invocation in progress with `outcome`. Under the lock.
  void finish(Runtime& runtime, Outcome outcome, std::vector<Completion>& completions) {
    if (runtime.current->log == Pool::Log::tail) outcome.log = log_tail(runtime, outcome);
    completions.push_back({std::move(runtime.current->done), std::move(outcome)});
    runtime.current.reset();
    runtime.phase = Runtime::Phase::between;
  }

  // The log of the runtime's invocation in progress as Lambda's Tail gives it: what the runtime
  // wrote until now (read first), then Lambda's END and REPORT lines; its last 4 KB. Under the
  // lock.
  std::string log_tail(Runtime& runtime, const Outcome& outcome) {
    const Invocation& invocation = *runtime.current;
    std::string log;
    {
      std::lock_guard lock(runtime.output);
      drain_available(runtime);
      if (runtime.log) log = std::move(*runtime.log);
      runtime.log.reset();
    }
    if (!log.empty() && log.back() != '\n') log.push_back('\n');
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - invocation.started).count();
    if (outcome.status == Outcome::Status::timed_out)
      log += fmt::format("{} {} Task timed out after {:.2f} seconds\n", lines::format_iso8601(lines::now_ms()),
                         invocation.id, function.timeout_ms / 1000.0);
    log += fmt::format("END RequestId: {}\n", invocation.id);
    log += fmt::format("REPORT RequestId: {}\tDuration: {:.2f} ms\tBilled Duration: {} ms\tMemory Size: {} MB\t",
                       invocation.id, ms, static_cast<std::int64_t>(std::ceil(ms)), function.memory_mb);
    if (std::uint64_t peak = runtime.pid ? peak_memory_mb(runtime.pid) : 0) log += fmt::format("Max Memory Used: {} MB\t", peak);
    log.push_back('\n');
    if (log.size() > kMaxLogTailBytes) log.erase(0, log.size() - kMaxLogTailBytes);
    return log;
  }

  // One request of a runtime to its Runtime API, on its server's thread. The outcomes it ends
  // are told once the answer is written, and before the runtime's next request is read (unless
  // the runtime sent it before it had the answer): the runtime has its 202 sooner, and an
  // invocation that an outcome makes is waiting when it asks for its next event. (Were it not,
  // the runtime would get it all the same, once made.)
  void serve(Runtime& runtime, serve::Request request, serve::Responder responder) {
    std::vector<Completion> completions;
    std::vector<Delivery> deliveries;
    {
      std::lock_guard lock(mutex);
      serve::Response answer = route(runtime, request, responder, completions, deliveries);
      if (responder) responder.send(std::move(answer));
    }
    for (Delivery& d : deliveries) deliver(d);
    if (completions.empty()) return;
    runtime.server->post([completions = std::make_shared<std::vector<Completion>>(std::move(completions))] {
      for (Completion& c : *completions) c.done(std::move(c.outcome));
    });
  }

  serve::Response route(Runtime& runtime, serve::Request& request, serve::Responder& responder,
                        std::vector<Completion>& completions, std::vector<Delivery>& deliveries) {
    std::string_view path = request.path();
    if (!path.starts_with(kApiPrefix)) return api_error(404, "InvalidRequest", "not a path of the Runtime API");
    path.remove_prefix(kApiPrefix.size());
    bool post = request.method == "POST";
    if (path == "invocation/next") {
      if (request.method != "GET") return api_error(405, "InvalidRequest", "invocation/next is read with GET");
      if (runtime.current)  // it asks again without answering: Lambda would wait no longer either
        finish(runtime, failure("Runtime.NoResponse", "the runtime asked for the next event without answering this one"),
               completions);
      if (stopping) return api_error(500, "Runtime.Stopping", "the function is stopping");
      runtime.next = std::move(responder);  // a `next` held before (its client gone) answers 500
      runtime.phase = Runtime::Phase::ready;
      dispatch(deliveries);
      return {};
    }
    if (path == "init/error") {
      if (!post) return api_error(405, "InvalidRequest", "init/error is sent with POST");
      runtime.init_error = request.body.empty() ? error_document("Runtime.InitError", "no error document") : request.body;
      runtime.kill = true;  // it should exit; it is not waited for
      notify();
      return serve::Response::json(202, R"({"status":"OK"})");
    }
    constexpr std::string_view kInvocation = "invocation/";
    std::size_t slash = path.rfind('/');
    if (!path.starts_with(kInvocation) || slash <= kInvocation.size())
      return api_error(404, "InvalidRequest", "not a path of the Runtime API");
    std::string_view id = path.substr(kInvocation.size(), slash - kInvocation.size());
    std::string_view verb = path.substr(slash + 1);
    if (verb != "response" && verb != "error") return api_error(404, "InvalidRequest", "not a path of the Runtime API");
    if (!post) return api_error(405, "InvalidRequest", fmt::format("invocation/ID/{} is sent with POST", verb));
    if (!runtime.current || runtime.current->id != id)
      return api_error(400, "InvalidRequestID", fmt::format("{} is not an invocation in progress", id));
    runtime.backoff_ms = kFirstBackoffMs;  // it works
    if (request.body.size() > kMaxResponseBytes) {
      std::string message = fmt::format("Response payload size ({} bytes) exceeded maximum allowed payload size ({} bytes).",
                                        request.body.size(), kMaxResponseBytes);
      finish(runtime, failure("Function.ResponseSizeTooLarge", message), completions);
      return api_error(413, "RequestEntityTooLarge", message);
    }
    if (verb == "response") {
      finish(runtime, {Outcome::Status::ok, std::move(request.body), {}, {}}, completions);
    } else {
      std::string type(request.headers.find("Lambda-Runtime-Function-Error-Type").value_or(""));
      finish(runtime, {Outcome::Status::error, std::move(request.body), std::move(type), {}}, completions);
    }
    return serve::Response::json(202, R"({"status":"OK"})");
  }

  // The supervisor: starts runtimes, reads their output, notices their exits and deadlines.
  void supervise() {
    std::string buffer(1 << 16, '\0');
    for (;;) {
      std::vector<Completion> completions;
      std::vector<Runtime*> to_start, to_kill;
      // At least once a timeout, so that no deadline set since passes unseen.
      int wait_ms = static_cast<int>(std::min<std::int64_t>(function.timeout_ms, INT32_MAX));
      {
        std::lock_guard lock(mutex);
        if (stopping) break;
        Clock::time_point now = Clock::now();
        for (auto& runtime : runtimes) {
          Runtime& r = *runtime;
          if (r.phase == Runtime::Phase::busy && r.current->deadline <= now) {
            finish(r, {Outcome::Status::timed_out,
                       error_document("Sandbox.Timedout",
                                      fmt::format("Task timed out after {:.2f} seconds", function.timeout_ms / 1000.0)),
                       "Sandbox.Timedout", {}},
                   completions);
            r.kill = true;
            r.timed_out = true;
          }
          // Without a limit, a runtime hanging in its Init (a module waiting for a connection)
          // would hold the invocations waiting for it, and a stop, for ever.
          if (r.phase == Runtime::Phase::starting && r.child && !r.init_error && r.init_deadline <= now) {
            r.init_error = error_document("Sandbox.Timedout",
                                          fmt::format("Init timed out after {:.2f} seconds", init_limit_ms() / 1000.0));
            r.kill = true;
          }
          if (r.kill && r.child) to_kill.push_back(&r);
          r.kill = false;
          if (r.phase == Runtime::Phase::down && !r.child && r.restart_at <= now && !waiting.empty()) {
            r.phase = Runtime::Phase::starting;
            to_start.push_back(&r);
          }
          auto until = [&](Clock::time_point t) {
            auto ms = std::chrono::ceil<std::chrono::milliseconds>(t - now).count();
            wait_ms = std::min(wait_ms, static_cast<int>(std::clamp<std::int64_t>(ms, 0, INT32_MAX)));
          };
          if (r.phase == Runtime::Phase::busy) until(r.current->deadline);
          if (r.phase == Runtime::Phase::starting && r.child && !r.init_error) until(r.init_deadline);
          if (r.phase == Runtime::Phase::down && !waiting.empty()) until(r.restart_at);
          if (r.child && !r.exit) until(now + std::chrono::milliseconds(kExitPollMs));
        }
      }
      for (Completion& c : completions) c.done(std::move(c.outcome));
      for (Runtime* r : to_kill) r->child->kill_group();
      for (Runtime* r : to_start) start(*r);

      // The descriptors are only closed on this thread: no lock to list them.
      std::vector<pollfd> fds{{wake.get(), POLLIN, 0}};
      std::vector<std::pair<Runtime*, int>> owners{{nullptr, 0}};
      for (auto& runtime : runtimes) {
        Runtime& r = *runtime;
        for (auto [fd, kind] : {std::pair{&r.out, 1}, std::pair{&r.err, 2}, std::pair{&r.exit, 3}}) {
          if (!*fd) continue;
          fds.push_back({fd->get(), POLLIN, 0});
          owners.emplace_back(&r, kind);
        }
      }
      if (::poll(fds.data(), fds.size(), wait_ms) < 0) {
        if (errno == EINTR) continue;
        throw std::system_error(errno, std::generic_category(), "poll");
      }
      if (fds[0].revents) {
        std::uint64_t count;
        [[maybe_unused]] ssize_t n = ::read(wake.get(), &count, sizeof count);
      }
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        auto [r, kind] = owners[i];
        std::lock_guard lock(r->output);
        if (kind == 1) drain(r->out, *r->out_lines, r->log, buffer);
        if (kind == 2) drain(r->err, *r->err_lines, r->log, buffer);
      }
      for (auto& runtime : runtimes)
        if (runtime->child && (runtime->exit ? has_revents(fds, runtime->exit.get()) : runtime->child->exited()))
          reap(*runtime, buffer);
    }
    // Stopping: every runtime goes, with what it still had to say.
    std::string buffer_end(1 << 16, '\0');
    for (auto& runtime : runtimes) {
      if (!runtime->child) continue;
      runtime->child->kill_group();
      reap(*runtime, buffer_end);
    }
  }

  static bool has_revents(const std::vector<pollfd>& fds, int fd) {
    return std::any_of(fds.begin(), fds.end(), [&](const pollfd& p) { return p.fd == fd && p.revents; });
  }

  enum class Drain {
    to_end,     // the supervisor's: closes the pipe at its end
    available,  // another thread's: leaves the pipe open, for the supervisor
  };

  // Reads what is ready on a runtime's output pipe into its lines (and the log being kept, if
  // one is). At most `limit` bytes, so that a background process writing on cannot hold us.
  // Under the runtime's output lock.
  static void drain(os::Fd& fd, stream::StderrLines& lines, std::optional<std::string>& log, std::string& buffer,
                    Drain how = Drain::to_end, std::size_t limit = SIZE_MAX) {
    for (std::size_t total = 0; fd && total < limit;) {
      ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
      if (n > 0) {
        std::string_view data(buffer.data(), static_cast<std::size_t>(n));
        lines.feed(data);
        if (log) {
          log->append(data);
          // Only the tail is returned: what is far before it goes, now and then.
          if (log->size() > 4 * kMaxLogTailBytes) log->erase(0, log->size() - kMaxLogTailBytes);
        }
        total += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if ((n < 0 && errno == EAGAIN) || how == Drain::available) return;
      lines.finish();  // its end (or an error reading it)
      fd.reset();
    }
  }

  // What the runtime has written until now, read by a thread other than the supervisor. Under the
  // runtime's output lock.
  static void drain_available(Runtime& r) {
    if (!r.out_lines) return;
    std::string buffer(4096, '\0');
    drain(r.out, *r.out_lines, r.log, buffer, Drain::available);
    drain(r.err, *r.err_lines, r.log, buffer, Drain::available);
  }

  void start(Runtime& r) {
    try {
      os::Pipe out = os::make_pipe(), err = os::make_pipe();
      os::set_nonblocking(out.read);
      os::set_nonblocking(err.read);
      os::Fd null{::open("/dev/null", O_RDONLY | O_CLOEXEC)};
      r.child.emplace(os::Spawn{argv, runtime_environment(function, r.api), function.code, null.get(),
                                out.write.get(), err.write.get()});
      r.exit = os::open_pidfd(r.child->pid());
      std::string label;
      {
        std::lock_guard lock(mutex);
        r.pid = r.child->pid();
        label = r.label.empty() ? function.name : r.label;
        r.init_deadline = Clock::now() + std::chrono::milliseconds(init_limit_ms());
      }
      std::lock_guard lock(r.output);
      r.out = std::move(out.read);
      r.err = std::move(err.read);
      r.shown_label = std::move(label);
      r.out_lines.emplace(r.shown_label);
      r.err_lines.emplace(r.shown_label);
    } catch (const std::system_error& e) {
      // A runtime that cannot start (no node, no python3) fails an invocation, as one that exits.
      stream::StderrLines(function.name).feed(fmt::format("cannot start {}: {}\n", argv.front(), e.what()));
      std::vector<Completion> completions;
      {
        std::lock_guard lock(mutex);
        went_down(r, failure("Runtime.ExitError", fmt::format("cannot start the runtime: {}", e.what())), completions);
      }
      for (Completion& c : completions) c.done(std::move(c.outcome));
    }
  }

  std::int64_t init_limit_ms() const { return std::max(function.init_timeout_ms, function.timeout_ms); }

  // The runtime's process has exited: reaps it and settles what it was doing.
  void reap(Runtime& r, std::string& buffer) {
    int status = r.child->wait();
    r.child.reset();
    r.exit.reset();
    {
      std::lock_guard lock(r.output);
      // What it wrote before it ended, no more than a pipe holds.
      drain(r.out, *r.out_lines, r.log, buffer, Drain::to_end, 1 << 16);
      drain(r.err, *r.err_lines, r.log, buffer, Drain::to_end, 1 << 16);
      r.out_lines->finish();
      r.err_lines->finish();
      r.out.reset();
      r.err.reset();
    }
    std::vector<Completion> completions;
    {
      std::lock_guard lock(mutex);
      std::string message = status > 128 ? fmt::format("Runtime exited with signal {}", status - 128)
                                         : fmt::format("Runtime exited with error: exit status {}", status);
      went_down(r, failure("Runtime.ExitError", message), completions);
    }
    for (Completion& c : completions) c.done(std::move(c.outcome));
  }

  // A runtime has no process any more: the invocation it had fails with `why`, or, when it never
  // asked for one, the oldest waiting invocation does (with its /init/error document, if it
  // posted one). Under the lock.
  void went_down(Runtime& r, Outcome why, std::vector<Completion>& completions) {
    bool started = r.phase != Runtime::Phase::starting;
    if (r.init_error) why = {Outcome::Status::error, std::move(*r.init_error), "Runtime.InitError", {}};
    r.init_error.reset();
    if (r.current) {
      finish(r, std::move(why), completions);
    } else if (!started && !waiting.empty() && !stopping) {
      completions.push_back({std::move(waiting.front().done), std::move(why)});
      waiting.pop_front();
    }
    serve::Responder dropped = std::move(r.next);  // its client is gone
    r.phase = Runtime::Phase::down;
    r.pid = 0;
    r.restart_at = Clock::now();
    if (!std::exchange(r.timed_out, false)) {  // a runtime killed at a deadline is not at fault
      r.restart_at += std::chrono::milliseconds(r.backoff_ms);
      r.backoff_ms = std::min(r.backoff_ms * 2, kMaxBackoffMs);
    }
  }
};

std::string Outcome::describe() const {
  if (status == Status::ok) return "ok";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view type = error_type, message;
  if (!parser.parse(payload).get(root)) {
    std::string_view member;
    if (!root["errorType"].get(member)) type = member;  // the error's own name, over its kind
    if (!root["errorMessage"].get(member)) message = member;
  }
  if (message.empty()) return std::string(type.empty() ? "error" : type);
  return fmt::format("{}: {}", type.empty() ? "error" : type, message);
}

Pool::Pool(Function function, unsigned size) : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.function = std::move(function);
  s.arn = s.function.arn();
  s.argv = runtime_command(s.function);
  s.wake = os::Fd{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
  if (!s.wake) throw std::system_error(errno, std::generic_category(), "eventfd");
  for (unsigned i = 0; i < std::max(size, 1u); ++i) {
    auto runtime = std::make_unique<Runtime>();
    Runtime* r = runtime.get();
    r->index = i;
    serve::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.threads = 1;
    options.body_limit = [](const serve::Request&) { return kMaxBodyBytes; };
    r->server = std::make_unique<serve::Server>(
        options, [&s, r](serve::Request request, serve::Responder responder) {
          s.serve(*r, std::move(request), std::move(responder));
        });
    r->api = r->server->local_address();
    r->phase = Runtime::Phase::starting;
    s.runtimes.push_back(std::move(runtime));
  }
  for (auto& runtime : s.runtimes) runtime->serving = std::thread([r = runtime.get()] { r->server->run(); });
  // Warm from the start: the first batch finds its runtimes initialised.
  for (auto& runtime : s.runtimes) s.start(*runtime);
  s.supervisor = std::thread([&s] { s.supervise(); });
}

Pool::~Pool() {
  State& s = *state_;
  std::vector<Completion> completions;
  std::vector<serve::Responder> held;
  {
    std::lock_guard lock(s.mutex);
    s.closed = s.stopping = true;
    for (Invocation& invocation : s.waiting) completions.push_back({std::move(invocation.done), stopped()});
    s.waiting.clear();
    for (auto& runtime : s.runtimes) {
      if (runtime->current) s.finish(*runtime, stopped(), completions);
      held.push_back(std::move(runtime->next));
    }
  }
  s.notify();
  s.supervisor.join();
  for (Completion& c : completions) c.done(std::move(c.outcome));
  held.clear();
  for (auto& runtime : s.runtimes) runtime->server->stop();
  for (auto& runtime : s.runtimes) runtime->serving.join();
}

const Function& Pool::function() const { return state_->function; }

void Pool::invoke(std::string event, std::string label, Done done, Log log) {
  State& s = *state_;
  std::unique_lock lock(s.mutex);
  if (s.closed) {
    lock.unlock();
    done(stopped());
    return;
  }
  s.waiting.push_back({aws::request_id(), std::move(event), std::move(label), std::move(done), log, {}, {}});
  std::vector<Delivery> deliveries;
  s.dispatch(deliveries);
  // A runtime that is down is wanted now: the supervisor starts it. (The others ask for the
  // event by themselves: no thread is woken for them.)
  if (!s.waiting.empty() && std::any_of(s.runtimes.begin(), s.runtimes.end(), [](const auto& r) {
        return r->phase == Runtime::Phase::down;
      }))
    s.notify();
  lock.unlock();
  for (Delivery& d : deliveries) s.deliver(d);
}

Outcome Pool::invoke(std::string event, std::string label, Log log) {
  std::promise<Outcome> promise;
  std::future<Outcome> outcome = promise.get_future();
  invoke(std::move(event), std::move(label), [&promise](Outcome o) { promise.set_value(std::move(o)); }, log);
  return outcome.get();
}

void Pool::close() {
  State& s = *state_;
  std::vector<Completion> completions;
  {
    std::lock_guard lock(s.mutex);
    s.closed = true;
    for (Invocation& invocation : s.waiting) completions.push_back({std::move(invocation.done), stopped()});
    s.waiting.clear();
  }
  for (Completion& c : completions) c.done(std::move(c.outcome));
}

}  // namespace millrace::runtime
