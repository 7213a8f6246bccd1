#include "metrics/stats.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "cli/error.h"
#include "lines/json.h"

namespace millrace::metrics {
namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kDayMs = 86'400'000;

// A value as CloudWatch's JSON writes numbers: an integer without a fraction, else the shortest
// form that reads back the same.
std::string number(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9007199254740992.0)
    return fmt::format("{}", static_cast<std::int64_t>(value));
  return fmt::format("{}", value);
}

// A period's start, for people and JSON alike: ISO 8601 to the second.
std::string timestamp(lines::EpochMs ms) {
  std::string text = lines::format_iso8601(ms);
  return text.substr(0, 19) + "Z";
}

void append_dimensions(std::string& out, const MetricId& id) {
  out.append("\"Dimensions\":[");
  for (std::size_t i = 0; i < id.dimensions.size(); ++i) {
    out.append(i > 0 ? ",{\"Name\":" : "{\"Name\":");
    lines::append_json_string(out, id.dimensions[i].name);
    out.append(",\"Value\":");
    lines::append_json_string(out, id.dimensions[i].value);
    out.push_back('}');
  }
  out.push_back(']');
}

void append_metric(std::string& out, const MetricId& id) {
  out.append("{\"Namespace\":");
  lines::append_json_string(out, id.ns);
  out.append(",\"MetricName\":");
  lines::append_json_string(out, id.name);
  out.push_back(',');
  append_dimensions(out, id);
}

std::string dimensions_text(const MetricId& id) {
  std::string out;
  for (const Dimension& d : id.dimensions) out.append(out.empty() ? "" : " ").append(d.name).append("=").append(d.value);
  return out;
}

void write_list(const std::vector<ListedMetric>& metrics, Output output, lines::Writer& out) {
  std::string& text = out.buffer();
  switch (output) {
    case Output::api:
      text.append("{\"Metrics\":[");
      for (std::size_t i = 0; i < metrics.size(); ++i) {
        if (i > 0) text.push_back(',');
        append_metric(text, metrics[i].id);
        text.push_back('}');
      }
      text.append("]}\n");
      break;
    case Output::lines:
      for (const ListedMetric& metric : metrics) {
        append_metric(text, metric.id);
        text.append("}\n");
        out.maybe_flush();
      }
      break;
    case Output::table: {
      std::size_t ns = 9, name = 6;
      for (const ListedMetric& m : metrics) {
        ns = std::max(ns, m.id.ns.size());
        name = std::max(name, m.id.name.size());
      }
      fmt::format_to(std::back_inserter(text), "{:<{}}  {:<{}}  {:<12}  {}\n", "NAMESPACE", ns, "METRIC", name, "UNIT",
                     "DIMENSIONS");
      for (const ListedMetric& m : metrics)
        fmt::format_to(std::back_inserter(text), "{:<{}}  {:<{}}  {:<12}  {}\n", m.id.ns, ns, m.id.name, name,
                       unit_name(m.unit), dimensions_text(m.id));
      break;
    }
  }
}

void write_values(const std::vector<MetricValues>& results, Output output, lines::Writer& out) {
  std::string& text = out.buffer();
  switch (output) {
    case Output::api:
      // GetMetricData's answer, newest first as its default ScanBy (TimestampDescending).
      text.append("{\"MetricDataResults\":[");
      for (std::size_t i = 0; i < results.size(); ++i) {
        const MetricValues& r = results[i];
        text.append(i > 0 ? "," : "").append(fmt::format("{{\"Id\":\"m{}\",\"Label\":", i + 1));
        lines::append_json_string(text, r.metric.id.label());
        text.append(",\"Timestamps\":[");
        for (auto p = r.points.rbegin(); p != r.points.rend(); ++p)
          text.append(p == r.points.rbegin() ? "" : ",").append(lines::json_string(timestamp(p->timestamp)));
        text.append("],\"Values\":[");
        for (auto p = r.points.rbegin(); p != r.points.rend(); ++p) text.append(p == r.points.rbegin() ? "" : ",").append(number(p->value));
        text.append("],\"StatusCode\":\"Complete\"}");
      }
      text.append("],\"Messages\":[]}\n");
      break;
    case Output::lines: {
      // One line per period and metric, in time order: a GetMetricStatistics Datapoint with its metric.
      std::multimap<lines::EpochMs, std::pair<const MetricValues*, double>> by_time;
      for (const MetricValues& r : results)
        for (const Datapoint& p : r.points) by_time.emplace(p.timestamp, std::pair{&r, p.value});
      for (const auto& [at, entry] : by_time) {
        const auto& [r, value] = entry;
        text.append("{\"Timestamp\":").append(lines::json_string(timestamp(at))).append(",\"Namespace\":");
        lines::append_json_string(text, r->metric.id.ns);
        text.append(",\"MetricName\":");
        lines::append_json_string(text, r->metric.id.name);
        text.push_back(',');
        append_dimensions(text, r->metric.id);
        fmt::format_to(std::back_inserter(text), ",\"{}\":{},\"Unit\":\"{}\"}}\n", statistic_name(r->statistic),
                       number(value), unit_name(r->metric.unit));
        out.maybe_flush();
      }
      break;
    }
    case Output::table:
      text.append(values_table(results));
      out.maybe_flush();
  }
}

std::string selector_text(const Selector& selector) {
  std::string out = selector.ns.empty() ? std::string("any namespace") : selector.ns;
  if (!selector.name.empty()) out.append(" ").append(selector.name);
  for (const Selector::Wanted& d : selector.dimensions) out.append(" ").append(d.name).append(d.value ? "=" + *d.value : "");
  return out;
}

}  // namespace

Selector::Wanted dimension_argument(const std::string& text) {
  std::size_t equals = text.find('=');
  Selector::Wanted wanted{text.substr(0, equals), std::nullopt};
  if (equals != std::string::npos) wanted.value = text.substr(equals + 1);
  if (wanted.name.empty() || (wanted.value && wanted.value->empty()))
    throw cli::Error(cli::Exit::usage, "--dimension", "not NAME=VALUE nor NAME: " + text);
  return wanted;
}

lines::EpochMs since_argument(const std::string& text, lines::EpochMs now) {
  if (auto ms = lines::parse_duration_ms(text)) return now - *ms;
  if (auto time = lines::parse_iso8601(text)) return *time;
  throw cli::Error(cli::Exit::usage, "--since", "not a duration (1h) nor an ISO 8601 time: " + text);
}

lines::EpochMs until_argument(const std::string& text) {
  if (auto time = lines::parse_iso8601(text)) return *time;
  throw cli::Error(cli::Exit::usage, "--until", "not an ISO 8601 time: " + text);
}

std::int64_t period_argument(std::int64_t ms) {
  if (ms < kMinuteMs || ms > kDayMs || ms % kMinuteMs != 0)
    throw cli::Error(cli::Exit::usage, "--period", "not whole minutes from 1m to 1d: " + lines::format_duration(ms));
  return ms;
}

Range range_of(lines::EpochMs since, lines::EpochMs until, std::int64_t period_ms) {
  Range range;
  range.period_ms = period_ms;
  range.start = since - ((since % period_ms) + period_ms) % period_ms;
  range.end = until;
  return range;
}

Statistic default_statistic(Unit unit) {
  return unit == Unit::milliseconds || unit == Unit::seconds ? Statistic::average : Statistic::sum;
}

std::string values_table(const std::vector<MetricValues>& results) {
  std::string table;
  std::vector<std::string> headers;
  std::map<lines::EpochMs, std::vector<std::string>> rows;
  for (std::size_t c = 0; c < results.size(); ++c) {
    const MetricValues& r = results[c];
    headers.push_back(fmt::format("{} ({} {})", r.metric.id.label(), statistic_name(r.statistic), unit_name(r.metric.unit)));
    for (const Datapoint& p : r.points) {
      std::vector<std::string>& row = rows[p.timestamp];
      row.resize(results.size(), "-");
      row[c] = number(std::round(p.value * 1000) / 1000);
    }
  }
  std::vector<std::size_t> widths;
  for (std::size_t c = 0; c < headers.size(); ++c) {
    std::size_t width = headers[c].size();
    for (auto& [at, row] : rows) {
      row.resize(results.size(), "-");
      width = std::max(width, row[c].size());
    }
    widths.push_back(width);
  }
  table.append(fmt::format("{:<20}", "TIME"));
  for (std::size_t c = 0; c < headers.size(); ++c) fmt::format_to(std::back_inserter(table), "  {:>{}}", headers[c], widths[c]);
  table.push_back('\n');
  for (const auto& [at, row] : rows) {
    table.append(fmt::format("{:<20}", timestamp(at)));
    for (std::size_t c = 0; c < row.size(); ++c) fmt::format_to(std::back_inserter(table), "  {:>{}}", row[c], widths[c]);
    table.push_back('\n');
  }
  return table;
}

std::vector<MetricValues> read_values(const store::Txn& txn, const StatsOptions& options, lines::EpochMs now) {
  Selector selector = options.selector;
  selector.only_these = !selector.dimensions.empty();
  std::vector<ListedMetric> metrics = list_metrics(txn, selector, now);
  if (metrics.empty())
    throw cli::Error(cli::Exit::no_input, "", fmt::format("no metric of {} (cw-stats --list lists them)", selector_text(selector)));
  std::vector<MetricValues> values;
  for (ListedMetric& metric : metrics) {
    Statistic statistic = options.statistic.value_or(default_statistic(metric.unit));
    std::vector<Datapoint> points = read_series(txn, metric.id, statistic, options.range, now);
    values.push_back({std::move(metric), statistic, std::move(points)});
  }
  return values;
}

void run_stats(store::Env& env, const StatsOptions& options, lines::EpochMs now, lines::Writer& out) {
  store::ReadTxn reader(env);
  store::Txn txn = reader.renew();
  if (options.list) return write_list(list_metrics(txn, options.selector, now), options.output, out);
  std::vector<MetricValues> values = read_values(txn, options, now);
  reader.reset();
  write_values(values, options.output, out);
}

}  // namespace millrace::metrics
