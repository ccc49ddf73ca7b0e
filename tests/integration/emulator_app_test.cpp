// The embark-emulator program: listening line, --port-file, --credentials-out, --ca-out, SIGTERM.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include "emulator_http_client.hpp"
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef EMBARK_EMULATOR_APP
#error "EMBARK_EMULATOR_APP must name the embark-emulator binary"
#endif

extern char** environ;

using embark::emulator::test::TestConnection;
namespace json = boost::json;

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE(
    "embark-emulator reports its port, writes its files, serves, and exits cleanly on SIGTERM") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("embark-emulator-app-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string port_file = (dir / "port").string();
  const std::string ca_file = (dir / "ca.pem").string();
  const std::string creds_file = (dir / "creds.json").string();

  int out_pipe[2];
  REQUIRE(::pipe(out_pipe) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  std::vector<std::string> args{EMBARK_EMULATOR_APP,
                                "--port",
                                "0",
                                "--port-file",
                                port_file,
                                "--ca-out",
                                ca_file,
                                "--seed-users",
                                "3",
                                "--jwt-alg",
                                "ES256",
                                "--credentials-out",
                                creds_file,
                                "--threads",
                                "1"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, EMBARK_EMULATOR_APP, &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);

  // Blocks until the program prints its line: it does so only once it is listening.
  FILE* out = ::fdopen(out_pipe[0], "r");
  char line[256] = {};
  REQUIRE(std::fgets(line, sizeof line, out) != nullptr);
  const std::string text(line);
  const std::string prefix = "embark-emulator listening on https://127.0.0.1:";
  REQUIRE(text.rfind(prefix, 0) == 0);
  const int port = std::stoi(text.substr(prefix.size()));
  CHECK(port > 0);
  CHECK(std::stoi(read_file(port_file)) == port);

  const auto creds = json::parse(read_file(creds_file)).as_object();
  const std::string key(creds.at("access_key").as_string());
  const std::string token(creds.at("api_token").as_string());
  CHECK(text.find(key) == std::string::npos);
  CHECK((std::filesystem::status(creds_file).permissions() & std::filesystem::perms::others_read) ==
        std::filesystem::perms::none);

  TestConnection conn(static_cast<std::uint16_t>(port), true, ca_file);
  REQUIRE_MESSAGE(!conn.error, conn.error.message());
  auto list = conn.graphql({{"query", "{ listUsers { email } }"}}, token);
  REQUIRE(list);
  const auto users = json::parse(list->body()).at("data").at("listUsers").as_array();
  REQUIRE(users.size() == 3);
  auto imp = conn.graphql(
      {{"query",
        "mutation($k: String!, $e: String!) { impersonateUser(accessToken: $k, userEmail: $e) }"},
       {"variables", json::object{{"k", key}, {"e", users[0].at("email")}}}});
  REQUIRE(imp);
  CHECK(json::parse(imp->body()).at("data").at("impersonateUser").is_string());

  REQUIRE(::kill(pid, SIGTERM) == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::fclose(out);
  std::filesystem::remove_all(dir);
}

TEST_CASE("embark-emulator --help documents every switch") {
  int out_pipe[2];
  REQUIRE(::pipe(out_pipe) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  std::string bin = EMBARK_EMULATOR_APP, help = "--help";
  char* argv[] = {bin.data(), help.data(), nullptr};
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, EMBARK_EMULATOR_APP, &actions, nullptr, argv, environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(out_pipe[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<std::size_t>(n));
  ::close(out_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  for (const char* flag : {"--port",
                           "--port-file",
                           "--cert",
                           "--key",
                           "--ca-out",
                           "--threads",
                           "--access-key-file",
                           "--credentials-out",
                           "--existing-user",
                           "--auth-errors",
                           "--jwt-alg",
                           "--token-ttl",
                           "--latency",
                           "--fail",
                           "--throttle",
                           "--reset-rate",
                           "--truncate-rate",
                           "--seed-users",
                           "--seed",
                           "--bind",
                           "--plain-http",
                           "--max-body",
                           "--open-control"}) {
    CHECK_MESSAGE(text.find(flag) != std::string::npos, flag);
  }
}
