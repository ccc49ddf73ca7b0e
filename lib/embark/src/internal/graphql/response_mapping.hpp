// The response-mapping step (docs/architecture.md#graphql-call): a complete HTTP response -> data
// or embark::Error.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "embark/result.hpp"

#include "internal/transport/http_transport.hpp"

namespace embark::internal {

/// What a GraphQL answer meant: the `data` member on success, else an error; partial `data` that
/// came with `errors[]` is kept for the caller either way.
struct MappedResponse {
  Result<boost::json::value> data = boost::json::value();
  boost::json::value partial_data;  ///< `data` as received alongside errors (null when none)
};

/// Maps one complete HTTP response of `operation` (the vendor name, e.g. "createUsers"):
/// HTTP status, then JSON well-formedness, then `errors[]`, then every non-OK `status{code
/// message}` among the root fields. Never trusts HTTP 200 alone. `now` resolves HTTP-date
/// Retry-After values; messages copied from the vendor are scrubbed of `redact` and of anything
/// JWT-shaped (scrub()).
MappedResponse map_response(
    const HttpResponse& response, std::string_view operation,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
    std::span<const std::string_view> redact = {});

// The steps of map_response, shared with the incremental listUsers parser.

/// Error for a non-2xx status (nullopt for 2xx). `body` (may be empty) is searched for GraphQL
/// error messages to attach.
std::optional<Error> map_http_status(int status, const std::optional<std::string>& retry_after,
                                     std::string_view body, std::string_view operation,
                                     std::chrono::system_clock::time_point now,
                                     std::span<const std::string_view> redact = {});

/// Error for a non-empty `errors[]` (messages in order). Never retryable: the vendor answered.
Error map_graphql_errors(std::vector<std::string> messages, std::string_view operation,
                         std::span<const std::string_view> redact = {});

/// Error for a non-OK `status{code message}`, nullopt when the code is OK.
std::optional<Error> map_status(std::string_view code, std::string message,
                                std::string_view operation,
                                std::span<const std::string_view> redact = {});

/// Parses `Retry-After`: delay-seconds or an HTTP-date (IMF-fixdate, RFC 850, asctime) relative
/// to `now`; a date in the past is zero. nullopt when unparsable.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

/// Replaces every occurrence of each non-empty string of `redact` in `text` by "<redacted>", and
/// any JWT-shaped text by "<jwt>".
std::string scrub(std::string text, std::span<const std::string_view> redact);

}  // namespace embark::internal
