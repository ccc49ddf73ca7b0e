// libFuzzer target: the emulator's GraphQL lexer, token by token to the end or the first error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "graphql/lexer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  embark::emulator::graphql::Lexer lexer(source);
  try {
    std::size_t last_offset = 0;
    for (std::size_t i = 0; i <= size + 1; ++i) {
      auto token = lexer.next();
      if (token.offset > size || token.offset < last_offset) __builtin_trap();
      last_offset = token.offset;
      (void)embark::emulator::graphql::Lexer::describe(token);
      if (token.kind == embark::emulator::graphql::Token::Kind::kEof) return 0;
    }
    __builtin_trap();  // more tokens than bytes: the lexer stopped advancing
  } catch (const embark::emulator::graphql::SyntaxError&) {
  }
  return 0;
}
