#include "expr/condition.h"

#include <fmt/format.h>

#include <charconv>

#include "cli/error.h"
#include "expr/compare.h"

namespace millrace::expr {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using Kind = Condition::Kind;
using Op = Condition::Op;

// Deeper nesting of parentheses and `not` than anyone writes by hand; the bound keeps the
// recursive parser and evaluator far from the end of the stack on hostile input.
constexpr int kMaxNesting = 256;

// Literals (kw_null to string) and fields (name to pointer) stay together, in this order.
enum class Tok : std::uint8_t {
  end,
  lparen,
  rparen,
  comma,
  compare,
  kw_and,
  kw_or,
  kw_not,
  kw_is,
  kw_in,
  kw_null,
  kw_true,
  kw_false,
  number,
  string,
  name,
  quoted,
  pointer
};
bool is_literal(Tok t) { return t >= Tok::kw_null && t <= Tok::string; }
bool is_field(Tok t) { return t >= Tok::name; }

struct Keyword {
  std::string_view word;
  Tok tok;
};
constexpr Keyword kKeywords[] = {
    {"and", Tok::kw_and}, {"or", Tok::kw_or},     {"not", Tok::kw_not},   {"is", Tok::kw_is},
    {"in", Tok::kw_in},   {"null", Tok::kw_null}, {"true", Tok::kw_true}, {"false", Tok::kw_false},
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_word(char c) { return is_word_start(c) || is_digit(c); }
// Where a pointer ends: the characters that start an operator or close a list.
bool ends_pointer(char c) {
  return is_space(c) || std::string_view("=!<>(),").find(c) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != b[i]) return false;
  }
  return true;
}

// Which orders each of eq, ne, lt, le, gt and ge accepts: bit 0 less, bit 1 equal, bit 2 greater.
constexpr std::uint8_t kAccepts[] = {0b010, 0b101, 0b001, 0b011, 0b100, 0b110};

// The comparison itself is expr/compare.h's, shared with DynamoDB's expressions; what is this
// language's: values of different types, objects and arrays are unequal and unordered; null
// equals only null and does not order.
bool holds(Op op, const Scalar& a, const Scalar& b) {
  std::optional<int> order = expr::order(a, b);
  if (!order) {
    bool same = equal_scalars(a, b);  // both null
    return op == Op::eq ? same : op == Op::ne && !same;
  }
  return (kAccepts[static_cast<int>(op) - static_cast<int>(Op::eq)] >> (*order + 1)) & 1;
}

}  // namespace

struct Condition::Value : Scalar {};

// Recursive descent over a one-token lookahead; lexes as it goes and writes into an Condition.
class ConditionParser {
 public:
  ConditionParser(std::string_view text, std::string_view option, Condition& out)
      : text_(text), option_(option), out_(out) {}

  void parse() {
    next();
    if (tok_.kind == Tok::end) fail(tok_.begin, "empty expression");
    out_.root_ = parse_or();
    if (tok_.kind == Tok::rparen) fail(tok_.begin, "unmatched ')'");
    if (tok_.kind != Tok::end)
      fail(tok_.begin, "expected 'and', 'or' or the end, found " + found());
  }

 private:
  struct Token {
    Tok kind = Tok::end;
    std::size_t begin = 0, end = 0;
    Op op = Op::eq;
    Condition::Literal literal;
    std::string name;  // the unescaped field of a name, quoted name or pointer
  };

  [[noreturn]] void fail(std::size_t at, const std::string& what) const {
    std::size_t column = 1;  // in characters: UTF-8 continuation bytes do not start one
    for (std::size_t i = 0; i < at && i < text_.size(); ++i) column += (text_[i] & 0xC0) != 0x80;
    throw cli::Error(cli::Exit::usage, std::string(option_),
                     fmt::format("at column {}: {}", column, what));
  }

  std::string found() const {
    if (tok_.kind == Tok::end) return "the end";
    return fmt::format("'{}'", text_.substr(tok_.begin, tok_.end - tok_.begin));
  }
  std::string after() const {
    return fmt::format("after '{}'", text_.substr(prev_begin_, prev_end_ - prev_begin_));
  }

  // Lexing.
  void next() {
    prev_begin_ = tok_.begin;
    prev_end_ = tok_.end;
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    tok_.begin = pos_;
    tok_.kind = lex();
    tok_.end = pos_;
  }

  Tok lex() {
    if (pos_ == text_.size()) return Tok::end;
    char c = text_[pos_];
    auto two = [&](char second) { return pos_ + 1 < text_.size() && text_[pos_ + 1] == second; };
    auto op = [&](Op o, std::size_t length) {
      tok_.op = o;
      pos_ += length;
      return Tok::compare;
    };
    if (c == '(' || c == ')' || c == ',') {
      ++pos_;
      return c == '(' ? Tok::lparen : c == ')' ? Tok::rparen : Tok::comma;
    }
    if (c == '=') return op(Op::eq, two('=') ? 2 : 1);
    if (c == '!' && two('=')) return op(Op::ne, 2);
    if (c == '<') return two('=') ? op(Op::le, 2) : two('>') ? op(Op::ne, 2) : op(Op::lt, 1);
    if (c == '>') return two('=') ? op(Op::ge, 2) : op(Op::gt, 1);
    if (c == '\'' || c == '"') return lex_string();
    if (c == '`') return lex_quoted_name();
    if (c == '/') return lex_pointer();
    if (c == '-' || is_digit(c)) return lex_number();
    if (is_word_start(c)) return lex_word();
    // Hints for the operators of C and of other query languages.
    if (c == '!') fail(pos_, "'!' is not an operator; use != or not");
    if (c == '&' || c == '|')
      fail(pos_, fmt::format("unexpected character '{}'; use {}", c, c == '&' ? "and" : "or"));
    std::size_t end = pos_ + 1;  // the whole UTF-8 character, for the message
    while (end < text_.size() && (text_[end] & 0xC0) == 0x80) ++end;
    fail(pos_, fmt::format("unexpected character '{}'", text_.substr(pos_, end - pos_)));
  }

  // A keyword, whatever its case, or else a name.
  Tok lex_word() {
    while (pos_ < text_.size() && is_word(text_[pos_])) ++pos_;
    std::string_view word = text_.substr(tok_.begin, pos_ - tok_.begin);
    for (const Keyword& k : kKeywords) {
      if (!iequals(word, k.word)) continue;
      tok_.literal = {};  // null
      if (k.tok == Tok::kw_true || k.tok == Tok::kw_false)
        tok_.literal = {.kind = Kind::boolean, .boolean = k.tok == Tok::kw_true};
      return k.tok;
    }
    tok_.name.assign(word);
    return Tok::name;
  }

  // RFC 8259's number; integers stay exact when they fit int64 or uint64.
  Tok lex_number() {
    std::size_t i = pos_;
    auto digits = [&] {
      std::size_t start = i;
      while (i < text_.size() && is_digit(text_[i])) ++i;
      return i > start;
    };
    bool integer = true, ok = true;
    if (text_[i] == '-') ++i;
    if (i < text_.size() && text_[i] == '0') {
      ++i;
    } else if (!digits()) {
      fail(pos_, "'-' must start a number");
    }
    if (i < text_.size() && text_[i] == '.') ++i, integer = false, ok = digits();
    if (ok && i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
      ++i, integer = false;
      if (i < text_.size() && (text_[i] == '+' || text_[i] == '-')) ++i;
      ok = digits();
    }
    std::size_t end = i;
    while (end < text_.size() && (is_word(text_[end]) || text_[end] == '.'))
      ++end;  // as in 01 or 1.2.3
    std::string_view number = text_.substr(pos_, end - pos_);
    if (!ok || end != i) fail(pos_, fmt::format("invalid number '{}'", number));
    pos_ = end;
    const char* first = number.data();
    const char* last = first + number.size();
    Condition::Literal& literal = tok_.literal;
    literal = {};
    if (integer && std::from_chars(first, last, literal.int64).ec == std::errc{}) {
      literal.kind = Kind::int64;
    } else if (integer && number[0] != '-' &&
               std::from_chars(first, last, literal.uint64).ec == std::errc{}) {
      literal.kind = Kind::uint64;
    } else if (std::from_chars(first, last, literal.float64).ec == std::errc{}) {
      literal.kind = Kind::float64;  // also an integer beyond 64 bits, as simdjson reads one
    } else {
      fail(pos_ - number.size(), fmt::format("number '{}' is out of range", number));
    }
    return Tok::number;
  }

  // Text between `quote`s, where a backslash escapes a backslash or any quote character.
  std::string unquote(char quote, const char* what) {
    std::string out;
    std::size_t open = pos_++;
    for (;;) {
      if (pos_ >= text_.size()) fail(open, fmt::format("unterminated {}", what));
      char c = text_[pos_++];
      if (c == quote) return out;
      if (c == '\\') {
        if (pos_ >= text_.size()) fail(open, fmt::format("unterminated {}", what));
        char e = text_[pos_];
        if (e != '\\' && e != '\'' && e != '"' && e != '`')
          fail(pos_ - 1,
               fmt::format("'\\{}' is not an escape; a backslash escapes only \\ ' \" and `", e));
        ++pos_;
        c = e;
      }
      out.push_back(c);
    }
  }

  Tok lex_string() {
    std::string text = unquote(text_[pos_], "string");
    tok_.literal = {.kind = Kind::string,
                    .offset = static_cast<std::uint32_t>(out_.strings_.size()),
                    .size = static_cast<std::uint32_t>(text.size())};
    out_.strings_ += text;
    return Tok::string;
  }

  Tok lex_quoted_name() {
    std::size_t open = pos_;
    tok_.name = unquote('`', "name");
    if (tok_.name.empty()) fail(open, "empty name ``");
    if (tok_.name.starts_with('/')) check_pointer(tok_.name, open + 1);
    return Tok::quoted;
  }

  Tok lex_pointer() {
    while (pos_ < text_.size() && !ends_pointer(text_[pos_])) ++pos_;
    tok_.name.assign(text_.substr(tok_.begin, pos_ - tok_.begin));
    check_pointer(tok_.name, tok_.begin);
    return Tok::pointer;
  }

  // RFC 6901 allows only ~0 and ~1; `at` is where `pointer` starts in the text (approximately,
  // for a quoted one with escapes).
  void check_pointer(std::string_view pointer, std::size_t at) const {
    for (std::size_t i = 0; i < pointer.size(); ++i) {
      if (pointer[i] == '~' &&
          (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')))
        fail(at + i, "'~' in a pointer must be followed by 0 or 1");
    }
  }

  // Building.
  static Condition::Node make_node(Op op, std::uint32_t a = 0, std::uint32_t b = 0) {
    Condition::Node n;  // not designated initializers: GCC 12 warns of the members they leave out
    n.op = op, n.a = a, n.b = b;
    return n;
  }

  std::uint32_t add(const Condition::Node& node) {
    out_.nodes_.push_back(node);
    return static_cast<std::uint32_t>(out_.nodes_.size() - 1);
  }

  std::uint32_t add_group(Op op, const std::vector<std::uint32_t>& terms) {
    if (terms.size() == 1) return terms[0];
    auto first = static_cast<std::uint32_t>(out_.children_.size());
    out_.children_.insert(out_.children_.end(), terms.begin(), terms.end());
    return add(make_node(op, first, static_cast<std::uint32_t>(terms.size())));
  }

  // The index of the field `spec` in fields_ and paths_, adding it on first use.
  std::uint32_t add_field(std::string spec) {
    lines::Field field(std::move(spec));
    for (std::size_t i = 0; i < out_.fields_.size(); ++i) {
      if (out_.fields_[i].pointer() == field.pointer()) return static_cast<std::uint32_t>(i);
    }
    Condition::Path path{.first = static_cast<std::uint32_t>(out_.steps_.size()), .count = 0};
    std::string_view pointer = field.pointer();
    for (std::size_t start = 1; start <= pointer.size(); ++path.count) {
      std::size_t slash = std::min(pointer.find('/', start), pointer.size());
      std::string key;
      for (std::size_t i = start; i < slash; ++i) {  // ~1 is '/' and ~0 is '~', left to right
        bool escape = pointer[i] == '~' && i + 1 < slash;
        key.push_back(escape ? (pointer[++i] == '1' ? '/' : '~') : pointer[i]);
      }
      Condition::Step step{.offset = static_cast<std::uint32_t>(out_.strings_.size()),
                      .size = static_cast<std::uint32_t>(key.size())};
      // An array index is 0 or has no leading zero (RFC 6901); 19 digits always fit 64 bits.
      bool index = !key.empty() && key.size() <= 19 && (key == "0" || key[0] != '0') &&
                   key.find_first_not_of("0123456789") == std::string::npos;
      if (index) std::from_chars(key.data(), key.data() + key.size(), step.index);
      out_.strings_ += key;
      out_.steps_.push_back(step);
      start = slash + 1;
    }
    out_.paths_.push_back(path);
    out_.fields_.push_back(std::move(field));
    return static_cast<std::uint32_t>(out_.fields_.size() - 1);
  }

  // Grammar: one function per rule of the header's EBNF.
  std::uint32_t parse_or() {
    std::vector<std::uint32_t> terms{parse_and()};
    while (tok_.kind == Tok::kw_or) next(), terms.push_back(parse_and());
    return add_group(Op::any, terms);
  }

  std::uint32_t parse_and() {
    std::vector<std::uint32_t> terms{parse_unary()};
    while (tok_.kind == Tok::kw_and) next(), terms.push_back(parse_unary());
    return add_group(Op::all, terms);
  }

  std::uint32_t parse_unary() {
    if (++depth_ > kMaxNesting)
      fail(tok_.begin, fmt::format("nested deeper than {} levels", kMaxNesting));
    std::uint32_t node = 0;
    if (tok_.kind == Tok::kw_not) {
      next();
      node = add(make_node(Op::negate, parse_unary()));
    } else if (tok_.kind == Tok::lparen) {
      std::size_t open = tok_.begin;
      next();
      if (tok_.kind == Tok::rparen) fail(tok_.begin, "empty parentheses");
      node = parse_or();
      if (tok_.kind == Tok::end) fail(open, "unclosed '('");
      if (tok_.kind != Tok::rparen)
        fail(tok_.begin, "expected 'and', 'or' or ')', found " + found());
      next();
    } else {
      node = parse_comparison();
    }
    --depth_;
    return node;
  }

  std::uint32_t parse_comparison() {
    std::size_t start = tok_.begin;
    Tok first = tok_.kind;
    Condition::Node node;
    node.lhs = parse_operand();
    if (tok_.kind == Tok::compare) {
      node.op = tok_.op;
      next();
      node.rhs = parse_operand();
    } else if (tok_.kind == Tok::kw_is) {
      next();
      node.op = Op::is_null;
      if (tok_.kind == Tok::kw_not) next(), node.op = Op::is_not_null;
      if (tok_.kind != Tok::kw_null)
        fail(tok_.begin, "expected null " + after() + ", found " + found());
      next();
    } else if (tok_.kind == Tok::kw_in || tok_.kind == Tok::kw_not) {
      node.op = Op::in;
      if (tok_.kind == Tok::kw_not) next(), node.op = Op::not_in;
      if (tok_.kind != Tok::kw_in)
        fail(tok_.begin, "expected in " + after() + ", found " + found());
      parse_list(node);
    } else if (node.lhs.is_field) {
      node.op = Op::truthy;
      return add(node);
    } else if (first == Tok::kw_true || first == Tok::kw_false) {
      return add(make_node(Op::constant, first == Tok::kw_true));
    } else {
      const char* what = first == Tok::number   ? "a number"
                         : first == Tok::string ? "a string"
                                                : "null";
      fail(start, fmt::format("{} is not a condition; compare it with something", what));
    }
    if (tok_.kind == Tok::compare || tok_.kind == Tok::kw_is || tok_.kind == Tok::kw_in)
      fail(tok_.begin, "comparisons do not chain; join them with and");
    return add(node);
  }

  void parse_list(Condition::Node& node) {
    next();
    if (tok_.kind != Tok::lparen)
      fail(tok_.begin, "expected '(' " + after() + ", found " + found());
    std::size_t open = tok_.begin;
    next();
    if (tok_.kind == Tok::rparen) fail(tok_.begin, "empty list; in needs at least one value");
    node.a = static_cast<std::uint32_t>(out_.list_.size());
    std::vector<Condition::Operand> values;  // nothing else appends to list_ while this list is read
    for (;;) {
      values.push_back(parse_operand());
      if (tok_.kind == Tok::rparen) break;
      if (tok_.kind == Tok::end) fail(open, "unclosed '('");
      if (tok_.kind != Tok::comma) fail(tok_.begin, "expected ',' or ')', found " + found());
      next();
    }
    next();
    out_.list_.insert(out_.list_.end(), values.begin(), values.end());
    node.b = static_cast<std::uint32_t>(values.size());
  }

  Condition::Operand parse_operand() {
    Condition::Operand operand;
    if (is_literal(tok_.kind)) {
      operand.index = static_cast<std::uint32_t>(out_.literals_.size());
      out_.literals_.push_back(tok_.literal);
    } else if (is_field(tok_.kind)) {
      operand = {.is_field = true, .index = add_field(std::move(tok_.name))};
    } else if (prev_end_ == prev_begin_) {  // the first token
      fail(tok_.begin, "expected a value, found " + found());
    } else {
      fail(tok_.begin, "expected a value " + after() + ", found " + found());
    }
    next();
    return operand;
  }

  std::string_view text_;
  std::string_view option_;
  Condition& out_;
  std::size_t pos_ = 0;
  Token tok_;
  std::size_t prev_begin_ = 0, prev_end_ = 0;
  int depth_ = 0;
};

Condition Condition::compile(std::string_view text, std::string_view option) {
  Condition expr;
  ConditionParser(text, option, expr).parse();
  return expr;
}

Condition::Value Condition::load(Operand operand, element record) const {
  Value value;
  value.type = Type::null;  // a missing field is null
  if (!operand.is_field) {
    const Literal& literal = literals_[operand.index];
    switch (literal.kind) {
      case Kind::null: break;
      case Kind::boolean: value.type = Type::boolean, value.boolean = literal.boolean; break;
      case Kind::int64: value.type = Type::number, value.number = Number::of_int64(literal.int64); break;
      case Kind::uint64: value.type = Type::number, value.number = Number::of_uint64(literal.uint64); break;
      case Kind::float64:
        value.type = Type::number, value.number = Number::of_double(literal.float64);
        break;
      case Kind::string:
        value.type = Type::string, value.bytes = std::string_view(strings_.data() + literal.offset, literal.size);
        break;
      case Kind::composite: value.type = Type::map; break;
    }
    return value;
  }
  // Walks the path by hand rather than with at_pointer, which would re-parse the pointer and
  // copy any key with an escape on every record.
  const Path& path = paths_[operand.index];
  for (std::uint32_t i = path.first; i < path.first + path.count; ++i) {
    const Step& step = steps_[i];
    element_type type = record.type();
    if (type == element_type::OBJECT) {
      std::string_view key(strings_.data() + step.offset, step.size);
      if (record.get_object().value_unsafe().at_key(key).get(record)) return value;  // missing: null
    } else if (type == element_type::ARRAY && step.index != Step::kNoIndex) {
      if (record.get_array().value_unsafe().at(step.index).get(record)) return value;
    } else {
      return value;
    }
  }
  using T = element_type;
  switch (record.type()) {
    case T::INT64: value.type = Type::number, value.number = Number::of_int64(record.get_int64().value_unsafe()); break;
    case T::UINT64:
      value.type = Type::number, value.number = Number::of_uint64(record.get_uint64().value_unsafe());
      break;
    case T::DOUBLE:
      value.type = Type::number, value.number = Number::of_double(record.get_double().value_unsafe());
      break;
    case T::STRING: value.type = Type::string, value.bytes = record.get_string().value_unsafe(); break;
    case T::BOOL: value.type = Type::boolean, value.boolean = record.get_bool().value_unsafe(); break;
    // Objects and arrays: equal to nothing, which the shared comparison says of maps.
    case T::OBJECT:
    case T::ARRAY: value.type = Type::map; break;
    case T::NULL_VALUE: break;
  }
  return value;
}

bool Condition::eval(std::uint32_t index, element record) const {
  const Node& node = nodes_[index];
  Op op = node.op;
  if (op == Op::any || op == Op::all) {
    bool decides = op == Op::any;  // the value of a term that decides the group: true for or
    for (std::uint32_t i = node.a; i < node.a + node.b; ++i) {
      if (eval(children_[i], record) == decides) return decides;
    }
    return !decides;
  }
  if (op == Op::negate) return !eval(node.a, record);
  if (op == Op::constant) return node.a != 0;
  Value value = load(node.lhs, record);
  if (op == Op::is_null || op == Op::is_not_null) return (value.type == Type::null) == (op == Op::is_null);
  if (op == Op::truthy) return value.type == Type::boolean && value.boolean;
  if (op == Op::in || op == Op::not_in) {
    for (std::uint32_t i = node.a; i < node.a + node.b; ++i) {
      if (holds(Op::eq, value, load(list_[i], record))) return op == Op::in;
    }
    return op == Op::not_in;
  }
  return holds(op, value, load(node.rhs, record));
}

}  // namespace millrace::expr
