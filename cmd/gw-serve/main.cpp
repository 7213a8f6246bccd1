// gw-serve [-S DIR] [--listen ADDR:PORT] [--credentials FILE] [--shard-limits] [--sync full|none] [--threads N]
//          [--route 'METHOD /PATH=FILE.FUNCTION' ...] [--handler FILE.FUNCTION]
//          [--runtime nodejs|python | --runtime-cmd CMD] [--code DIR] [--env NAME=VALUE ...] [--memory MB]
//          [--endpoint URL] [--timeout DURATION] [--parallel N]
#include <malloc.h>

#include "cli/app.h"
#include "cli/diagnostics.h"
#include "cli/options.h"
#include "runtime/function_options.h"
#include "runtime/function_routes.h"
#include "serve/gateway.h"
#include "serve/request_log.h"
#include "serve/request_metrics.h"
#include "serve/server.h"
#include "serve/signals.h"
#include "store/env.h"
#include "store/notify.h"

using namespace millrace;

int main(int argc, char** argv) {
  cli::App app{"gw-serve", "gw-serve: the store behind the Kinesis API and API Gateway's routes, over HTTP/1.1 and HTTP/2"};
  CLI::App& cli = app.parser();
  serve::ServerOptions server;
  serve::GatewayOptions gateway_options;
  store::Sync sync = store::Sync::full;
  cli.add_option("--listen", server.listen, "serve on this address and port (default 127.0.0.1:4566)")
      ->option_text("ADDR:PORT");
  cli.add_option("--credentials", gateway_options.credentials,
                 "verify every request's SigV4 signature with the keys of this AWS credentials file")
      ->option_text("FILE");
  cli.add_flag("--shard-limits", gateway_options.shard_limits,
               "refuse puts past a shard's 1000 records and 1 MiB a second, as Kinesis");
  cli::add_sync(cli, sync, "answer a put once fsynced (full) or once committed (none)");
  cli.add_option("--threads", server.threads, "threads serving connections (default: one per core)")
      ->check(CLI::Range(1, 256))
      ->option_text("N");
  std::vector<std::string> route_texts;
  runtime::Function function;
  std::int64_t timeout_ms = 29'000;
  unsigned parallel = 1;
  cli.add_option("--route", route_texts, "answer METHOD /PATH with a handler, as API Gateway's proxy integration")
      ->option_text("'METHOD /PATH=FILE.FUNCTION'");
  runtime::FunctionOptions function_options(cli, function);
  cli::add_duration(cli, "--timeout", timeout_ms, "a handler running longer is killed and answered 504 (default 29s)");
  cli.add_option("--parallel", parallel, "warm runtimes of each handler (default 1)")
      ->check(CLI::Range(1, 256))
      ->option_text("N");

  // A GetRecords answer is megabytes, made and freed a hundred times a second: kept by malloc
  // for the next rather than mapped, page-faulted, zeroed and unmapped each time (glibc's
  // thresholds, 128 KiB at first), which took a third of GetRecords' time. The resident set
  // stays at the peak that the answers in flight reach.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  return app.run(argc, argv, [&] {
    std::vector<runtime::Route> routes;
    for (const std::string& text : route_texts) routes.push_back(runtime::parse_route(text));
    function_options.refuse_unused(!routes.empty() || function_options.given());
    store::Env env(app.store_dir(), store::Access::write, sync);
    store::Notifier notifier(env.dir());
    serve::RequestMetrics metrics(env);  // written last, once every request is answered
    serve::Gateway gateway(env, notifier, gateway_options, &metrics);
    // The functions' runtimes need the server's address (their SDK calls come back to it), and
    // the server its handler: both are set once the server is bound, before it runs.
    serve::Handler handler = serve::handler_of(gateway);
    serve::BodyLimit body_limit = serve::body_limit_of(gateway);
    server.body_limit = [&body_limit](const serve::Request& head) { return body_limit(head); };
    if (cli::verbosity() == cli::Verbosity::verbose)
      server.log = [](const serve::RequestLog& entry) { cli::note("", "{}", serve::log_line(entry)); };
    serve::Server http(server, [&handler](serve::Request request, serve::Responder responder) {
      handler(std::move(request), std::move(responder));
    });
    std::vector<runtime::Function> functions = function_options.functions_of(routes);
    runtime::call_back(functions, "http://" + http.local_address(), gateway_options.credentials.empty());
    for (runtime::Function& f : functions) f.timeout_ms = timeout_ms;
    std::optional<runtime::FunctionRoutes> function_routes;
    if (!functions.empty()) {
      function_routes.emplace(std::move(routes), std::move(functions), parallel);
      handler = function_routes->in_front_of(std::move(handler), &metrics);
      body_limit = function_routes->body_limit_in_front_of(std::move(body_limit));
    }
    gateway.on_store_failure([&http] { http.stop(); });
    cli::warn("", "listening on http://{}", http.local_address());
    serve::run_until_signal(http, [&function_routes] {
      if (function_routes) function_routes->close();
    });
    if (auto failure = env.failure()) throw *failure;  // a commit failed: 74, once drained
  });
}
