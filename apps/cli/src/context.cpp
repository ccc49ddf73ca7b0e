#include "context.hpp"

#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace embark::cli {

std::optional<Settings> Context::settings(ExitCode& exit_code, bool require_url) {
  if (!settings_) {
    auto resolved = resolve_settings(flags_, io_.env, io_.reader);
    if (!resolved) {
      fmt::print(io_.err, "embark: configuration: {}\n", resolved.error().message());
      exit_code = ExitCode::usage;
      return std::nullopt;
    }
    settings_ = std::move(*resolved);
  }
  if (require_url && settings_->url.empty()) {
    fmt::print(
        io_.err,
        "embark: configuration: no vendor URL; set WISDOM_URL, pass --url, or write url = ... "
        "in a config file (see embark --help)\n");
    exit_code = ExitCode::usage;
    return std::nullopt;
  }
  return settings_;
}

std::shared_ptr<WisdomConnection> Context::connect(ExitCode& exit_code, Settings* settings_out) {
  auto s = settings(exit_code);
  if (!s) return nullptr;
  if (settings_out) *settings_out = *s;
  if (!services_.connect) {
    exit_code =
        report(Error(ErrorCode::unimplemented, "this build has no vendor client"), "connect");
    return nullptr;
  }
  auto connection = services_.connect(*s, io_context_.get_executor());
  if (!connection) {
    exit_code = report(connection.error(), "connect");
    return nullptr;
  }
  return *connection;
}

ExitCode Context::report(const Error& error, std::string_view what) {
  if (what.empty()) {
    fmt::print(io_.err, "embark: {}\n", error.to_string());
  } else {
    fmt::print(io_.err, "embark: {}: {}\n", what, error.to_string());
  }
  return exit_code_for(error.code());
}

}  // namespace embark::cli
