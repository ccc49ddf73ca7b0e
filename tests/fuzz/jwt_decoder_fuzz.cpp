// libFuzzer target: the client's JWT expiry decoder and base64url decoder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "internal/graphql/jwt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)embark::internal::base64url_decode(text);
  auto expiry = embark::internal::decode_jwt_expiry(text);
  // A token that cannot be read is a protocol error (the vendor sent something malformed).
  if (!expiry && expiry.error().code() != embark::ErrorCode::protocol) __builtin_trap();
  (void)embark::internal::make_session_token(std::string(text), "impersonateUser");
  return 0;
}
