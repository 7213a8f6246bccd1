// XML character data and attribute values, for the XML millrace writes (the query protocol's
// answers, SVG charts).
#pragma once

#include <string>
#include <string_view>

namespace millrace::lines {

// Appends `text` escaped: & < > " ' as entities, a carriage return as &#13; (a parser would
// otherwise read it as a line end), and the control characters XML 1.0 cannot hold (all but tab
// and newline) dropped.
void append_xml_escaped(std::string& out, std::string_view text);

inline std::string xml_escape(std::string_view text) {
  std::string out;
  append_xml_escaped(out, text);
  return out;
}

}  // namespace millrace::lines
