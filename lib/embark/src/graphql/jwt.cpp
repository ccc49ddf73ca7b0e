#include "internal/graphql/jwt.hpp"

#include <cmath>

#include <boost/json/parse.hpp>

namespace embark::internal {

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    unsigned v = 0;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<unsigned>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<unsigned>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      v = static_cast<unsigned>(c - '0' + 52);
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (bits >= 6) return std::nullopt;  // one dangling character cannot encode a byte
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
  boost::system::error_code ec;
  auto claims = boost::json::parse(*payload, ec);
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
