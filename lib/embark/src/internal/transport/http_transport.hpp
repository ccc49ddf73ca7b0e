// HttpTransport: the only seam through which embark touches the network
// (docs/architecture.md#transport). Internal (src/internal never appears in public headers).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "embark/result.hpp"
#include "embark/secret.hpp"

namespace embark::internal {

/// One HTTP request to the configured endpoint's host.
struct HttpRequest {
  std::string target = "/graphql";  ///< path and query
  std::string body;                 ///< JSON text (may contain the access key: never log it)
  std::optional<Secret> bearer;     ///< sent as `Authorization: Bearer ...`
  bool idempotent = false;          ///< may be re-sent once when a pooled connection was stale
  std::chrono::milliseconds timeout{10'000};  ///< re-armed before every network operation
  /// The whole request, every step and wait included, ends by then (the call's deadline) when
  /// the transport keeps_deadlines(); max() = no deadline beyond the per-step timeout.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  /// max_response_bytes of an answer streamed into body_sink that nothing holds whole.
  static constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);
  /// Largest body this request's answer may have; 0 = TransportOptions::max_response_bytes
  /// (the smaller of the two applies); kUnbounded = no cap.
  std::size_t max_response_bytes = 0;
  /// When set, the response body is handed over in chunks as it arrives instead of being
  /// collected in HttpResponse::body (used by listUsers' incremental parser). An error stops
  /// the read and becomes the result.
  std::function<Result<void>(std::string_view chunk)> body_sink;
};

/// A complete HTTP response (any status: mapping statuses to errors happens one layer up).
struct HttpResponse {
  int status = 0;
  std::string body;                        ///< empty when body_sink was used
  std::optional<std::string> retry_after;  ///< raw `Retry-After` header value
  std::string content_type;
};

/// Sends requests over pooled keep-alive connections. Thread-safe; created once.
/// Transport errors are Error{connect|tls|timeout|protocol|cancelled}.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual boost::asio::awaitable<Result<HttpResponse>> send(HttpRequest request) = 0;
  /// Whether send() itself ends every request by HttpRequest::deadline, with
  /// Error{deadline_exceeded}; a caller races the others against the deadline.
  virtual bool keeps_deadlines() const noexcept { return false; }
};

/// The error of a request whose HttpRequest::deadline passed.
inline Error request_deadline_error() {
  return Error(ErrorCode::deadline_exceeded,
               "the call's deadline passed while waiting for the vendor");
}

}  // namespace embark::internal
