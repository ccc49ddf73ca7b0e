#include "embark/error.hpp"

#include <fmt/format.h>

#include "embark/result.hpp"

namespace embark {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "embark"; }
  std::string message(int ev) const override {
    return std::string(to_string(static_cast<ErrorCode>(ev)));
  }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const Category kCategory;
  return kCategory;
}

boost::system::error_code make_error_code(ErrorCode code) noexcept {
  return {static_cast<int>(code), error_category()};
}

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ok:
      return "ok";
    case ErrorCode::invalid_input:
      return "invalid_input";
    case ErrorCode::unauthenticated:
      return "unauthenticated";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::already_exists:
      return "already_exists";
    case ErrorCode::rate_limited:
      return "rate_limited";
    case ErrorCode::server_error:
      return "server_error";
    case ErrorCode::timeout:
      return "timeout";
    case ErrorCode::tls:
      return "tls";
    case ErrorCode::connect:
      return "connect";
    case ErrorCode::protocol:
      return "protocol";
    case ErrorCode::deadline_exceeded:
      return "deadline_exceeded";
    case ErrorCode::cancelled:
      return "cancelled";
    case ErrorCode::unimplemented:
      return "unimplemented";
    case ErrorCode::internal:
      return "internal";
  }
  return "unknown";
}

bool is_transient(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::rate_limited:
    case ErrorCode::timeout:
    case ErrorCode::connect:
    case ErrorCode::tls:
      return true;
    default:
      return false;
  }
}

Error::Error(ErrorCode code, std::string message)
    : code_(code), message_(std::move(message)), retryable_(is_transient(code)) {}

Error& Error::with_stage(std::string stage, std::string strategy) {
  stage_ = std::move(stage);
  strategy_ = std::move(strategy);
  return *this;
}
Error& Error::with_operation(std::string operation) {
  operation_ = std::move(operation);
  return *this;
}
Error& Error::with_field(std::string field) {
  field_ = std::move(field);
  return *this;
}
Error& Error::with_http_status(int status) {
  http_status_ = status;
  return *this;
}
Error& Error::with_graphql_message(std::string message) {
  graphql_messages_.push_back(std::move(message));
  return *this;
}
Error& Error::with_retryable(bool retryable) {
  retryable_ = retryable;
  return *this;
}
Error& Error::with_retry_after(std::chrono::milliseconds delay) {
  retry_after_ = delay;
  return *this;
}

std::string Error::to_string() const {
  std::string out = fmt::format("{}: {}", embark::to_string(code_), message_);
  std::string ctx;
  auto add = [&ctx](std::string_view k, std::string_view v) {
    if (v.empty()) return;
    if (!ctx.empty()) ctx += ' ';
    ctx += fmt::format("{}={}", k, v);
  };
  add("stage", stage_);
  add("strategy", strategy_);
  add("operation", operation_);
  add("field", field_);
  if (http_status_ != 0) add("http", std::to_string(http_status_));
  if (!ctx.empty()) out += fmt::format(" [{}]", ctx);
  return out;
}

Exception::Exception(Error error)
    : std::runtime_error(error.to_string()), error_(std::move(error)) {}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw Exception(error);
}

}  // namespace embark
