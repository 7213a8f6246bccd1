#include "runtime/function_routes.h"

#include <utility>

#include <fmt/format.h>

#include "aws/request_id.h"
#include "aws/text.h"
#include "cli/diagnostics.h"
#include "cli/error.h"
#include "lines/json.h"
#include "lines/time.h"

namespace millrace::runtime {
namespace {

constexpr std::string_view kInvokePrefix = "/2015-03-31/functions/";
constexpr std::string_view kInvokeSuffix = "/invocations";
// The API and stage that every event names, those of `sam local start-api`.
constexpr std::string_view kApiId = "1234567890";
constexpr std::string_view kStage = "local";

// Lambda's REST errors: the type in x-amzn-ErrorType, and {"Type": "User", "Message": ...}.
serve::Response lambda_error(int status, std::string_view type, std::string_view message) {
  serve::Response response = serve::Response::json(
      status, fmt::format("{{\"Type\":\"User\",\"Message\":{}}}", lines::json_string(message)));
  response.headers.set("x-amzn-ErrorType", std::string(type));
  return response;
}

}  // namespace

void call_back(std::vector<Function>& functions, const std::string& endpoint, bool any_key) {
  for (Function& f : functions) {
    if (!f.endpoint.empty()) continue;
    f.endpoint = endpoint;
    if (any_key) give_placeholder_keys(f);
  }
}

FunctionRoutes::FunctionRoutes(std::vector<Route> routes, std::vector<Function> functions, unsigned parallel)
    : routes_(std::move(routes)) {
  for (const CompiledRoute& compiled : routes_.all())
    operations_.emplace(&compiled.route, fmt::format("{} {}", compiled.route.method, compiled.route.path));
  for (Function& function : functions) {
    std::string handler = function.handler;
    if (pools_.contains(handler)) continue;
    auto pool = std::make_unique<Pool>(std::move(function), parallel);
    by_name_.emplace(pool->function().name, pool.get());
    pools_.emplace(std::move(handler), std::move(pool));
  }
  if (pools_.size() == 1) by_name_.emplace("function", pools_.begin()->second.get());
}

FunctionRoutes::~FunctionRoutes() = default;

void FunctionRoutes::close() {
  for (auto& [handler, pool] : pools_) pool->close();
}

serve::Handler FunctionRoutes::in_front_of(serve::Handler next, serve::RequestMetrics* metrics) {
  return [this, next = std::move(next), metrics](serve::Request request, serve::Responder responder) {
    if (!take(request, responder, metrics)) next(std::move(request), std::move(responder));
  };
}

serve::BodyLimit FunctionRoutes::body_limit_in_front_of(serve::BodyLimit next) const {
  return [this, next = std::move(next)](const serve::Request& head) {
    std::string_view path = head.path();
    if (path.starts_with(kInvokePrefix) || routes_.match(head.method, path)) return kMaxPayloadBytes;
    return next(head);
  };
}

namespace {

// Whether `path` is Lambda's Invoke of a function.
bool is_invoke(std::string_view path) {
  return path.starts_with(kInvokePrefix) && path.ends_with(kInvokeSuffix) &&
         path.size() > kInvokePrefix.size() + kInvokeSuffix.size();
}

}  // namespace

bool FunctionRoutes::take(serve::Request& request, serve::Responder& responder, serve::RequestMetrics* metrics) {
  std::string_view path = request.path();
  if (is_invoke(path)) {
    std::string_view name = path.substr(kInvokePrefix.size(), path.size() - kInvokePrefix.size() - kInvokeSuffix.size());
    if (metrics) responder = serve::recording(std::move(responder), *metrics, "POST /2015-03-31/functions/{FunctionName}/invocations");
    invoke(request, name, std::move(responder));
    return true;
  }
  auto match = routes_.match(request.method, path);
  if (!match) return false;
  if (metrics) responder = serve::recording(std::move(responder), *metrics, operations_.at(match->route));
  proxy(request, *match, std::move(responder));
  return true;
}

void FunctionRoutes::proxy(const serve::Request& request, const RouteMatch& match, serve::Responder responder) {
  std::string id = aws::request_id();
  std::string event = proxy_event(request, match, {kApiId, kStage, id, lines::now_ms()});
  std::string label = fmt::format("{} {}", match.route->method, match.route->path);
  Pool& pool = *pools_.at(match.route->handler);
  auto answer = std::make_shared<serve::Responder>(std::move(responder));
  pool.invoke(std::move(event), label, [answer, id, label](Outcome outcome) {
    if (outcome.status == Outcome::Status::timed_out) return answer->send(timeout_answer(id));
    if (outcome.status != Outcome::Status::ok) {  // an error, or stopped
      cli::warn(label, "handler {}", outcome.describe());
      return answer->send(function_error_answer(id));
    }
    ProxyAnswer proxied = proxy_answer(outcome.payload, id);
    if (proxied.malformed) cli::warn(label, "malformed Lambda proxy response: {}", *proxied.malformed);
    answer->send(std::move(proxied.response));
  });
}

void FunctionRoutes::invoke(const serve::Request& request, std::string_view encoded_name, serve::Responder responder) {
  if (request.method != "POST") return responder.send(lambda_error(405, "InvalidRequestContentException", "Invoke takes POST"));
  // A name or an ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME, or ACCOUNT:function:NAME),
  // either with a :QUALIFIER: its name.
  std::string decoded = aws::percent_decode(encoded_name);
  std::string_view qualified = decoded;  // NAME[:QUALIFIER]
  if (std::size_t function = qualified.find(":function:"); function != std::string_view::npos)
    qualified.remove_prefix(function + 10);
  std::string_view name = qualified.substr(0, qualified.find(':'));
  auto pool = by_name_.find(name);
  if (pool == by_name_.end()) {
    // Lambda names the function by its ARN, qualifier included ("Function not found:
    // arn:aws:lambda:us-east-1:123456789012:function:my-function:prod").
    Function unknown;
    unknown.name = qualified;
    return responder.send(
        lambda_error(404, "ResourceNotFoundException", fmt::format("Function not found: {}", unknown.arn())));
  }
  std::string_view type = request.headers.find("X-Amz-Invocation-Type").value_or("RequestResponse");
  if (type == "DryRun") return responder.send(serve::Response{204, {}, {}});
  if (type != "RequestResponse" && type != "Event")
    return responder.send(lambda_error(400, "InvalidParameterValueException",
                                       fmt::format("X-Amz-Invocation-Type {} is not RequestResponse, Event or DryRun", type)));
  std::string event = request.body.empty() ? "{}" : request.body;
  std::string label(pool->second->function().name);
  std::string_view log_type = request.headers.find("X-Amz-Log-Type").value_or("None");
  if (log_type != "None" && log_type != "Tail")
    return responder.send(lambda_error(400, "InvalidParameterValueException",
                                       fmt::format("X-Amz-Log-Type {} is not None or Tail", log_type)));
  // Lambda returns no log for an asynchronous invocation.
  Pool::Log log = log_type == "Tail" && type == "RequestResponse" ? Pool::Log::tail : Pool::Log::none;
  if (type == "Event") {  // asynchronous: accepted now, its outcome only logged
    pool->second->invoke(std::move(event), label, [label](Outcome outcome) {
      if (outcome.status != Outcome::Status::ok) cli::warn(label, "handler {}", outcome.describe());
    });
    serve::Response accepted{202, {}, {}};
    accepted.headers.set("x-amzn-RequestId", aws::request_id());
    return responder.send(std::move(accepted));
  }
  auto answer = std::make_shared<serve::Responder>(std::move(responder));
  pool->second->invoke(
      std::move(event), label,
      [answer, log](Outcome outcome) {
        serve::Response response = serve::Response::json(200, std::move(outcome.payload));
        response.headers.set("X-Amz-Executed-Version", "$LATEST");
        response.headers.set("x-amzn-RequestId", aws::request_id());
        if (outcome.status != Outcome::Status::ok) response.headers.set("X-Amz-Function-Error", "Unhandled");
        if (log == Pool::Log::tail) {
          std::string encoded;
          lines::append_base64(encoded, outcome.log);
          response.headers.set("X-Amz-Log-Result", std::move(encoded));
        }
        answer->send(std::move(response));
      },
      log);
}

}  // namespace millrace::runtime
