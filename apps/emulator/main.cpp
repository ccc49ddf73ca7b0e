// embark-emulator: the WisdomAI emulator as a process (see `embark-emulator --help`).
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>

#include "embark/emulator/server.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

namespace emu = embark::emulator;

// Written to a fresh file next to the target (random name, O_EXCL, mode 0600 from the start, so
// no other user can read the credentials or plant the file), then renamed over it: a reader sees
// the old file or the whole new one, and a symlink at `path` is replaced, not followed.
bool write_atomically(const std::string& path, const std::string& content, bool private_file) {
  std::filesystem::path target(path);
  std::filesystem::path folder = target.parent_path().empty() ? "." : target.parent_path();
  std::string pattern = (folder / ("." + target.filename().string() + "-XXXXXX")).string();
  int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) return false;
  // The port file is not secret: readable as an ordinary file would be.
  if (!private_file) ::fchmod(fd, 0644);
  std::string_view rest = content;
  bool ok = true;
  while (ok && !rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) rest.remove_prefix(static_cast<std::size_t>(n));
  }
  ok = ::close(fd) == 0 && ok;
  std::error_code ec;
  if (ok) std::filesystem::rename(pattern, target, ec);
  if (!ok || ec) {
    std::filesystem::remove(pattern, ec);
    return false;
  }
  return true;
}

// One key per line ("KEY" or "KEY WORKSPACE"); blank lines and '#' comments are skipped.
bool read_lines(const std::string& path, std::vector<std::vector<std::string>>& rows) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;) row.push_back(w);
    if (row.empty() || row.front().front() == '#') continue;
    rows.push_back(std::move(row));
  }
  return true;
}

// "OP=RATE" -> map entry; the rate is a share in 0..1.
bool parse_rates(const std::vector<std::string>& specs, std::map<std::string, double>& out,
                 const char* flag) {
  for (const auto& s : specs) {
    const auto eq = s.find('=');
    double rate = -1;
    if (eq != std::string::npos && eq > 0) {
      try {
        rate = std::stod(s.substr(eq + 1));
      } catch (const std::exception&) {
        rate = -1;
      }
    }
    if (rate < 0 || rate > 1) {
      std::cerr << "embark-emulator: " << flag << " expects OP=RATE with RATE in 0..1, got '" << s
                << "'\n";
      return false;
    }
    out[s.substr(0, eq)] = rate;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  emu::Options o;
  CLI::App app{
      "embark-emulator: a faithful local WisdomAI GraphQL + embed server for tests and "
      "development"};

  std::string port_file, access_key_file, api_token_file, credentials_out;
  std::string existing_user = "reapply", auth_errors = "graphql", jwt_alg = "RS256";
  std::int64_t token_ttl = o.token_ttl.count(), latency = 0, retry_after = o.retry_after.count();
  std::vector<std::string> fail_specs, throttle_specs, fault_specs;
  std::int64_t slow_latency = o.slow_latency.count();
  bool plain_http = false;

  app.add_option("--bind", o.bind_address,
                 "IP address to listen on (plain HTTP is served only on loopback)")
      ->capture_default_str();
  app.add_option("--port", o.port, "TCP port; 0 lets the system choose (see --port-file)")
      ->capture_default_str();
  app.add_option("--port-file", port_file,
                 "write the chosen port (decimal) to this file once listening");
  app.add_flag("--plain-http", plain_http, "serve plain HTTP only, no TLS (loopback only)");
  app.add_option("--cert", o.cert_file,
                 "PEM server certificate chain (default: generate a CA and a certificate)");
  app.add_option("--key", o.key_file, "PEM private key for --cert");
  app.add_option("--ca-out", o.ca_out,
                 "write the generated CA certificate (PEM) here, for clients to trust");
  app.add_option("--threads", o.threads, "I/O threads (0 = number of cores)")
      ->capture_default_str();
  app.add_option("--max-body", o.max_body_bytes, "largest request body in bytes (larger: HTTP 413)")
      ->capture_default_str();
  app.add_option("--access-key-file", access_key_file,
                 "access keys, one per line: KEY [WORKSPACE] (default: one generated key)");
  app.add_option(
      "--api-token-file", api_token_file,
      "static bearer tokens with iam:write, one per line (default: one generated token)");
  app.add_option("--credentials-out", credentials_out,
                 "write the access key, API token and URLs as JSON to this file (mode 0600); "
                 "secrets are never printed");
  app.add_option("--workspace", o.default_workspace, "id of the default workspace")
      ->capture_default_str();
  app.add_option("--add-workspace", o.workspaces, "a further known workspace id (repeatable)");
  app.add_option("--existing-user", existing_user,
                 "createUsers on an existing email: reapply (succeed, re-apply roles) or error "
                 "(\"already exists\")")
      ->check(CLI::IsMember({"reapply", "error"}))
      ->capture_default_str();
  app.add_option(
         "--auth-errors", auth_errors,
         "missing/invalid credentials: graphql (HTTP 200 + errors[\"Unauthorized\"]) or http401")
      ->check(CLI::IsMember({"graphql", "http401"}))
      ->capture_default_str();
  app.add_option("--jwt-alg", jwt_alg, "JWT signature algorithm")
      ->check(CLI::IsMember({"RS256", "ES256"}))
      ->capture_default_str();
  app.add_option("--token-ttl", token_ttl, "lifetime of minted JWTs in seconds")
      ->capture_default_str();
  app.add_option("--schema", o.schema_file, "SDL file to serve instead of the built-in schema");
  app.add_option("--latency", latency,
                 "milliseconds added to every GraphQL answer (timer, never blocking)")
      ->capture_default_str();
  app.add_option("--fail", fail_specs,
                 "OP=RATE: answer this share of OP calls with HTTP 500 (OP '*' = any; repeatable)");
  app.add_option("--throttle", throttle_specs,
                 "OP=RATE: answer this share of OP calls with HTTP 429 + Retry-After (OP '*' = "
                 "any; repeatable)");
  app.add_option("--retry-after", retry_after, "Retry-After seconds of throttled answers")
      ->capture_default_str();
  app.add_option("--reset-rate", o.reset_rate,
                 "share of GraphQL requests whose connection is reset unanswered")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--close-after-requests", o.close_after_requests,
                 "close a connection without notice after answering N requests on it (0 = never)");
  app.add_option("--truncate-rate", o.truncate_rate,
                 "share of GraphQL answers cut off after half the body")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fault", fault_specs,
                 "KIND=RATE: give this share of GraphQL requests the fault KIND (repeatable): "
                 "bad_gateway (502), unavailable (503), slow (--slow-latency), hang (never "
                 "answer), malformed_json, graphql_error, interim (100 and 103 first), oversized "
                 "(--oversize-bytes of padding), fail, throttle, reset, truncate; per accepted "
                 "connection: accept_reset, tls_garbage");
  app.add_option("--retry-after-header", o.retry_after_header,
                 "raw Retry-After value of throttled answers, e.g. 'soon' for a malformed one "
                 "(overrides --retry-after)");
  app.add_option("--slow-latency", slow_latency, "milliseconds of delay of a 'slow' fault")
      ->capture_default_str();
  app.add_option("--oversize-bytes", o.oversize_bytes,
                 "bytes of whitespace an 'oversized' fault adds to the answer")
      ->capture_default_str();
  app.add_option("--seed-users", o.seed_users,
                 "create N realistic users in the default workspace at start-up");
  app.add_option("--seed", o.seed,
                 "seed of generated users and fault decisions (same seed, same run)")
      ->capture_default_str();
  app.add_flag("--open-control", o.open_control_endpoints,
               "serve /_emulator/stats and /_emulator/reset without credentials (tests only; "
               "otherwise they need 'Authorization: Bearer <access key>')");
  CLI11_PARSE(app, argc, argv);

  o.tls = !plain_http;
  o.existing_user =
      existing_user == "error" ? emu::ExistingUserMode::error : emu::ExistingUserMode::reapply;
  o.auth_errors =
      auth_errors == "http401" ? emu::AuthErrorMode::http401 : emu::AuthErrorMode::graphql;
  o.jwt_alg = jwt_alg == "ES256" ? emu::JwtAlgorithm::es256 : emu::JwtAlgorithm::rs256;
  o.token_ttl = std::chrono::seconds(token_ttl);
  o.latency = std::chrono::milliseconds(latency);
  o.retry_after = std::chrono::seconds(retry_after);
  std::map<std::string, double> fault_rates;
  if (!parse_rates(fail_specs, o.fail_rates, "--fail") ||
      !parse_rates(throttle_specs, o.throttle_rates, "--throttle") ||
      !parse_rates(fault_specs, fault_rates, "--fault")) {
    return 2;
  }
  for (const auto& [name, rate] : fault_rates) {
    const auto fault = emu::parse_fault(name);
    if (!fault || *fault == emu::InjectedFault::none) {
      std::cerr << "embark-emulator: --fault: unknown fault kind '" << name << "'\n";
      return 2;
    }
    o.fault_rates[*fault] = rate;
  }
  o.slow_latency = std::chrono::milliseconds(slow_latency);
  if (!access_key_file.empty()) {
    std::vector<std::vector<std::string>> rows;
    if (!read_lines(access_key_file, rows) || rows.empty()) {
      std::cerr << "embark-emulator: --access-key-file " << access_key_file
                << " is unreadable or empty\n";
      return 2;
    }
    for (auto& r : rows)
      o.access_keys.push_back({embark::Secret(r[0]), r.size() > 1 ? r[1] : std::string()});
  }
  if (!api_token_file.empty()) {
    std::vector<std::vector<std::string>> rows;
    if (!read_lines(api_token_file, rows) || rows.empty()) {
      std::cerr << "embark-emulator: --api-token-file " << api_token_file
                << " is unreadable or empty\n";
      return 2;
    }
    for (auto& r : rows) o.api_tokens.emplace_back(r[0]);
  }

  auto started = emu::Server::start(o);
  if (!started) {
    std::cerr << "embark-emulator: " << started.error().to_string() << "\n";
    return 1;
  }
  auto& server = **started;
  if (!credentials_out.empty()) {
    boost::json::object creds{{"access_key", server.access_key().reveal()},
                              {"api_token", server.api_token().reveal()},
                              {"url", server.url()},
                              {"graphql_url", server.graphql_url()},
                              {"workspace", server.default_workspace()},
                              {"ca_file", o.ca_out}};
    if (!write_atomically(credentials_out, boost::json::serialize(creds) + "\n", true)) {
      std::cerr << "embark-emulator: cannot write --credentials-out " << credentials_out << "\n";
      return 1;
    }
  } else if (access_key_file.empty()) {
    std::cerr << "embark-emulator: the access key was generated; pass --credentials-out FILE to "
                 "obtain it\n";
  }
  if (!port_file.empty() &&
      !write_atomically(port_file, std::to_string(server.port()) + "\n", false)) {
    std::cerr << "embark-emulator: cannot write --port-file " << port_file << "\n";
    return 1;
  }
  std::cout << "embark-emulator listening on " << server.url() << std::endl;

  boost::asio::io_context signals_ctx;
  boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    std::cerr << "embark-emulator: signal " << sig << ", shutting down\n";
  });
  signals_ctx.run();
  server.stop();
  return 0;
}
