#include "stream/leases.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>

#include <fmt/format.h>

#include "store/groups.h"

namespace millrace::stream {
std::string make_lease_owner() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}:{}:{:08x}", host, ::getpid(), std::random_device{}());
}

Leases::Leases(store::Env& env, std::uint32_t stream_id, std::string group, std::int64_t timeout_ms)
    : env_(env), stream_id_(stream_id), group_(std::move(group)), timeout_ms_(timeout_ms), owner_(make_lease_owner()) {}

Leases::~Leases() {
  try {
    if (!held_.empty()) release();
  } catch (...) {  // the store failed: the leases expire after the timeout instead
  }
}

const std::set<std::uint32_t>& Leases::renew(const std::vector<std::uint32_t>& eligible) {
  lines::EpochMs now = lines::now_ms();
  env_.write([&](const store::Txn& txn) {
    held_.clear();
    auto leases = store::load_checkpoints(txn, stream_id_, group_);
    auto live = [&](const store::Checkpoint& c) { return !c.owner.empty() && c.lease_expiry_ms > now; };
    auto save = [&](std::uint32_t shard, std::string owner, lines::EpochMs expiry) {
      store::Checkpoint& c = leases[shard];
      c.owner = std::move(owner);
      c.lease_expiry_ms = expiry;
      store::save_checkpoint(txn, stream_id_, group_, shard, c);
    };

    // Free what this member holds but may no longer read (finished shards).
    for (auto& [shard, c] : leases)
      if (c.owner == owner_ && std::find(eligible.begin(), eligible.end(), shard) == eligible.end())
        save(shard, "", 0);

    std::map<std::string, std::vector<std::uint32_t>> by_owner;  // live leases on eligible shards
    std::vector<std::uint32_t> free;
    for (std::uint32_t shard : eligible) {
      auto it = leases.find(shard);
      if (it != leases.end() && live(it->second)) {
        by_owner[it->second.owner].push_back(shard);
      } else {
        free.push_back(shard);
      }
    }
    by_owner[owner_];  // this member counts, holding leases or not
    std::size_t members = by_owner.size();
    std::size_t fair = (eligible.size() + members - 1) / members;

    std::vector<std::uint32_t> mine = by_owner[owner_];
    for (std::uint32_t shard : free) {
      if (mine.size() >= fair) break;
      mine.push_back(shard);
    }
    if (mine.size() < fair) {  // none free: take one from the busiest member above its share
      auto busiest = std::max_element(by_owner.begin(), by_owner.end(),
                                      [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
      if (busiest->first != owner_ && busiest->second.size() > fair) mine.push_back(busiest->second.back());
    }
    for (std::uint32_t shard : mine) {
      save(shard, owner_, now + timeout_ms_);
      held_.insert(shard);
    }
  });
  renewed_ms_ = now;
  eligible_ = eligible;
  return held_;
}

void Leases::release() {
  env_.write([&](const store::Txn& txn) {
    for (auto& [shard, c] : store::load_checkpoints(txn, stream_id_, group_)) {
      if (c.owner != owner_) continue;
      c.owner.clear();
      c.lease_expiry_ms = 0;
      store::save_checkpoint(txn, stream_id_, group_, shard, c);
    }
  });
  held_.clear();
}

}  // namespace millrace::stream
