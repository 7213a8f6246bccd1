#include "archive/delivery.h"

#include <algorithm>

#include "cli/error.h"
#include "lines/time.h"
#include "stream/provenance.h"

namespace millrace::archive {

Delivery::Delivery(Bucket& bucket, std::function<store::Env&()> open_store)
    : bucket_(bucket), open_store_(std::move(open_store)) {}

Delivery::~Delivery() = default;

std::uint32_t Delivery::source(std::string_view stream, std::string_view group) {
  for (std::uint32_t i = 0; i < sources_.size(); ++i)
    if (sources_[i].stream == stream && sources_[i].group == group) return i;
  sources_.push_back({std::string(stream), std::string(group)});
  return static_cast<std::uint32_t>(sources_.size() - 1);
}

store::Env& Delivery::store() {
  if (env_ == nullptr) open();
  return *env_;
}

void Delivery::open() {
  env_ = &open_store_();
  std::vector<store::PendingObject> recorded;
  {
    store::ReadTxn reader(*env_);
    recorded = log_.load(reader.renew(), bucket_.id());
  }
  std::vector<std::string> never_renamed;
  for (store::PendingObject& object : recorded) {
    if (!bucket_.exists(object.key)) {
      bucket_.remove_temporary(object.key);
      never_renamed.push_back(object.key);
      continue;
    }
    for (const store::ArchivedRange& range : object.ranges)
      archived_[{source(range.stream, range.group), range.shard}].push_back({range.first, range.last, object.partition});
    pending_.push_back(std::move(object));
  }
  if (!never_renamed.empty())
    env_->write([&](const store::Txn& txn) {
      for (const std::string& key : never_renamed) log_.remove(txn, bucket_.id(), key);
    });
}

bool Delivery::read(std::uint32_t source, store::Position position, std::string_view partition) {
  if (sources_[source].group.empty()) return false;
  if (env_ == nullptr) open();
  std::pair key{source, position.shard};
  std::uint64_t& newest = newest_read_[key];
  newest = std::max(newest, position.counter);
  if (archived_.empty()) return false;
  auto it = archived_.find(key);
  if (it == archived_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [&](const Archived& object) {
    return object.first <= position.counter && position.counter <= object.last && object.partition == partition;
  });
}

void Delivery::begin(const std::vector<store::PendingObject>& objects) {
  if (env_ == nullptr || objects.empty()) return;
  env_->write([&](const store::Txn& txn) {
    for (const store::PendingObject& object : objects) log_.add(txn, bucket_.id(), object);
  });
  pending_.insert(pending_.end(), objects.begin(), objects.end());
}

void Delivery::commit(const ShardCounters& oldest_buffered) {
  if (env_ == nullptr || newest_read_.empty()) return;
  // Per source and shard: every record up to `safe` is in an object (or was skipped as one).
  ShardCounters safe;
  for (const auto& [key, newest] : newest_read_) {
    auto buffered = oldest_buffered.find(key);
    safe[key] = buffered == oldest_buffered.end() ? newest : buffered->second - 1;
  }
  auto covered = [&](const store::PendingObject& object) {
    return std::all_of(object.ranges.begin(), object.ranges.end(), [&](const store::ArchivedRange& range) {
      auto it = safe.find({source(range.stream, range.group), range.shard});
      return it != safe.end() && it->second >= range.last;
    });
  };
  auto done = std::stable_partition(pending_.begin(), pending_.end(), [&](const auto& o) { return !covered(o); });
  lines::EpochMs now = lines::now_ms();
  metrics::write(*env_, &recorder_, [&](const store::Txn& txn) {
    // Noted afresh in each run of the body: a commit that fills the map runs it again.
    stream::GroupProgress progress;
    for (const auto& [key, counter] : safe) {
      if (counter == 0) continue;
      const Source& source = sources_[key.first];
      if (auto problem = progress.note(source.stream, source.group, store::format_sequence({key.second, counter})))
        throw cli::Error(cli::Exit::software, source.stream, *problem);
    }
    progress.commit(txn, now);
    for (auto it = done; it != pending_.end(); ++it) log_.remove(txn, bucket_.id(), it->key);
  });
  pending_.erase(done, pending_.end());
}

}  // namespace millrace::archive
