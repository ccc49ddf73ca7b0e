#include "exit_code.hpp"

namespace embark::cli {

ExitCode exit_code_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ok:
      return ExitCode::ok;
    case ErrorCode::invalid_input:
      return ExitCode::input_rejected;
    case ErrorCode::unauthenticated:
    case ErrorCode::forbidden:
    case ErrorCode::not_found:
    case ErrorCode::already_exists:
    case ErrorCode::rate_limited:
    case ErrorCode::server_error:
      return ExitCode::vendor_refused;
    // A malformed answer is a transport fault: nothing the operator's input could fix.
    case ErrorCode::timeout:
    case ErrorCode::tls:
    case ErrorCode::connect:
    case ErrorCode::protocol:
    case ErrorCode::deadline_exceeded:
    case ErrorCode::cancelled:
      return ExitCode::transport;
    case ErrorCode::unimplemented:
    case ErrorCode::internal:
      return ExitCode::failure;
  }
  return ExitCode::failure;
}

std::string_view describe(ExitCode code) noexcept {
  switch (code) {
    case ExitCode::ok:
      return "success";
    case ExitCode::failure:
      return "internal error (please report it)";
    case ExitCode::usage:
      return "usage error: unknown flag, missing argument or bad configuration";
    case ExitCode::input_rejected:
      return "input rejected: malformed email, attribute or CSV row";
    case ExitCode::vendor_refused:
      return "the vendor said no: credentials, permission, not found, error status";
    case ExitCode::transport:
      return "transport failure: unreachable, TLS, timeout or malformed answer";
  }
  return "unknown";
}

}  // namespace embark::cli
