// embark::Error: the one error type of the library's API.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/system/error_code.hpp>

namespace embark {

/// Every failure embark reports has exactly one of these codes (documented in docs/errors.md).
enum class ErrorCode : int {
  ok = 0,           ///< no error (never carried by a failed Result)
  invalid_input,    ///< the caller's input was rejected before anything was sent
  unauthenticated,  ///< the vendor refused the credentials (bad access key or bearer token)
  forbidden,        ///< authenticated but not allowed (e.g. no `iam:write`)
  not_found,        ///< the user or resource does not exist
  already_exists,   ///< the vendor said the user already exists
  rate_limited,     ///< HTTP 429 from the vendor
  server_error,     ///< HTTP 5xx or a non-OK GraphQL status the vendor gave no better code for
  timeout,          ///< one network operation took longer than its timeout
  tls,       ///< TLS handshake failed (retryable) or the certificate was refused (not retryable)
  connect,   ///< name resolution or TCP connect failed, or the peer reset the connection
  protocol,  ///< the answer was not valid HTTP, JSON or GraphQL, or was too large
  deadline_exceeded,  ///< the overall deadline of a call or onboarding passed
  cancelled,          ///< the operation was cancelled by the caller
  unimplemented,      ///< the connection or strategy does not implement this operation
  internal,           ///< a bug in embark; please report it
};

/// The error category of ErrorCode ("embark").
const boost::system::error_category& error_category() noexcept;

/// Makes a boost::system::error_code from an ErrorCode.
boost::system::error_code make_error_code(ErrorCode code) noexcept;

/// Short stable name of a code, e.g. "invalid_input".
std::string_view to_string(ErrorCode code) noexcept;

/// Whether a failure with this code may succeed when tried again (transport-level faults).
bool is_transient(ErrorCode code) noexcept;

/// A failure: a code plus the context needed to act on it. Copyable value type; thread-compatible.
///
/// Never holds a secret: messages are built by embark from redacted parts only.
class Error {
 public:
  Error() = default;
  /// An error with a code and a human-readable message.
  Error(ErrorCode code, std::string message);

  /// The documented error code.
  ErrorCode code() const noexcept { return code_; }
  /// Human-readable message (without the context fields below).
  const std::string& message() const noexcept { return message_; }

  /// Pipeline stage that failed ("ensure-user", "set-attributes", "impersonate"), or empty.
  const std::string& stage() const noexcept { return stage_; }
  /// Strategy of that stage ("directory", "diff", ...), or empty.
  const std::string& strategy() const noexcept { return strategy_; }
  /// Vendor operation ("listUsers", "impersonateUser", ...), or empty.
  const std::string& operation() const noexcept { return operation_; }
  /// Input field that was rejected ("email", "attributes.region", ...), or empty.
  const std::string& field() const noexcept { return field_; }
  /// HTTP status of the answer, 0 when there was no complete answer.
  int http_status() const noexcept { return http_status_; }
  /// Messages of the GraphQL `errors[]` array or of a non-OK `status`, in order.
  const std::vector<std::string>& graphql_messages() const noexcept { return graphql_messages_; }
  /// Whether trying the same call again could succeed.
  bool retryable() const noexcept { return retryable_; }
  /// Delay the server asked for (HTTP `Retry-After`), if any.
  std::optional<std::chrono::milliseconds> retry_after() const noexcept { return retry_after_; }

  Error& with_stage(std::string stage, std::string strategy = {});
  Error& with_operation(std::string operation);
  Error& with_field(std::string field);
  Error& with_http_status(int status);
  Error& with_graphql_message(std::string message);
  Error& with_retryable(bool retryable);
  Error& with_retry_after(std::chrono::milliseconds delay);

  /// One line: "<code>: <message> [stage=.. strategy=.. operation=.. field=.. http=..]".
  std::string to_string() const;

  friend bool operator==(const Error&, const Error&) = default;

 private:
  ErrorCode code_ = ErrorCode::ok;
  std::string message_;
  std::string stage_;
  std::string strategy_;
  std::string operation_;
  std::string field_;
  int http_status_ = 0;
  std::vector<std::string> graphql_messages_;
  bool retryable_ = false;
  std::optional<std::chrono::milliseconds> retry_after_;
};

/// Thrown only by Result<T>::value() on an error (the library itself never throws across its API).
class Exception : public std::runtime_error {
 public:
  explicit Exception(Error error);
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

}  // namespace embark

namespace boost::system {
template <>
struct is_error_code_enum<embark::ErrorCode> : std::true_type {};
}  // namespace boost::system
