#include "graphql/lexer.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace embark::emulator::graphql {
namespace {

bool is_name_start(char c) { return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_name_continue(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string describe_char(std::uint32_t cp) {
  if (cp >= 0x20 && cp < 0x7F) {
    return cp == '"' ? std::string("'\"'") : fmt::format("\"{}\"", static_cast<char>(cp));
  }
  return fmt::format("U+{:04X}", cp);
}

bool is_blank_line(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// Spec 2.9.6 BlockStringValue: strip the common indentation and blank first/last lines.
std::string block_string_value(std::string_view raw) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n' || raw[i] == '\r') {
      lines.push_back(raw.substr(start, i - start));
      if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  lines.push_back(raw.substr(start));
  std::size_t common = std::string_view::npos;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::size_t indent = lines[i].find_first_not_of(" \t");
    if (indent != std::string_view::npos && indent < common) common = indent;
  }
  if (common != std::string_view::npos) {
    for (std::size_t i = 1; i < lines.size(); ++i) {
      lines[i] = lines[i].size() >= common ? lines[i].substr(common) : std::string_view{};
    }
  }
  std::size_t first = 0;
  std::size_t last = lines.size();
  while (first < last && is_blank_line(lines[first])) ++first;
  while (last > first && is_blank_line(lines[last - 1])) --last;
  std::string out;
  for (std::size_t i = first; i < last; ++i) {
    if (i != first) out += '\n';
    out.append(lines[i]);
  }
  return out;
}

}  // namespace

Lexer::Lexer(std::string_view source) : source_(source) {}

// Columns count code points. Tokens arrive in order, so counting resumes from the previous
// token: a long one-line (minified) document stays linear.
Location Lexer::location_at(std::size_t offset) const {
  if (column_line_ != line_ || column_offset_ < line_start_ || column_offset_ > offset) {
    column_line_ = line_;
    column_offset_ = line_start_;
    column_ = 1;
  }
  for (std::size_t i = column_offset_; i < offset && i < source_.size(); ++i) {
    if ((static_cast<unsigned char>(source_[i]) & 0xC0) != 0x80) ++column_;
  }
  column_offset_ = std::max(column_offset_, std::min(offset, source_.size()));
  return Location{line_, column_};
}

void Lexer::fail(const std::string& message, std::size_t offset) const {
  throw SyntaxError(message, location_at(offset));
}

std::string Lexer::describe(const Token& token) {
  using K = Token::Kind;
  switch (token.kind) {
    case K::kEof:
      return "<EOF>";
    case K::kBang:
      return "\"!\"";
    case K::kDollar:
      return "\"$\"";
    case K::kAmp:
      return "\"&\"";
    case K::kParenL:
      return "\"(\"";
    case K::kParenR:
      return "\")\"";
    case K::kSpread:
      return "\"...\"";
    case K::kColon:
      return "\":\"";
    case K::kEquals:
      return "\"=\"";
    case K::kAt:
      return "\"@\"";
    case K::kBracketL:
      return "\"[\"";
    case K::kBracketR:
      return "\"]\"";
    case K::kBraceL:
      return "\"{\"";
    case K::kPipe:
      return "\"|\"";
    case K::kBraceR:
      return "\"}\"";
    case K::kName:
      return fmt::format("Name \"{}\"", token.value);
    case K::kInt:
      return fmt::format("Int \"{}\"", token.value);
    case K::kFloat:
      return fmt::format("Float \"{}\"", token.value);
    case K::kString:
      return fmt::format("String \"{}\"", token.value);
    case K::kBlockString:
      return fmt::format("BlockString \"{}\"", token.value);
  }
  return "token";
}

std::uint32_t Lexer::read_code_point(std::size_t pos, std::size_t& length) const {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(source_[i]); };
  unsigned char c = byte(pos);
  length = 1;
  if (c < 0x80) return c;
  std::size_t extra = c >= 0xF8 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (extra == 0) fail("Invalid UTF-8 sequence.", pos);
  std::uint32_t cp = c & (0x3F >> extra);
  for (std::size_t i = 1; i <= extra; ++i) {
    if (pos + i >= source_.size() || (byte(pos + i) & 0xC0) != 0x80)
      fail("Invalid UTF-8 sequence.", pos);
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  length = extra + 1;
  return cp;
}

void Lexer::append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void Lexer::skip_ignored() {
  while (pos_ < source_.size()) {
    char c = source_[pos_];
    if (c == ' ' || c == '\t' || c == ',') {
      ++pos_;
    } else if (c == '\n') {
      ++pos_;
      ++line_;
      line_start_ = pos_;
    } else if (c == '\r') {
      ++pos_;
      if (pos_ < source_.size() && source_[pos_] == '\n') ++pos_;
      ++line_;
      line_start_ = pos_;
    } else if (c == '#') {
      while (pos_ < source_.size() && source_[pos_] != '\n' && source_[pos_] != '\r') ++pos_;
    } else if (source_.substr(pos_, 3) == "\xEF\xBB\xBF") {
      pos_ += 3;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skip_ignored();
  Token token;
  token.offset = pos_;
  token.location = location_at(pos_);
  if (pos_ >= source_.size()) return token;
  using K = Token::Kind;
  char c = source_[pos_];
  auto punct = [&](K kind, std::size_t length) {
    token.kind = kind;
    pos_ += length;
    return token;
  };
  switch (c) {
    case '!':
      return punct(K::kBang, 1);
    case '$':
      return punct(K::kDollar, 1);
    case '&':
      return punct(K::kAmp, 1);
    case '(':
      return punct(K::kParenL, 1);
    case ')':
      return punct(K::kParenR, 1);
    case ':':
      return punct(K::kColon, 1);
    case '=':
      return punct(K::kEquals, 1);
    case '@':
      return punct(K::kAt, 1);
    case '[':
      return punct(K::kBracketL, 1);
    case ']':
      return punct(K::kBracketR, 1);
    case '{':
      return punct(K::kBraceL, 1);
    case '|':
      return punct(K::kPipe, 1);
    case '}':
      return punct(K::kBraceR, 1);
    case '.':
      if (source_.substr(pos_, 3) == "...") return punct(K::kSpread, 3);
      break;
    case '"':
      if (source_.substr(pos_, 3) == "\"\"\"") return read_block_string(pos_);
      return read_string(pos_);
    default:
      break;
  }
  if (is_name_start(c)) return read_name(pos_);
  if (is_digit(c) || c == '-') return read_number(pos_);
  if (c == '\'') {
    fail("Unexpected single quote character ('), did you mean to use a double quote (\")?", pos_);
  }
  std::size_t length = 0;
  fail(fmt::format("Unexpected character: {}.", describe_char(read_code_point(pos_, length))),
       pos_);
}

Token Lexer::read_name(std::size_t start) {
  std::size_t end = start + 1;
  while (end < source_.size() && is_name_continue(source_[end])) ++end;
  Token token;
  token.kind = Token::Kind::kName;
  token.value = std::string(source_.substr(start, end - start));
  token.offset = start;
  token.location = location_at(start);
  pos_ = end;
  return token;
}

void Lexer::read_digits(std::size_t& pos) {
  if (pos >= source_.size()) fail("Invalid number, expected digit but got: <EOF>.", pos);
  if (!is_digit(source_[pos])) {
    std::size_t length = 0;
    fail(fmt::format("Invalid number, expected digit but got: {}.",
                     describe_char(read_code_point(pos, length))),
         pos);
  }
  while (pos < source_.size() && is_digit(source_[pos])) ++pos;
}

Token Lexer::read_number(std::size_t start) {
  std::size_t pos = start;
  bool is_float = false;
  if (source_[pos] == '-') ++pos;
  if (pos < source_.size() && source_[pos] == '0') {
    ++pos;
    if (pos < source_.size() && is_digit(source_[pos])) {
      fail(fmt::format("Invalid number, unexpected digit after 0: \"{}\".", source_[pos]), pos);
    }
  } else {
    read_digits(pos);
  }
  if (pos < source_.size() && source_[pos] == '.') {
    is_float = true;
    ++pos;
    read_digits(pos);
  }
  if (pos < source_.size() && (source_[pos] == 'e' || source_[pos] == 'E')) {
    is_float = true;
    ++pos;
    if (pos < source_.size() && (source_[pos] == '+' || source_[pos] == '-')) ++pos;
    read_digits(pos);
  }
  if (pos < source_.size() && (source_[pos] == '.' || is_name_start(source_[pos]))) {
    fail(fmt::format("Invalid number, expected digit but got: \"{}\".", source_[pos]), pos);
  }
  Token token;
  token.kind = is_float ? Token::Kind::kFloat : Token::Kind::kInt;
  token.value = std::string(source_.substr(start, pos - start));
  token.offset = start;
  token.location = location_at(start);
  pos_ = pos;
  return token;
}

Token Lexer::read_string(std::size_t start) {
  Token token;
  token.kind = Token::Kind::kString;
  token.offset = start;
  token.location = location_at(start);
  std::size_t pos = start + 1;
  std::string& out = token.value;
  auto read_hex4 = [&](std::size_t at) -> int {
    if (at + 4 > source_.size()) return -1;
    int v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      int h = hex_value(source_[at + i]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  };
  while (pos < source_.size()) {
    char c = source_[pos];
    if (c == '"') {
      pos_ = pos + 1;
      return token;
    }
    if (c == '\n' || c == '\r') break;
    if (c == '\\') {
      if (pos + 1 >= source_.size()) break;
      char e = source_[pos + 1];
      switch (e) {
        case '"':
          out += '"';
          pos += 2;
          continue;
        case '\\':
          out += '\\';
          pos += 2;
          continue;
        case '/':
          out += '/';
          pos += 2;
          continue;
        case 'b':
          out += '\b';
          pos += 2;
          continue;
        case 'f':
          out += '\f';
          pos += 2;
          continue;
        case 'n':
          out += '\n';
          pos += 2;
          continue;
        case 'r':
          out += '\r';
          pos += 2;
          continue;
        case 't':
          out += '\t';
          pos += 2;
          continue;
        case 'u': {
          if (pos + 2 < source_.size() && source_[pos + 2] == '{') {
            std::size_t end = pos + 3;
            std::uint32_t cp = 0;
            bool ok = end < source_.size() && source_[end] != '}';
            while (ok && end < source_.size() && source_[end] != '}') {
              int h = hex_value(source_[end]);
              if (h < 0 || cp > 0x10FFFF) {
                ok = false;
                break;
              }
              cp = cp * 16 + static_cast<std::uint32_t>(h);
              ++end;
            }
            if (!ok || end >= source_.size() || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
              std::size_t stop = source_.find('}', pos);
              stop = stop == std::string_view::npos ? std::min(source_.size(), pos + 8) : stop + 1;
              fail(fmt::format("Invalid Unicode escape sequence: \"{}\".",
                               source_.substr(pos, stop - pos)),
                   pos);
            }
            append_utf8(out, cp);
            pos = end + 1;
            continue;
          }
          int v = read_hex4(pos + 2);
          if (v < 0) {
            fail(fmt::format("Invalid Unicode escape sequence: \"{}\".",
                             source_.substr(pos, std::min<std::size_t>(6, source_.size() - pos))),
                 pos);
          }
          auto cp = static_cast<std::uint32_t>(v);
          if (cp >= 0xD800 && cp <= 0xDBFF && source_.substr(pos + 6, 2) == "\\u") {
            int low = read_hex4(pos + 8);
            if (low >= 0xDC00 && low <= 0xDFFF) {
              append_utf8(out, 0x10000 + ((cp - 0xD800) << 10) +
                                   (static_cast<std::uint32_t>(low) - 0xDC00));
              pos += 12;
              continue;
            }
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) {
            fail(fmt::format("Invalid Unicode escape sequence: \"{}\".", source_.substr(pos, 6)),
                 pos);
          }
          append_utf8(out, cp);
          pos += 6;
          continue;
        }
        default: {
          std::size_t length = 0;
          std::uint32_t cp = read_code_point(pos + 1, length);
          std::string shown;
          append_utf8(shown, cp);
          fail(fmt::format("Invalid character escape sequence: \"\\{}\".", shown), pos);
        }
      }
    }
    std::size_t length = 0;
    std::uint32_t cp = read_code_point(pos, length);
    if (cp < 0x20 && cp != '\t') {
      fail(fmt::format("Invalid character within String: {}.", describe_char(cp)), pos);
    }
    out.append(source_.substr(pos, length));
    pos += length;
  }
  fail("Unterminated string.", pos);
}

Token Lexer::read_block_string(std::size_t start) {
  Token token;
  token.kind = Token::Kind::kBlockString;
  token.offset = start;
  token.location = location_at(start);
  std::size_t pos = start + 3;
  std::string raw;
  while (pos < source_.size()) {
    if (source_.substr(pos, 3) == "\"\"\"") {
      token.value = block_string_value(raw);
      pos_ = pos + 3;
      return token;
    }
    if (source_.substr(pos, 4) == "\\\"\"\"") {
      raw += "\"\"\"";
      pos += 4;
      continue;
    }
    char c = source_[pos];
    if (c == '\n' || c == '\r') {
      raw += c;
      ++pos;
      if (c == '\r' && pos < source_.size() && source_[pos] == '\n') {
        raw += '\n';
        ++pos;
      }
      ++line_;
      line_start_ = pos;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t cp = read_code_point(pos, length);
    if (cp < 0x20 && cp != '\t') {
      fail(fmt::format("Invalid character within String: {}.", describe_char(cp)), pos);
    }
    raw.append(source_.substr(pos, length));
    pos += length;
  }
  fail("Unterminated string.", pos);
}

}  // namespace embark::emulator::graphql
