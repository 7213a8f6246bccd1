#include "stream/endpoint_group.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "cli/diagnostics.h"
#include "cli/error.h"
#include "cli/signals.h"
#include "stream/leases.h"

namespace millrace::stream {
namespace {

// DynamoDB's shortest table name.
constexpr std::size_t kMinTableName = 3;

const std::string& group_of(const ConsumeOptions& options) {
  const std::string& group = *options.source.group;
  if (group.size() < kMinTableName)
    throw cli::Error(cli::Exit::usage, "--group",
                     fmt::format("{}: on an endpoint a group is a DynamoDB table's name, of at least {} characters",
                                 group, kMinTableName));
  return group;
}

[[noreturn]] void refuse(const std::string& group, const Lease& lease) {
  throw cli::Error(cli::Exit::temp_fail, group,
                   fmt::format("{} is read by another member ({}), which renews its lease: on an endpoint a group "
                               "has one member until members share shards (issue 19); try again once it stops",
                               lease.shard, lease.owner));
}

}  // namespace

EndpointGroup::EndpointGroup(const aws::StoreSpec& store, const ConsumeOptions& options)
    : table_(store, group_of(options), make_lease_owner()),
      stream_(options.source.stream),
      timeout_(std::chrono::milliseconds(options.lease_timeout_ms)) {}

EndpointGroup::~EndpointGroup() {
  for (auto& [shard, lease] : held_) {
    try {
      table_.release(lease);
    } catch (...) {  // the endpoint failed: the lease expires after the timeout instead
    }
  }
}

void EndpointGroup::start(std::span<const aws::ShardInfo* const> shards, std::string_view initial) {
  table_.open();  // once the stream is known to exist: a typo makes no table
  auto leases_by_shard = [&] {
    std::map<std::string, Lease, std::less<>> by_shard;
    for (Lease& lease : table_.scan()) {
      if (!lease.stream.empty() && lease.stream != stream_)
        throw cli::Error(cli::Exit::usage, table_.name(),
                         fmt::format("the group's lease table holds the leases of stream {}: on an endpoint a group "
                                     "reads one stream, as a KCL application does; name the group otherwise",
                                     lease.stream));
      std::string shard = lease.shard;
      by_shard.emplace(std::move(shard), std::move(lease));
    }
    return by_shard;
  };
  auto by_shard = leases_by_shard();
  for (const aws::ShardInfo* shard : shards) {
    if (by_shard.contains(shard->id)) continue;
    std::vector<std::string> parents;
    for (const std::string* parent : {&shard->parent, &shard->adjacent_parent})
      if (!parent->empty()) parents.push_back(*parent);
    table_.create(stream_, shard->id, parents, initial);  // false: another member made it meanwhile
  }

  // Another owner's lease is live while its counter moves; one that stays the same for the lease
  // timeout, as seen from here, belongs to a member that stopped.
  struct Seen {
    std::int64_t counter;
    Clock::time_point since;
  };
  std::map<std::string, Seen, std::less<>> seen;
  auto scan_every = std::clamp<Clock::duration>(timeout_ / 5, std::chrono::milliseconds(100), std::chrono::seconds(2));
  bool told = false;
  for (;;) {
    by_shard = leases_by_shard();
    Clock::time_point now = Clock::now();
    std::vector<Lease*> to_take;
    bool waiting = false;
    for (const aws::ShardInfo* shard : shards) {
      auto found = by_shard.find(shard->id);
      if (found == by_shard.end()) continue;  // deleted meanwhile: not held, not read
      Lease& lease = found->second;
      if (lease.finished()) {
        finished_.insert(lease.shard);
        continue;
      }
      if (lease.owner.empty()) {
        to_take.push_back(&lease);
        continue;
      }
      auto [it, first] = seen.try_emplace(lease.shard, Seen{lease.counter, now});
      if (!first && it->second.counter != lease.counter) refuse(table_.name(), lease);
      if (now - it->second.since >= timeout_) {
        to_take.push_back(&lease);
      } else {
        waiting = true;
        if (!std::exchange(told, true))
          cli::warn(table_.name(), "{} is leased to {}: taken over if it is not renewed within the lease timeout",
                    lease.shard, lease.owner);
      }
    }
    if (!waiting) {
      for (Lease* lease : to_take) {
        if (!table_.take(*lease)) {
          // Another member wrote it since the scan: it is alive.
          for (Lease& again : table_.scan())
            if (again.shard == lease->shard) refuse(table_.name(), again);
          continue;
        }
        std::string shard = lease->shard;
        held_.insert_or_assign(std::move(shard), *lease);
      }
      renewed_ = Clock::now();
      return;
    }
    if (cli::stop_requested()) return;
    cli::sleep_unless_signalled(std::chrono::duration_cast<std::chrono::milliseconds>(scan_every).count());
  }
}

void EndpointGroup::add(const aws::ShardInfo& shard) {
  std::vector<std::string> parents;
  for (const std::string* parent : {&shard.parent, &shard.adjacent_parent})
    if (!parent->empty()) parents.push_back(*parent);
  table_.create(stream_, shard.id, parents, kTrimHorizon);
  for (Lease& lease : table_.scan()) {
    if (lease.shard != shard.id) continue;
    if (lease.finished()) {
      finished_.insert(lease.shard);
    } else if (lease.owner.empty() && table_.take(lease)) {
      held_.insert_or_assign(shard.id, lease);
    } else {
      cli::warn(table_.name(), "{} is leased to {}: not read by this member", lease.shard, lease.owner);
    }
    return;
  }
}

const Lease* EndpointGroup::held(std::string_view shard) const {
  auto found = held_.find(shard);
  return found == held_.end() ? nullptr : &found->second;
}

void EndpointGroup::renew_if_due() {
  if (Clock::now() < next_renewal()) return;
  std::vector<std::string> taken;
  for (auto& [shard, lease] : held_)
    if (!table_.renew(lease)) taken.push_back(shard);
  for (const std::string& shard : taken) lost(shard);
  renewed_ = Clock::now();
}

void EndpointGroup::checkpoint(std::string_view shard, std::string_view checkpoint) {
  auto found = held_.find(shard);
  if (found == held_.end()) return;
  if (!table_.checkpoint(found->second, checkpoint)) {
    lost(shard);
    return;
  }
  if (checkpoint == kShardEnd) {
    finished_.insert(std::string(shard));
    held_.erase(found);  // a finished lease stays with its last owner, as the KCL leaves it
  }
}

void EndpointGroup::lost(std::string_view shard) {
  cli::warn(table_.name(), "the lease of {} was taken over by another member: no longer read here", shard);
  held_.erase(held_.find(shard));
}

}  // namespace millrace::stream
