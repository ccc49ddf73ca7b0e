// Tokenizer of the GraphQL language (spec Oct 2021, section 2.1), shared by both parsers.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "graphql/engine.hpp"

namespace embark::emulator::graphql {

/// A lexical token. `value` holds the name, the number text or the decoded string.
struct Token {
  /// Token kinds; punctuators each have their own kind.
  enum class Kind {
    kEof,
    kBang,
    kDollar,
    kAmp,
    kParenL,
    kParenR,
    kSpread,
    kColon,
    kEquals,
    kAt,
    kBracketL,
    kBracketR,
    kBraceL,
    kPipe,
    kBraceR,
    kName,
    kInt,
    kFloat,
    kString,
    kBlockString
  };
  Kind kind = Kind::kEof;
  std::string value;
  Location location;
  std::size_t offset = 0;  ///< byte offset of the token's first character
};

/// Thrown by the lexer and the parsers; `what()` is the message without the "Syntax Error: "
/// prefix.
class SyntaxError : public std::runtime_error {
 public:
  SyntaxError(const std::string& message, Location location)
      : std::runtime_error(message), location_(location) {}
  /// Where the error is.
  Location location() const { return location_; }

 private:
  Location location_;
};

/// Splits a source text into tokens on demand. Not thread-safe (one per parse).
class Lexer {
 public:
  /// The lexer reads `source`, which must outlive it.
  explicit Lexer(std::string_view source);

  /// Reads and returns the next significant token (skips whitespace, commas and comments).
  Token next();

  /// Describes a token as graphql-js does in messages: `"{"`, `Name "foo"`, `<EOF>`.
  static std::string describe(const Token& token);

 private:
  Location location_at(std::size_t offset) const;
  [[noreturn]] void fail(const std::string& message, std::size_t offset) const;
  void skip_ignored();
  Token read_name(std::size_t start);
  Token read_number(std::size_t start);
  Token read_string(std::size_t start);
  Token read_block_string(std::size_t start);
  void read_digits(std::size_t& pos);
  std::uint32_t read_code_point(std::size_t pos, std::size_t& length) const;
  static void append_utf8(std::string& out, std::uint32_t code_point);

  std::string_view source_;
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  int line_ = 1;
  mutable std::size_t column_offset_ = 0;  // where column_ was last computed
  mutable int column_ = 1;
  mutable int column_line_ = 1;
};

}  // namespace embark::emulator::graphql
