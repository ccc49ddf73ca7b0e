// What every subcommand shares: streams, environment, global flags, the vendor connection.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "embark/connection.hpp"
#include "embark/result.hpp"

#include "exit_code.hpp"
#include "settings.hpp"
#include "sync_rows.hpp"

namespace embark::cli {

/// The process's streams and environment, injected so the whole command runs inside tests.
struct Io {
  std::ostream& out;             ///< results (tables, JSON, the token or embed URL)
  std::ostream& err;             ///< messages and progress
  bool err_is_terminal = false;  ///< draw a progress bar instead of plain lines
  EnvLookup env;
  FileReader reader;
};

/// Makes the vendor connection for resolved settings; its I/O runs on `executor`.
using ConnectionFactory = std::function<Result<std::shared_ptr<WisdomConnection>>(
    const Settings& settings, boost::asio::any_io_executor executor)>;

/// The pieces a command line is built from; main() wires the real ones, tests wire fakes.
struct Services {
  ConnectionFactory connect;
  /// Checks cells and arguments before anything is sent (email syntax, role names, attributes).
  RowChecks checks;
};

/// State shared by the subcommands of one run. Not thread-safe: one per run.
class Context {
 public:
  Context(Io& io, const Services& services) : io_(io), services_(services) {}

  Io& io() noexcept { return io_; }
  const Services& services() const noexcept { return services_; }
  FlagSettings& flags() noexcept { return flags_; }
  bool& json() noexcept { return json_; }
  int& verbosity() noexcept { return verbosity_; }
  boost::asio::io_context& io_context() noexcept { return io_context_; }

  /// Resolves the settings once (flags > environment > config file > defaults); an error is
  /// printed and returned as a usage exit code.
  std::optional<Settings> settings(ExitCode& exit_code, bool require_url = true);
  /// Settings plus a connection; nullptr after printing the reason into exit_code.
  std::shared_ptr<WisdomConnection> connect(ExitCode& exit_code, Settings* settings_out = nullptr);

  /// Runs a coroutine to completion on this run's io_context (the CLI is single-threaded).
  /// Returns as soon as it completes, even if background work (timers) is still queued.
  template <class T>
  T run(boost::asio::awaitable<T> task) {
    std::optional<T> result;
    std::exception_ptr failure;
    bool done = false;
    boost::asio::co_spawn(io_context_, std::move(task), [&](std::exception_ptr e, T value) {
      done = true;
      failure = e;
      if (!e) result.emplace(std::move(value));
    });
    io_context_.restart();
    while (!done && io_context_.run_one() > 0) {
    }
    if (failure) std::rethrow_exception(failure);
    if (!result) throw std::logic_error("the command's coroutine stopped without completing");
    return std::move(*result);
  }

  /// Prints "embark: <what>: <error>" on err and returns the error's exit code.
  ExitCode report(const Error& error, std::string_view what = {});

  /// The action chosen by the parsed subcommand; run after parsing succeeds.
  std::function<ExitCode()> action;

 private:
  Io& io_;
  const Services& services_;
  FlagSettings flags_;
  bool json_ = false;
  int verbosity_ = 0;
  std::optional<Settings> settings_;
  boost::asio::io_context io_context_;
};

}  // namespace embark::cli
