#include "serve/message.h"

#include <algorithm>

#include "lines/json.h"

namespace millrace::serve {

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::optional<std::string_view> Headers::find(std::string_view name) const {
  for (const Header& field : fields_)
    if (iequals(field.name, name)) return field.value;
  return std::nullopt;
}

void Headers::add(std::string name, std::string value) {
  fields_.push_back({std::move(name), std::move(value)});
}

void Headers::set(std::string name, std::string value) {
  std::erase_if(fields_, [&](const Header& field) { return iequals(field.name, name); });
  add(std::move(name), std::move(value));
}

std::string_view Request::path() const {
  std::string_view all = target;
  return all.substr(0, all.find('?'));
}

std::string_view Request::query() const {
  std::string_view all = target;
  std::size_t mark = all.find('?');
  return mark == std::string_view::npos ? std::string_view{} : all.substr(mark + 1);
}

Response Response::json(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.add("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

Response Response::error(int status, std::string_view message) {
  std::string body = "{\"message\":";
  lines::append_json_string(body, message);
  body += '}';
  return json(status, std::move(body));
}

}  // namespace millrace::serve
