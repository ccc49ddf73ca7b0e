#include "internal/graphql/jwt.hpp"

#include <array>
#include <cmath>
#include <cstdint>

#include <boost/json/basic_parser_impl.hpp>

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

// Finds the top-level `exp` of a claims object (the last one, if repeated); everything else is
// only checked to be JSON.
class ExpiryHandler {
  using ErrorCode = boost::system::error_code;

 public:
  enum class Exp { missing, number, not_a_number };
  struct Found {
    bool top_is_object = false;
    Exp exp = Exp::missing;
    double seconds = 0;
  };
  // The names boost::json::basic_parser requires of a handler.
  // NOLINTBEGIN(readability-identifier-naming)
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  // NOLINTEND(readability-identifier-naming)

  explicit ExpiryHandler(Found& found) : found_(found) {}

  bool on_document_begin(ErrorCode&) { return true; }
  bool on_document_end(ErrorCode&) { return true; }
  bool on_object_begin(ErrorCode&) {
    if (depth_ == 0) found_.top_is_object = true;
    value(Exp::not_a_number, 0);
    ++depth_;
    return true;
  }
  bool on_object_end(std::size_t, ErrorCode&) { return --depth_, true; }
  bool on_array_begin(ErrorCode&) { return value(Exp::not_a_number, 0), ++depth_, true; }
  bool on_array_end(std::size_t, ErrorCode&) { return --depth_, true; }
  bool on_key_part(boost::json::string_view s, std::size_t, ErrorCode&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, ErrorCode&) {
    key_.append(s.data(), s.size());
    is_exp_ = depth_ == 1 && key_ == "exp";
    key_.clear();
    return true;
  }
  bool on_string_part(boost::json::string_view, std::size_t, ErrorCode&) { return true; }
  bool on_string(boost::json::string_view, std::size_t, ErrorCode&) {
    return value(Exp::not_a_number, 0), true;
  }
  bool on_number_part(boost::json::string_view, ErrorCode&) { return true; }
  bool on_int64(std::int64_t v, boost::json::string_view, ErrorCode&) {
    return value(Exp::number, static_cast<double>(v)), true;
  }
  bool on_uint64(std::uint64_t v, boost::json::string_view, ErrorCode&) {
    return value(Exp::number, static_cast<double>(v)), true;
  }
  bool on_double(double v, boost::json::string_view, ErrorCode&) {
    return value(Exp::number, v), true;
  }
  bool on_bool(bool, ErrorCode&) { return value(Exp::not_a_number, 0), true; }
  bool on_null(ErrorCode&) { return value(Exp::not_a_number, 0), true; }
  bool on_comment_part(boost::json::string_view, ErrorCode&) { return true; }
  bool on_comment(boost::json::string_view, ErrorCode&) { return true; }

 private:
  // A value at depth 1 right after the key "exp" is the claim.
  void value(Exp kind, double v) {
    if (depth_ != 1 || !is_exp_) return;
    found_.exp = kind;
    found_.seconds = v;
    is_exp_ = false;
  }
  Found& found_;
  std::size_t depth_ = 0;
  bool is_exp_ = false;
  std::string key_;
};

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
  // Only `exp` is read: a SAX pass over the claims, no JSON document is built.
  ExpiryHandler::Found found;
  boost::json::basic_parser<ExpiryHandler> parser{boost::json::parse_options{}, found};
  boost::system::error_code ec;
  parser.write_some(false, payload->data(), payload->size(), ec);
  if (ec || !found.top_is_object)
    return fail(ErrorCode::protocol, "the token's payload is not a JSON object");
  if (found.exp == ExpiryHandler::Exp::missing)
    return fail(ErrorCode::protocol, "the token has no `exp` claim");
  if (found.exp == ExpiryHandler::Exp::not_a_number)
    return fail(ErrorCode::protocol, "the token's `exp` claim is not a number");
  const double seconds = found.seconds;
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
