// FunctionRoutes: gw-serve's functions, reached over HTTP as on AWS:
//
//   a --route 'METHOD /path=FILE.FUNCTION'     API Gateway's Lambda proxy integration: the
//                                              request becomes the function's event
//                                              (runtime/proxy_event.h), its result the answer
//   POST /2015-03-31/functions/NAME/invocations
//                                              Lambda's Invoke: the body is the event, the
//                                              answer the function's result, as `aws lambda
//                                              invoke` and the AWS runtime interface emulator
//                                              (`sam local`) take it
//
// Each handler is a function with its own warm runtimes (runtime/pool.h), which Invoke knows by
// its name (runtime::function_name: "index-handler"). When there is one function, Invoke also
// knows it as "function", as the emulator does.
//
// Requests that none of these take go to the next handler: the AWS APIs and the store's routes.
// Functions are reached as API Gateway's routes with no authorisation are: signatures are not
// checked.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/function.h"
#include "runtime/pool.h"
#include "runtime/proxy_event.h"
#include "serve/request_metrics.h"
#include "serve/server.h"

namespace millrace::runtime {

// Points the AWS SDK calls of `functions` without an --endpoint at `endpoint`, the gw-serve that
// runs them; where gw-serve takes any key (`any_key`), gives them placeholder keys
// (give_placeholder_keys).
void call_back(std::vector<Function>& functions, const std::string& endpoint, bool any_key);

class FunctionRoutes {
 public:
  // Starts `parallel` runtimes for each of `functions`, which hold every handler of `routes`
  // (and may hold others, reached by Invoke only). Throws what Routes and Pool throw.
  FunctionRoutes(std::vector<Route> routes, std::vector<Function> functions, unsigned parallel);
  ~FunctionRoutes();

  bool empty() const { return pools_.empty(); }
  // Ends what waits for a runtime now (Pool::close), so that a stop does not wait for a
  // restart's back-off; the invocations at a runtime run to their end. Thread-safe.
  void close();

  // The server's handler: requests for the functions to them, the others to `next`. With
  // `metrics`, each request the functions take is recorded there (metrics/api_gateway.h) under
  // its route's method and resource ("GET /users/{id}"), or Invoke's.
  serve::Handler in_front_of(serve::Handler next, serve::RequestMetrics* metrics = nullptr);
  // The body limit: Lambda's 6 MB payload for the functions (API Gateway's is 10 MB, but the
  // event must hold the body), `next`'s for the others.
  serve::BodyLimit body_limit_in_front_of(serve::BodyLimit next) const;

 private:
  bool take(serve::Request& request, serve::Responder& responder, serve::RequestMetrics* metrics);
  void proxy(const serve::Request& request, const RouteMatch& match, serve::Responder responder);
  void invoke(const serve::Request& request, std::string_view encoded_name, serve::Responder responder);

  Routes routes_;
  std::map<const Route*, std::string> operations_;  // of each route of routes_
  std::map<std::string, std::unique_ptr<Pool>, std::less<>> pools_;  // by handler
  std::map<std::string, Pool*, std::less<>> by_name_;
  std::string api_id_;
};

}  // namespace millrace::runtime
