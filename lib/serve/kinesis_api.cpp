#include "serve/kinesis_api.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <future>
#include <map>

#include "aws/model.h"
#include "serve/kinesis_state.h"

namespace millrace::serve {

using namespace kinesis;


KinesisApi::KinesisApi(store::Env& env, RecordCommitter& committer, std::string region, ShardLimits* limits)
    : state_(std::make_unique<State>(env, committer, std::move(region), limits)) {}

KinesisApi::~KinesisApi() = default;

void KinesisApi::call(std::string_view operation, std::string_view body, Done done) {
  using Sync = std::string (*)(State&, element);
  using Async = void (*)(State&, element, Done&);
  struct Handler {
    Sync sync;
    Async async;
  };
  static const std::map<std::string_view, Handler, std::less<>> kHandlers = {
      {"CreateStream", {[](State& s, element b) { return s.create_stream(b); }, nullptr}},
      {"DeleteStream", {[](State& s, element b) { return s.delete_stream(b); }, nullptr}},
      {"ListStreams", {[](State& s, element b) { return s.list_streams(b); }, nullptr}},
      {"DescribeStream", {[](State& s, element b) { return s.describe_stream(b); }, nullptr}},
      {"DescribeStreamSummary", {[](State& s, element b) { return s.describe_stream_summary(b); }, nullptr}},
      {"ListShards", {[](State& s, element b) { return s.list_shards(b); }, nullptr}},
      {"SplitShard", {[](State& s, element b) { return s.split_shard(b); }, nullptr}},
      {"MergeShards", {[](State& s, element b) { return s.merge_shards(b); }, nullptr}},
      {"UpdateShardCount", {[](State& s, element b) { return s.update_shard_count(b); }, nullptr}},
      {"IncreaseStreamRetentionPeriod", {[](State& s, element b) { return s.change_retention(b, true); }, nullptr}},
      {"DecreaseStreamRetentionPeriod", {[](State& s, element b) { return s.change_retention(b, false); }, nullptr}},
      {"PutRecord", {nullptr, [](State& s, element b, Done& d) { s.put_record(b, d); }}},
      {"PutRecords", {nullptr, [](State& s, element b, Done& d) { s.put_records(b, d); }}},
      {"GetShardIterator", {[](State& s, element b) { return s.get_shard_iterator(b); }, nullptr}},
      {"GetRecords", {[](State& s, element b) { return s.get_records(b); }, nullptr}},
      {"AddTagsToStream", {[](State& s, element b) { return s.add_tags(b); }, nullptr}},
      {"ListTagsForStream", {[](State& s, element b) { return s.list_tags(b); }, nullptr}},
      {"RemoveTagsFromStream", {[](State& s, element b) { return s.remove_tags(b); }, nullptr}},
  };
  auto handler = kHandlers.find(operation);
  const aws::model::Operation* modelled = aws::model::kinesis.operation(operation);
  if (handler == kHandlers.end() || modelled == nullptr)
    return done(ApiAnswer::of(error("UnknownOperationException", fmt::format("Operation {} is not supported.", operation))));
  thread_local simdjson::dom::parser parser;
  element root;
  if (auto invalid = parse_request(aws::model::kinesis, *modelled, body, parser, root)) return done(ApiAnswer::of(*invalid));
  try {
    if (handler->second.async) return handler->second.async(*state_, root, done);
    done(ApiAnswer{200, handler->second.sync(*state_, root)});
  } catch (const aws::ApiError& e) {
    done(ApiAnswer::of(e));
  } catch (const std::exception& e) {  // the store's failure (a commit that failed), not the request's
    done(internal_failure(e));
  }
}

ApiAnswer KinesisApi::call(std::string_view operation, std::string_view body) {
  std::promise<ApiAnswer> answer;
  call(operation, body, [&answer](ApiAnswer a) { answer.set_value(std::move(a)); });
  return answer.get_future().get();
}

}  // namespace millrace::serve

