// The `embark` command line against the real emulator (in-process, HTTPS on port 0) through
// embark's real client: every subcommand, good and bad input, and the documented exit codes.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "embark/testing/emulator_fixture.hpp"

#include "app.hpp"
#include "connect.hpp"
#include "http_get.hpp"

using namespace embark;
using namespace embark::cli;

namespace {

// A scratch folder for CSV and config files, removed at the end.
struct Scratch {
  std::filesystem::path dir;
  Scratch() {
    static int counter = 0;
    dir = std::filesystem::temp_directory_path() /
          ("embark-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
};

// Runs the command line in-process with an environment pointing at the emulator.
struct Cli {
  std::map<std::string, std::string> env;
  std::ostringstream out, err;

  explicit Cli(const testing::EmulatorFixture& emulator) {
    env["WISDOM_URL"] = emulator.graphql_url();
    env["WISDOM_ACCESS_KEY"] = std::string(emulator.access_key().reveal());
    env["WISDOM_API_TOKEN"] = std::string(emulator.api_token().reveal());
    env["WISDOM_CA_FILE"] = emulator.ca_file();
  }

  int run(std::vector<std::string> args) {
    out.str("");
    err.str("");
    args.insert(args.begin(), "embark");
    Io io{out, err, false,
          [this](std::string_view name) -> std::optional<std::string> {
            auto it = env.find(std::string(name));
            if (it == env.end()) return std::nullopt;
            return it->second;
          },
          read_file};
    return run_cli(args, io, library_services());
  }
  std::string last_line() const {
    std::string text = out.str();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text.substr(text.rfind('\n') + 1);
  }
  // No output may show a secret.
  void check_no_secret(const testing::EmulatorFixture& emulator) const {
    for (std::string_view secret :
         {emulator.access_key().reveal(), emulator.api_token().reveal()}) {
      CHECK(out.str().find(secret) == std::string::npos);
      CHECK(err.str().find(secret) == std::string::npos);
    }
  }
};

Result<HttpResponse> get(const std::string& url, const std::string& ca_file) {
  boost::asio::io_context io;
  std::optional<Result<HttpResponse>> answer;
  boost::asio::co_spawn(io, http_get(url, ca_file, std::chrono::seconds(30)),
                        [&](std::exception_ptr, Result<HttpResponse> r) { answer = std::move(r); });
  io.run();
  return answer ? std::move(*answer)
                : Result<HttpResponse>(Error(ErrorCode::internal, "no answer"));
}

std::uint64_t calls(const testing::EmulatorFixture& emulator, const std::string& operation) {
  return emulator.stats().of(operation).calls;
}

// A loopback port nobody listens on.
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

}  // namespace

TEST_CASE("cli over the emulator: users create, list, set-attributes, delete") {
  testing::EmulatorFixture emulator;
  Cli cli(emulator);
  CHECK(cli.run({"users", "create", "ann@example.com", "ben@example.com", "--role", "viewer",
                 "--scope", "dom_1", "--attr", "tenant_id=t1"}) == 0);
  CHECK(calls(emulator, "createUsers") == 1);
  CHECK(cli.run({"users", "create", "ann@example.com"}) == 0);  // exists: left alone
  CHECK(calls(emulator, "createUsers") == 1);

  REQUIRE(cli.run({"users", "list", "--json"}) == 0);
  auto users = boost::json::parse(cli.out.str()).as_array();
  bool found = false;
  for (const auto& u : users) {
    if (u.at("email").as_string() != "ann@example.com") continue;
    found = true;
    CHECK(u.at("attributes").at("tenant_id").as_string() == "t1");
    CHECK(u.at("roles").at(0).at("role").as_string() == "viewer");
  }
  CHECK(found);

  CHECK(cli.run({"users", "set-attributes", "ann@example.com", "--attr", "tenant_id=t2", "--attr",
                 "region=eu"}) == 0);
  REQUIRE(cli.run({"users", "list"}) == 0);
  CHECK(cli.out.str().find("region=eu; tenant_id=t2") != std::string::npos);

  CHECK(cli.run({"users", "delete", "ann@example.com", "--yes"}) == 0);
  REQUIRE(cli.run({"users", "list"}) == 0);
  CHECK(cli.out.str().find("ann@example.com") == std::string::npos);
  CHECK(cli.out.str().find("ben@example.com") != std::string::npos);
  cli.check_no_secret(emulator);
}

TEST_CASE("cli over the emulator: onboard, token and embed-url give tokens the emulator accepts") {
  testing::EmulatorFixture emulator;
  Cli cli(emulator);
  REQUIRE(cli.run({"onboard", "alice@example.com", "--tenant", "acme", "--attr", "tenant_id=acme",
                   "--embed", "dashboard:42"}) == 0);
  CHECK(cli.out.str().find("onboarded alice+acme@example.com") != std::string::npos);
  CHECK(cli.out.str().find("ensure-user") != std::string::npos);
  CHECK(cli.out.str().find("token expires at") != std::string::npos);
  const std::string url = cli.last_line();
  CHECK(url.rfind(emulator.url() + "/embed/dashboards/42?token=", 0) == 0);
  auto page = get(url, emulator.ca_file());
  REQUIRE(page.has_value());
  CHECK(page->status == 200);
  CHECK(page->body.find("Signed in as alice+acme@example.com") != std::string::npos);

  REQUIRE(cli.run({"token", "alice+acme@example.com", "--json"}) == 0);
  auto token = boost::json::parse(cli.out.str()).as_object();
  const std::string jwt(token.at("token").as_string());
  CHECK(std::count(jwt.begin(), jwt.end(), '.') == 2);
  CHECK(cli.err.str().find(jwt) == std::string::npos);

  REQUIRE(cli.run({"embed-url", "alice+acme@example.com", "--embed", "chat"}) == 0);
  auto chat = get(cli.last_line(), emulator.ca_file());
  REQUIRE(chat.has_value());
  CHECK(chat->status == 200);
  CHECK(chat->body.find("Signed in as alice+acme@example.com") != std::string::npos);
  CHECK(cli.err.str().find("token=") == std::string::npos);

  Scratch scratch;
  const std::string token_file = scratch.write("t.jwt", jwt + "\n");
  REQUIRE(cli.run({"embed-url", "--token-file", token_file, "--embed", "dashboard:7"}) == 0);
  CHECK(get(cli.last_line(), emulator.ca_file())->status == 200);
  cli.check_no_secret(emulator);
}

TEST_CASE(
    "cli over the emulator: sync creates, updates, reports bad rows, and a re-run writes nothing") {
  testing::EmulatorFixture emulator;
  Cli cli(emulator);
  REQUIRE(cli.run({"users", "create", "old@example.com", "--attr", "tenant_id=t0"}) == 0);
  Scratch scratch;
  const std::string csv = scratch.write("users.csv",
                                        "email,roles,attributes\n"
                                        "s1@example.com,viewer:dom_1,tenant_id=t1\n"
                                        "s2@example.com,viewer:dom_1,tenant_id=t1\n"
                                        "s3@example.com,explorer:dom_1,tenant_id=t3\n"
                                        "old@example.com,,tenant_id=t1\n"
                                        "not-an-email,viewer,tenant_id=t1\n"
                                        "s4@example.com,superuser,\n"
                                        "\"s5@example.com,viewer\n");
  const auto creates_before = calls(emulator, "createUsers");
  CHECK(cli.run({"sync", csv, "--dry-run"}) == 3);
  CHECK(calls(emulator, "createUsers") == creates_before);
  CHECK(calls(emulator, "setUserAttributes") == 0);
  CHECK(cli.out.str().find("3 to create, 1 to update, 0 left alone, 3 refused; 3 write call(s)") !=
        std::string::npos);

  CHECK(cli.run({"sync", csv, "--concurrency", "2"}) == 3);
  CHECK(calls(emulator, "createUsers") == creates_before + 2);  // s1+s2 share one call
  CHECK(calls(emulator, "setUserAttributes") == 1);
  const std::string err = cli.err.str();
  CHECK(err.find("line 6: email:") != std::string::npos);
  CHECK(err.find("line 7: roles:") != std::string::npos);
  CHECK(err.find("line 8: row:") != std::string::npos);
  CHECK(err.find("progress: 4/4 user writes") != std::string::npos);

  CHECK(cli.run({"sync", csv, "--json"}) == 3);  // again: only the refused rows are left
  auto summary = boost::json::parse(cli.out.str()).at("summary").as_object();
  CHECK(summary.at("unchanged").to_number<int>() == 4);
  CHECK(summary.at("write_calls").to_number<int>() == 0);
  CHECK(calls(emulator, "createUsers") == creates_before + 2);
}

TEST_CASE(
    "cli: bad input and broken transport give their documented exit codes and name the problem") {
  testing::EmulatorFixture emulator;
  Cli cli(emulator);
  CHECK(cli.run({"onboard", "alice@example.com", "--no-such-flag"}) == 2);
  CHECK(cli.err.str().find("--no-such-flag") != std::string::npos);

  CHECK(cli.run({"onboard", "not-an-email"}) == 3);
  CHECK(cli.err.str().find("email") != std::string::npos);
  CHECK(cli.run({"users", "create", "a@@example.com"}) == 3);
  CHECK(cli.err.str().find("email") != std::string::npos);
  CHECK(emulator.stats().total.calls == 0);  // nothing was sent

  CHECK(cli.run({"onboard", "x@example.com", "--attributes", "no-such-strategy"}) == 2);
  CHECK(cli.err.str().find("--attributes") != std::string::npos);

  cli.env["WISDOM_ACCESS_KEY"] = "ak_wrong_key";
  CHECK(cli.run({"token", "x@example.com"}) == 4);
  CHECK(cli.err.str().find("ak_wrong_key") == std::string::npos);
  cli.env["WISDOM_ACCESS_KEY"] = std::string(emulator.access_key().reveal());

  CHECK(cli.run({"users", "set-attributes", "ghost@example.com", "--attr", "a=1"}) == 4);
  CHECK(cli.err.str().find("ghost@example.com") != std::string::npos);

  Cli unreachable(emulator);
  unreachable.env["WISDOM_URL"] = "https://127.0.0.1:" + std::to_string(closed_port()) + "/graphql";
  CHECK(unreachable.run({"users", "list", "--timeout", "10"}) == 5);
  CHECK(unreachable.err.str().find("connect") != std::string::npos);

  Cli untrusted(emulator);
  untrusted.env.erase("WISDOM_CA_FILE");  // the system CAs do not know the emulator's CA
  CHECK(untrusted.run({"users", "list"}) == 5);
  CHECK(untrusted.err.str().find("tls") != std::string::npos);
  untrusted.check_no_secret(emulator);
}

TEST_CASE("cli: config file settings and precedence against the emulator") {
  testing::EmulatorFixture emulator;
  Scratch scratch;
  scratch.write("key.txt", std::string(emulator.access_key().reveal()) + "\n");
  scratch.write("token.txt", std::string(emulator.api_token().reveal()) + "\n");
  const std::string config = scratch.write(
      "embark.conf", "# test settings\nurl = " + emulator.graphql_url() + "\nca_file = \"" +
                         emulator.ca_file() +
                         "\"\naccess_key_file = key.txt\napi_token_file = token.txt\n");
  Cli cli(emulator);
  cli.env.clear();
  CHECK(cli.run({"users", "create", "c@example.com", "--config", config}) == 0);
  CHECK(cli.run({"token", "c@example.com", "--config", config}) == 0);
  cli.check_no_secret(emulator);
  // A flag beats the config file: this URL points nowhere.
  const std::string nowhere = "https://127.0.0.1:" + std::to_string(closed_port()) + "/graphql";
  CHECK(cli.run({"users", "list", "--config", config, "--url", nowhere}) == 5);
  // The environment beats the config file too.
  cli.env["WISDOM_URL"] = nowhere;
  CHECK(cli.run({"users", "list", "--config", config}) == 5);
  // A broken config file is a usage error naming the file and line.
  const std::string broken = scratch.write("broken.conf", "url = x\naccess_key = literal\n");
  CHECK(cli.run({"users", "list", "--config", broken}) == 2);
  CHECK(cli.err.str().find("broken.conf:2") != std::string::npos);
  CHECK(cli.err.str().find("literal") == std::string::npos);
}

namespace {

// Every scene of the demo's JSON: both columns measured, embark cheaper, the docs' flow 4 calls per
// login, and the parts adding up to the emulator's own counters.
void check_demo_counts(const boost::json::object& doc, std::size_t burst) {
  const auto& scenes = doc.at("scenes").as_array();
  REQUIRE(scenes.size() == 5);
  std::map<std::string, std::uint64_t> sum;
  auto add = [&](const boost::json::value& counts) {
    std::uint64_t calls = 0;
    for (const auto& [op, n] : counts.at("operations").as_object()) {
      sum[std::string(op)] += n.to_number<std::uint64_t>();
      calls += n.to_number<std::uint64_t>();
    }
    CHECK(counts.at("calls").to_number<std::uint64_t>() == calls);
    return calls;
  };
  add(doc.at("setup"));
  for (const auto& scene : scenes) {
    INFO(scene.at("situation").as_string());
    const std::uint64_t embark = add(scene.at("embark"));
    REQUIRE(scene.at("docs_flow").is_object());
    const std::uint64_t docs = add(scene.at("docs_flow"));
    const auto logins = scene.at("logins").to_number<std::uint64_t>();
    CHECK(embark < docs);
    CHECK(docs == 4 * logins);  // exchange + list + create|set + impersonate, nothing cached
    CHECK(scene.at("docs_flow")
              .at("operations")
              .at("exchangeAccessToken")
              .to_number<std::uint64_t>() == logins);
    CHECK(scene.at("email").as_string() != scene.at("docs_email").as_string());
  }
  CHECK(scenes.at(4).at("logins").to_number<std::uint64_t>() == burst);
  // The new user: embark creates it once; the returning ones are never sent createUsers.
  CHECK(scenes.at(0).at("embark").at("operations").at("createUsers").to_number<std::uint64_t>() ==
        1);
  CHECK(scenes.at(1).at("embark").at("calls").to_number<std::uint64_t>() == 1);
  CHECK(scenes.at(3).at("embark").at("calls").to_number<std::uint64_t>() == 0);
  CHECK(scenes.at(2)
            .at("docs_flow")
            .at("operations")
            .at("setUserAttributes")
            .to_number<std::uint64_t>() == 1);
  // The parts add up to what the emulator counted over the whole demo.
  const auto& emulator = doc.at("emulator").as_object();
  std::uint64_t parts = 0;
  for (const auto& [op, n] : sum) {
    INFO(op);
    CHECK(emulator.at("operations").at(op).to_number<std::uint64_t>() == n);
    parts += n;
  }
  CHECK(emulator.at("calls").to_number<std::uint64_t>() == parts);
  CHECK(doc.at("totals").at("docs_flow").to_number<std::uint64_t>() >
        doc.at("totals").at("embark").to_number<std::uint64_t>());
}

Io no_environment(std::ostringstream& out, std::ostringstream& err) {
  return Io{out, err, false,
            [](std::string_view) -> std::optional<std::string> { return std::nullopt; }, read_file};
}

}  // namespace

TEST_CASE("cli: demo on its own in-process emulator ends with a working embed URL") {
  std::ostringstream out, err;
  Io io = no_environment(out, err);
  const int code =
      run_cli({"embark", "demo", "--seed-users", "300", "--burst", "20"}, io, library_services());
  INFO(err.str());
  REQUIRE(code == 0);
  std::string text = out.str();
  CHECK(text.find("new user") != std::string::npos);
  CHECK(text.find("burst: 20 concurrent logins") != std::string::npos);
  CHECK(text.find("docs' flow:  4 call(s)  (exchangeAccessToken 1, listUsers 1, createUsers 1, "
                  "impersonateUser 1)") != std::string::npos);
  CHECK(text.find("docs' flow:  80 call(s)") != std::string::npos);
  CHECK(text.find("The emulator counted") != std::string::npos);
  CHECK(text.find("from elsewhere") == std::string::npos);
  CHECK(text.find("Embed page check: GET of the embed URL below answered HTTP 200") !=
        std::string::npos);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const std::string last = text.substr(text.rfind('\n') + 1);
  CHECK(last.rfind("https://127.0.0.1:", 0) == 0);
  // The session JWT is redacted unless --show-url: no token in the output at all.
  CHECK(last.find("/embed/dashboards/sales-overview?token=REDACTED") != std::string::npos);
  CHECK(text.find("eyJ") == std::string::npos);
  CHECK(text.substr(0, text.rfind('\n')).find("token=") ==
        std::string::npos);  // the URL only once, last
}

TEST_CASE("cli: demo --json measures both columns, and they add up to the emulator's counters") {
  std::ostringstream out, err;
  Io io = no_environment(out, err);
  const int code = run_cli({"embark", "demo", "--json", "--seed-users", "200", "--burst", "12"}, io,
                           library_services());
  INFO(err.str());
  REQUIRE(code == 0);
  const auto doc = boost::json::parse(out.str()).as_object();
  check_demo_counts(doc, 12);
  CHECK(std::string(doc.at("embed_url").as_string()).find("?token=REDACTED") != std::string::npos);
  CHECK(out.str().find("eyJ") == std::string::npos);
  CHECK(!doc.contains("sample"));
}

TEST_CASE("cli: demo against a running emulator (WISDOM_URL); its URL works after the demo") {
  testing::EmulatorFixture emulator(embark::emulator::Options{.seed_users = 100});
  Cli cli(emulator);
  REQUIRE(cli.run({"demo", "--burst", "10", "--show-url"}) == 0);
  CHECK(cli.out.str().find("Using the vendor at") != std::string::npos);
  auto page = get(cli.last_line(), emulator.ca_file());
  REQUIRE(page.has_value());
  CHECK(page->status == 200);
  CHECK(page->body.find("Signed in as alice+acme@acme.test") != std::string::npos);
  cli.check_no_secret(emulator);
}

TEST_CASE("cli: demo --json against a running emulator: its counters are the demo's totals") {
  testing::EmulatorFixture emulator(embark::emulator::Options{.seed_users = 100});
  Cli cli(emulator);
  REQUIRE(cli.run({"demo", "--json", "--burst", "10"}) == 0);
  const auto doc = boost::json::parse(cli.out.str()).as_object();
  check_demo_counts(doc, 10);
  // Nothing else called this emulator, so the demo's total is the fixture's own count.
  for (const char* op : {"exchangeAccessToken", "listUsers", "createUsers", "setUserAttributes",
                         "impersonateUser"}) {
    INFO(op);
    CHECK(doc.at("emulator").at("operations").as_object().contains(op));
    CHECK(doc.at("emulator").at("operations").at(op).to_number<std::uint64_t>() ==
          calls(emulator, op));
  }
  // The burst joined one run: one createUsers for dave. The docs' ten logins each wrote the user:
  // createUsers while it looked missing to them, setUserAttributes once another had created it.
  const auto& burst = doc.at("scenes").at(4);
  CHECK(burst.at("embark").at("operations").at("createUsers").to_number<std::uint64_t>() == 1);
  const auto& docs_ops = burst.at("docs_flow").at("operations").as_object();
  const auto docs_creates = docs_ops.at("createUsers").to_number<std::uint64_t>();
  const auto docs_sets = docs_ops.contains("setUserAttributes")
                             ? docs_ops.at("setUserAttributes").to_number<std::uint64_t>()
                             : 0;
  CHECK(docs_creates >= 1);
  CHECK(docs_creates + docs_sets == 10);
  cli.check_no_secret(emulator);
}

#ifdef EMBARK_CLI_SERVE
TEST_CASE(
    "cli: demo --serve runs the sample app on the demo's emulator and stops after --serve-for") {
  std::ostringstream out, err;
  Io io = no_environment(out, err);
  const int code = run_cli({"embark", "demo", "--json", "--seed-users", "50", "--burst", "3",
                            "--serve", "--serve-for", "0.2"},
                           io, library_services());
  INFO(err.str());
  REQUIRE(code == 0);
  const auto doc = boost::json::parse(out.str()).as_object();
  const auto& sample = doc.at("sample").as_object();
  const std::string url(sample.at("url").as_string());
  CHECK(url == "http://127.0.0.1:" + std::to_string(sample.at("port").to_number<int>()) + "/");
  CHECK(sample.at("port").to_number<int>() > 0);
  CHECK(sample.at("accounts").as_array().at(0).at("email").as_string() == "alice@acme.test");
  CHECK(err.str().find("the sample app is at " + url) != std::string::npos);
}
#endif

TEST_CASE("cli: demo usage errors: --port without --serve, a port that is taken") {
  std::ostringstream out, err;
  Io io = no_environment(out, err);
  CHECK(run_cli({"embark", "demo", "--port", "8080"}, io, library_services()) == 2);
  CHECK(err.str().find("--serve") != std::string::npos);
#ifdef EMBARK_CLI_SERVE
  boost::asio::io_context ctx;
  boost::asio::ip::tcp::acceptor taken(ctx, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::string port = std::to_string(taken.local_endpoint().port());
  err.str("");
  CHECK(run_cli({"embark", "demo", "--seed-users", "0", "--burst", "1", "--serve", "--port", port},
                io, library_services()) == 2);
  CHECK(err.str().find("--port " + port) != std::string::npos);
#else
  err.str("");
  CHECK(run_cli({"embark", "demo", "--serve"}, io, library_services()) == 2);
  CHECK(err.str().find("no sample embed server") != std::string::npos);
#endif
}
