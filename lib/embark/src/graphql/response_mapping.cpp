#include "internal/graphql/response_mapping.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>

#include <boost/json/parse.hpp>

namespace embark::internal {
namespace {

namespace json = boost::json;

bool contains_nocase(std::string_view text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

bool equals_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && contains_nocase(a, b);
}

int month_index(std::string_view name) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (name == kMonths[i]) return i;
  }
  return -1;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value) {
  const std::string text(value);
  char month[4] = {};
  char weekday[16] = {};
  char zone[4] = {};
  std::tm tm{};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  bool ok = false;
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (std::sscanf(text.c_str(), "%3s, %d %3s %d %d:%d:%d %3s", weekday, &day, month, &year, &hour,
                  &minute, &second, zone) == 8) {
    ok = true;
  } else if (std::sscanf(text.c_str(), "%15[A-Za-z], %d-%3s-%d %d:%d:%d %3s", weekday, &day, month,
                         &year, &hour, &minute, &second, zone) == 8) {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years per RFC 9110 §5.6.7 (window of
    // 50).
    if (year < 100) year += (year < 70) ? 2000 : 1900;
    ok = true;
  } else if (std::sscanf(text.c_str(), "%3s %3s %d %d:%d:%d %d", weekday, month, &day, &hour,
                         &minute, &second, &year) == 7) {
    // asctime: "Sun Nov  6 08:49:37 1994"
    std::snprintf(zone, sizeof zone, "GMT");
    ok = true;
  }
  if (!ok || std::string_view(zone) != "GMT") return std::nullopt;
  const int mon = month_index(month);
  // Negative fields (an overflowing "%d" reads as one) would carry timegm before 1970 (found by
  // fuzzing: from_time_t then overflows).
  if (mon < 0 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60 || year < 1970)
    return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = timegm(&tm);
  if (t < 0) return std::nullopt;
  // system_clock counts nanoseconds: past the year 2262 from_time_t would overflow (found by
  // fuzzing). Such a date only means "much later", which callers cap anyway.
  constexpr auto kLatest =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max());
  if (t >= kLatest.count()) return std::chrono::system_clock::time_point::max();
  return std::chrono::system_clock::from_time_t(t);
}

std::vector<std::string> error_messages(const json::value& errors) {
  std::vector<std::string> out;
  if (const auto* arr = errors.if_array()) {
    for (const auto& e : *arr) {
      const auto* obj = e.if_object();
      const json::value* msg = obj ? obj->if_contains("message") : nullptr;
      if (msg && msg->is_string()) {
        out.emplace_back(msg->get_string());
      } else {
        out.emplace_back("(error without a message)");
      }
    }
  }
  return out;
}

Error tagged(Error error, std::string_view operation, int http_status) {
  error.with_operation(std::string(operation));
  if (http_status != 0) error.with_http_status(http_status);
  return error;
}

}  // namespace

namespace {

bool base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Length of a JWT-shaped token ("eyJ..." header, payload, optional signature) starting at `pos`, or
// 0.
std::size_t jwt_length(std::string_view text, std::size_t pos) {
  std::size_t end = pos;
  int dots = 0;
  while (end < text.size() && (base64url_char(text[end]) || (text[end] == '.' && dots < 2))) {
    if (text[end] == '.') ++dots;
    ++end;
  }
  return dots == 2 ? end - pos : 0;
}

}  // namespace

std::string scrub(std::string text, std::span<const std::string_view> redact) {
  for (std::string_view secret : redact) {
    if (secret.empty()) continue;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), "<redacted>");
      pos += 10;
    }
  }
  // A vendor may echo tokens the client never held (one it just minted, someone else's): any
  // JWT-shaped text goes too. JWT headers are base64url JSON objects, so they start with "eyJ".
  for (auto pos = text.find("eyJ"); pos != std::string::npos; pos = text.find("eyJ", pos)) {
    if (const auto len = jwt_length(text, pos); len > 0) {
      text.replace(pos, len, "<jwt>");
      pos += 5;
    } else {
      pos += 3;
    }
  }
  return text;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    long long seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
    // A day is far longer than any deadline; clamping keeps the arithmetic from overflowing.
    seconds = std::min(seconds, 86'400LL);
    return std::chrono::milliseconds(seconds * 1000);
  }
  auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  if (*when <= now) return std::chrono::milliseconds(0);
  return std::min(std::chrono::duration_cast<std::chrono::milliseconds>(*when - now),
                  std::chrono::milliseconds(86'400'000));
}

std::optional<Error> map_http_status(int status, const std::optional<std::string>& retry_after,
                                     std::string_view body, std::string_view operation,
                                     std::chrono::system_clock::time_point now,
                                     std::span<const std::string_view> redact) {
  if (status >= 200 && status < 300) return std::nullopt;
  Error error;
  if (status == 401) {
    error = Error(ErrorCode::unauthenticated, "the vendor refused the credentials (HTTP 401)");
  } else if (status == 403) {
    error = Error(ErrorCode::forbidden, "the credentials are not allowed to do this (HTTP 403)");
  } else if (status == 429) {
    error = Error(ErrorCode::rate_limited, "the vendor is rate limiting (HTTP 429)")
                .with_retryable(true);
    if (retry_after) {
      if (auto delay = parse_retry_after(*retry_after, now)) error.with_retry_after(*delay);
    }
  } else if (status == 400) {
    error =
        Error(ErrorCode::invalid_input, "the vendor rejected the request as malformed (HTTP 400)");
  } else if (status >= 500 && status < 600) {
    // 500 may pass when tried again, as the major cloud SDKs treat it; whether a call may be
    // repeated at all is the retry loop's decision, from the operation's idempotency. 501, 505
    // and the like will answer the same.
    const bool transient = status == 500 || status == 502 || status == 503 || status == 504;
    error =
        Error(ErrorCode::server_error, "the vendor failed (HTTP " + std::to_string(status) + ")")
            .with_retryable(transient);
    if (transient && retry_after) {
      if (auto delay = parse_retry_after(*retry_after, now)) error.with_retry_after(*delay);
    }
  } else {
    error = Error(ErrorCode::protocol, "unexpected HTTP status " + std::to_string(status));
  }
  // Bodies of failed requests often still carry GraphQL errors; keep their messages when they
  // parse.
  if (!body.empty()) {
    boost::system::error_code ec;
    json::value doc = json::parse(body, ec);
    if (!ec && doc.is_object()) {
      if (const auto* errors = doc.get_object().if_contains("errors")) {
        for (auto& m : error_messages(*errors))
          error.with_graphql_message(scrub(std::move(m), redact));
      }
    }
  }
  return tagged(std::move(error), operation, status);
}

Error map_graphql_errors(std::vector<std::string> messages, std::string_view operation,
                         std::span<const std::string_view> redact) {
  ErrorCode code = ErrorCode::server_error;
  for (const auto& m : messages) {
    if (equals_nocase(m, "Unauthorized") || equals_nocase(m, "Unauthenticated")) {
      code = ErrorCode::unauthenticated;
      break;
    }
    if (equals_nocase(m, "Forbidden")) {
      code = ErrorCode::forbidden;
      break;
    }
    if (equals_nocase(m, "User not found")) {
      code = ErrorCode::not_found;
      break;
    }
  }
  std::string first =
      messages.empty() ? std::string("(no message)") : scrub(messages.front(), redact);
  Error error(code, "the vendor answered with GraphQL errors: " + first);
  error.with_retryable(false);
  for (auto& m : messages) error.with_graphql_message(scrub(std::move(m), redact));
  return tagged(std::move(error), operation, 0);
}

std::optional<Error> map_status(std::string_view code, std::string message,
                                std::string_view operation,
                                std::span<const std::string_view> redact) {
  if (code == "OK") return std::nullopt;
  message = scrub(std::move(message), redact);
  ErrorCode mapped = ErrorCode::server_error;
  if (code == "NOT_FOUND") {
    mapped = ErrorCode::not_found;
  } else if (code == "ERROR" && contains_nocase(message, "already exists")) {
    mapped = ErrorCode::already_exists;
  }
  // The code is vendor text too: scrubbed like the message (fuzzing found it echoed verbatim).
  Error error(mapped,
              "the vendor answered status " + scrub(std::string(code), redact) + ": " + message);
  error.with_retryable(false).with_graphql_message(std::move(message));
  return tagged(std::move(error), operation, 0);
}

MappedResponse map_response(const HttpResponse& response, std::string_view operation,
                            std::chrono::system_clock::time_point now,
                            std::span<const std::string_view> redact) {
  MappedResponse out;
  if (auto error = map_http_status(response.status, response.retry_after, response.body, operation,
                                   now, redact)) {
    out.data = std::move(*error);
    return out;
  }
  auto protocol = [&](std::string message) {
    return tagged(Error(ErrorCode::protocol, std::move(message)), operation, response.status);
  };
  boost::system::error_code ec;
  json::value doc = json::parse(response.body, ec);
  if (ec) {
    out.data = protocol("the response body is not JSON (" + ec.message() + ")");
    return out;
  }
  auto* root = doc.if_object();
  if (!root) {
    out.data = protocol("the response body is not a JSON object");
    return out;
  }
  json::value data;
  if (auto* d = root->if_contains("data")) data = std::move(*d);
  if (const auto* errors = root->if_contains("errors"); errors && !errors->is_null()) {
    if (!errors->is_array()) {
      out.data = protocol("`errors` is not an array");
      return out;
    }
    if (!errors->get_array().empty()) {
      out.partial_data = std::move(data);
      out.data = tagged(map_graphql_errors(error_messages(*errors), operation, redact), operation,
                        response.status);
      return out;
    }
  }
  auto* fields = data.if_object();
  if (!fields) {
    out.data = protocol("the response has neither `data` nor `errors`");
    return out;
  }
  for (const auto& [name, value] : *fields) {
    const auto* obj = value.if_object();
    if (!obj) continue;
    // `{status{code message}}` (createUsers & co.) or a ResponseStatus returned directly (sharing).
    const json::object* status = obj;
    if (const auto* s = obj->if_contains("status"); s && s->is_object()) status = &s->get_object();
    const auto* code = status->if_contains("code");
    if (!code || !code->is_string()) continue;
    std::string message;
    if (const auto* m = status->if_contains("message"); m && m->is_string())
      message = m->get_string();
    if (auto error = map_status(code->get_string(), std::move(message), operation, redact)) {
      out.data = tagged(std::move(*error), operation, response.status);
      return out;
    }
  }
  out.data = std::move(data);
  return out;
}

}  // namespace embark::internal
