// libFuzzer target: the CLI's CSV reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto document = embark::cli::parse_csv(text);
  std::size_t field_bytes = 0;
  for (const auto& record : document.records) {
    for (const auto& field : record.fields) field_bytes += field.size();
  }
  // Unquoting only removes characters: the fields never hold more bytes than the input.
  if (field_bytes > size) __builtin_trap();
  return 0;
}
