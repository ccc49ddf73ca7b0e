// embark::testing::EmulatorFixture: an in-process WisdomAI emulator for a test's lifetime.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "embark/client_options.hpp"
#include "embark/emulator/server.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace embark::testing {

/// Starts the emulator on 127.0.0.1, port 0 (a free port), with the given options, and stops it
/// in its destructor. Clients trust the generated CA in memory (client_options()); a CA file is
/// written only for programs that need one (ca_file()). Throws embark::Exception when the
/// emulator cannot start. Thread-safe like emulator::Server.
class EmulatorFixture {
 public:
  /// Starts the emulator (port forced to 0).
  explicit EmulatorFixture(emulator::Options options = {}) {
    options.port = 0;
    ca_file_ = options.ca_out;
    server_ = emulator::Server::start(std::move(options)).value();
  }

  ~EmulatorFixture() {
    if (server_) server_->stop();
    if (owns_ca_file_) {
      std::error_code ignored;
      std::filesystem::remove(ca_file_, ignored);
    }
  }

  EmulatorFixture(const EmulatorFixture&) = delete;
  EmulatorFixture& operator=(const EmulatorFixture&) = delete;

  /// Base URL, e.g. "https://127.0.0.1:41234".
  std::string url() const { return server_->url(); }
  /// The GraphQL endpoint (url() + "/graphql").
  std::string graphql_url() const { return server_->graphql_url(); }
  /// Plain-HTTP base URL of the same port (the fixture always binds loopback).
  std::string http_url() const { return server_->http_url(); }
  /// PEM of the generated CA (empty without TLS or when the options gave their own certificate).
  const std::string& ca_pem() const { return server_->ca_pem(); }
  /// A PEM file of that CA, for programs that take a file (the CLI, curl): the options' `ca_out`,
  /// else a fresh temporary file written on first use and removed on destruction; empty when
  /// there is no generated CA. Throws std::runtime_error when the file cannot be written.
  const std::string& ca_file() const {
    std::lock_guard lock(ca_file_mutex_);
    if (ca_file_.empty() && !ca_pem().empty()) {
      ca_file_ = write_private_temp_file(ca_pem());
      owns_ca_file_ = true;
    }
    return ca_file_;
  }
  /// The access key (impersonateUser, exchangeAccessToken).
  const Secret& access_key() const { return server_->access_key(); }
  /// A bearer token with iam:write.
  const Secret& api_token() const { return server_->api_token(); }
  /// Per-operation counters since start or the last reset().
  emulator::Stats stats() const { return server_->stats(); }
  /// Zeroes the counters; with clear_state also deletes every user.
  void reset(bool clear_state = false) { server_->reset(clear_state); }
  /// The server itself.
  emulator::Server& server() { return *server_; }

  /// ClientOptions pointing at this emulator: endpoint, access key, API token and the CA (in
  /// memory).
  ClientOptions client_options() const {
    ClientOptions o;
    o.endpoint = graphql_url();
    o.access_key = access_key();
    o.api_token = api_token();
    o.transport.ca_pem = ca_pem();
    return o;
  }

 private:
  // A new file with a random name (mkostemps: O_CREAT | O_EXCL, mode 0600), so another local
  // user can neither predict it nor plant a file or symlink there first. Returns its path.
  static std::string write_private_temp_file(const std::string& content) {
    std::string path =
        (std::filesystem::temp_directory_path() / "embark-emulator-ca-XXXXXX.pem").string();
    const int fd = ::mkostemps(path.data(), 4, O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot create a temporary file for the emulator's CA");
    std::string_view rest = content;
    bool ok = true;
    while (ok && !rest.empty()) {
      const ssize_t n = ::write(fd, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) rest.remove_prefix(static_cast<std::size_t>(n));
    }
    ok = ::close(fd) == 0 && ok;
    if (!ok) {
      ::unlink(path.c_str());
      throw std::runtime_error("cannot write the emulator's CA to " + path);
    }
    return path;
  }

  mutable std::mutex ca_file_mutex_;
  mutable std::string ca_file_;
  mutable bool owns_ca_file_ = false;
  std::unique_ptr<emulator::Server> server_;
};

}  // namespace embark::testing
