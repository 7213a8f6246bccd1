#include "serve/gateway.h"

#include <fmt/format.h>
#include <zlib.h>

#include <chrono>
#include <iterator>
#include <mutex>

#include "cli/error.h"
#include "aws/credentials.h"
#include "aws/query_protocol.h"
#include "aws/request_id.h"
#include "aws/text.h"
#include "lines/json.h"
#include "lines/time.h"
#include "lines/reader.h"
#include "serve/dynamodb_api.h"
#include "serve/dynamodb_request.h"
#include "serve/item_committer.h"
#include "serve/cloudwatch_api.h"
#include "serve/item_route.h"
#include "serve/kinesis_api.h"
#include "serve/record_committer.h"
#include "serve/shard_limits.h"
#include "store/names.h"
#include "store/sequence.h"
#include "stream/put_parser.h"

namespace millrace::serve {
namespace {

constexpr std::string_view kKinesisTarget = "Kinesis_20131202.";
constexpr std::string_view kDynamoDbTarget = "DynamoDB_20120810.";
constexpr std::string_view kCloudWatchTarget = "GraniteServiceVersion20100801.";
constexpr std::string_view kStreamsRoute = "/streams/";
// The APIs' bodies: DynamoDB's limit on a request (a BatchWriteItem of 25 items of 400 KB, as
// JSON), which is also room for Kinesis' PutRecords of 5 MiB in base64.
constexpr std::size_t kApiBodyLimit = 16 << 20;
// The routes: JSON lines up to PutRecords' 5 MiB.
constexpr std::size_t kRouteBodyLimit = 5 << 20;

// The answer of the DynamoDB API: JSON 1.0, with the CRC32 of its body (zlib's), as DynamoDB
// sends it and its SDKs check.
HttpAnswer dynamodb_answer(ApiAnswer answer) {
  auto crc = crc32(0L, reinterpret_cast<const Bytef*>(answer.body.data()), static_cast<uInt>(answer.body.size()));
  HttpAnswer http{answer.status, "application/x-amz-json-1.0", std::move(answer.body), {}};
  http.headers.emplace_back("x-amz-crc32", std::to_string(crc));
  return http;
}

}  // namespace

HttpAnswer HttpAnswer::message(int status, std::string_view text) {
  std::string body = "{\"message\":";
  // A message may quote the request's own bytes (a path), which need not be UTF-8.
  lines::append_json_text(body, text);
  return HttpAnswer{status, "application/json", body + "}", {}};
}

struct Gateway::State {
  State(store::Env& e, store::Notifier& notifier, const GatewayOptions& options, RequestMetrics* m)
      : env(e),
        metrics(m),
        limits(options.shard_limits ? std::make_unique<ShardLimits>() : nullptr),
        committer(env, notifier),
        kinesis(env, committer, options.region, limits.get()),
        items(env),
        dynamodb(env, items, options.region),
        cloudwatch(env) {
    if (!options.credentials.empty())
      verifier.emplace(aws::CredentialStore::from_file(options.credentials));
  }

  store::Env& env;
  RequestMetrics* metrics;  // null: nothing is recorded
  std::function<void()> stop_on_failure;
  std::once_flag failure_told;
  std::unique_ptr<ShardLimits> limits;  // null: puts are not limited
  RecordCommitter committer;  // every put of every route and API shares its commits
  KinesisApi kinesis;
  ItemCommitter items;  // every write of the DynamoDB API shares its commits
  DynamoDbApi dynamodb;
  CloudWatchApi cloudwatch;
  std::optional<aws::Verifier> verifier;

  // The refusal of the request's signature, or nullopt when it is taken.
  std::optional<aws::Refusal> refusal(const HttpCall& call, std::string_view path, std::string_view query,
                                      std::string_view service) const {
    if (!verifier) return std::nullopt;
    aws::RequestView request{call.method, path, query, call.headers, call.body, {}};
    aws::SigningTime now{std::chrono::seconds(lines::now_ms() / 1000)};
    return verifier->verify(request, now, service).refusal;
  }

  // Names the operation of `call` for its metrics.
  static void name(HttpCall& call, std::string_view operation) {
    if (call.operation) *call.operation = operation;
  }

  // Calls `answer` once the request metrics kept are written, so that a read of the metrics
  // sees every request answered before it; at once without them.
  void after_metrics(std::function<void()> answer) {
    if (metrics) return metrics->write_then(std::move(answer));
    answer();
  }

  // CloudWatch: JSON 1.0 as the SDKs of today send it, the query protocol as Debian's aws CLI
  // and boto3 do. A JSON error also names its query code (x-amzn-query-error), as CloudWatch's
  // JSON protocol does for the clients that know the codes of the query protocol.
  static HttpAnswer cloudwatch_json_answer(std::variant<std::string, aws::ApiError> result) {
    if (auto* error = std::get_if<aws::ApiError>(&result)) {
      HttpAnswer answer{error->status, "application/x-amz-json-1.0", ApiAnswer::of(*error).body, {}};
      answer.headers.emplace_back("x-amzn-query-error", fmt::format("{};{}", aws::query_error_code(aws::model::cloudwatch, error->type),
                                                                     error->status >= 500 ? "Receiver" : "Sender"));
      return answer;
    }
    return HttpAnswer{200, "application/x-amz-json-1.0", std::move(std::get<std::string>(result)), {}};
  }

  void cloudwatch_json(HttpCall& call, std::string_view path, std::string_view operation, std::function<void(HttpAnswer)>& done) {
    if (auto refused = refusal(call, path, "", "monitoring"))
      return done(cloudwatch_json_answer(aws::ApiError{400, std::string(refused->type), refused->message}));
    after_metrics([this, operation = std::string(operation), body = std::move(call.body), done = std::move(done)] {
      done(cloudwatch_json_answer(cloudwatch.answer(operation, body)));
    });
  }

  void cloudwatch_query(HttpCall& call, std::string_view path, std::function<void(HttpAnswer)>& done) {
    std::string id = aws::request_id();
    auto xml_error = [id](const aws::ApiError& error) {
      return HttpAnswer{error.status, "text/xml", aws::encode_query_error(aws::model::cloudwatch, error, id), {}};
    };
    if (auto refused = refusal(call, path, "", "monitoring"))
      return done(xml_error(aws::ApiError{403, std::string(refused->type), refused->message}));
    auto decoded = aws::decode_query(aws::model::cloudwatch, call.body);
    if (auto* error = std::get_if<aws::ApiError>(&decoded)) return done(xml_error(*error));
    name(call, api_operation(aws::model::cloudwatch, std::get<aws::QueryCall>(decoded).operation->name));
    after_metrics([this, query = std::get<aws::QueryCall>(std::move(decoded)), id, xml_error, done = std::move(done)] {
      auto result = cloudwatch.answer(query.operation->name, query.json);
      if (auto* error = std::get_if<aws::ApiError>(&result)) return done(xml_error(*error));
      done(HttpAnswer{200, "text/xml",
                      aws::encode_query_answer(aws::model::cloudwatch, *query.operation, std::get<std::string>(result), id), {}});
    });
  }

  void api(HttpCall& call, std::string_view path, std::function<void(HttpAnswer)>& done) {
    std::optional<std::string_view> target = call.header("x-amz-target");
    if (target) name(call, api_operation(*target));
    if (target && target->starts_with(kCloudWatchTarget))
      return cloudwatch_json(call, path, target->substr(kCloudWatchTarget.size()), done);
    if (!target && aws::is_query_request(call.header("content-type").value_or(""), call.body))
      return cloudwatch_query(call, path, done);
    if (target && target->starts_with(kDynamoDbTarget)) {
      if (auto refused = refusal(call, path, "", "dynamodb"))
        return done(dynamodb_answer(dynamodb::answer_of(aws::ApiError{400, std::string(refused->type), refused->message})));
      return dynamodb.call(target->substr(kDynamoDbTarget.size()), call.body,
                           [done](ApiAnswer answer) { done(dynamodb_answer(std::move(answer))); }, call.reads);
    }
    if (!target || !target->starts_with(kKinesisTarget)) {
      std::string type = target ? "UnknownOperationException" : "MissingAuthenticationTokenException";
      return done(HttpAnswer{400, "application/x-amz-json-1.1",
                             fmt::format("{{\"__type\":\"{}\",\"message\":\"{}\"}}", type,
                                         target ? "No operation named by X-Amz-Target" : "Missing X-Amz-Target"), {}});
    }
    if (auto refused = refusal(call, path, "", "kinesis"))
      return done(HttpAnswer{400, "application/x-amz-json-1.1",
                             ApiAnswer::of(aws::ApiError{400, std::string(refused->type), refused->message}).body, {}});
    // The answer is sent after `call` is gone: the API keeps what it needs.
    kinesis.call(target->substr(kKinesisTarget.size()), call.body, [done](ApiAnswer answer) {
      done(HttpAnswer{answer.status, "application/x-amz-json-1.1", std::move(answer.body), {}});
    });
  }

  // POST /streams/NAME: the records of the body, put as ks-put puts lines.
  void put_route(HttpCall& call, std::string_view path, std::string_view query, std::function<void(HttpAnswer)>& done) {
    if (auto refused = refusal(call, path, query, {})) return done(HttpAnswer::message(403, refused->message));
    std::string stream(path.substr(kStreamsRoute.size()));
    if (auto problem = store::check_name(stream)) return done(HttpAnswer::message(400, fmt::format("stream name: {}", *problem)));
    stream::PutOptions options;
    if (auto key = aws::query_parameter(query, "key")) {
      if (key->empty()) return done(HttpAnswer::message(400, "?key= names no field"));
      options.key_field.emplace(*key);
    } else if (auto header = call.header("x-partition-key")) {
      if (auto problem = store::check_partition_key(*header)) return done(HttpAnswer::message(400, fmt::format("X-Partition-Key: {}", *problem)));
      options.partition_key.emplace(*header);
    }
    bool many = call.header("content-type").value_or("").starts_with("application/x-ndjson");
    // The body's lines, each followed by readable padding as the JSON validator wants.
    std::string body = std::move(call.body);
    std::size_t size = body.size();
    body.append(lines::kPadding, '\0');
    stream::PutParser parser(options);
    auto batch = std::make_shared<stream::Batch>();
    std::uint64_t number = 0;
    for (std::size_t at = 0; at < size;) {
      std::size_t end = body.find('\n', at);
      if (end == std::string::npos || end > size) end = size;
      std::string_view text(body.data() + at, end - at);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      at = end + 1;
      ++number;
      if (text.empty() && many) continue;
      lines::Line line{text, "body", number, text.size() > store::kMaxRecordBytes};
      if (auto problem = parser.parse(line, *batch))
        return done(HttpAnswer::message(line.too_long ? 413 : 400, many ? fmt::format("line {}: {}", number, *problem) : *problem));
      if (!many && at < size) return done(HttpAnswer::message(400, "one JSON record per request; send JSON lines as application/x-ndjson"));
    }
    if (batch->empty()) return done(HttpAnswer::message(400, "no record in the body"));
    RecordBatch records;
    records.stream = stream;
    batch->append_puts(records.puts);
    records.bytes = batch;
    std::vector<std::string> refusals = limits ? limits->throttle(env, stream, records.puts) : std::vector<std::string>{};
    if (!refusals.empty() && !many) return done(HttpAnswer::message(429, refusals[0]));
    if (records.puts.empty()) return done(HttpAnswer{200, "application/json", put_records_result({}, refusals), {}});
    records.done = [done, many, stream, refusals = std::move(refusals)](const std::vector<store::Position>& placed,
                                                                        std::exception_ptr failure) {
      if (failure) {
        try {
          std::rethrow_exception(failure);
        } catch (const cli::Error& e) {
          return done(HttpAnswer::message(e.status() == cli::Exit::no_input ? 404 : 500, fmt::format("{}: {}", stream, e.what())));
        } catch (const std::exception& e) {
          return done(HttpAnswer::message(500, e.what()));
        }
      }
      std::string out = many ? put_records_result(placed, refusals)
                             : fmt::format("{{\"ShardId\":\"{}\",\"SequenceNumber\":\"{}\"}}",
                                           store::shard_id(placed[0].shard), store::format_sequence(placed[0]));
      done(HttpAnswer{200, "application/json", std::move(out), {}});
    };
    committer.submit(std::move(records));
  }
};

Gateway::Gateway(store::Env& env, store::Notifier& notifier, const GatewayOptions& options, RequestMetrics* metrics)
    : state_(std::make_unique<State>(env, notifier, options, metrics)) {}

std::optional<std::string_view> HttpCall::header(std::string_view name) const {
  aws::RequestView view{method, target, {}, headers, {}, {}};
  return view.header(name);
}

Gateway::~Gateway() = default;

std::size_t Gateway::body_limit(std::string_view method, std::string_view target) const {
  if (method != "POST") return 0;
  return target == "/" || target.starts_with("/?") ? kApiBodyLimit : kRouteBodyLimit;
}

void Gateway::handle(HttpCall call, std::function<void(HttpAnswer)> done) {
  std::string_view target = call.target;
  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  if (path == "/") {
    if (call.method != "POST") return done(HttpAnswer::message(405, "the AWS APIs take POST /"));
    return state_->api(call, path, done);
  }
  bool get = call.method == "GET" || call.method == "HEAD";
  if (path == "/metrics") {
    if (!get) return done(HttpAnswer::message(405, "GET /metrics"));
    State::name(call, "GET /metrics");
    if (auto refused = state_->refusal(call, path, query, {})) return done(HttpAnswer::message(403, refused->message));
    return state_->after_metrics([this, done = std::move(done)] {
      done(HttpAnswer{200, "text/plain; version=0.0.4; charset=utf-8", state_->cloudwatch.prometheus_text(), {}});
    });
  }
  if (path == "/health") {
    if (!get) return done(HttpAnswer::message(405, "GET /health"));
    State::name(call, "GET /health");
    return done(HttpAnswer{200, "application/json", "{\"status\":\"ok\"}", {}});
  }
  if (path.starts_with(kTablesRoute)) {
    if (call.method != "GET") return done(HttpAnswer::message(405, fmt::format("{} takes GET", path)));
    State::name(call, "GET /tables/{TableName}/items/{Key+}");
    if (auto refused = state_->refusal(call, path, query, {})) return done(HttpAnswer::message(403, refused->message));
    return done(get_items(state_->env, path, query, call.reads));
  }
  if (path.starts_with(kStreamsRoute) && path.size() > kStreamsRoute.size()) {
    if (call.method != "POST") return done(HttpAnswer::message(405, fmt::format("{} takes POST", path)));
    State::name(call, "POST /streams/{StreamName}");
    return state_->put_route(call, path, query, done);
  }
  done(HttpAnswer::message(404, fmt::format("no route for {} {}", call.method, path)));
}

RequestMetrics* Gateway::metrics() const { return state_->metrics; }

void Gateway::on_store_failure(std::function<void()> stop) { state_->stop_on_failure = std::move(stop); }

void Gateway::check_store() {
  if (!state_->stop_on_failure || !state_->env.failure()) return;
  std::call_once(state_->failure_told, state_->stop_on_failure);
}

Handler handler_of(Gateway& gateway) {
  // What an answer given after the call needs: the request's Responder, and for its metrics its
  // operation and when it came.
  struct Pending {
    explicit Pending(Responder r) : responder(std::move(r)) {}
    Responder responder;
    std::string_view operation;
    std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
    dynamodb::ReadUsage reads;
  };
  return [&gateway](Request request, Responder responder) {
    std::vector<aws::HeaderField> fields;
    fields.reserve(request.headers.size());
    for (const Header& header : request.headers) fields.push_back({header.name, header.value});
    // The answer may come from the commit thread, after this call: the Responder goes with it.
    auto pending = std::make_shared<Pending>(std::move(responder));
    HttpCall call{request.method, request.target, fields, std::move(request.body), &pending->operation, &pending->reads};
    gateway.handle(std::move(call), [pending, &gateway](HttpAnswer reply) {
      int status = reply.status;
      Response response;
      response.status = reply.status;
      response.headers.set("Content-Type", std::move(reply.content_type));
      for (auto& [name, value] : reply.headers) response.headers.set(name, std::move(value));
      response.body = std::move(reply.body);
      pending->responder.send(std::move(response));
      if (RequestMetrics* metrics = gateway.metrics()) metrics->request(pending->operation, status, pending->received, &pending->reads);
      if (status >= 500) gateway.check_store();  // the answer goes before the server stops
    });
  };
}

BodyLimit body_limit_of(const Gateway& gateway) {
  return [&gateway](const Request& head) { return gateway.body_limit(head.method, head.target); };
}

}  // namespace millrace::serve
