// The parser of DynamoDB's expressions: one lexer and one recursive descent for the five kinds,
// then the checks DynamoDB makes of the tree, in the order it makes them.
//
// Grammar (keywords are case-insensitive, function names are not):
//   condition   = or ;  or = and { "OR" and } ;  and = not { "AND" not } ;
//   not         = "NOT" not | comparison ;
//   comparison  = "(" condition ")" | call
//               | operand ( comparator operand | "BETWEEN" operand "AND" operand
//                         | "IN" "(" operand { "," operand } ")" ) ;
//   operand     = path | ":value" | call | "(" operand ")" ;
//   call        = ID "(" operand { "," operand } ")" ;
//   path        = ( ID | "#name" ) { "." ( ID | "#name" ) | "[" INDEX "]" } ;
//   update      = section { section } ;
//   section     = "SET" set { "," set } | "REMOVE" path { "," path }
//               | ( "ADD" | "DELETE" ) path ":value" { "," path ":value" } ;
//   set         = path "=" set_value ;
//   set_value   = operand [ ( "+" | "-" ) operand ] | "(" set_value ")" ;
//   projection  = path { "," path } ;
//   ID = [A-Za-z][A-Za-z0-9_]* ;  #name, :value = [#:][A-Za-z0-9_]+ ;  INDEX = 0 | [1-9][0-9]* .
// A syntax error names the first token that cannot continue the text, and the text from the
// token before it to the token after it, as DynamoDB's (ANTLR's) messages do.
#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "aws/text.h"
#include "expr/dynamo_tree.h"

namespace millrace::expr::dynamo::detail {
namespace {

// DynamoDB's limits on an expression.
constexpr std::size_t kMaxExpressionBytes = 4096;
constexpr int kMaxOperators = 300;
constexpr std::size_t kMaxPathDepth = 32;
constexpr std::size_t kMaxInOperands = 100;
// The largest list index DynamoDB accepts in a path (a Java int).
constexpr std::uint64_t kMaxListIndex = 2147483647;

enum class Tok : std::uint8_t {
  comma,
  lparen,
  rparen,
  dot,
  lbracket,
  rbracket,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  plus,
  minus,
  kw_in,
  kw_between,
  kw_not,
  kw_and,
  kw_or,
  kw_set,
  kw_add,
  kw_delete,
  kw_remove,
  index,
  id,
  name,   // #name
  value,  // :value
  unknown,
  end
};

struct Token {
  Tok kind = Tok::end;
  std::size_t begin = 0, end = 0;
};

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return is_letter(c) || is_digit(c) || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::vector<Token> lex(std::string_view text) {
  static constexpr std::pair<std::string_view, Tok> kKeywords[] = {
      {"IN", Tok::kw_in},   {"BETWEEN", Tok::kw_between}, {"NOT", Tok::kw_not},
      {"AND", Tok::kw_and}, {"OR", Tok::kw_or},           {"SET", Tok::kw_set},
      {"ADD", Tok::kw_add}, {"DELETE", Tok::kw_delete},   {"REMOVE", Tok::kw_remove}};
  std::vector<Token> tokens;
  std::size_t i = 0;
  for (;;) {
    while (i < text.size() && is_space(text[i])) ++i;
    Token t{Tok::end, i, i};
    if (i == text.size()) {
      tokens.push_back(t);
      return tokens;
    }
    char c = text[i];
    auto next_is = [&](char d) { return i + 1 < text.size() && text[i + 1] == d; };
    std::size_t length = 1;
    switch (c) {
      case ',':
        t.kind = Tok::comma;
        break;
      case '(':
        t.kind = Tok::lparen;
        break;
      case ')':
        t.kind = Tok::rparen;
        break;
      case '.':
        t.kind = Tok::dot;
        break;
      case '[':
        t.kind = Tok::lbracket;
        break;
      case ']':
        t.kind = Tok::rbracket;
        break;
      case '=':
        t.kind = Tok::eq;
        break;
      case '+':
        t.kind = Tok::plus;
        break;
      case '-':
        t.kind = Tok::minus;
        break;
      case '<':
        t.kind = next_is('=') ? Tok::le : next_is('>') ? Tok::ne : Tok::lt;
        length = t.kind == Tok::lt ? 1 : 2;
        break;
      case '>':
        t.kind = next_is('=') ? Tok::ge : Tok::gt;
        length = t.kind == Tok::gt ? 1 : 2;
        break;
      default:
        if (is_letter(c)) {
          while (i + length < text.size() && is_word(text[i + length])) ++length;
          t.kind = Tok::id;
          for (const auto& [word, kind] : kKeywords)
            if (aws::iequals(text.substr(i, length), word)) t.kind = kind;
        } else if ((c == '#' || c == ':') && i + 1 < text.size() && is_word(text[i + 1])) {
          while (i + length < text.size() && is_word(text[i + length])) ++length;
          t.kind = c == '#' ? Tok::name : Tok::value;
        } else if (is_digit(c)) {
          if (c != '0')
            while (i + length < text.size() && is_digit(text[i + length])) ++length;
          t.kind = Tok::index;
        } else {
          t.kind = Tok::unknown;  // one character: all of its UTF-8 bytes
          while (i + length < text.size() && (text[i + length] & 0xC0) == 0x80) ++length;
        }
    }
    i += length;
    t.end = i;
    tokens.push_back(t);
  }
}

std::string_view comparator_symbol(Comparator op) {
  static constexpr std::string_view kSymbols[] = {"=", "<>", "<", "<=", ">", ">="};
  return kSymbols[static_cast<int>(op)];
}

Function function_of(std::string_view name) {
  static constexpr std::pair<std::string_view, Function> kFunctions[] = {
      {"attribute_exists", Function::attribute_exists},
      {"attribute_not_exists", Function::attribute_not_exists},
      {"attribute_type", Function::attribute_type},
      {"begins_with", Function::begins_with},
      {"contains", Function::contains},
      {"size", Function::size},
      {"if_not_exists", Function::if_not_exists},
      {"list_append", Function::list_append}};
  for (const auto& [word, function] : kFunctions)
    if (name == word) return function;
  return Function::unknown;
}

bool is_condition_function(Function f) {
  return f == Function::attribute_exists || f == Function::attribute_not_exists ||
         f == Function::attribute_type || f == Function::begins_with || f == Function::contains;
}

// The names of the update's value types in DynamoDB's ADD and DELETE messages.
std::string_view long_type_name(Type type) {
  switch (type) {
    case Type::string:
      return "STRING";
    case Type::number:
      return "NUMBER";
    case Type::binary:
      return "BINARY";
    case Type::boolean:
      return "BOOLEAN";
    case Type::null:
      return "NULL";
    case Type::map:
      return "MAP";
    case Type::list:
      return "LIST";
    case Type::string_set:
      return "STRING_SET";
    case Type::number_set:
      return "NUMBER_SET";
    case Type::binary_set:
      return "BINARY_SET";
    case Type::missing:
      break;
  }
  return "";
}

bool is_set(Type t) {
  return t == Type::string_set || t == Type::number_set || t == Type::binary_set;
}

class Parser {
 public:
  Parser(ExpressionKind kind, std::string_view text, Substitutions& substitutions, Compiled& out)
      : kind_(kind), text_(text), substitutions_(substitutions), out_(out) {}

  void run() {
    if (text_.empty()) fail("The expression can not be empty", "");
    if (text_.size() > kMaxExpressionBytes)
      fail("Expression size has exceeded the maximum allowed size",
           fmt::format("expression size: {}", text_.size()));
    tokens_ = lex(text_);
    switch (kind_) {
      case ExpressionKind::update:
        parse_update();
        break;
      case ExpressionKind::projection:
        out_.project.push_back(parse_path_node());
        while (at(Tok::comma)) next(), out_.project.push_back(parse_path_node());
        break;
      default:
        out_.root = parse_or(false);
        break;
    }
    if (!at(Tok::end)) syntax_error();
    if (operators_ > kMaxOperators)
      fail("The expression contains too many operators",
           fmt::format("operator count: {}", kMaxOperators + 1));
    check();
  }

 private:
  // A parsed node before the checks: where it was, and how many parentheses enclose it.
  struct Extra {
    int parens = 0;
    bool parsed_path = false;
    std::vector<std::size_t> element_tokens;  // a path's: the token of each element
    std::size_t token = 0;                    // a value's token, a call's name
  };

  // Errors.
  [[noreturn]] void fail(std::string_view what, std::string_view details) const {
    throw ValidationError(fmt::format("Invalid {}: {};{}{}", member_name(kind_), what,
                                      details.empty() ? "" : " ", details));
  }
  [[noreturn]] void syntax_error() const {
    const Token& t = tokens_[k_];
    std::size_t from = k_ > 0 ? tokens_[k_ - 1].begin : 0;
    std::size_t to =
        t.kind == Tok::end || k_ + 1 >= tokens_.size() ? text_.size() : tokens_[k_ + 1].end;
    std::string token =
        t.kind == Tok::end ? "<EOF>" : std::string(text_.substr(t.begin, t.end - t.begin));
    fail("Syntax error",
         fmt::format("token: \"{}\", near: \"{}\"", token, text_.substr(from, to - from)));
  }

  // Tokens.
  bool at(Tok kind) const { return tokens_[k_].kind == kind; }
  void next() {
    if (!at(Tok::end)) ++k_;
  }
  void expect(Tok kind) {
    if (!at(kind)) syntax_error();
    next();
  }
  std::string_view token_text(std::size_t k) const {
    return text_.substr(tokens_[k].begin, tokens_[k].end - tokens_[k].begin);
  }

  // Building.
  std::uint32_t add(Node node) { return add(std::move(node), Extra()); }
  std::uint32_t add(Node node, Extra extra) {
    out_.nodes.push_back(std::move(node));
    extras_.push_back(std::move(extra));
    return static_cast<std::uint32_t>(out_.nodes.size() - 1);
  }
  Node& node(std::uint32_t i) { return out_.nodes[i]; }
  bool is_operand(std::uint32_t i) const {
    Kind k = out_.nodes[i].kind;
    return k == Kind::path || k == Kind::value || k == Kind::call || k == Kind::plus ||
           k == Kind::minus;
  }
  std::uint32_t make(Kind kind, std::vector<std::uint32_t> children) {
    Node n;
    n.kind = kind;
    n.children = std::move(children);
    ++operators_;
    return add(std::move(n));
  }

  // Conditions. `in_parens`: the text is inside parentheses, where an operand may stand alone
  // before the ')' ("(a) = :v").
  std::uint32_t parse_or(bool in_parens) {
    std::uint32_t left = parse_and(in_parens);
    if (!at(Tok::kw_or) || (is_operand(left) && node(left).kind != Kind::call)) return left;
    std::vector<std::uint32_t> terms{left};
    while (at(Tok::kw_or)) next(), terms.push_back(parse_and(false)), ++operators_;
    return make_group(Kind::any, terms);
  }

  std::uint32_t parse_and(bool in_parens) {
    std::uint32_t left = parse_not(in_parens);
    if (!at(Tok::kw_and) || (is_operand(left) && node(left).kind != Kind::call)) return left;
    std::vector<std::uint32_t> terms{left};
    while (at(Tok::kw_and)) next(), terms.push_back(parse_not(false)), ++operators_;
    return make_group(Kind::all, terms);
  }

  // AND and OR keep their operands flat; each counts as one operator.
  std::uint32_t make_group(Kind kind, const std::vector<std::uint32_t>& terms) {
    Node n;
    n.kind = kind;
    n.children = terms;
    return add(std::move(n));
  }

  std::uint32_t parse_not(bool in_parens) {
    if (!at(Tok::kw_not)) return parse_comparison(in_parens);
    next();
    return make(Kind::negate, {parse_not(false)});
  }

  std::uint32_t parse_comparison(bool in_parens) {
    std::uint32_t left;
    if (at(Tok::lparen)) {
      next();
      left = parse_or(true);
      expect(Tok::rparen);
      ++extras_[left].parens;
      if (!is_operand(left)) return left;
    } else {
      left = parse_operand();
    }
    static constexpr std::pair<Tok, Comparator> kComparators[] = {
        {Tok::eq, Comparator::eq}, {Tok::ne, Comparator::ne}, {Tok::lt, Comparator::lt},
        {Tok::le, Comparator::le}, {Tok::gt, Comparator::gt}, {Tok::ge, Comparator::ge}};
    for (const auto& [tok, op] : kComparators) {
      if (!at(tok)) continue;
      next();
      std::uint32_t right = parse_operand();
      std::uint32_t c = make(Kind::compare, {left, right});
      node(c).op = op;
      return c;
    }
    if (at(Tok::kw_between)) {
      next();
      std::uint32_t lower = parse_operand();
      expect(Tok::kw_and);
      std::uint32_t upper = parse_operand();
      return make(Kind::between, {left, lower, upper});
    }
    if (at(Tok::kw_in)) {
      next();
      expect(Tok::lparen);
      std::vector<std::uint32_t> children{left, parse_operand()};
      while (at(Tok::comma)) next(), children.push_back(parse_operand());
      expect(Tok::rparen);
      return make(Kind::in, std::move(children));
    }
    if (node(left).kind == Kind::call) return left;  // a function as a condition
    if (in_parens && at(Tok::rparen)) return left;   // "(a)": an operand, in parentheses
    syntax_error();
  }

  std::uint32_t parse_operand() {
    if (at(Tok::lparen)) {
      next();
      std::uint32_t inner = parse_operand();
      expect(Tok::rparen);
      ++extras_[inner].parens;
      return inner;
    }
    if (at(Tok::value)) return parse_value();
    if (at(Tok::id) && tokens_[k_ + 1].kind == Tok::lparen) return parse_call();
    return parse_path_node();
  }

  std::uint32_t parse_value() {
    Node n;
    n.kind = Kind::value;
    Extra extra;
    extra.token = k_;
    expect(Tok::value);
    return add(std::move(n), std::move(extra));
  }

  std::uint32_t parse_call() {
    Extra extra;
    extra.token = k_;
    Node n;
    n.kind = Kind::call;
    n.function = function_of(token_text(k_));
    next();
    expect(Tok::lparen);
    n.children.push_back(parse_operand());
    while (at(Tok::comma)) next(), n.children.push_back(parse_operand());
    expect(Tok::rparen);
    ++operators_;
    return add(std::move(n), std::move(extra));
  }

  std::uint32_t parse_path_node() {
    Extra extra;
    extra.parsed_path = true;
    if (!at(Tok::id) && !at(Tok::name)) syntax_error();
    Path path;
    auto element = [&] {
      extra.element_tokens.push_back(k_);
      path.push_back({std::string(token_text(k_)), 0, false});
      next();
    };
    element();
    for (;;) {
      if (at(Tok::dot)) {
        next();
        if (!at(Tok::id) && !at(Tok::name)) syntax_error();
        element();
      } else if (at(Tok::lbracket)) {
        next();
        if (!at(Tok::index)) syntax_error();
        extra.element_tokens.push_back(k_);
        PathElement e;
        e.is_index = true;
        std::string_view digits = token_text(k_);
        if (digits.size() > 19 ||
            std::from_chars(digits.data(), digits.data() + digits.size(), e.index).ec !=
                std::errc{})
          e.index = ~std::uint64_t{0};
        path.push_back(std::move(e));
        next();
        expect(Tok::rbracket);
      } else {
        break;
      }
    }
    Node n;
    n.kind = Kind::path;
    n.path = static_cast<std::uint32_t>(out_.paths.size());
    out_.paths.push_back(std::move(path));
    return add(std::move(n), std::move(extra));
  }

  // Updates.
  void parse_update() {
    if (!at(Tok::kw_set) && !at(Tok::kw_remove) && !at(Tok::kw_add) && !at(Tok::kw_delete))
      syntax_error();
    while (!at(Tok::end)) {
      Tok section = tokens_[k_].kind;
      if (section != Tok::kw_set && section != Tok::kw_remove && section != Tok::kw_add &&
          section != Tok::kw_delete)
        syntax_error();
      sections_.push_back(section);
      next();
      for (bool first = true; first || at(Tok::comma); first = false) {
        if (!first) next();  // past the ','
        Action action;
        action.path = parse_path_node();
        if (section == Tok::kw_set) {
          action.clause = Action::Clause::set;
          expect(Tok::eq);
          action.value = parse_set_value();
        } else if (section == Tok::kw_remove) {
          action.clause = Action::Clause::remove;
        } else {
          action.clause =
              section == Tok::kw_add ? Action::Clause::add : Action::Clause::remove_from_set;
          action.value = parse_value();
        }
        out_.actions.push_back(action);
      }
    }
  }

  std::uint32_t parse_set_value() {
    std::uint32_t left;
    if (at(Tok::lparen)) {
      next();
      left = parse_set_value();
      expect(Tok::rparen);
      ++extras_[left].parens;
      if (node(left).kind == Kind::plus || node(left).kind == Kind::minus) return left;
    } else {
      left = parse_operand();
    }
    if (!at(Tok::plus) && !at(Tok::minus)) return left;
    Kind kind = at(Tok::plus) ? Kind::plus : Kind::minus;
    next();
    return make(kind, {left, parse_operand()});
  }

  // The checks, in the order of the text.
  void check() {
    for (std::size_t i = 1; i < sections_.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (sections_[i] != sections_[j]) continue;
        std::string_view word;
        static constexpr std::pair<Tok, std::string_view> kSections[] = {
            {Tok::kw_set, "SET"},
            {Tok::kw_remove, "REMOVE"},
            {Tok::kw_add, "ADD"},
            {Tok::kw_delete, "DELETE"}};
        for (const auto& [tok, name] : kSections)
          if (tok == sections_[i]) word = name;
        fail(fmt::format("The \"{}\" section can only be used once in an update expression", word),
             "");
      }
    }
    switch (kind_) {
      case ExpressionKind::update:
        for (const Action& action : out_.actions) {
          check_path(action.path);
          if (action.clause == Action::Clause::set) check_set_value(action.value, true);
          if (action.clause == Action::Clause::add ||
              action.clause == Action::Clause::remove_from_set)
            check_set_operand(action);
        }
        check_overlaps();
        break;
      case ExpressionKind::projection:
        for (std::uint32_t p : out_.project) check_path(p);
        check_overlaps();
        break;
      default:
        check_condition(out_.root);
        break;
    }
  }

  void check_parens(std::uint32_t n) {
    if (extras_[n].parens >= 2) fail("The expression has redundant parentheses", "");
  }

  void check_condition(std::uint32_t n) {
    check_parens(n);
    const Node& c = node(n);
    switch (c.kind) {
      case Kind::all:
      case Kind::any:
      case Kind::negate:
        for (std::uint32_t child : c.children) check_condition(child);
        return;
      case Kind::call:
        check_call(n, true);
        return;
      case Kind::compare: {
        for (std::uint32_t child : c.children) check_operand(child);
        if (c.op != Comparator::eq && c.op != Comparator::ne)
          for (std::uint32_t child : c.children) check_ordered(child, comparator_symbol(c.op));
        check_distinct(n, comparator_symbol(c.op));
        return;
      }
      case Kind::between: {
        for (std::uint32_t child : c.children) check_operand(child);
        for (std::uint32_t child : c.children) check_ordered(child, "BETWEEN");
        check_distinct(n, "BETWEEN");
        check_bounds(c.children[1], c.children[2]);
        return;
      }
      case Kind::in: {
        if (c.children.size() - 1 > kMaxInOperands)
          fail("The IN operator is provided with too many operands",
               fmt::format("number of operands: {}", c.children.size() - 1));
        for (std::uint32_t child : c.children) check_operand(child);
        check_distinct(n, "IN");
        return;
      }
      default:
        return;  // not reached: the parser returns operands only inside conditions
    }
  }

  // An operand of a condition: a path, a value, or size().
  void check_operand(std::uint32_t n) {
    check_parens(n);
    const Node& o = node(n);
    if (o.kind == Kind::path) return check_path(n);
    if (o.kind == Kind::value) return check_value(n);
    if (o.kind == Kind::call) return check_call(n, false);
  }

  void check_call(std::uint32_t n, bool as_condition) {
    const Node& c = node(n);
    std::string_view name = token_text(extras_[n].token);
    bool update = kind_ == ExpressionKind::update;
    if (c.function == Function::unknown)
      fail("Invalid function name", fmt::format("function: {}", name));
    bool update_function =
        c.function == Function::if_not_exists || c.function == Function::list_append;
    if (update && !update_function)
      fail("The function is not allowed in an update expression",
           fmt::format("function: {}", name));
    if (!update && update_function)
      fail("The function is not allowed in a condition expression",
           fmt::format("function: {}", name));
    if (!update && is_condition_function(c.function) != as_condition)
      fail("The function is not allowed to be used this way in an expression",
           fmt::format("function: {}", name));
    std::size_t operands = c.function == Function::attribute_exists ||
                                   c.function == Function::attribute_not_exists ||
                                   c.function == Function::size
                               ? 1
                               : 2;
    if (c.children.size() != operands)
      fail(
          "Incorrect number of operands for operator or function",
          fmt::format("operator or function: {}, number of operands: {}", name, c.children.size()));
    for (std::uint32_t child : c.children) {
      if (update) {
        check_set_value(child, false);
      } else {
        check_operand(child);
      }
    }
    bool needs_path = c.function == Function::attribute_exists ||
                      c.function == Function::attribute_not_exists ||
                      c.function == Function::if_not_exists;
    if (needs_path && node(c.children[0]).kind != Kind::path)
      fail("Operator or function requires a document path",
           fmt::format("operator or function: {}", name));
    if (c.function == Function::contains || c.function == Function::begins_with ||
        c.function == Function::attribute_type || c.function == Function::if_not_exists)
      check_distinct(n, name);
    switch (c.function) {
      case Function::size:
        check_type(c.children[0], name,
                   {Type::string, Type::binary, Type::string_set, Type::number_set,
                    Type::binary_set, Type::list, Type::map});
        break;
      case Function::begins_with:
        for (std::uint32_t child : c.children)
          check_type(child, name, {Type::string, Type::binary});
        break;
      case Function::attribute_type:
        check_attribute_type(c.children[1], name);
        break;
      case Function::list_append:
        for (std::uint32_t child : c.children) check_type(child, name, {Type::list});
        break;
      default:
        break;
    }
  }

  void check_attribute_type(std::uint32_t n, std::string_view function) {
    if (node(n).kind != Kind::value) {
      // DynamoDB Local's words for an operand that is not a value here, as it says them.
      fail("Incorrect operand type for operator or function",
           fmt::format("operator or function: {}, operand type: "
                       "{{M,B,DECIMALSET,HD,SS,FS,DICT,NS,N,FLOAT,S,DOUBLE,DOUBLESET,BOOL,INTSET,"
                       "DECIMAL,INT,HDS,BS,L,NULL}}",
                       function));
    }
    check_type(n, function, {Type::string});
    std::string_view type = value_node(n).text;
    for (std::string_view valid : {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"})
      if (type == valid) return;
    fail("Invalid attribute type name found",
         fmt::format("type: {}, valid types: {{N,BS,L,B,NULL,M,S,SS,NS,BOOL}}", type));
  }

  // A value operand of < and the like, BETWEEN, size, begins_with: of a type they take.
  void check_ordered(std::uint32_t n, std::string_view op) {
    check_type(n, op, {Type::number, Type::string, Type::binary});
  }

  void check_type(std::uint32_t n, std::string_view op, std::initializer_list<Type> types) {
    Type type;
    if (node(n).kind == Kind::value) {
      type = value_node(n).type;
    } else if (node(n).kind == Kind::call && node(n).function == Function::size) {
      type = Type::number;
    } else {
      return;  // known only when evaluating
    }
    for (Type t : types)
      if (t == type) return;
    fail("Incorrect operand type for operator or function",
         fmt::format("operator or function: {}, operand type: {}", op, type_name(type)));
  }

  // The bounds of BETWEEN, when both are values: of one type, the lower not above the upper.
  void check_bounds(std::uint32_t lower, std::uint32_t upper) {
    if (node(lower).kind != Kind::value || node(upper).kind != Kind::value) return;
    const Document::Node &a = value_node(lower), &b = value_node(upper);
    std::string details = fmt::format(
        "lower bound operand: AttributeValue: {{{}:{}}}, upper bound operand: AttributeValue: "
        "{{{}:{}}}",
        type_name(a.type), shown(a), type_name(b.type), shown(b));
    if (a.type != b.type)
      fail("The BETWEEN operator requires same data type for lower and upper bounds", details);
    if (order(value_scalar(lower), value_scalar(upper)).value_or(0) > 0)
      fail("The BETWEEN operator requires upper bound to be greater than or equal to lower bound",
           details);
  }
  static std::string shown(const Document::Node& value) {
    if (value.type == Type::binary)  // as DynamoDB Local prints a ByteBuffer
      return fmt::format("java.nio.HeapByteBuffer[pos=0 lim={0} cap={0}]", value.text.size());
    return std::string(value.text);
  }

  // "The first operand must be distinct from the remaining operands".
  void check_distinct(std::uint32_t n, std::string_view op) {
    const Node& c = node(n);
    std::uint32_t first = c.children[0];
    if (node(first).kind != Kind::path) return;
    for (std::size_t i = 1; i < c.children.size(); ++i) {
      std::uint32_t other = c.children[i];
      if (node(other).kind == Kind::path &&
          out_.paths[node(other).path] == out_.paths[node(first).path])
        fail(
            "The first operand must be distinct from the remaining operands for this operator or "
            "function",
            fmt::format("operator: {}, first operand: {}", op,
                        describe(out_.paths[node(first).path])));
    }
  }

  // A SET value and the operands of its functions and arithmetic.
  void check_set_value(std::uint32_t n, bool top) {
    check_parens(n);
    const Node& v = node(n);
    switch (v.kind) {
      case Kind::path:
        check_path(n);
        return;
      case Kind::value:
        check_value(n);
        return;
      case Kind::plus:
      case Kind::minus:
        for (std::uint32_t child : v.children) {
          check_set_value(child, false);
          check_type(child, v.kind == Kind::plus ? "+" : "-", {Type::number});
        }
        return;
      case Kind::call:
        if (v.function == Function::list_append && !top)
          fail("The function is not allowed to be used this way in an expression",
               fmt::format("function: {}", token_text(extras_[n].token)));
        check_call(n, false);
        return;
      default:
        return;
    }
  }

  // The value of ADD (a number or a set) and DELETE (a set).
  void check_set_operand(const Action& action) {
    check_value(action.value);
    Type type = value_node(action.value).type;
    bool add = action.clause == Action::Clause::add;
    if (is_set(type) || (add && type == Type::number)) return;
    fail("Incorrect operand type for operator or function",
         fmt::format("operator: {}, operand type: {}, typeSet: {}", add ? "ADD" : "DELETE",
                     long_type_name(type),
                     add ? "ALLOWED_FOR_ADD_OPERAND" : "ALLOWED_FOR_DELETE_OPERAND"));
  }

  // Paths: names resolved, reserved words refused, depth and indexes bounded.
  void check_path(std::uint32_t n) {
    const Extra& extra = extras_[n];
    Path& path = out_.paths[node(n).path];
    for (std::size_t i = 0; i < path.size(); ++i) {
      PathElement& e = path[i];
      std::size_t k = extra.element_tokens[i];
      if (e.is_index) {
        if (e.index > kMaxListIndex)
          fail("List index is not within the allowable range",
               fmt::format("index: [{}]", token_text(k)));
      } else if (tokens_[k].kind == Tok::name) {
        e.name = resolve_name(e.name);
      } else if (is_reserved_word(e.name)) {
        fail("Attribute name is a reserved keyword", fmt::format("reserved keyword: {}", e.name));
      }
    }
    if (path.size() > kMaxPathDepth)
      fail("The document path has too many nesting levels",
           fmt::format("nesting levels: {}", path.size()));
  }

  std::string resolve_name(const std::string& name) {
    const auto* names = substitutions_.names;
    auto found = names ? names->find(name) : decltype(names->end()){};
    if (!names || found == names->end())
      fail("An expression attribute name used in the document path is not defined",
           fmt::format("attribute name: {}", name));
    substitutions_.used_names[name] = true;
    return found->second;
  }

  // Values: defined, and loaded (once each) into the values of the expression.
  void check_value(std::uint32_t n) {
    std::string name(token_text(extras_[n].token));
    const auto* values = substitutions_.values;
    auto found = values ? values->find(name) : decltype(values->end()){};
    if (!values || found == values->end())
      fail("An expression attribute value used in expression is not defined",
           fmt::format("attribute value: {}", name));
    substitutions_.used_values[name] = true;
    std::size_t index = 0;
    while (index < value_names_.size() && value_names_[index] != name) ++index;
    if (index == value_names_.size()) {
      value_names_.push_back(name);
      value_texts_.push_back(found->second);
      if (!set_values(out_, value_texts_))
        throw ValidationError(fmt::format(
            "ExpressionAttributeValues contains invalid value: not JSON for key {}", name));
    }
    node(n).value = static_cast<std::uint32_t>(index);
  }

  const Document::Node& value_node(std::uint32_t n) const {
    return out_.values.node(out_.value_nodes[out_.nodes[n].value]);
  }
  Scalar value_scalar(std::uint32_t n) const {
    return out_.values.scalar(out_.value_nodes[out_.nodes[n].value]);
  }

  // Two paths of one update or projection may not overlap (one a prefix of the other) or
  // conflict (the same prefix, then a name in one and an index in the other).
  void check_overlaps() {
    std::vector<std::uint32_t> paths;
    if (kind_ == ExpressionKind::update) {
      for (const Action& a : out_.actions) paths.push_back(node(a.path).path);
    } else {
      for (std::uint32_t p : out_.project) paths.push_back(node(p).path);
    }
    for (std::size_t i = 1; i < paths.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        const Path &one = out_.paths[paths[j]], &two = out_.paths[paths[i]];
        std::size_t common = 0;
        while (common < one.size() && common < two.size() &&
               one[common].is_index == two[common].is_index &&
               one[common].name == two[common].name && one[common].index == two[common].index)
          ++common;
        std::string details =
            fmt::format("path one: {}, path two: {}", describe(one), describe(two));
        if (common == one.size() || common == two.size())
          fail(
              "Two document paths overlap with each other; must remove or rewrite one of these "
              "paths",
              details);
        if (one[common].is_index != two[common].is_index)
          fail(
              "Two document paths conflict with each other; must remove or rewrite one of these "
              "paths",
              details);
      }
    }
  }

  ExpressionKind kind_;
  std::string_view text_;
  Substitutions& substitutions_;
  Compiled& out_;
  std::vector<Token> tokens_;
  std::size_t k_ = 0;
  std::vector<Extra> extras_;
  std::vector<Tok> sections_;
  int operators_ = 0;
  std::vector<std::string> value_names_, value_texts_;
};

}  // namespace

std::string_view member_name(ExpressionKind kind) {
  switch (kind) {
    case ExpressionKind::key_condition:
      return "KeyConditionExpression";
    case ExpressionKind::condition:
      return "ConditionExpression";
    case ExpressionKind::filter:
      return "FilterExpression";
    case ExpressionKind::update:
      return "UpdateExpression";
    case ExpressionKind::projection:
      return "ProjectionExpression";
  }
  return "";
}

std::shared_ptr<Compiled> parse(ExpressionKind kind, std::string_view text,
                                Substitutions& substitutions) {
  auto compiled = std::make_shared<Compiled>();
  set_values(*compiled, {});
  Parser(kind, text, substitutions, *compiled).run();
  return compiled;
}

bool set_values(Compiled& compiled, const std::vector<std::string>& texts) {
  std::string array = "[";
  for (const std::string& text : texts) array.append(array.size() > 1 ? "," : "").append(text);
  array.push_back(']');
  compiled.value_nodes.clear();
  if (!compiled.values.parse(array) || compiled.values.count_children(0) != texts.size())
    return false;
  for (std::uint32_t c = 1; c < compiled.values.node(0).end; c = compiled.values.node(c).end)
    compiled.value_nodes.push_back(c);
  return true;
}

std::string describe(const Path& path) {
  std::string out = "[";
  for (const PathElement& e : path) {
    if (out.size() > 1) out.append(", ");
    if (e.is_index) {
      fmt::format_to(std::back_inserter(out), "[{}]", e.index);
    } else {
      out.append(e.name);
    }
  }
  out.push_back(']');
  return out;
}

}  // namespace millrace::expr::dynamo::detail
