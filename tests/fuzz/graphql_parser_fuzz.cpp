// libFuzzer target: the emulator's GraphQL parsers (executable documents and SDL).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "graphql/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view source(reinterpret_cast<const char*>(data) + 1, size - 1);
  embark::emulator::graphql::GraphqlError error;
  if (data[0] & 1) {
    embark::emulator::graphql::TypeSystemDocument sdl;
    (void)embark::emulator::graphql::parse_type_system(source, sdl, error);
  } else {
    auto document = embark::emulator::graphql::parse_document(source, error);
    if (!document && error.message.empty()) __builtin_trap();  // a refusal always says why
  }
  return 0;
}
