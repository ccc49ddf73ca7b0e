// libFuzzer target: the emulator's validator, on documents that parse, against the built-in schema.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "graphql/builtin_schema.hpp"
#include "graphql/engine.hpp"
#include "graphql/parser.hpp"
#include "graphql/schema.hpp"
#include "graphql/validator.hpp"

namespace graphql = embark::emulator::graphql;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::shared_ptr<const graphql::Schema> schema = [] {
    std::string error;
    auto parsed = graphql::parse_schema(graphql::builtin_schema_sdl(), error);
    if (!parsed) __builtin_trap();
    return parsed;
  }();
  std::string_view source(reinterpret_cast<const char*>(data), size);
  graphql::GraphqlError error;
  auto document = graphql::parse_document(source, error);
  if (!document) return 0;
  (void)graphql::validate(*schema, *document);
  return 0;
}
