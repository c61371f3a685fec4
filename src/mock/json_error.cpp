// llama-server reports a body that is not JSON with nlohmann::json's parse
// error text, e.g. "[json.exception.parse_error.101] parse error at line 1,
// column 44: syntax error while parsing array - unexpected end of input;
// expected ']'". simdjson only says that the JSON is bad, so this scanner
// replays nlohmann's grammar far enough to name the same place and
// expectation for the common cases (truncated bodies, stray or missing
// punctuation). Literal-level errors get a simpler message.
#include <string>
#include <string_view>
#include <vector>

#include "llmbench/mock/completion_request.hpp"

namespace llmbench::mock {

namespace {

enum class Tok : std::uint8_t { begin_array, begin_object, end_array, end_object, colon, comma, string, number,
                                lit_true, lit_false, lit_null, end, bad };

std::string_view tok_name(Tok t) noexcept {
  switch (t) {
    case Tok::begin_array: return "'['";
    case Tok::begin_object: return "'{'";
    case Tok::end_array: return "']'";
    case Tok::end_object: return "'}'";
    case Tok::colon: return "':'";
    case Tok::comma: return "','";
    case Tok::string: return "string literal";
    case Tok::number: return "number literal";
    case Tok::lit_true: return "'true'";
    case Tok::lit_false: return "'false'";
    case Tok::lit_null: return "'null'";
    case Tok::end: return "end of input";
    case Tok::bad: return "'<parse error>'";
  }
  return "'<parse error>'";
}

struct Lexer {
  std::string_view s;
  std::size_t pos = 0;
  std::size_t tok_end = 0;  // one past the last byte of the current token

  void skip_ws() noexcept {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) ++pos;
  }
  Tok literal(std::string_view word, Tok t) noexcept {
    if (s.substr(pos, word.size()) != word) return bad_at(pos + 1);
    return token_until(pos + word.size(), t);
  }
  Tok bad_at(std::size_t end) noexcept {
    tok_end = end;
    return Tok::bad;
  }
  Tok token_until(std::size_t end, Tok t) noexcept {
    pos = tok_end = end;
    return t;
  }
  Tok string() noexcept {
    for (std::size_t i = pos + 1; i < s.size(); ++i) {
      if (s[i] == '\\') ++i;
      else if (s[i] == '"') return token_until(i + 1, Tok::string);
      else if (static_cast<unsigned char>(s[i]) < 0x20) return bad_at(i + 1);
    }
    return bad_at(s.size() + 1);
  }
  Tok number() noexcept {
    std::size_t i = pos;
    while (i < s.size() && std::string_view("+-0123456789.eE").find(s[i]) != std::string_view::npos) ++i;
    return token_until(i, Tok::number);
  }
  Tok next() noexcept {
    skip_ws();
    if (pos >= s.size()) return token_until(s.size() + 1, Tok::end);
    const char c = s[pos];
    const auto one = [this](Tok t) { return token_until(pos + 1, t); };
    switch (c) {
      case '[': return one(Tok::begin_array);
      case '{': return one(Tok::begin_object);
      case ']': return one(Tok::end_array);
      case '}': return one(Tok::end_object);
      case ':': return one(Tok::colon);
      case ',': return one(Tok::comma);
      case '"': return string();
      case 't': return literal("true", Tok::lit_true);
      case 'f': return literal("false", Tok::lit_false);
      case 'n': return literal("null", Tok::lit_null);
      default: break;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    return bad_at(pos + 1);
  }
};

std::string message(std::string_view s, std::size_t end, std::string_view context, Tok got,
                    std::string_view expected) {
  // nlohmann counts the column as the bytes read on the current line,
  // including the offending token's last byte (or the end of input).
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < end && i < s.size(); ++i) {
    if (s[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  std::string m = "[json.exception.parse_error.101] parse error at line " + std::to_string(line) + ", column " +
                  std::to_string(end - line_start) + ": syntax error while parsing " + std::string(context) + " - ";
  m += got == Tok::bad ? "invalid literal" : "unexpected " + std::string(tok_name(got));
  if (!expected.empty()) m += "; expected " + std::string(expected);
  return m;
}

bool is_scalar(Tok t) noexcept {
  return t == Tok::string || t == Tok::number || t == Tok::lit_true || t == Tok::lit_false || t == Tok::lit_null;
}

}  // namespace

// An iterative version of nlohmann's sax_parse_internal: the stack holds the
// open containers, and each state names what nlohmann would expect next.
// `opened` marks the token right after '[' or '{', where the container may
// close at once.
std::string json_parse_error_message(std::string_view body) {
  Lexer lx{body};
  std::vector<Tok> stack;
  enum class Want : std::uint8_t { value, key, colon, after_value } want = Want::value;
  bool opened = false;
  for (;;) {
    const Tok t = lx.next();
    const auto fail = [&](std::string_view ctx, std::string_view expected) {
      return message(body, lx.tok_end, ctx, t, expected);
    };
    const bool closes_empty = opened && ((t == Tok::end_array && stack.back() == Tok::begin_array) ||
                                         (t == Tok::end_object && stack.back() == Tok::begin_object));
    opened = false;
    if (closes_empty) {
      stack.pop_back();
      want = Want::after_value;
    } else if (want == Want::value) {
      if (t == Tok::begin_object || t == Tok::begin_array) {
        stack.push_back(t);
        want = t == Tok::begin_object ? Want::key : Want::value;
        opened = true;
        continue;
      }
      if (!is_scalar(t)) return fail("value", "'[', '{', or a literal");
      want = Want::after_value;
    } else if (want == Want::key) {
      if (t != Tok::string) return fail("object key", "string literal");
      want = Want::colon;
    } else if (want == Want::colon) {
      if (t != Tok::colon) return fail("object separator", "':'");
      want = Want::value;
    } else if (stack.empty()) {
      if (t != Tok::end) return fail("value", "end of input");
      return message(body, lx.tok_end, "value", Tok::bad, {});  // valid to us; simdjson disagreed
    } else if (t == Tok::comma) {
      want = stack.back() == Tok::begin_object ? Want::key : Want::value;
    } else if (stack.back() == Tok::begin_object) {
      if (t != Tok::end_object) return fail("object", "'}'");
      stack.pop_back();
    } else {
      if (t != Tok::end_array) return fail("array", "']'");
      stack.pop_back();
    }
  }
}

}  // namespace llmbench::mock
