// `embark demo`: the emulator in-process, two tenants, four kinds of logins, real call counts.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <ostream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "commands.hpp"
#include "embark/emulator/server.hpp"
#include "embark/validation.hpp"
#include "format.hpp"
#include "http_get.hpp"
#include "pipeline_options.hpp"
#include "session_output.hpp"
#include "table.hpp"
#include "when_all.hpp"

namespace embark::cli {
namespace {

namespace asio = boost::asio;

struct DemoArgs {
  std::size_t seed_users = 1000;
  std::size_t burst = 50;
  bool keep_running = false;
  StrategyArgs strategies;
};

/// Calls per vendor operation.
using CallCounts = std::map<std::string, std::uint64_t, std::less<>>;

constexpr const char* kOperations[] = {"listUsers", "createUsers", "setUserAttributes", "impersonateUser",
                                       "exchangeAccessToken"};

// Removes the generated CA file when the demo ends.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (path.empty()) return;
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

// One line of the closing summary.
struct SummaryRow {
  std::string situation;
  std::uint64_t embark_calls = 0;
  std::string docs_calls;
};

class Demo {
 public:
  Demo(Context& context, const DemoArgs& args) : context_(context), args_(args), out_(context.io().out) {}

  ExitCode run() {
    ExitCode code = ExitCode::ok;
    if (!start_vendor(code)) return code;
    if (!provision_returning_users(code)) return code;
    auto onboarder = Onboarder::create(onboarder_config(context_, settings_, args_.strategies), connection_);
    if (!onboarder) return context_.report(onboarder.error(), "configuration");
    onboarder_.emplace(std::move(*onboarder));

    fmt::print(out_, "\nLogins through embark's pipeline (strategies: ensure-user {}, set-attributes {}, "
                     "impersonate {}):\n",
               onboarder_->strategy_name(Stage::ensure_user), onboarder_->strategy_name(Stage::set_attributes),
               onboarder_->strategy_name(Stage::impersonate));
    const AttributeMap acme{{"tenant_id", "acme"}, {"region", "eu"}};
    const AttributeMap globex_us{{"tenant_id", "globex"}, {"region", "us"}};
    const AttributeMap globex_eu{{"tenant_id", "globex"}, {"region", "eu"}};
    auto alice = login("new user", "alice", "acme", acme, "4  (list + create + set + impersonate)", code);
    if (!alice) return code;
    if (!login("returning user, attributes unchanged", "bob", "globex", globex_us,
               "3  (list + skip + set + impersonate)", code)) {
      return code;
    }
    if (!login("returning user, attributes changed", "carol", "globex", globex_eu,
               "3  (list + skip + set + impersonate)", code)) {
      return code;
    }
    auto again = login("same user again, token still fresh", "alice", "acme", acme,
                       "3  (list + skip + set + impersonate)", code);
    if (!again) return code;
    if (!burst("dave", "acme", acme, code)) return code;

    print_summary();
    return finish(*again);
  }

 private:
  // Starts the in-process emulator unless a URL is configured; makes the connection.
  bool start_vendor(ExitCode& code) {
    auto settings = context_.settings(code, /*require_url=*/false);
    if (!settings) return false;
    settings_ = *settings;
    if (settings_.url.empty()) {
      emulator::Options options;
      options.seed_users = args_.seed_users;
      options.threads = 2;
      ca_file_.path = (std::filesystem::temp_directory_path() /
                       fmt::format("embark-demo-ca-{}-{}.pem", ::getpid(), reinterpret_cast<std::uintptr_t>(this)))
                          .string();
      options.ca_out = ca_file_.path;
      auto server = emulator::Server::start(std::move(options));
      if (!server) {
        code = context_.report(server.error(), "starting the emulator");
        return false;
      }
      server_ = std::move(*server);
      settings_.url = server_->graphql_url();
      settings_.access_key = server_->access_key();
      settings_.api_token = server_->api_token();
      settings_.ca_file = ca_file_.path;
      settings_.embed_base_url = server_->url();
      settings_.workspace_id.clear();
      fmt::print(out_,
                 "WisdomAI emulator started in-process at {} (HTTPS with a generated CA, {} seeded users).\n"
                 "Call counts below are the emulator's own per-operation counters (/_emulator/stats).\n",
                 server_->url(), args_.seed_users);
    } else {
      fmt::print(out_, "Using the vendor at {} (WISDOM_URL).\n", settings_.url);
      if (settings_.access_key.empty()) {
        fmt::print(context_.io().err, "embark: demo: WISDOM_URL is set but no access key (WISDOM_ACCESS_KEY or "
                                      "--access-key-file)\n");
        code = ExitCode::usage;
        return false;
      }
    }
    if (!context_.services().connect) {
      code = context_.report(Error(ErrorCode::unimplemented, "this build has no vendor client"), "connect");
      return false;
    }
    auto connection = context_.services().connect(settings_, context_.io_context().get_executor());
    if (!connection) {
      code = context_.report(connection.error(), "connect");
      return false;
    }
    connection_ = *connection;
    return true;
  }

  // Users that exist before the demo's logins, as a bulk sync would have left them.
  bool provision_returning_users(ExitCode& code) {
    auto bob = tenant_email("bob@example.com", "globex");
    auto carol = tenant_email("carol@example.com", "globex");
    if (!bob || !carol) {
      code = context_.report(bob ? carol.error() : bob.error());
      return false;
    }
    CreateUsersRequest request;
    request.emails = {*bob, *carol};
    request.workspace_id = settings_.workspace_id;
    request.attributes = AttributeMap{{"tenant_id", "globex"}, {"region", "us"}};
    auto created = context_.run(connection_->create_users(std::move(request)));
    if (!created) {
      code = context_.report(created.error(), "createUsers");
      return false;
    }
    fmt::print(out_, "Set-up (not counted): {} and {} were provisioned earlier, as `embark sync` would have.\n",
               *bob, *carol);
    return true;
  }

  // Counters of the in-process emulator, or of a standalone one's /_emulator/stats.
  std::optional<CallCounts> counts() {
    CallCounts counts;
    if (server_) {
      const emulator::Stats stats = server_->stats();
      for (const auto& [op, s] : stats.operations) counts[op] = s.calls;
      list_bytes_ = stats.of("listUsers").response_bytes;
      list_calls_ = stats.of("listUsers").calls;
      return counts;
    }
    auto origin = url_origin(settings_.url);
    if (!origin) return std::nullopt;
    auto answer = context_.run(http_get(*origin + "/_emulator/stats", settings_.ca_file, settings_.timeout));
    if (!answer || answer->status != 200) return std::nullopt;
    boost::system::error_code ec;
    auto doc = boost::json::parse(answer->body, ec);
    if (ec || !doc.is_object() || !doc.as_object().contains("operations")) return std::nullopt;
    for (const auto& [op, value] : doc.at("operations").as_object()) {
      if (const auto* calls = value.as_object().if_contains("calls")) {
        counts[std::string(op)] = calls->to_number<std::uint64_t>();
      }
    }
    return counts;
  }

  static CallCounts difference(const CallCounts& after, const CallCounts& before) {
    CallCounts diff;
    for (const auto& [op, n] : after) {
      auto it = before.find(op);
      const std::uint64_t earlier = it == before.end() ? 0 : it->second;
      if (n > earlier) diff[op] = n - earlier;
    }
    return diff;
  }

  static std::uint64_t total(const CallCounts& counts) {
    std::uint64_t n = 0;
    for (const auto& [op, c] : counts) n += c;
    return n;
  }

  static std::string describe(const CallCounts& counts) {
    std::string text;
    for (const char* op : kOperations) {
      auto it = counts.find(op);
      if (it == counts.end()) continue;
      if (!text.empty()) text += ", ";
      text += fmt::format("{} {}", op, it->second);
    }
    return text.empty() ? "none" : text;
  }

  OnboardRequest request_for(const std::string& email, const AttributeMap& attributes) const {
    OnboardRequest request;
    request.email = email;
    request.attributes = attributes;
    request.embed = EmbedTarget::dashboard("sales-overview");
    return request;
  }

  std::optional<Session> login(const std::string& situation, const std::string& person, const std::string& tenant,
                               const AttributeMap& attributes, const std::string& docs, ExitCode& code) {
    auto email = tenant_email(person + "@example.com", tenant);
    if (!email) {
      code = context_.report(email.error());
      return std::nullopt;
    }
    const auto before = counts();
    auto session = context_.run(onboarder_->co_onboard(request_for(*email, attributes)));
    const auto after = counts();
    if (!session) {
      code = context_.report(session.error(), fmt::format("onboard {}", *email));
      return std::nullopt;
    }
    const CallCounts used = before && after ? difference(*after, *before) : CallCounts{};
    const std::uint64_t calls = before && after ? total(used) : static_cast<std::uint64_t>(session->vendor_calls);
    fmt::print(out_, "\n{}. {}: {} ({} attributes {})\n", ++logins_, situation, *email, tenant,
               format_attributes(attributes));
    print_stages(out_, *session);
    fmt::print(out_, "   vendor calls: {}  ({})   docs' literal flow: {}\n", calls,
               before && after ? describe(used) : "counted by embark", docs);
    summary_.push_back({situation, calls, docs.substr(0, docs.find(' '))});
    return std::move(*session);
  }

  bool burst(const std::string& person, const std::string& tenant, const AttributeMap& attributes, ExitCode& code) {
    auto email = tenant_email(person + "@example.com", tenant);
    if (!email) {
      code = context_.report(email.error());
      return false;
    }
    std::vector<asio::awaitable<Result<Session>>> tasks;
    for (std::size_t i = 0; i < args_.burst; ++i) tasks.push_back(onboarder_->co_onboard(request_for(*email, attributes)));
    const auto before = counts();
    auto results = context_.run(when_all(std::move(tasks)));
    const auto after = counts();
    std::size_t ok = 0, joined = 0;
    std::uint64_t reported = 0;
    for (const auto& r : results) {
      if (!r || !*r) {
        if (r && !*r) code = context_.report(r->error(), fmt::format("onboard {}", *email));
        continue;
      }
      ++ok;
      joined += (*r)->joined_in_flight ? 1 : 0;
      reported += static_cast<std::uint64_t>((*r)->vendor_calls);
    }
    if (ok != results.size()) {
      if (code == ExitCode::ok) code = ExitCode::failure;
      return false;
    }
    const CallCounts used = before && after ? difference(*after, *before) : CallCounts{};
    const std::uint64_t calls = before && after ? total(used) : reported;
    const std::string situation = fmt::format("burst: {} concurrent logins of one new user", args_.burst);
    fmt::print(out_, "\n{}. {}: {} ({} attributes {})\n", ++logins_, situation, *email, tenant,
               format_attributes(attributes));
    fmt::print(out_, "   {} sessions, {} of them joined an identical run in flight (single-flight)\n", ok, joined);
    fmt::print(out_, "   vendor calls: {}  ({})   docs' literal flow: {}-{}  (3-4 per login)\n", calls,
               before && after ? describe(used) : "counted by embark", 3 * args_.burst, 4 * args_.burst);
    summary_.push_back({situation, calls, fmt::format("{}-{}", 3 * args_.burst, 4 * args_.burst)});
    return true;
  }

  void print_summary() {
    fmt::print(out_, "\nSummary (vendor round trips):\n");
    Table table({"situation", "embark", "docs' flow"});
    for (const SummaryRow& row : summary_) {
      table.add_row({row.situation, std::to_string(row.embark_calls), row.docs_calls});
    }
    table.render(out_);
    if (server_ && list_calls_ > 0) {
      fmt::print(out_,
                 "listUsers returns the whole workspace ({} seeded users and more, {} KB per call here): the docs' flow pays it on\n"
                 "every login; embark called it {} time(s) in total and keeps per-login cost independent of size.\n",
                 args_.seed_users, list_bytes_ / list_calls_ / 1024, list_calls_);
    }
  }

  // Proves the embed URL works (the emulator's embed page accepts the token), then prints it last.
  ExitCode finish(const Session& session) {
    if (session.embed_url.empty()) {
      return context_.report(Error(ErrorCode::internal, "the session has no embed URL"));
    }
    auto page = context_.run(http_get(session.embed_url, settings_.ca_file, settings_.timeout));
    if (!page) return context_.report(page.error(), "checking the embed page");
    const std::string signed_in = "Signed in as " + session.email;
    if (page->status != 200 || page->body.find(signed_in) == std::string::npos) {
      return context_.report(Error(ErrorCode::server_error,
                                   fmt::format("the embed page answered HTTP {} without \"{}\"", page->status,
                                               signed_in)),
                             "checking the embed page");
    }
    fmt::print(out_, "\nEmbed page check: GET of the embed URL below answered HTTP 200, \"{}\".\n", signed_in);
    fmt::print(out_, "Session token expires at {}. The URL carries it: treat it as a secret.\n",
               format_time(session.expires_at));
    if (args_.keep_running && server_) {
      fmt::print(context_.io().err,
                 "embark demo: the emulator keeps running at {}; open the URL in a browser "
                 "(its CA is {}). Ctrl-C stops it.\n",
                 server_->url(), ca_file_.path);
    }
    out_ << session.embed_url << '\n' << std::flush;
    if (args_.keep_running && server_) wait_for_signal();
    return ExitCode::ok;
  }

  void wait_for_signal() {
    asio::signal_set signals(context_.io_context(), SIGINT, SIGTERM);
    context_.run([&]() -> asio::awaitable<int> {
      auto [ec, number] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
      co_return number;
    }());
  }

  Context& context_;
  const DemoArgs& args_;
  std::ostream& out_;
  Settings settings_;
  TempFile ca_file_;
  std::unique_ptr<emulator::Server> server_;
  std::shared_ptr<WisdomConnection> connection_;
  std::optional<Onboarder> onboarder_;
  std::vector<SummaryRow> summary_;
  int logins_ = 0;
  std::uint64_t list_bytes_ = 0;
  std::uint64_t list_calls_ = 0;
};

}  // namespace

void add_demo_command(CLI::App& app, Context& context) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "see what embark does and what it saves, on the WisdomAI emulator started in-process");
  cmd->add_option("--seed-users", args->seed_users, "users the emulator starts with (listUsers returns them all)")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--burst", args->burst, "concurrent logins of one user in the last scene")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_flag("--keep-running", args->keep_running,
                "keep the emulator up after the demo (until Ctrl-C) so the URL can be opened in a browser");
  add_strategy_options(*cmd, args->strategies);
  cmd->footer(
      "With no WISDOM_URL the emulator runs in-process on a free port; with WISDOM_URL (e.g. a standalone\n"
      "embark-emulator) the demo runs against it. The last line of stdout is a working embed URL.\n\n"
      "Example:\n  embark demo\n  embark demo --impersonate direct --burst 100\n  embark demo --keep-running");
  cmd->callback([&context, args] {
    context.action = [&context, args] { return Demo(context, *args).run(); };
  });
}

}  // namespace embark::cli
