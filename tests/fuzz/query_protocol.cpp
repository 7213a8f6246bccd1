// AWS's query protocol (aws/query_protocol.h) with CloudWatch's model: a form decoded into JSON
// input, and any JSON encoded as an operation's XML answer.
//
// Checks: a decoded form is one valid JSON object that passes or fails the model's validation
// without crashing, and names the operation of its Action; the XML answer of any JSON is well
// nested (every element opened is closed, in order) and holds no unescaped '<' or '&' in text.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <vector>

#include "aws/query_protocol.h"
#include "aws/validate.h"
#include "fuzz.h"

using namespace millrace;
using fuzz::require;

namespace {

// Whether `xml` is a sequence of properly nested elements and escaped text.
bool well_nested(std::string_view xml) {
  std::vector<std::string_view> open;
  for (std::size_t i = 0; i < xml.size();) {
    if (xml[i] == '&') {
      std::size_t end = xml.find(';', i);
      if (end == std::string_view::npos || end - i > 5) return false;
      i = end + 1;
      continue;
    }
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    std::size_t end = xml.find('>', i);
    if (end == std::string_view::npos) return false;
    std::string_view tag = xml.substr(i + 1, end - i - 1);
    if (tag.starts_with('/')) {
      if (open.empty() || open.back() != tag.substr(1)) return false;
      open.pop_back();
    } else {
      open.push_back(tag.substr(0, tag.find(' ')));
    }
    i = end + 1;
  }
  return open.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  auto call = aws::decode_query(aws::model::cloudwatch, text);
  simdjson::dom::parser parser;
  if (auto* decoded = std::get_if<aws::QueryCall>(&call)) {
    simdjson::dom::element root;
    require(!parser.parse(decoded->json).get(root) && root.is_object(), "a decoded form is a JSON object");
    require(decoded->operation != nullptr, "a decoded form names its operation");
    (void)aws::validate(aws::model::cloudwatch, *decoded->operation, root);
  }
  for (const char* name : {"GetMetricData", "ListMetrics", "GetMetricStatistics"}) {
    const aws::model::Operation* operation = aws::model::cloudwatch.operation(name);
    require(well_nested(aws::encode_query_answer(aws::model::cloudwatch, *operation, text, text)),
            "an answer is well nested");
  }
  return 0;
}
