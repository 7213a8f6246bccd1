#include "serve/record_committer.h"

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "cli/error.h"
#include "stream/admin.h"
#include "temp_dir.h"

using millrace::serve::RecordBatch;
using millrace::serve::RecordCommitter;
using millrace::test::TempDir;
namespace store = millrace::store;

namespace {

// A batch of `count` records with keys "P-0", "P-1", ... routed to hash 0 (shard 0).
RecordBatch batch_of(const std::string& stream, const std::string& prefix, int count,
                     std::function<void(const std::vector<store::Position>&, std::exception_ptr)> done) {
  RecordBatch batch;
  batch.stream = stream;
  auto data = std::make_shared<std::vector<std::string>>();
  for (int i = 0; i < count; ++i) data->push_back(prefix + "-" + std::to_string(i));
  for (const std::string& record : *data) batch.puts.push_back(store::Put{0, "k", record, false});
  batch.bytes = data;
  batch.done = std::move(done);
  return batch;
}

}  // namespace

TEST_CASE("batches from many threads are committed together, each answered with its own places, in order") {
  TempDir dir;
  store::Env env(dir / "store", store::Access::write, store::Sync::full);
  store::Notifier notifier(env.dir());
  millrace::stream::create_stream(env, "s", 1, store::kDefaultRetentionMs);
  constexpr int kThreads = 8, kBatches = 50, kRecords = 3;
  std::vector<std::vector<std::uint64_t>> counters(kThreads);
  {
    RecordCommitter committer(env, notifier);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int b = 0; b < kBatches; ++b) {
          std::promise<void> answered;
          committer.submit(batch_of("s", std::to_string(t), kRecords, [&](const std::vector<store::Position>& placed, std::exception_ptr failure) {
            CHECK_FALSE(failure);
            CHECK(placed.size() == kRecords);
            for (const auto& p : placed) counters[static_cast<std::size_t>(t)].push_back(p.counter);
            answered.set_value();
          }));
          answered.get_future().wait();  // a producer waits for its answer before the next put
        }
      });
    for (auto& thread : threads) thread.join();
  }
  std::set<std::uint64_t> all;
  for (const auto& mine : counters) {
    CHECK(std::is_sorted(mine.begin(), mine.end()));  // each producer's records in its order
    all.insert(mine.begin(), mine.end());
  }
  CHECK(all.size() == kThreads * kBatches * kRecords);  // every record has a place of its own
  CHECK(*all.begin() == 1);
  CHECK(*all.rbegin() == kThreads * kBatches * kRecords);  // dense: nothing else was written
}

TEST_CASE("a batch for a stream that is not there fails alone") {
  TempDir dir;
  store::Env env(dir / "store", store::Access::write, store::Sync::none);
  store::Notifier notifier(env.dir());
  millrace::stream::create_stream(env, "s", 1, store::kDefaultRetentionMs);
  std::promise<std::exception_ptr> missing;
  std::promise<std::size_t> present;
  {
    RecordCommitter committer(env, notifier);
    committer.submit(batch_of("nope", "x", 2, [&](const auto&, std::exception_ptr f) { missing.set_value(f); }));
    committer.submit(batch_of("s", "y", 2, [&](const auto& placed, std::exception_ptr) { present.set_value(placed.size()); }));
  }
  std::exception_ptr failure = missing.get_future().get();
  REQUIRE(failure);
  CHECK_THROWS_AS(std::rethrow_exception(failure), millrace::cli::Error);
  CHECK(present.get_future().get() == 2);
}
