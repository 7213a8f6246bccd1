#include "stream/lease_table.h"

#include <fmt/format.h>

#include "cli/error.h"
#include "lines/json.h"

namespace millrace::stream {
namespace {

constexpr std::string_view kKey = "leaseKey", kOwner = "leaseOwner", kCounter = "leaseCounter",
                           kCheckpoint = "checkpoint", kSubSequence = "checkpointSubSequenceNumber",
                           kOwnerSwitches = "ownerSwitchesSinceCheckpoint", kParents = "parentShardId",
                           kStream = "streamName";

std::string typed_string(std::string_view text) {
  std::string typed = "{\"S\":";
  lines::append_json_string(typed, text);
  typed.push_back('}');
  return typed;
}

std::string typed_number(std::int64_t n) { return fmt::format("{{\"N\":\"{}\"}}", n); }

std::string typed_key(std::string_view shard) {
  std::string key = "{\"leaseKey\":";
  key.append(typed_string(shard)).push_back('}');
  return key;
}

[[noreturn]] void not_a_lease(std::string_view where, std::string_view what) {
  throw cli::Error(cli::Exit::unavailable, std::string(where), fmt::format("lease table: {}", what));
}

}  // namespace

Lease read_lease_item(simdjson::dom::parser& parser, std::string_view plain, std::string_view where) {
  simdjson::dom::object item;
  if (parser.parse(plain.data(), plain.size(), true).get(item) != simdjson::SUCCESS) not_a_lease(where, "an item that is not an object");
  Lease lease;
  auto text = [&](std::string_view name, std::string& out, bool required) {
    simdjson::dom::element value;
    if (item[name].get(value) != simdjson::SUCCESS) {
      if (required) not_a_lease(where, fmt::format("an item without {}", name));
      return;
    }
    std::string_view s;
    if (value.get(s) != simdjson::SUCCESS) not_a_lease(where, fmt::format("{} is not a string", name));
    out = s;
  };
  auto integer = [&](std::string_view name, std::int64_t& out) {
    simdjson::dom::element value;
    if (item[name].get(value) != simdjson::SUCCESS) return;
    if (value.get(out) != simdjson::SUCCESS) not_a_lease(where, fmt::format("{} is not an integer", name));
  };
  text(kKey, lease.shard, true);
  if (lease.shard.empty()) not_a_lease(where, "an empty leaseKey");
  text(kOwner, lease.owner, false);
  text(kCheckpoint, lease.checkpoint, false);
  text(kStream, lease.stream, false);
  if (item[kCounter].error() != simdjson::SUCCESS) not_a_lease(where, fmt::format("{} has no leaseCounter", lease.shard));
  integer(kCounter, lease.counter);
  integer(kOwnerSwitches, lease.owner_switches);
  simdjson::dom::element parents;
  if (item[kParents].get(parents) == simdjson::SUCCESS) {
    // A string set, in plain JSON {"$SS":[…]} (aws/attribute_value.h); a plain string also
    // reads, as some writers put a single parent.
    simdjson::dom::array list;
    std::string_view one;
    if (parents["$SS"].get(list) == simdjson::SUCCESS) {
      for (simdjson::dom::element parent : list) {
        if (parent.get(one) != simdjson::SUCCESS || one.empty()) not_a_lease(where, "a parentShardId that is not a shard id");
        lease.parents.emplace_back(one);
      }
    } else if (parents.get(one) == simdjson::SUCCESS && !one.empty()) {
      lease.parents.emplace_back(one);
    } else {
      not_a_lease(where, "a parentShardId that is not a string set");
    }
  }
  return lease;
}

LeaseTable::LeaseTable(const aws::StoreSpec& store, std::string group, std::string owner)
    : client_(store), group_(std::move(group)), owner_(std::move(owner)) {}

void LeaseTable::open() {
  store::TableMeta schema;
  schema.name = group_;
  schema.partition = {std::string(kKey), store::KeyType::string};
  if (client_.create_table(schema)) return;
  store::TableMeta existing = client_.describe_table(group_);
  if (existing.partition.name != kKey || existing.partition.type != store::KeyType::string || existing.sort)
    throw cli::Error(cli::Exit::usage, group_,
                     "a table of this name exists and is not a lease table (hash key leaseKey, a string, "
                     "and no sort key): name the group otherwise");
}

std::vector<Lease> LeaseTable::scan() {
  std::vector<Lease> leases;
  std::vector<std::string> items;
  aws::ReadRequest request;
  do {
    items.clear();
    request.start_key = client_.scan(group_, request, items);
    for (const std::string& item : items) leases.push_back(read_lease_item(parser_, item, client_.endpoint_url()));
  } while (!request.start_key.empty());
  return leases;
}

bool LeaseTable::create(std::string_view stream, std::string_view shard, std::span<const std::string> parents,
                        std::string_view checkpoint) {
  std::string item = "{";
  auto member = [&](std::string_view name, const std::string& typed) {
    if (item.size() > 1) item.push_back(',');
    lines::append_json_string(item, name);
    item.append(":").append(typed);
  };
  member(kKey, typed_string(shard));
  member(kCounter, typed_number(0));
  member(kCheckpoint, typed_string(checkpoint));
  member(kSubSequence, typed_number(0));
  member(kOwnerSwitches, typed_number(0));
  if (!parents.empty()) {
    std::string set = "{\"SS\":[";
    for (std::size_t i = 0; i < parents.size(); ++i) {
      if (i > 0) set.push_back(',');
      lines::append_json_string(set, parents[i]);
    }
    member(kParents, set.append("]}"));
  }
  member(kStream, typed_string(stream));
  item.push_back('}');
  aws::WriteRequest request;
  request.kind = aws::ItemWrite::put;
  request.item = item;
  request.condition = fmt::format("attribute_not_exists({})", request.attributes.name(kKey));
  return client_.write_item(group_, request);
}

bool LeaseTable::update(Lease& lease, std::string update, aws::ExpressionAttributes& attributes, bool held) {
  std::string counter = attributes.name(kCounter);
  std::int64_t next = lease.counter + 1;
  std::string key = typed_key(lease.shard);
  aws::WriteRequest request;
  request.kind = aws::ItemWrite::update;
  request.item = key;
  request.condition = fmt::format("{} = {}", counter, attributes.value(typed_number(lease.counter)));
  if (held)
    request.condition += fmt::format(" AND {} = {}", attributes.name(kOwner), attributes.value(typed_string(owner_)));
  // SET comes first in `update` when there is one; the counter joins it.
  std::string raise = fmt::format("{} = {}", counter, attributes.value(typed_number(next)));
  request.update = update.starts_with("SET ") ? fmt::format("SET {}, {}", raise, update.substr(4))
                                              : fmt::format("SET {} {}", raise, update);
  request.attributes = std::move(attributes);
  if (!client_.write_item(group_, request)) return false;
  lease.counter = next;
  return true;
}

bool LeaseTable::take(Lease& lease) {
  aws::ExpressionAttributes attributes;
  bool switched = lease.owner != owner_;
  std::int64_t switches = lease.owner_switches + (switched ? 1 : 0);
  std::string set = fmt::format("SET {} = {}, {} = {}", attributes.name(kOwner), attributes.value(typed_string(owner_)),
                                attributes.name(kOwnerSwitches), attributes.value(typed_number(switches)));
  if (!update(lease, std::move(set), attributes, false)) return false;
  lease.owner = owner_;
  lease.owner_switches = switches;
  return true;
}

bool LeaseTable::renew(Lease& lease) {
  aws::ExpressionAttributes attributes;
  return update(lease, "", attributes, true);
}

bool LeaseTable::checkpoint(Lease& lease, std::string_view checkpoint) {
  aws::ExpressionAttributes attributes;
  std::string set = fmt::format("SET {} = {}, {} = {}, {} = {}", attributes.name(kCheckpoint),
                                attributes.value(typed_string(checkpoint)), attributes.name(kSubSequence),
                                attributes.value(typed_number(0)), attributes.name(kOwnerSwitches),
                                attributes.value(typed_number(0)));
  if (!update(lease, std::move(set), attributes, true)) return false;
  lease.checkpoint = checkpoint;
  lease.owner_switches = 0;
  return true;
}

void LeaseTable::release(Lease& lease) {
  aws::ExpressionAttributes attributes;
  std::string remove = fmt::format("REMOVE {}", attributes.name(kOwner));
  if (update(lease, std::move(remove), attributes, true)) lease.owner.clear();
}

}  // namespace millrace::stream
