#include "internal/graphql/jwt.hpp"

#include <array>
#include <cmath>
#include <cstdint>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

namespace embark::internal {

namespace {

// Alphabet value of each byte, 0xff for bytes outside the base64url alphabet. A table and whole
// 4-character groups, because the payload of every minted token is decoded on the login path.
constexpr std::array<std::uint8_t, 256> kBase64urlValues = [] {
  std::array<std::uint8_t, 256> table{};
  table.fill(0xff);
  for (int i = 0; i < 26; ++i) {
    table['A' + i] = static_cast<std::uint8_t>(i);
    table['a' + i] = static_cast<std::uint8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) table['0' + i] = static_cast<std::uint8_t>(52 + i);
  table['-'] = 62;
  table['_'] = 63;
  return table;
}();

}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;  // one dangling character cannot encode a byte
  std::string out(text.size() / 4 * 3 + (text.size() % 4 == 0 ? 0 : text.size() % 4 - 1), '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  char* to = out.data();
  std::size_t i = 0;
  for (; i + 4 <= text.size(); i += 4) {
    const std::uint32_t a = kBase64urlValues[in[i]], b = kBase64urlValues[in[i + 1]],
                        c = kBase64urlValues[in[i + 2]], d = kBase64urlValues[in[i + 3]];
    if ((a | b | c | d) & 0x80) return std::nullopt;
    const std::uint32_t group = a << 18 | b << 12 | c << 6 | d;
    *to++ = static_cast<char>(group >> 16);
    *to++ = static_cast<char>(group >> 8);
    *to++ = static_cast<char>(group);
  }
  if (const std::size_t rest = text.size() - i; rest > 0) {
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < rest; ++k) {
      const std::uint32_t v = kBase64urlValues[in[i + k]];
      if (v & 0x80) return std::nullopt;
      group |= v << (18 - 6 * k);
    }
    *to++ = static_cast<char>(group >> 16);
    if (rest == 3) *to++ = static_cast<char>(group >> 8);
  }
  return out;
}

Result<std::chrono::system_clock::time_point> decode_jwt_expiry(std::string_view jwt) {
  const auto first = jwt.find('.');
  const auto second = first == std::string_view::npos ? first : jwt.find('.', first + 1);
  if (second == std::string_view::npos || jwt.find('.', second + 1) != std::string_view::npos) {
    return fail(ErrorCode::protocol, "the token is not a JWT (expected three dot-separated parts)");
  }
  auto payload = base64url_decode(jwt.substr(first + 1, second - first - 1));
  if (!payload) return fail(ErrorCode::protocol, "the token's payload is not base64url");
  // The claims live on the stack: a token payload is a few hundred bytes.
  unsigned char scratch[4096];
  boost::json::monotonic_resource resource(scratch, sizeof scratch);
  boost::system::error_code ec;
  auto claims = boost::json::parse(*payload, ec, &resource);
  if (ec || !claims.is_object())
    return fail(ErrorCode::protocol, "the token's payload is not a JSON object");
  const auto* exp = claims.get_object().if_contains("exp");
  if (!exp) return fail(ErrorCode::protocol, "the token has no `exp` claim");
  double seconds = 0;
  if (exp->is_int64()) {
    seconds = static_cast<double>(exp->get_int64());
  } else if (exp->is_uint64()) {
    seconds = static_cast<double>(exp->get_uint64());
  } else if (exp->is_double()) {
    seconds = exp->get_double();
  } else {
    return fail(ErrorCode::protocol, "the token's `exp` claim is not a number");
  }
  // system_clock's range (nanoseconds: until the year 2262) bounds the value so the conversion
  // below cannot overflow; the former bound, the year 9999, did (found by fuzzing).
  constexpr auto kLatest =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max());
  if (!std::isfinite(seconds) || seconds < 0 || seconds >= static_cast<double>(kLatest.count())) {
    return fail(ErrorCode::protocol, "the token's `exp` claim is out of range");
  }
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(static_cast<long long>(seconds))));
}

Result<SessionToken> make_session_token(std::string jwt, std::string_view operation) {
  auto expiry = decode_jwt_expiry(jwt);
  if (!expiry) {
    Error error = expiry.error();
    error.with_operation(std::string(operation));
    return error;
  }
  return SessionToken{Secret(std::move(jwt)), *expiry};
}

}  // namespace embark::internal
