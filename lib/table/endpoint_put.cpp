// EndpointTables' writes (kv-put on an endpoint): table/endpoint_tables.h.
#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <future>
#include <memory>

#include "aws/attribute_value.h"
#include "cli/diagnostics.h"
#include "cli/error.h"
#include "lines/envelope.h"
#include "lines/json.h"
#include "expr/document.h"
#include "table/changes.h"
#include "table/endpoint_tables.h"

namespace millrace::table {
namespace {

// DynamoDB's limit on an item, as attribute_value.h counts its size.
constexpr std::size_t kMaxItemSize = 400 * 1024;

cli::Error cannot(const aws::DynamoDBClient& client, std::string_view what) {
  return cli::Error(cli::Exit::unavailable, client.endpoint_url(), fmt::format("{} on a DynamoDB endpoint", what));
}

// Plain puts and deletes of consecutive lines, sent together as BatchWriteItem.
class PendingBatch {

 public:
  bool empty() const { return requests_.empty(); }
  bool full() const { return requests_.size() == aws::kMaxBatchWrite; }
  bool holds(std::string_view key) const {
    for (const std::string& k : keys_)
      if (k == key) return true;
    return false;
  }
  void add(std::string key, std::string request, const lines::Line& line, bool remove) {
    if (requests_.empty()) first_ = line.where();
    last_ = line.where();
    keys_.push_back(std::move(key));
    requests_.push_back(std::move(request));
    (remove ? removes_ : puts_)++;
  }
  // Sends the batch and counts it in `stats`. It changes nothing of the batch: another thread
  // may ask what it holds meanwhile.
  void send(aws::DynamoDBClient& client, std::string_view table, const lines::OnError on_error, PutStats& stats) const {
    if (requests_.empty()) return;
    try {
      client.batch_write(table, requests_);
      stats.written += puts_;
      stats.removed += removes_;
    } catch (const aws::ServiceError& e) {
      if (e.status() != cli::Exit::data) throw;
      std::string where = first_ == last_ ? first_ : first_ + " to " + last_;
      if (on_error == lines::OnError::fail) throw cli::Error(cli::Exit::data, where, e.what());
      cli::warn(where, "{} (skipped)", e.what());
      stats.skipped += requests_.size();
    }
  }
  void clear() {
    keys_.clear();
    requests_.clear();
    puts_ = removes_ = 0;
  }

 private:
  std::vector<std::string> keys_, requests_;
  std::uint64_t puts_ = 0, removes_ = 0;
  std::string first_, last_;
};

// Batches sent at once: up to kBatchesInFlight BatchWriteItem requests, each by a client (a
// connection) of its own, as a durable endpoint answers each once its commit is on disk. A line
// whose key is in a batch still in flight waits for that batch first, so each key's writes are
// applied in input order; other keys' batches may be applied in another order than the input's
// (as DynamoDB applies the requests of one batch).
class BatchesInFlight {
 public:
  static constexpr std::size_t kBatchesInFlight = 8;

  BatchesInFlight(const aws::StoreSpec& store, std::string_view table, lines::OnError on_error)
      : store_(store), table_(table), on_error_(on_error) {}
  ~BatchesInFlight() {
    for (auto& slot : slots_)
      if (slot->result.valid()) slot->result.wait();
  }

  // Waits for the batch in flight that holds `key`, if one does.
  void wait_for(std::string_view key, PutStats& stats) {
    for (auto& slot : slots_)
      if (slot->result.valid() && slot->batch.holds(key)) join(*slot, stats);
  }
  // Sends `batch`, which is left empty, once a client is free: the oldest batch in flight is
  // waited for when none is.
  void send(PendingBatch& batch, PutStats& stats) {
    if (batch.empty()) return;
    Slot* free = nullptr;
    for (auto& slot : slots_)
      if (!slot->result.valid()) free = slot.get();
    if (free == nullptr && slots_.size() < kBatchesInFlight) free = slots_.emplace_back(std::make_unique<Slot>(store_)).get();
    if (free == nullptr) {
      free = sent_.front();
      join(*free, stats);
    }
    std::swap(free->batch, batch);
    free->result = std::async(std::launch::async, [this, free] {
      PutStats counted;
      free->batch.send(free->client, table_, on_error_, counted);
      return counted;
    });
    sent_.push_back(free);
  }
  // Waits for every batch in flight; throws the first failure among them.
  void finish(PutStats& stats) {
    std::exception_ptr failure;
    while (!sent_.empty()) {
      try {
        join(*sent_.front(), stats);
      } catch (...) {
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
  }

 private:
  struct Slot {
    explicit Slot(const aws::StoreSpec& store) : client(store) {}
    aws::DynamoDBClient client;
    PendingBatch batch;
    std::future<PutStats> result;  // valid while the batch is in flight
  };
  void join(Slot& slot, PutStats& stats) {
    sent_.erase(std::find(sent_.begin(), sent_.end(), &slot));
    slot.result.wait();
    slot.batch.clear();
    PutStats counted = slot.result.get();
    stats.written += counted.written;
    stats.removed += counted.removed;
    stats.skipped += counted.skipped;
  }

  const aws::StoreSpec& store_;
  std::string_view table_;
  lines::OnError on_error_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> sent_;  // the slots in flight, oldest first
};

// The lines of kv-put into requests.
class EndpointWriter {
 public:
  EndpointWriter(const aws::StoreSpec& store, aws::DynamoDBClient& client, const TableSpec& spec,
                 const PutOptions& options, lines::Writer* changes)
      : client_(client), spec_(spec), options_(options), changes_(changes), flight_(store, spec.name, options.on_error) {}

  PutStats run(lines::Reader& reader) {
    open_table();
    for (bool more = true; more; more = reader.fill()) {
      validator_.begin_block(reader.block());
      while (auto line = reader.next()) {
        std::optional<std::string> problem;
        try {
          problem = write(*line);
        } catch (const aws::ServiceError& e) {  // a request the service refused for its item
          if (e.status() != cli::Exit::data) throw;
          problem = e.what();
        }
        if (!problem) continue;
        if (options_.on_error == lines::OnError::fail) {
          send_all();  // the lines before are written
          throw cli::Error(cli::Exit::data, line->where(), *problem);
        }
        cli::warn(line->where(), "{} (skipped)", *problem);
        ++stats_.skipped;
      }
    }
    send_all();
    return stats_;
  }

 private:
  // The table, described; or created now when missing, with --create and the key types given
  // (else from the first item, as locally). Its schema must agree with the options'.
  void open_table() {
    try {
      table_ = client_.describe_table(spec_.name);
    } catch (const cli::Error& e) {
      if (e.status() != cli::Exit::no_input || !spec_.create) throw;
      if (!spec_.partition) throw cli::Error(cli::Exit::usage, "--create", "needs -k, the partition key");
      if (spec_.partition_type && (!spec_.sort || spec_.sort_type)) create({});
      return;
    }
    agree();
  }

  std::optional<std::string> create(const std::vector<Attribute>& attributes) {
    store::TableMeta schema;
    if (auto problem = schema_from(spec_, attributes, schema)) return problem;
    if (client_.create_table(schema)) cli::note(spec_.name, "created");
    table_ = client_.describe_table(spec_.name);  // another kv-put may have made it meanwhile
    agree();
    return std::nullopt;
  }

  void agree() {
    if (auto problem = disagreement(*table_, spec_))
      throw cli::Error(cli::Exit::usage, spec_.name, "the table exists, and " + *problem);
    if (spec_.ttl) client_.update_time_to_live(spec_.name, *spec_.ttl);
  }

  // Writes the line, or adds it to the batch; returns what is wrong with it instead.
  std::optional<std::string> write(const lines::Line& line) {
    if (line.too_long) return fmt::format("line longer than {} bytes", max_line_length(options_.format));
    if (auto error = validator_.parse(line.text)) return lines::describe(error);
    std::string_view item = line.text;
    if (options_.format == lines::InputFormat::envelope) {
      lines::Envelope envelope;
      if (auto problem = envelopes_.read(line.text, envelope)) return problem;
      if (!envelope.json) return std::string("envelope \"data\" is not JSON");
      if (!envelope.group.empty())
        throw cannot(client_, "--format envelope with a group's checkpoint (\"group\"): the checkpoints are the "
                              "local store's, kept in the commit of the items; this cannot be");
      item = envelope.data;
    }
    const std::vector<Attribute>* attributes = items_.split_padded(item);
    if (attributes == nullptr) return std::string("an item is a JSON object");
    if (!table_)
      if (auto problem = create(*attributes)) return problem;
    // The key, checked as locally; its encoding tells two lines of one key apart.
    key_.clear();
    for (const store::KeyAttribute* k : {&table_->partition, table_->sort ? &*table_->sort : nullptr}) {
      if (k == nullptr) continue;
      const Attribute* value = find_attribute(*attributes, k->name);
      if (value == nullptr) return fmt::format("no key attribute {}", k->name);
      if (auto problem = append_key_value(key_, *k, *value)) return problem->text;
    }
    if (options_.action == Action::update)
      for (const std::string& name : options_.update.add)
        if (const Attribute* given = find_attribute(*attributes, name); given != nullptr && !given->is_number())
          return fmt::format("{} is not a number: cannot add it", name);

    typed_.clear();
    std::optional<std::size_t> size = encoder_.append_typed_item(typed_, item);
    if (!size) return std::string("an item is a JSON object");
    if (*size > kMaxItemSize)
      return fmt::format("item of {} bytes as DynamoDB counts them; at most {} (400 KB)", *size, kMaxItemSize);

    bool conditional = options_.if_absent || options_.condition;
    if (!conditional && options_.action != Action::update && changes_ == nullptr) {
      bool remove = options_.action == Action::remove;
      std::string request = remove ? "{\"DeleteRequest\":{\"Key\":" + typed_key(*attributes) + "}}"
                                   : "{\"PutRequest\":{\"Item\":" + typed_ + "}}";
      if (batch_.holds(key_)) flight_.send(batch_, stats_);
      flight_.wait_for(key_, stats_);
      batch_.add(key_, std::move(request), line, remove);
      if (batch_.full()) flight_.send(batch_, stats_);
      return std::nullopt;
    }
    // One item at a time, after the batches of the lines before.
    send_all();
    aws::WriteRequest request;
    std::string key;
    if (options_.action == Action::put) {
      request.kind = aws::ItemWrite::put;
      request.item = typed_;
    } else {
      key = typed_key(*attributes);
      request.item = key;
      request.kind = options_.action == Action::update ? aws::ItemWrite::update : aws::ItemWrite::remove;
    }
    if (options_.action == Action::update) update_expression(*attributes, request);
    if (options_.if_absent)
      request.condition = "attribute_not_exists(" + request.attributes.name(table_->partition.name) + ")";
    if (options_.condition)
      if (auto problem = aws::append_condition_expression(request.condition, *options_.condition, request.attributes))
        throw cannot(client_, "--if: " + *problem + "; this condition cannot be evaluated");
    // The old image of a change (the new one is the line), and whether a delete found an item:
    // ALL_OLD costs no more units.
    bool returns_old = changes_ != nullptr || options_.action == Action::remove;
    if (returns_old) request.return_values = "ALL_OLD";
    if (!client_.write_item(spec_.name, request, returns_old ? &old_ : nullptr)) {
      ++stats_.refused;
      cli::note(line.where(), "condition failed: not written");
      return std::nullopt;
    }
    if (options_.action == Action::remove) {
      // Deleting no item deletes nothing, as locally.
      if (!old_.empty()) ++stats_.removed;
    } else {
      ++stats_.written;
    }
    if (changes_ != nullptr) emit(*attributes, item);
    return std::nullopt;
  }

  // Sends the batch being made and waits for every batch in flight.
  void send_all() {
    flight_.send(batch_, stats_);
    flight_.finish(stats_);
  }

  // The change record of the write just done: `old_` the item before ("" for none), `item` the
  // one put. No change, no record (as locally): the same item, its attributes in any order.
  void emit(const std::vector<Attribute>& attributes, std::string_view item) {
    bool remove = options_.action == Action::remove;
    if (remove && old_.empty()) return;
    if (!remove && !old_.empty()) {
      expr::Document before, after;
      if (before.parse(old_) && after.parse(item) && expr::equal(before, 0, after, 0)) return;
    }
    keys_.clear();
    append_keys_json(keys_, *table_, attributes);
    Change change{remove ? ChangeKind::remove : old_.empty() ? ChangeKind::insert : ChangeKind::modify, keys_,
                  remove ? std::nullopt : std::optional(item), old_.empty() ? std::nullopt : std::optional<std::string_view>(old_),
                  ++sequence_, lines::now_ms()};
    append_change(changes_->buffer(), change);
    changes_->flush();
  }

  // {"PARTITION":typed,"SORT":typed} of the item.
  std::string typed_key(const std::vector<Attribute>& attributes) {
    std::string key = "{";
    for (const store::KeyAttribute* k : {&table_->partition, table_->sort ? &*table_->sort : nullptr}) {
      if (k == nullptr) continue;
      if (key.size() > 1) key.push_back(',');
      lines::append_json_string(key, k->name);
      key.push_back(':');
      encoder_.append_typed_value(key, find_attribute(attributes, k->name)->value);
    }
    key.push_back('}');
    return key;
  }

  // table::apply_update's meaning: each attribute of the line but the key's is SET, or ADDed
  // when --add names it; those --remove names are removed, given or not.
  void update_expression(const std::vector<Attribute>& attributes, aws::WriteRequest& request) {
    auto named = [](const std::vector<std::string>& names, std::string_view name) {
      return std::find(names.begin(), names.end(), name) != names.end();
    };
    values_.clear();
    for (const Attribute& a : attributes) {
      bool key = a.name == table_->partition.name || (table_->sort && a.name == table_->sort->name);
      if (key || named(options_.update.remove, a.name)) continue;
      std::string& typed = values_.emplace_back();
      encoder_.append_typed_value(typed, a.value);
    }
    aws::UpdateParts parts;
    std::size_t next = 0;
    for (const Attribute& a : attributes) {
      bool key = a.name == table_->partition.name || (table_->sort && a.name == table_->sort->name);
      if (key || named(options_.update.remove, a.name)) continue;
      parts.assignments.push_back({a.name, values_[next++], named(options_.update.add, a.name)});
    }
    parts.remove = options_.update.remove;
    aws::append_update_expression(request.update, parts, request.attributes);
  }

  aws::DynamoDBClient& client_;
  const TableSpec& spec_;
  const PutOptions& options_;
  lines::Writer* changes_;
  std::uint64_t sequence_ = 0;  // the change records of this run
  std::string old_;
  std::optional<store::TableMeta> table_;
  lines::Validator validator_;
  lines::EnvelopeReader envelopes_;
  ItemParser items_;
  aws::ItemEncoder encoder_;
  std::string key_, typed_, keys_;
  std::vector<std::string> values_;
  PendingBatch batch_;
  PutStats stats_;
  BatchesInFlight flight_;
};

}  // namespace

PutStats EndpointTables::put_items(const TableSpec& spec, lines::Reader& reader, const PutOptions& options,
                                   lines::Writer* changes) {
  if (changes != nullptr && options.action == Action::update)
    throw cannot(client_, "--emit changes with an update: UpdateItem returns the old item or the new one, not both; "
                          "this cannot be");
  if (options.condition) {  // refused before any line is written
    aws::ExpressionAttributes attributes;
    std::string expression;
    if (auto problem = aws::append_condition_expression(expression, *options.condition, attributes))
      throw cannot(client_, "--if: " + *problem + "; this condition cannot be evaluated");
  }
  return EndpointWriter(store_, client_, spec, options, changes).run(reader);
}

}  // namespace millrace::table
