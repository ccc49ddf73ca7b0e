#include "app.hpp"

#include <map>
#include <sstream>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "fake_connection.hpp"

using namespace embark;
using namespace embark::cli;

namespace {

// One command-line run against an in-memory vendor.
struct Harness {
  test::FakeConnection fake;
  std::map<std::string, std::string> env{{"WISDOM_URL", "https://acme.example/graphql"},
                                         {"WISDOM_ACCESS_KEY", "ak_secret_value_42"}};
  std::map<std::string, std::string> files;
  std::ostringstream out, err;
  int connects = 0;

  int run(std::vector<std::string> args) {
    out.str("");
    err.str("");
    args.insert(args.begin(), "embark");
    Io io{out, err, false,
          [this](std::string_view n) -> std::optional<std::string> {
            auto it = env.find(std::string(n));
            return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
          },
          [this](const std::string& p) -> Result<std::string> {
            auto it = files.find(p);
            if (it == files.end()) return Error(ErrorCode::invalid_input, "cannot read " + p);
            return it->second;
          }};
    Services services;
    services.connect =
        [this](const Settings&,
               boost::asio::any_io_executor) -> Result<std::shared_ptr<WisdomConnection>> {
      ++connects;
      return std::shared_ptr<WisdomConnection>(&fake, [](WisdomConnection*) {});
    };
    services.checks.email = [](std::string_view e) -> Result<void> {
      if (e.find('@') == std::string_view::npos) {
        return Error(ErrorCode::invalid_input, "email '" + std::string(e) + "' has no '@'")
            .with_field("email");
      }
      return {};
    };
    return run_cli(args, io, services);
  }
  int total_calls() {
    int n = 0;
    for (auto& [op, count] : fake.calls) n += count;
    return n;
  }
};

// Whether some line of `text` holds these cells in this order.
bool has_row(const std::string& text, std::vector<std::string> cells) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::size_t at = 0;
    bool all = true;
    for (const std::string& cell : cells) {
      at = line.find(cell, at);
      if (at == std::string::npos) {
        all = false;
        break;
      }
      at += cell.size();
    }
    if (all) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("cli: help everywhere, with an example; exit codes and precedence documented") {
  Harness h;
  CHECK(h.run({"--help"}) == 0);
  CHECK(h.out.str().find("Exit codes:") != std::string::npos);
  CHECK(h.out.str().find("flags > ") == std::string::npos);
  CHECK(h.out.str().find("WISDOM_CA_FILE") != std::string::npos);
  for (auto cmd : std::vector<std::vector<std::string>>{{"users", "--help"},
                                                        {"users", "list", "--help"},
                                                        {"users", "create", "--help"},
                                                        {"users", "set-attributes", "--help"},
                                                        {"users", "delete", "--help"},
                                                        {"token", "--help"},
                                                        {"sync", "--help"},
                                                        {"onboard", "--help"},
                                                        {"embed-url", "--help"},
                                                        {"demo", "--help"}}) {
    CAPTURE(cmd[0]);
    CHECK(h.run(cmd) == 0);
    CHECK(h.out.str().find("Example:") != std::string::npos);
  }
#ifdef EMBARK_CLI_DEMO
  CHECK(h.run({"demo", "--help"}) == 0);
  for (const char* text : {"--serve ", "--serve-for", "--port-file", "embark demo --serve"}) {
    CAPTURE(text);
    CHECK(h.out.str().find(text) != std::string::npos);
  }
  // --port and friends only make sense with --serve: a usage error, before anything starts.
  CHECK(h.run({"demo", "--port", "8080"}) == 2);
  CHECK(h.err.str().find("--serve") != std::string::npos);
#endif
  CHECK(h.connects == 0);
}

TEST_CASE("cli: usage errors exit 2 with CLI11's message") {
  Harness h;
  CHECK(h.run({"users", "list", "--bogus"}) == 2);
  CHECK(h.err.str().find("--bogus") != std::string::npos);
  CHECK(h.run({}) == 2);
  CHECK(h.run({"token"}) == 2);
  CHECK(h.err.str().find("EMAIL") != std::string::npos);
  CHECK(h.run({"sync", "f.csv", "--concurrency", "0"}) == 2);
  h.env.erase("WISDOM_URL");
  CHECK(h.run({"users", "list"}) == 2);
  CHECK(h.err.str().find("WISDOM_URL") != std::string::npos);
  CHECK(h.total_calls() == 0);
}

TEST_CASE("cli: users list as a table and as JSON; global flags after the subcommand") {
  Harness h;
  h.fake.add("id-1", "alice@example.com", {{"tenant_id", "t1"}});
  h.fake.add("id-2", "bob@example.com");
  CHECK(h.run({"users", "list"}) == 0);
  CHECK(has_row(h.out.str(), {"alice@example.com", "id-1", "tenant_id=t1"}));
  CHECK(h.out.str().find("tenant_id=t1") != std::string::npos);
  CHECK(h.out.str().find("2 users") != std::string::npos);
  CHECK(h.run({"users", "list", "--json"}) == 0);
  auto users = boost::json::parse(h.out.str()).as_array();
  REQUIRE(users.size() == 2);
  CHECK(users[1].at("email").as_string() == "bob@example.com");
}

TEST_CASE("cli: users create leaves existing users alone and checks emails first") {
  Harness h;
  h.fake.add("id-1", "alice@example.com");
  CHECK(h.run({"users", "create", "not-an-email", "x@example.com"}) == 3);
  CHECK(h.err.str().find("not-an-email") != std::string::npos);
  CHECK(h.total_calls() == 0);
  CHECK(h.run({"users", "create", "alice@example.com", "bob@example.com", "--attr", "tenant_id=t9",
               "--role", "00000000-0000-0000-0000-000000000003:dom_1"}) == 0);
  REQUIRE(h.fake.create_requests.size() == 1);
  CHECK(h.fake.create_requests[0].emails == std::vector<std::string>{"bob@example.com"});
  REQUIRE(h.fake.create_requests[0].roles);
  CHECK((*h.fake.create_requests[0].roles)[0].scopes == std::vector<std::string>{"dom_1"});
  CHECK(h.fake.find("bob@example.com")->attributes.at("tenant_id") == "t9");
  CHECK(h.out.str().find("created     bob@example.com") != std::string::npos);
  CHECK(h.err.str().find("--enforce-roles") != std::string::npos);
  CHECK(h.run({"users", "create", "c@example.com", "--attr", "novalue"}) == 3);
}

TEST_CASE("cli: users set-attributes and delete") {
  Harness h;
  h.fake.add("id-1", "alice@example.com", {{"a", "1"}});
  CHECK(h.run({"users", "set-attributes", "alice@example.com"}) == 2);
  CHECK(h.run({"users", "set-attributes", "nobody@example.com", "--attr", "a=2"}) == 4);
  CHECK(h.err.str().find("nobody@example.com") != std::string::npos);
  CHECK(h.run({"users", "set-attributes", "ALICE@example.com", "--attr", "a=2", "--attr", "b=3"}) ==
        0);
  CHECK(h.fake.find("alice@example.com")->attributes == AttributeMap{{"a", "2"}, {"b", "3"}});
  CHECK(h.run({"users", "set-attributes", "alice@example.com", "--attr", "a=2", "--attr", "b=3"}) ==
        0);
  CHECK(h.out.str().find("unchanged") != std::string::npos);
  CHECK(h.fake.calls["setUserAttributes"] == 1);

  CHECK(h.run({"users", "delete", "alice@example.com"}) == 2);
  CHECK(h.err.str().find("--yes") != std::string::npos);
  CHECK(h.run({"users", "delete", "alice@example.com", "ghost@example.com", "--yes"}) == 4);
  CHECK(h.fake.calls["deleteUsersFromWorkspace"] == 0);
  CHECK(h.run({"users", "delete", "alice@example.com", "--yes"}) == 0);
  CHECK(h.fake.users.empty());
}

TEST_CASE("cli: token prints the JWT alone on stdout and the expiry on stderr") {
  Harness h;
  h.fake.add("id-1", "alice@example.com");
  CHECK(h.run({"token", "alice@example.com"}) == 0);
  CHECK(h.out.str() == "jwt-for-alice@example.com\n");
  CHECK(h.err.str().find("expires at 20") != std::string::npos);
  CHECK(h.err.str().find("jwt-for") == std::string::npos);
  CHECK(h.run({"token", "ghost@example.com"}) == 4);
  CHECK(h.err.str().find("User not found") != std::string::npos);
  CHECK(h.run({"token", "alice@example.com", "--session-attr", "impersonated_user_id=x"}) == 3);
  CHECK(h.err.str().find("impersonated_user_id") != std::string::npos);
}

TEST_CASE("cli: transport failures exit 5 and never print the access key") {
  Harness h;
  h.fake.list_error = Error(ErrorCode::connect, "connection refused");
  CHECK(h.run({"users", "list"}) == 5);
  CHECK(h.err.str().find("connection refused") != std::string::npos);
  CHECK(h.err.str().find("ak_secret_value_42") == std::string::npos);
  h.fake.list_error = Error(ErrorCode::tls, "certificate verify failed");
  CHECK(h.run({"users", "list"}) == 5);
}

TEST_CASE("cli: sync --dry-run plans without writing; sync writes; bad rows exit 3 with lines") {
  Harness h;
  h.fake.add("id-1", "old@example.com", {{"tenant_id", "t0"}});
  h.fake.add("id-2", "same@example.com", {{"tenant_id", "t1"}});
  h.files["users.csv"] =
      "email,roles,attributes\n"
      "new1@example.com,,tenant_id=t1\n"
      "new2@example.com,,tenant_id=t1\n"
      "old@example.com,,tenant_id=t1\n"
      "same@example.com,,tenant_id=t1\n"
      "broken,,tenant_id=t1\n";
  CHECK(h.run({"sync", "users.csv", "--dry-run"}) == 3);
  CHECK(h.fake.calls["createUsers"] == 0);
  CHECK(h.fake.calls["setUserAttributes"] == 0);
  CHECK(
      has_row(h.out.str(), {"create", "2", "new1@example.com", "createUsers #1", "tenant_id=t1"}));
  CHECK(has_row(h.out.str(), {"create", "3", "new2@example.com", "createUsers #1"}));
  CHECK(has_row(h.out.str(), {"set attributes", "4", "old@example.com", "setUserAttributes"}));
  CHECK(has_row(h.out.str(), {"leave alone", "5", "same@example.com"}));
  CHECK(h.out.str().find("2 to create, 1 to update, 1 left alone, 1 refused; 2 write call(s)") !=
        std::string::npos);
  CHECK(h.err.str().find("line 6: email: email 'broken' has no '@'") != std::string::npos);

  CHECK(h.run({"sync", "users.csv", "--json"}) == 3);
  auto result = boost::json::parse(h.out.str()).as_object();
  CHECK(result.at("summary").at("created").to_number<std::uint64_t>() == 2);
  CHECK(result.at("summary").at("updated").to_number<std::uint64_t>() == 1);
  CHECK(result.at("summary").at("unchanged").to_number<std::uint64_t>() == 1);
  CHECK(result.at("summary").at("refused").to_number<std::uint64_t>() == 1);
  CHECK(h.fake.calls["createUsers"] == 1);
  CHECK(h.err.str().find("progress: 3/3 user writes") != std::string::npos);

  h.files["users.csv"] =
      "email,attributes\nnew1@example.com,tenant_id=t1\nnew3@example.com,tenant_id=t3\n";
  h.fake.fail_create_for = {"new3@example.com"};
  CHECK(h.run({"sync", "users.csv"}) == 4);
  CHECK(has_row(h.out.str(), {"failed", "1"}));
  CHECK(h.err.str().find("line 3: new3@example.com failed") != std::string::npos);

  CHECK(h.run({"sync", "missing.csv"}) == 3);
  CHECK(h.err.str().find("missing.csv") != std::string::npos);
  h.files["bad.csv"] = "mail,roles\n";
  CHECK(h.run({"sync", "bad.csv"}) == 3);
  CHECK(h.err.str().find("unknown column 'mail'") != std::string::npos);
}

TEST_CASE("cli: onboard --enforce-roles re-applies differing roles to an existing user") {
  const std::string admin = "00000000-0000-0000-0000-000000000001";
  const std::string viewer = "00000000-0000-0000-0000-000000000003";
  for (const char* ensure_user : {"directory", "list-then-create"}) {
    CAPTURE(ensure_user);
    Harness h;
    h.fake.add("id-1", "carol@example.com", {{"tenant_id", "t1"}}, {{admin, {"dom_1"}}});
    CHECK(h.run({"onboard", "carol@example.com", "--ensure-user", ensure_user, "--attr",
                 "tenant_id=t1", "--role", viewer + ":dom_1"}) == 0);
    CHECK(h.fake.create_requests.empty());  // default: roles only at creation
    CHECK(h.run({"onboard", "carol@example.com", "--ensure-user", ensure_user, "--attr",
                 "tenant_id=t1", "--role", viewer + ":dom_1", "--enforce-roles"}) == 0);
    REQUIRE(h.fake.create_requests.size() == 1);
    REQUIRE(h.fake.create_requests[0].roles);
    CHECK((*h.fake.create_requests[0].roles)[0].role_id == viewer);
  }
}

TEST_CASE("cli: onboard runs the pipeline, prints each stage and ends with the embed URL") {
  Harness h;
  CHECK(h.run({"onboard", "not-an-email"}) == 3);
  CHECK(h.err.str().find("email") != std::string::npos);
  CHECK(h.total_calls() == 0);
  CHECK(h.run({"onboard", "alice@example.com", "--impersonate", "nope"}) == 2);
  CHECK(h.err.str().find("--impersonate") != std::string::npos);

  CHECK(h.run({"onboard", "alice@example.com", "--tenant", "t1", "--attr", "tenant_id=t1",
               "--embed", "dashboard:42"}) == 0);
  const std::string out = h.out.str();
  CHECK(out.find("onboarded alice+t1@example.com") != std::string::npos);
  CHECK(has_row(out, {"ensure-user", "directory", "called"}));
  CHECK(has_row(out, {"impersonate", "called", "1"}));
  const std::string last = out.substr(out.rfind('\n', out.size() - 2) + 1);
  CHECK(last.rfind("https://acme.example/embed/dashboards/42?token=jwt-for-alice", 0) == 0);
  CHECK(out.find("token=") == out.rfind("token="));  // the token appears once, on the last line
  REQUIRE(h.fake.find("alice+t1@example.com") != nullptr);
  CHECK(h.fake.find("alice+t1@example.com")->attributes.at("tenant_id") == "t1");

  CHECK(h.run({"onboard", "alice@example.com", "--tenant", "t1", "--attr", "tenant_id=t1",
               "--json"}) == 0);
  auto session = boost::json::parse(h.out.str()).as_object();
  CHECK(session.at("email").as_string() == "alice+t1@example.com");
  CHECK(session.at("stages").as_array().size() == 3);
}
