// libFuzzer target: the client's response mapper (status, Retry-After, JSON, errors[], status{}).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "internal/graphql/response_mapping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // First byte: HTTP status class; second: whether a Retry-After header (the next line) is sent.
  if (size < 2) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  embark::internal::HttpResponse response;
  static constexpr int kStatuses[] = {200, 200, 200, 400, 401, 403, 429, 500, 502, 503, 504, 302};
  response.status = kStatuses[data[0] % std::size(kStatuses)];
  if (data[1] & 1) {
    auto newline = input.find('\n');
    response.retry_after = std::string(input.substr(0, newline));
    input = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  }
  response.body = std::string(input);
  static constexpr std::string_view kOperations[] = {"createUsers", "setUserAttributes",
                                                     "impersonateUser", "exchangeAccessToken"};
  const std::string_view redact[] = {"secret-key"};
  auto mapped = embark::internal::map_response(
      response, kOperations[(data[1] >> 1) % std::size(kOperations)],
      std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}}, redact);
  if (!mapped.data) {
    // Messages must never carry the redacted string back.
    if (mapped.data.error().to_string().find("secret-key") != std::string::npos) __builtin_trap();
  }
  return 0;
}
