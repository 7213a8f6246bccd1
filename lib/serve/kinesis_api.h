// KinesisApi: the Kinesis Data Streams API (JSON 1.1, `X-Amz-Target: Kinesis_20131202.OP`) over
// the store, for gw-serve. Each call takes the operation's name and the request body and gives
// the response body or an AWS error; no HTTP here.
//
// The semantics are the store's, which are Kinesis': MD5 routing or ExplicitHashKey, sequence
// numbers as ks-put's, order per shard, resharding that closes parents and opens children.
// What a program does to the store (ks-put, ks-shard, ks-consume) and what a call does are
// seen by each other at once, in every direction.
//
// Requests are validated against AWS's model first (aws/validate.h). Then, as Kinesis answers:
//   - a stream that is not there: ResourceNotFoundException "Stream NAME under account
//     000000000000 not found.";
//   - one that already is: ResourceInUseException;
//   - an argument the operation cannot take (a shard that is closed, counts out of range, a
//     malformed iterator): InvalidArgumentException;
//   - an iterator older than 5 minutes: ExpiredIteratorException.
// Streams are named by StreamName or StreamARN (arn:aws:kinesis:REGION:000000000000:stream/NAME).
//
// With ShardLimits (gw-serve --shard-limits), puts beyond a shard's write limits are refused as
// Kinesis refuses them: PutRecord with ProvisionedThroughputExceededException, "Rate exceeded
// for shard shardId-000000000001 in stream NAME under account 000000000000."; PutRecords with
// that ErrorCode and ErrorMessage in the entries refused, counted in FailedRecordCount, while
// the others are put.
//
// Thread safety: call() may run on many threads at once; each call is one or a few LMDB
// transactions, and a put is answered once its commit is durable (with the Env's Sync), its
// commit shared with the puts of other calls (serve/record_committer.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "aws/validate.h"
#include "serve/api.h"
#include "serve/record_committer.h"
#include "serve/shard_limits.h"
#include "store/env.h"

namespace millrace::serve {

// PutRecords' result: where each record went, in order, or why it was refused (an entry of
// `refusals` that is not empty: ProvisionedThroughputExceededException and its message).
// `placed` holds the records put, those refused skipped. `more` is appended to the members
// (",\"EncryptionType\":\"NONE\"" for the API). Shared with the routes' answer.
std::string put_records_result(const std::vector<store::Position>& placed, const std::vector<std::string>& refusals,
                               std::string_view more = {});

class KinesisApi {
 public:
  // Puts go through `committer`, shared with the other writers of the server, and through
  // `limits` first when given (kept by the caller, shared with its other writers).
  KinesisApi(store::Env& env, RecordCommitter& committer, std::string region = "us-east-1",
             ShardLimits* limits = nullptr);
  ~KinesisApi();

  // Answers `operation` (the part of X-Amz-Target after "Kinesis_20131202.") with `body`:
  // calls `done` with the answer, at once, or for puts from the commit thread once the records
  // are durable (their commit is grouped with other connections' puts). An operation the API
  // does not have is an UnknownOperationException.
  using Done = std::function<void(ApiAnswer)>;
  void call(std::string_view operation, std::string_view body, Done done);
  // The same, waiting for the answer.
  ApiAnswer call(std::string_view operation, std::string_view body);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace millrace::serve
