#include "table/put.h"

#include <fmt/format.h>

#include <vector>

#include "cli/diagnostics.h"
#include "cli/error.h"
#include "lines/envelope.h"
#include "lines/json.h"
#include "metrics/dynamodb.h"
#include "metrics/recorder.h"
#include "store/group_commit.h"
#include "store/tables.h"
#include "stream/provenance.h"
#include "table/capacity.h"
#include "table/changes.h"
#include "table/index_entries.h"

namespace millrace::table {
namespace {

static_assert(lines::kPadding >= simdjson::SIMDJSON_PADDING, "lines are parsed in place");

// One line's work, its bytes in its batch's arena.
struct Operation {
  std::uint32_t key_offset, key_size;    // the item key
  std::uint32_t item_offset, item_size;  // the item (put, update)
  std::uint32_t keys_offset, keys_size;  // the Keys of a change record (with --emit changes)
  std::uint32_t origin_offset;           // the envelope's stream, group and seq (with a group)
  std::uint8_t stream_size, group_size, seq_size;
  lines::EpochMs expires_ms;  // put: from the TTL attribute
  std::uint32_t file;         // index into the batch's file names
  std::uint64_t line;
};

class OperationBatch {
 public:
  std::size_t bytes() const { return arena_.size(); }
  bool empty() const { return operations_.empty(); }
  void clear() {
    operations_.clear();
    arena_.clear();
    files_.clear();
  }
  const std::vector<Operation>& operations() const { return operations_; }

  std::uint32_t append(std::string_view bytes) {
    auto offset = static_cast<std::uint32_t>(arena_.size());
    arena_.append(bytes);
    return offset;
  }
  std::string_view view(std::uint32_t offset, std::uint32_t size) const {
    return std::string_view(arena_).substr(offset, size);
  }
  void add(Operation operation, std::string_view file) {
    if (files_.empty() || files_.back() != file) files_.emplace_back(file);
    operation.file = static_cast<std::uint32_t>(files_.size() - 1);
    operations_.push_back(operation);
  }
  std::string where(const Operation& operation) const { return fmt::format("{}:{}", files_[operation.file], operation.line); }

 private:
  std::vector<Operation> operations_;
  std::string arena_;
  std::vector<std::string> files_;
};

// The calling thread's side: lines into operations.
class LineParser {
 public:
  LineParser(store::Env& env, const TableSpec& spec, const PutOptions& options, bool emit)
      : env_(env), spec_(spec), options_(options), emit_(emit), table_(open_table(env, spec)) {}

  // The lines parse() is given next (lines::Validator::begin_block).
  void begin_block(std::string_view block) { validator_.begin_block(block); }
  // Adds the operation of `line` to `batch`; returns what is wrong with the line instead.
  std::optional<std::string> parse(const lines::Line& line, OperationBatch& batch) {
    if (line.too_long) return fmt::format("line longer than {} bytes", max_line_length(options_.format));
    if (auto error = validator_.parse(line.text)) return lines::describe(error);
    std::string_view item = line.text;
    lines::Envelope envelope;
    if (options_.format == lines::InputFormat::envelope) {
      if (auto problem = envelopes_.read(line.text, envelope)) return problem;
      if (!envelope.json) return std::string("envelope \"data\" is not JSON");
      item = envelope.data;
      if (!envelope.group.empty())
        if (auto problem = stream::GroupProgress::check(envelope.stream, envelope.group, envelope.seq)) return problem;
    }
    if (item.size() > store::kMaxItemBytes)
      return fmt::format("item of {} bytes; at most {} (400 KB)", item.size(), store::kMaxItemBytes);
    // The line has the Reader's padding after it, and so has an envelope's data within it.
    const std::vector<Attribute>* attributes = items_.split_padded(item);
    if (attributes == nullptr) return std::string("an item is a JSON object");
    if (!table_) {
      table_.emplace();
      if (auto problem = create_from(env_, spec_, *attributes, *table_)) {
        table_.reset();
        return problem;
      }
    }
    if (auto problem = item_key(*table_, *attributes, key_)) return problem;
    if (options_.action == Action::update)
      for (const std::string& name : options_.update.add)
        if (const Attribute* given = find_attribute(*attributes, name); given != nullptr && !given->is_number())
          return fmt::format("{} is not a number: cannot add it", name);

    Operation op{};
    op.key_offset = batch.append(key_);
    op.key_size = static_cast<std::uint32_t>(key_.size());
    if (options_.action != Action::remove) {
      op.item_offset = batch.append(item);
      op.item_size = static_cast<std::uint32_t>(item.size());
      op.expires_ms = expiry(*table_, *attributes);
    }
    if (emit_) {
      keys_.clear();
      append_keys_json(keys_, *table_, *attributes);
      op.keys_offset = batch.append(keys_);
      op.keys_size = static_cast<std::uint32_t>(keys_.size());
    }
    if (!envelope.group.empty()) {
      op.origin_offset = batch.append(envelope.stream);
      batch.append(envelope.group);
      batch.append(envelope.seq);
      op.stream_size = static_cast<std::uint8_t>(envelope.stream.size());
      op.group_size = static_cast<std::uint8_t>(envelope.group.size());
      op.seq_size = static_cast<std::uint8_t>(envelope.seq.size());
    }
    op.line = line.number;
    batch.add(op, line.file);
    return std::nullopt;
  }

  // The table, once known (it may be made from the first item).
  const std::optional<store::TableMeta>& table() const { return table_; }

 private:
  store::Env& env_;
  const TableSpec& spec_;
  const PutOptions& options_;
  bool emit_;
  std::optional<store::TableMeta> table_;
  lines::Validator validator_;
  lines::EnvelopeReader envelopes_;
  ItemParser items_;
  std::string key_, keys_;
};

// What one commit did, applied to the stats once it is durable (a commit may run its body
// again after growing the map).
struct Outcome {
  PutStats counts;
  std::string changes;
  std::vector<std::pair<std::string, std::string>> notes, warnings;  // where, what
  std::optional<cli::Error> failure;
};

// The commit thread's side: operations onto the stored items.
class Applier {
 public:
  Applier(const PutOptions& options, bool emit, metrics::TableMetrics& metrics)
      : options_(options), emit_(emit), metrics_(metrics) {}

  // Applies `op` in the transaction of `items`; returns what is wrong with its line instead.
  std::optional<std::string> apply(store::ItemWriter& items, store::TableMeta& table, const OperationBatch& batch,
                                   const Operation& op, lines::EpochMs now, Outcome& outcome) {
    std::string_view key = batch.view(op.key_offset, op.key_size);
    std::string_view given = batch.view(op.item_offset, op.item_size);
    std::optional<store::StoredItem> stored = items.get(key);
    std::optional<std::string_view> live;  // the stored item, unless expired: reads never see those
    if (stored && !stored->expired(now)) live = stored->json;

    bool holds = true;
    if (auto problem = condition_holds(live, holds)) return problem;
    // What DynamoDB charges for the write: the units of the item there, or 1 when there is none.
    double units = live ? item_write_units(*live) : 1;
    if (!holds) {
      ++outcome.counts.refused;
      outcome.notes.emplace_back(batch.where(op), "condition failed: not written");
      metrics_.condition_failed(now);
      metrics_.consumed_write(units, now);
      return std::nullopt;
    }

    std::string_view keys = batch.view(op.keys_offset, op.keys_size);
    if (options_.action == Action::remove) {
      metrics_.consumed_write(units, now);
      if (!stored) return std::nullopt;
      if (live) record(table, {ChangeKind::remove, keys, std::nullopt, live, 0, now}, outcome);
      items.remove(key, *stored);
      ++outcome.counts.removed;
      return std::nullopt;
    }

    std::string_view item = given;
    lines::EpochMs expires_ms = op.expires_ms;
    if (options_.action == Action::update) {
      const std::vector<Attribute>* old = live ? stored_parser_.split(*live) : nullptr;
      const std::vector<Attribute>* update = update_parser_.split(given);
      if (update == nullptr || (live && old == nullptr)) return std::string("cannot read the item");  // validated before
      if (auto problem = apply_update(old, *update, options_.update, updated_)) return problem;
      if (updated_.size() > store::kMaxItemBytes)
        return fmt::format("the updated item has {} bytes; at most {} (400 KB)", updated_.size(),
                           store::kMaxItemBytes);
      item = updated_;
      if (table.ttl) expires_ms = expiry(table, *update_parser_.split(item));
    }
    if (!table.indexes.empty()) {
      const std::vector<Attribute>* attributes = update_parser_.split(item);
      if (attributes == nullptr) return std::string("cannot read the item");  // validated before
      if (auto problem = index_problem(table, *attributes, key)) return problem->text;
    }
    ++outcome.counts.written;
    // The larger of the item written and the one it replaces.
    metrics_.consumed_write(live ? std::max(units, item_write_units(item)) : item_write_units(item), now);
    if (live && *live == item) return std::nullopt;  // no change: no write, no change record
    // Recorded before the put, which ends the view of the stored item.
    if (emit_) record(table, {live ? ChangeKind::modify : ChangeKind::insert, keys, item, live, 0, now}, outcome);
    items.put(key, stored, expires_ms, item);
    return std::nullopt;
  }

  // Whether every operation is a plain put, which needs nothing of the item it replaces and
  // cannot fail (no index refuses it): then put_blind() applies them.
  bool blind(const store::TableMeta& table) const {
    return options_.action == Action::put && !emit_ && !options_.if_absent && !options_.condition && !table.ttl &&
           table.indexes.empty();
  }

  // Applies plain puts, in order.
  void put_blind(store::ItemWriter& items, const std::vector<OperationBatch>& taken, lines::EpochMs now, Outcome& outcome) {
    for (const OperationBatch& batch : taken) {
      for (const Operation& op : batch.operations()) {
        std::string_view item = batch.view(op.item_offset, op.item_size);
        double units = item_write_units(item);
        if (items.put_blind(batch.view(op.key_offset, op.key_size), item, &replaced_))
          units = std::max(units, item_write_units(replaced_));
        metrics_.consumed_write(units, now);
      }
    }
    for (const OperationBatch& batch : taken) outcome.counts.written += batch.operations().size();
  }

  // Removes up to kExpiredPerCommit expired items of `table`.
  void expire(store::ItemWriter& items, store::TableMeta& table, lines::EpochMs now, Outcome& outcome) {
    if (!table.ttl) return;
    for (int i = 0; i < store::kExpiredPerCommit; ++i) {
      bool found = items.remove_expired(now, [&](std::string_view, const store::StoredItem& item) {
        ++outcome.counts.expired;
        if (!emit_) return;
        const std::vector<Attribute>* attributes = stored_parser_.split(item.json);
        keys_.clear();
        if (attributes != nullptr) append_keys_json(keys_, table, *attributes);
        record(table, {ChangeKind::remove, keys_, std::nullopt, item.json, 0, now, true}, outcome);
      });
      if (!found) return;
    }
  }

 private:
  // Whether the conditions hold for the stored item `live` (nullopt: there is none).
  std::optional<std::string> condition_holds(std::optional<std::string_view> live, bool& holds) {
    holds = true;
    if (options_.if_absent && live) holds = false;
    if (!holds || !options_.condition) return std::nullopt;
    simdjson::dom::element root;
    if (dom_.parse(live ? *live : std::string_view("{}")).get(root))
      return std::string("--if cannot read the stored item (an integer beyond 64 bits?)");
    holds = options_.condition->matches(root);
    return std::nullopt;
  }

  void record(store::TableMeta& table, Change change, Outcome& outcome) {
    change.sequence = ++table.changes;
    append_change(outcome.changes, change);
  }

  const PutOptions& options_;
  bool emit_;
  metrics::TableMetrics& metrics_;
  ItemParser stored_parser_, update_parser_;
  simdjson::dom::parser dom_;
  std::string updated_, keys_, replaced_;
};

}  // namespace

std::size_t max_line_length(lines::InputFormat format) {
  return format == lines::InputFormat::data ? store::kMaxItemBytes : 6 * store::kMaxItemBytes + 4096;
}

PutStats put_items(store::Env& env, const TableSpec& spec, lines::Reader& reader, const PutOptions& options,
                   lines::Writer* changes) {
  LineParser parser(env, spec, options, changes != nullptr);
  metrics::Recorder recorder;  // the commit thread's
  metrics::TableMetrics recorded(recorder, spec.name);
  Applier applier(options, changes != nullptr, recorded);
  PutStats stats;
  store::GroupCommit<OperationBatch> committer([&](std::vector<OperationBatch>& taken) {
    lines::EpochMs now = lines::now_ms();
    Outcome outcome;
    metrics::write(env, &recorder, [&](const store::Txn& txn) {
      outcome = Outcome{};
      store::TableMeta table = store::table_or_throw(txn, spec.name);
      if (table.id != parser.table()->id)
        throw cli::Error(cli::Exit::no_input, spec.name, "the table was deleted while being written");
      store::ItemWriter items(txn, table);
      stream::GroupProgress progress;
      bool blind = applier.blind(table);
      if (blind) applier.put_blind(items, taken, now, outcome);
      for (const OperationBatch& batch : taken) {
        for (const Operation& op : batch.operations()) {
          auto problem = blind ? std::nullopt : applier.apply(items, table, batch, op, now, outcome);
          if (problem && options.on_error == lines::OnError::fail) {
            outcome.failure.emplace(cli::Exit::data, batch.where(op), *problem);
            break;
          }
          if (problem) {
            outcome.warnings.emplace_back(batch.where(op), *problem + " (skipped)");
            ++outcome.counts.skipped;
            continue;
          }
          if (op.group_size > 0) {
            std::string_view origin = batch.view(op.origin_offset, op.stream_size + op.group_size + op.seq_size);
            progress.note(origin.substr(0, op.stream_size), origin.substr(op.stream_size, op.group_size),
                          origin.substr(op.stream_size + op.group_size));
          }
        }
        if (outcome.failure) break;
      }
      applier.expire(items, table, now, outcome);
      recorded.expired(outcome.counts.expired, now);
      progress.commit(txn, now);
      store::save_table(txn, table);
    });
    std::uint64_t written = 0;
    for (const OperationBatch& batch : taken) written += batch.bytes();
    env.wrote(written);
    // Durable now: count, tell, and pass the changes on.
    stats.written += outcome.counts.written;
    stats.removed += outcome.counts.removed;
    stats.refused += outcome.counts.refused;
    stats.expired += outcome.counts.expired;
    stats.skipped += outcome.counts.skipped;  // this thread's; the reader's are added after finish()
    for (const auto& [where, what] : outcome.warnings) cli::warn(where, "{}", what);
    for (const auto& [where, what] : outcome.notes) cli::note(where, "{}", what);
    if (changes != nullptr && !outcome.changes.empty()) {
      changes->append(outcome.changes);
      changes->flush();
    }
    if (outcome.failure) throw *outcome.failure;
  });

  std::uint64_t skipped = store::commit_lines(committer, reader, options.on_error, parser);
  stats.skipped += skipped;
  return stats;
}

}  // namespace millrace::table
