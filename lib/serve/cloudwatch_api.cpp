#include "serve/cloudwatch_api.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "aws/model.h"
#include "lines/json.h"
#include "lines/time.h"
#include "metrics/prometheus.h"
#include "metrics/query.h"
#include "metrics/stats.h"

namespace millrace::serve {
namespace {

using simdjson::dom::element;

constexpr std::size_t kListPage = 500;            // ListMetrics' page
constexpr std::int64_t kMaxDatapoints = 100'800;  // GetMetricData's default MaxDatapoints
constexpr std::int64_t kMaxStatisticsPoints = 1'440;
constexpr lines::EpochMs kRecentlyActiveMs = 3 * 3'600'000;  // RecentlyActive's only value, PT3H

aws::ApiError invalid(std::string message) { return {400, "InvalidParameterValueException", std::move(message)}; }

// A timestamp member: epoch seconds (the JSON protocols) or ISO 8601.
std::optional<lines::EpochMs> time_member(element body, std::string_view name) {
  element value;
  if (body[name].get(value)) return std::nullopt;
  if (double seconds; !value.get(seconds)) return static_cast<lines::EpochMs>(seconds * 1000);
  std::string_view text;
  if (value.get(text)) return std::nullopt;
  if (auto ms = lines::parse_iso8601(text)) return ms;
  throw invalid(fmt::format("The parameter {} is not a time: {}", name, text));
}

std::vector<metrics::Dimension> dimensions_of(element metric) {
  std::vector<metrics::Dimension> out;
  simdjson::dom::array list;
  if (metric["Dimensions"].get(list)) return out;
  for (element d : list) out.push_back({std::string(string_member(d, "Name").value_or("")), std::string(string_member(d, "Value").value_or(""))});
  return out;
}

// The metric that `metric` (a Metric structure, or GetMetricStatistics' input) names.
metrics::MetricId metric_of(element metric) {
  return metrics::MetricId(std::string(string_member(metric, "Namespace").value_or("")),
                           std::string(string_member(metric, "MetricName").value_or("")), dimensions_of(metric));
}

// A Period in ms: whole minutes, as the store keeps them.
std::int64_t period_of(std::optional<std::int64_t> seconds, std::string_view where) {
  if (!seconds || *seconds <= 0 || *seconds % 60 != 0)
    throw invalid(fmt::format("The parameter {} must be a multiple of 60 seconds: the metrics are kept per minute.", where));
  return *seconds * 1000;
}

metrics::Statistic statistic_of(std::string_view name, std::string_view where) {
  if (auto statistic = metrics::parse_statistic(name)) return *statistic;
  throw invalid(fmt::format("The statistic {} of {} is not kept: the metrics are statistic sets, of which SampleCount, "
                            "Average, Sum, Minimum and Maximum are known (no percentiles).",
                            name, where));
}

// The unit of the metric `id` as stored, or nullopt when it has no points kept.
std::optional<metrics::Unit> unit_of(const store::Txn& txn, const metrics::MetricId& id, lines::EpochMs now) {
  metrics::Selector exact{id.ns, id.name, {}, true};
  for (const metrics::Dimension& d : id.dimensions) exact.dimensions.push_back({d.name, d.value});
  auto found = metrics::list_metrics(txn, exact, now);
  if (found.empty()) return std::nullopt;
  return found.front().unit;
}

// The range from StartTime to EndTime in periods of `period_ms`.
metrics::Range range_of(element body, std::int64_t period_ms) {
  auto start = time_member(body, "StartTime"), end = time_member(body, "EndTime");
  if (!start || !end) throw invalid("StartTime and EndTime are required.");
  if (*end <= *start) throw invalid("The parameter EndTime must be greater than StartTime.");
  return metrics::range_of(*start, *end, period_ms);
}

void append_number(std::string& out, double value) { fmt::format_to(std::back_inserter(out), "{}", value); }

void append_seconds(std::string& out, lines::EpochMs ms) { append_epoch_seconds(out, ms); }

void append_metric(std::string& out, const metrics::MetricId& id) {
  out += "{\"Namespace\":";
  lines::append_json_string(out, id.ns);
  out += ",\"MetricName\":";
  lines::append_json_string(out, id.name);
  out += ",\"Dimensions\":[";
  for (std::size_t i = 0; i < id.dimensions.size(); ++i) {
    out += i ? ",{\"Name\":" : "{\"Name\":";
    lines::append_json_string(out, id.dimensions[i].name);
    out += ",\"Value\":";
    lines::append_json_string(out, id.dimensions[i].value);
    out += '}';
  }
  out += "]}";
}

std::string list_metrics(const store::Txn& txn, element body, lines::EpochMs now) {
  metrics::Selector selector;
  selector.ns = string_member(body, "Namespace").value_or("");
  selector.name = string_member(body, "MetricName").value_or("");
  simdjson::dom::array filters;
  if (!body["Dimensions"].get(filters))
    for (element filter : filters) {
      metrics::Selector::Wanted wanted{std::string(string_member(filter, "Name").value_or("")), std::nullopt};
      if (auto value = string_member(filter, "Value")) wanted.value = std::string(*value);
      selector.dimensions.push_back(std::move(wanted));
    }
  std::vector<metrics::ListedMetric> found = metrics::list_metrics(txn, selector, now);
  if (string_member(body, "RecentlyActive")) {  // PT3H, the model's only value
    metrics::Range recent{now - kRecentlyActiveMs, now + 1, kRecentlyActiveMs};
    std::erase_if(found, [&](const metrics::ListedMetric& m) { return metrics::read_periods(txn, m.id, recent, now).empty(); });
  }
  std::size_t from = 0;
  if (auto token = string_member(body, "NextToken")) {
    auto [end, ec] = std::from_chars(token->data(), token->data() + token->size(), from);
    if (ec != std::errc{} || end != token->data() + token->size() || from > found.size())
      throw aws::ApiError{400, "InvalidNextToken", "The NextToken is not one this API gave."};
  }
  std::size_t to = std::min(found.size(), from + kListPage);
  std::string out = "{\"Metrics\":[";
  for (std::size_t i = from; i < to; ++i) {
    if (i > from) out += ',';
    append_metric(out, found[i].id);
  }
  out += ']';
  if (to < found.size()) out += fmt::format(",\"NextToken\":\"{}\"", to);
  return out + "}";
}

// GetMetricData's NextToken: the query and the number of its values already given.
struct Resume {
  std::size_t query = 0, given = 0;
};

Resume resume_of(element body) {
  Resume resume;
  auto token = string_member(body, "NextToken");
  if (!token) return resume;
  if (std::sscanf(std::string(*token).c_str(), "%zu:%zu", &resume.query, &resume.given) != 2)
    throw aws::ApiError{400, "InvalidNextToken", "The NextToken is not one this API gave."};
  return resume;
}

std::string get_metric_data(const store::Txn& txn, element body, lines::EpochMs now) {
  bool ascending = string_member(body, "ScanBy").value_or("TimestampDescending") == "TimestampAscending";
  std::int64_t budget = integer_member(body, "MaxDatapoints").value_or(kMaxDatapoints);
  Resume resume = resume_of(body);
  simdjson::dom::array queries = body["MetricDataQueries"].get_array();
  std::string out = "{\"MetricDataResults\":[";
  bool first_result = true;
  std::optional<Resume> next;
  std::size_t index = 0;
  for (element query : queries) {
    std::string_view id = string_member(query, "Id").value_or("");
    if (string_member(query, "Expression"))
      throw invalid(fmt::format("The query {} is an Expression: metric math is not supported, only MetricStat.", id));
    element stat;
    if (query["MetricStat"].get(stat)) throw invalid(fmt::format("The query {} has no MetricStat.", id));
    std::string where = fmt::format("MetricDataQueries.{}", id);
    std::int64_t period_ms = period_of(integer_member(stat, "Period"), where + ".MetricStat.Period");
    metrics::Statistic statistic = statistic_of(string_member(stat, "Stat").value_or(""), where);
    element metric = stat["Metric"];
    metrics::MetricId metric_id = metric_of(metric);
    std::size_t this_query = index++;
    if (!bool_member(query, "ReturnData").value_or(true) || this_query < resume.query) continue;

    std::vector<metrics::Datapoint> points;
    auto unit = string_member(stat, "Unit");
    auto stored = unit_of(txn, metric_id, now);
    if (!unit || (stored && metrics::unit_name(*stored) == *unit))
      points = metrics::read_series(txn, metric_id, statistic, range_of(body, period_ms), now);
    if (!ascending) std::reverse(points.begin(), points.end());
    std::size_t skip = this_query == resume.query ? std::min(resume.given, points.size()) : 0;
    std::size_t take = std::min<std::size_t>(points.size() - skip, static_cast<std::size_t>(std::max<std::int64_t>(budget, 0)));
    budget -= static_cast<std::int64_t>(take);
    bool partial = skip + take < points.size();
    if (partial && !next) next = Resume{this_query, skip + take};

    out += first_result ? "{\"Id\":" : ",{\"Id\":";
    first_result = false;
    lines::append_json_string(out, id);
    out += ",\"Label\":";
    lines::append_json_string(out, string_member(query, "Label").value_or(metric_id.name));
    out += ",\"Timestamps\":[";
    for (std::size_t i = skip; i < skip + take; ++i) {
      if (i > skip) out += ',';
      append_seconds(out, points[i].timestamp);
    }
    out += "],\"Values\":[";
    for (std::size_t i = skip; i < skip + take; ++i) {
      if (i > skip) out += ',';
      append_number(out, points[i].value);
    }
    out += fmt::format("],\"StatusCode\":\"{}\",\"Messages\":[]}}", partial ? "PartialData" : "Complete");
  }
  out += "],\"Messages\":[]";
  if (next) out += fmt::format(",\"NextToken\":\"{}:{}\"", next->query, next->given);
  return out + "}";
}

std::string get_metric_statistics(const store::Txn& txn, element body, lines::EpochMs now) {
  simdjson::dom::array extended;
  if (!body["ExtendedStatistics"].get(extended) && extended.size() > 0)
    throw invalid("ExtendedStatistics (percentiles) are not kept: the metrics are statistic sets.");
  std::vector<metrics::Statistic> statistics;
  simdjson::dom::array names;
  if (!body["Statistics"].get(names))
    for (element name : names) statistics.push_back(statistic_of(std::string_view(name), "Statistics"));
  if (statistics.empty())
    throw aws::ApiError{400, "InvalidParameterCombinationException",
                        "At least one of the parameters Statistics and ExtendedStatistics must be specified."};
  std::int64_t period_ms = period_of(integer_member(body, "Period"), "Period");
  metrics::Range range = range_of(body, period_ms);
  std::int64_t requested = (range.end - range.start + period_ms - 1) / period_ms;
  if (requested > kMaxStatisticsPoints)
    throw aws::ApiError{400, "InvalidParameterCombinationException",
                        fmt::format("You have requested up to {} datapoints, which exceeds the limit of {}. You may reduce the "
                                    "datapoints requested by increasing Period, or decreasing the time range.",
                                    requested, kMaxStatisticsPoints)};
  metrics::MetricId id = metric_of(body);
  auto stored = unit_of(txn, id, now);
  auto unit = string_member(body, "Unit");
  std::string out = "{\"Label\":";
  lines::append_json_string(out, id.name);
  out += ",\"Datapoints\":[";
  if (stored && (!unit || metrics::unit_name(*stored) == *unit)) {
    bool first = true;
    for (const auto& [start, set] : metrics::read_periods(txn, id, range, now)) {
      out += first ? "{\"Timestamp\":" : ",{\"Timestamp\":";
      first = false;
      append_seconds(out, start);
      for (metrics::Statistic statistic : statistics) {
        fmt::format_to(std::back_inserter(out), ",\"{}\":", metrics::statistic_name(statistic));
        append_number(out, metrics::value_of(set, statistic));
      }
      out += ",\"Unit\":";
      lines::append_json_string(out, metrics::unit_name(*stored));
      out += '}';
    }
  }
  return out + "]}";
}

}  // namespace

ApiAnswer CloudWatchApi::call(std::string_view operation, std::string_view body) {
  auto result = answer(operation, body);
  if (auto* error = std::get_if<aws::ApiError>(&result)) return ApiAnswer::of(*error);
  return ApiAnswer{200, std::move(std::get<std::string>(result))};
}

std::string CloudWatchApi::prometheus_text() {
  store::ReadTxn reader(env_);
  store::Txn txn = reader.renew();
  std::vector<metrics::Exposed> exposed;
  for (metrics::ListedMetric& listed : metrics::list_metrics(txn, {}, lines::now_ms())) {
    metrics::StatisticSet total = metrics::read_total(txn, listed.id);
    exposed.push_back({std::move(listed.id), listed.unit, total});
  }
  return metrics::prometheus_text(exposed);
}

std::variant<std::string, aws::ApiError> CloudWatchApi::answer(std::string_view operation, std::string_view body) {
  using Operation = std::string (*)(const store::Txn&, element, lines::EpochMs);
  static const std::pair<std::string_view, Operation> kOperations[] = {
      {"GetMetricData", get_metric_data},
      {"GetMetricStatistics", get_metric_statistics},
      {"ListMetrics", list_metrics},
  };
  const auto* found = std::find_if(std::begin(kOperations), std::end(kOperations), [&](const auto& op) { return op.first == operation; });
  const aws::model::Operation* modelled = aws::model::cloudwatch.operation(operation);
  if (found == std::end(kOperations) || modelled == nullptr)
    return aws::ApiError{400, "UnknownOperationException", fmt::format("Operation {} is not supported.", operation)};
  thread_local simdjson::dom::parser parser;
  element root;
  if (auto refused = parse_request(aws::model::cloudwatch, *modelled, body, parser, root)) return *refused;
  try {
    store::ReadTxn reader(env_);
    return found->second(reader.renew(), root, lines::now_ms());
  } catch (const aws::ApiError& e) {
    return e;
  } catch (const simdjson::simdjson_error& e) {
    return invalid(fmt::format("The request does not have the members it needs: {}", e.what()));
  }
}

}  // namespace millrace::serve
