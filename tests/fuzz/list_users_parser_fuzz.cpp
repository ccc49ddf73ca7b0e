// libFuzzer target: the streaming listUsers parser, fed in chunks whose sizes come from the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "internal/graphql/list_users_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // First byte: chunk size (1..256), so token splits at every position get exercised.
  const std::size_t chunk = static_cast<std::size_t>(data[0]) + 1;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  embark::internal::ListUsersParser parser;
  bool failed = false;
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    if (!parser.feed(body.substr(at, chunk))) {
      failed = true;
      break;
    }
  }
  if (!failed && parser.bytes_fed() != body.size()) __builtin_trap();
  auto users = parser.finish("listUsers");
  if (failed && users) __builtin_trap();  // a malformed byte can never end in success
  return 0;
}
