// `embark demo`: the emulator in-process, two tenants, four kinds of logins, each measured against
// the docs' literal flow; `--serve` then starts the sample embed server (its own program) on the
// same emulator.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "embark/emulator/server.hpp"
#include "embark/validation.hpp"

#include "call_counts.hpp"
#include "commands.hpp"
#include "demo_report.hpp"
#include "demo_serve.hpp"
#include "docs_flow.hpp"
#include "format.hpp"
#include "http_get.hpp"
#include "pipeline_options.hpp"
#include "session_output.hpp"
#include "when_all.hpp"
#include <unistd.h>

namespace embark::cli {
namespace {

namespace asio = boost::asio;

struct DemoArgs {
  std::size_t seed_users = 1000;
  std::size_t burst = 50;
  bool keep_running = false;
  bool show_url = false;
  bool serve = false;
  std::optional<double> serve_for;  ///< seconds; nullopt: until SIGINT/SIGTERM
  std::uint16_t port = 0;
  std::string port_file;
  StrategyArgs strategies;
};

// `url` with the value of its token parameter replaced, so the demo's output carries no JWT.
std::string redact_token(std::string_view url) {
  std::string out(url);
  const auto at = out.find("token=");
  if (at == std::string::npos) return out;
  const auto begin = at + 6;
  const auto end = out.find('&', begin);
  out.replace(begin, end == std::string::npos ? std::string::npos : end - begin, "REDACTED");
  return out;
}

// A person of the demo: the sample app's demo accounts (samples/embed_server/seed.cpp) with the
// row-level attributes the app sends, so `--serve` logs the same WisdomAI users in.
struct Person {
  std::string email;
  std::string tenant;
  AttributeMap attributes;
};

Person alice() {
  return {"alice@acme.test",
          "acme",
          {{"tenant_id", "acme"},
           {"region", "us-west"},
           {"plan", "enterprise"},
           {"department", "finance"}}};
}
Person bob() {
  return {"bob@acme.test",
          "acme",
          {{"tenant_id", "acme"},
           {"region", "us-west"},
           {"plan", "enterprise"},
           {"department", "sales"}}};
}
Person carol() {
  return {"carol@globex.test",
          "globex",
          {{"tenant_id", "globex"},
           {"region", "eu-central"},
           {"plan", "starter"},
           {"department", "operations"}}};
}
Person dave() {
  return {"dave@acme.test",
          "acme",
          {{"tenant_id", "acme"},
           {"region", "us-west"},
           {"plan", "enterprise"},
           {"department", "support"}}};
}

// The docs' flow logs in a user of its own in the same situation, so the two runs never share
// state.
constexpr std::string_view kDocsTenantSuffix = "-docs";

// The demo CA's file, in a directory of its own that only this user can enter (mkdtemp: a random
// name, mode 0700), so no other local user can predict, replace or pre-create it. Both go when
// the demo ends.
struct TempFile {
  std::string dir;
  std::string path;
  // Creates the directory; false (path left empty) when the system refuses.
  bool create(std::string_view file_name) {
    std::string pattern = (std::filesystem::temp_directory_path() / "embark-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return false;
    dir = pattern;
    path = (std::filesystem::path(dir) / file_name).string();
    return true;
  }
  ~TempFile() {
    if (dir.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

class Demo {
 public:
  Demo(Context& context, const DemoArgs& args)
      : context_(context), args_(args), out_(context.json() ? discarded_ : context.io().out) {}

  ExitCode run() {
    ExitCode code = ExitCode::ok;
    if (args_.serve) {
      sample_program_ = find_sample_server(context_.io().env);
      if (!sample_program_) {
        fmt::print(context_.io().err,
                   "embark: demo: --serve: no sample embed server: {0} is neither next to embark "
                   "nor on PATH.\nBuild it (cmake --build build --target {0}), or run the sample "
                   "app on an emulator of its own:\n  {0} --embedded-emulator --port 8080\n",
                   kSampleServerProgram);
        return ExitCode::usage;
      }
    }
    if (!start_vendor(code)) return code;
    // Started now so that a bad --port fails at once; it calls nobody until a browser signs in.
    if (args_.serve && !serve_sample(code)) return code;
    start_counts_ = counts();
    if (!provision_returning_users(code)) return code;
    auto onboarder =
        Onboarder::create(onboarder_config(context_, settings_, args_.strategies), connection_);
    if (!onboarder) return context_.report(onboarder.error(), "configuration");
    onboarder_.emplace(std::move(*onboarder));
    docs_.emplace(context_.services().connect, settings_, context_.io_context().get_executor());

    fmt::print(out_,
               "\nLogins through embark's pipeline (strategies: ensure-user {}, set-attributes {}, "
               "impersonate {})",
               onboarder_->strategy_name(Stage::ensure_user),
               onboarder_->strategy_name(Stage::set_attributes),
               onboarder_->strategy_name(Stage::impersonate));
    fmt::print(out_, "{}",
               docs_measured()
                   ? ",\neach then done again as the docs' literal flow (exchangeAccessToken, "
                     "listUsers, createUsers or\nsetUserAttributes, impersonateUser) for a "
                     "user of its own in the same situation:\n"
                   : ":\n");
    auto first = login("new user", alice(), code);
    if (!first) return code;
    if (!login("returning user, attributes unchanged", bob(), code)) return code;
    if (!login("returning user, attributes changed", carol(), code)) return code;
    auto again = login("same user again, token still fresh", alice(), code);
    if (!again) return code;
    if (!burst(dave(), code)) return code;

    if (start_counts_) {
      if (auto end = counts()) report_.emulator = difference(*end, *start_counts_);
    }
    report_.print_summary(out_);
    if (server_ && list_calls_ > 0) {
      fmt::print(out_,
                 "listUsers returns the whole workspace ({} seeded users and more, {} KB per call "
                 "here): the docs' "
                 "flow pays it\non every login; embark called it {} time(s) in all, so its "
                 "per-login cost does not "
                 "grow with the workspace.\n",
                 args_.seed_users, list_bytes_ / list_calls_ / 1024, embark_list_calls_);
    }
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
      // The demo's own calls trust the generated CA in memory. A file is written only for the
      // programs that need one: the sample app (--serve) and the user's browser (--keep-running).
      if (args_.serve || args_.keep_running) {
        if (!ca_file_.create("ca.pem")) {
          code =
              context_.report(Error(ErrorCode::internal,
                                    fmt::format("cannot create a private temporary directory "
                                                "for the demo CA in {}",
                                                std::filesystem::temp_directory_path().string())),
                              "starting the emulator");
          return false;
        }
        options.ca_out = ca_file_.path;
      }
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
      settings_.ca_pem = server_->ca_pem();
      settings_.embed_base_url = server_->url();
      settings_.workspace_id.clear();
      fmt::print(
          out_,
          "WisdomAI emulator started in-process at {} (HTTPS with a generated CA, {} seeded "
          "users).\n"
          "Call counts below are the emulator's own per-operation counters (/_emulator/stats).\n",
          server_->url(), args_.seed_users);
    } else {
      fmt::print(out_, "Using the vendor at {} (WISDOM_URL).\n", settings_.url);
      if (settings_.access_key.empty()) {
        fmt::print(context_.io().err,
                   "embark: demo: WISDOM_URL is set but no access key (WISDOM_ACCESS_KEY or "
                   "--access-key-file)\n");
        code = ExitCode::usage;
        return false;
      }
    }
    if (!context_.services().connect) {
      code = context_.report(Error(ErrorCode::unimplemented, "this build has no vendor client"),
                             "connect");
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

  // Users that exist before the demo's logins, as a bulk sync would have left them: bob as he is,
  // carol still in her old region. Each with the docs' flow's twin.
  bool provision_returning_users(ExitCode& code) {
    Person old_carol = carol();
    old_carol.attributes["region"] = "us-east";
    const auto before = counts();
    for (const Person& person : {bob(), old_carol}) {
      auto email = tenant_email(person.email, person.tenant);
      auto twin = docs_email(person);
      if (!email || !twin) {
        code = context_.report(email ? twin.error() : email.error());
        return false;
      }
      CreateUsersRequest request;
      request.emails = {*email};
      if (docs_measured()) request.emails.push_back(*twin);
      request.workspace_id = settings_.workspace_id;
      request.attributes = person.attributes;
      auto created = context_.run(connection_->create_users(std::move(request)));
      if (!created) {
        code = context_.report(created.error(), "createUsers");
        return false;
      }
      fmt::print(out_, "Set-up: {} provisioned earlier ({}), as `embark sync` would have.\n",
                 *email, format_attributes(person.attributes));
    }
    const auto after = counts();
    if (before && after) report_.setup = difference(*after, *before);
    return true;
  }

  // The docs' flow runs only where the emulator counts calls: against a real vendor it would
  // create users just for the comparison.
  bool docs_measured() const { return start_counts_.has_value(); }

  static Result<std::string> docs_email(const Person& person) {
    return tenant_email(person.email, person.tenant + std::string(kDocsTenantSuffix));
  }

  // Counters of the in-process emulator, or of a standalone one's /_emulator/stats.
  std::optional<CallCounts> counts() {
    if (server_) {
      const emulator::Stats stats = server_->stats();
      CallCounts counts;
      for (const auto& [op, s] : stats.operations) counts[op] = s.calls;
      list_bytes_ = stats.of("listUsers").response_bytes;
      list_calls_ = stats.of("listUsers").calls;
      return counts;
    }
    auto origin = url_origin(settings_.url);
    if (!origin) return std::nullopt;
    auto answer = context_.run(http_get(*origin + "/_emulator/stats", settings_.ca_file,
                                        settings_.timeout, settings_.access_key, settings_.ca_pem));
    if (!answer || answer->status != 200) return std::nullopt;
    auto counts = parse_stats_document(answer->body);
    if (!counts) return std::nullopt;
    return *counts;
  }

  OnboardRequest request_for(const std::string& email, const AttributeMap& attributes) const {
    OnboardRequest request;
    request.email = email;
    request.attributes = attributes;
    request.embed = EmbedTarget::dashboard("sales-overview");
    return request;
  }

  // Runs `task` and returns the calls the emulator counted meanwhile (nullopt: no counters).
  template <class T>
  std::optional<CallCounts> measured(asio::awaitable<T> task, T& result) {
    const auto before = counts();
    result = context_.run(std::move(task));
    const auto after = counts();
    if (!before || !after) return std::nullopt;
    return difference(*after, *before);
  }

  void print_scene_header(const DemoScene& scene, const Person& person) {
    fmt::print(out_, "\n{}. {}: {} ({} attributes {})\n", report_.scenes.size(), scene.situation,
               scene.email, person.tenant, format_attributes(person.attributes));
  }

  void print_counts(const DemoScene& scene) {
    fmt::print(out_, "   embark:      {} call(s)  ({})\n", total(scene.embark),
               describe(scene.embark));
    if (scene.docs) {
      fmt::print(out_, "   docs' flow:  {} call(s)  ({}), as {}\n", total(*scene.docs),
                 describe(*scene.docs), scene.docs_email);
    } else {
      fmt::print(
          out_,
          "   docs' flow:  not run (the vendor has no emulator counters to measure it with)\n");
    }
  }

  std::optional<Session> login(const std::string& situation, const Person& person, ExitCode& code) {
    auto email = tenant_email(person.email, person.tenant);
    auto twin = docs_email(person);
    if (!email || !twin) {
      code = context_.report(email ? twin.error() : email.error());
      return std::nullopt;
    }
    DemoScene scene;
    scene.situation = situation;
    scene.email = *email;
    scene.docs_email = *twin;
    Result<Session> session = Error(ErrorCode::internal, "not run");
    auto used = measured(onboarder_->co_onboard(request_for(*email, person.attributes)), session);
    if (!session) {
      code = context_.report(session.error(), fmt::format("onboard {}", *email));
      return std::nullopt;
    }
    scene.embark = used ? *used
                        : CallCounts{{"calls counted by embark",
                                      static_cast<std::uint64_t>(session->vendor_calls)}};
    if (docs_measured()) {
      Result<SessionToken> token = Error(ErrorCode::internal, "not run");
      scene.docs = measured(docs_->login(*twin, person.attributes), token);
      if (!token) {
        code = context_.report(token.error(), fmt::format("the docs' flow for {}", *twin));
        return std::nullopt;
      }
    }
    embark_list_calls_ += scene.embark.count("listUsers") ? scene.embark.at("listUsers") : 0;
    report_.scenes.push_back(scene);
    print_scene_header(scene, person);
    print_stages(out_, *session);
    print_counts(scene);
    return std::move(*session);
  }

  bool burst(const Person& person, ExitCode& code) {
    auto email = tenant_email(person.email, person.tenant);
    auto twin = docs_email(person);
    if (!email || !twin) {
      code = context_.report(email ? twin.error() : email.error());
      return false;
    }
    DemoScene scene;
    scene.situation = fmt::format("burst: {} concurrent logins of one new user", args_.burst);
    scene.email = *email;
    scene.docs_email = *twin;
    scene.logins = args_.burst;
    std::vector<asio::awaitable<Result<Session>>> tasks;
    for (std::size_t i = 0; i < args_.burst; ++i) {
      tasks.push_back(onboarder_->co_onboard(request_for(*email, person.attributes)));
    }
    std::vector<std::optional<Result<Session>>> results;
    auto used = measured(when_all(std::move(tasks)), results);
    std::size_t ok = 0, joined = 0;
    std::uint64_t reported = 0;
    for (const auto& r : results) {
      if (!r || !*r) {
        code =
            r ? context_.report(r->error(), fmt::format("onboard {}", *email)) : ExitCode::failure;
        return false;
      }
      ++ok;
      joined += (*r)->joined_in_flight ? 1 : 0;
      reported += static_cast<std::uint64_t>((*r)->vendor_calls);
    }
    scene.embark = used ? *used : CallCounts{{"calls counted by embark", reported}};
    if (docs_measured()) {
      std::vector<asio::awaitable<Result<SessionToken>>> docs_tasks;
      for (std::size_t i = 0; i < args_.burst; ++i)
        docs_tasks.push_back(docs_->login(*twin, person.attributes));
      std::vector<std::optional<Result<SessionToken>>> tokens;
      scene.docs = measured(when_all(std::move(docs_tasks)), tokens);
      for (const auto& t : tokens) {
        if (!t || !*t) {
          code = t ? context_.report(t->error(), fmt::format("the docs' flow for {}", *twin))
                   : ExitCode::failure;
          return false;
        }
      }
    }
    embark_list_calls_ += scene.embark.count("listUsers") ? scene.embark.at("listUsers") : 0;
    report_.scenes.push_back(scene);
    print_scene_header(scene, person);
    fmt::print(out_,
               "   {} sessions, {} of them joined an identical run in flight (single-flight)\n", ok,
               joined);
    print_counts(scene);
    return true;
  }

  // Proves the embed URL works (the emulator's embed page accepts the token), serves the sample
  // when asked, and prints the URL last.
  ExitCode finish(const Session& session) {
    if (session.embed_url.empty()) {
      return context_.report(Error(ErrorCode::internal, "the session has no embed URL"));
    }
    auto page = context_.run(http_get(std::string(session.embed_url.reveal()), settings_.ca_file,
                                      settings_.timeout, Secret{}, settings_.ca_pem));
    if (!page) return context_.report(page.error(), "checking the embed page");
    const std::string signed_in = "Signed in as " + session.email;
    if (page->status != 200 || page->body.find(signed_in) == std::string::npos) {
      return context_.report(Error(ErrorCode::server_error,
                                   fmt::format("the embed page answered HTTP {} without \"{}\"",
                                               page->status, signed_in)),
                             "checking the embed page");
    }
    fmt::print(out_, "\nEmbed page check: GET of the embed URL below answered HTTP 200, \"{}\".\n",
               signed_in);
    // The URL carries the session JWT: printed whole only when asked for (--show-url).
    const std::string url = args_.show_url ? std::string(session.embed_url.reveal())
                                           : redact_token(session.embed_url.reveal());
    if (args_.show_url) {
      fmt::print(out_, "Session token expires at {}. The URL carries it: treat it as a secret.\n",
                 format_time(session.expires_at));
    } else {
      fmt::print(out_,
                 "Session token expires at {}. The URL below has it redacted; --show-url prints "
                 "the working URL.\n",
                 format_time(session.expires_at));
    }

    // Installed before anything tells a script that the server is up, so an early SIGINT is ours.
    std::optional<asio::signal_set> signals;
    if (args_.serve || args_.keep_running) signals.emplace(context_.io_context(), SIGINT, SIGTERM);
    SampleServer* sample = sample_.get();
    if (sample) print_sample(*sample);
    if (context_.json()) {
      boost::json::object doc = report_.to_json();
      doc["embed_url"] = url;
      doc["expires_at"] = format_time(session.expires_at);
      if (sample) doc["sample"] = sample_json(*sample);
      context_.io().out << boost::json::serialize(doc) << '\n' << std::flush;
    } else {
      out_ << url << '\n' << std::flush;
    }
    if (sample && !args_.port_file.empty()) {
      if (auto written = write_port_file(sample->port()); !written)
        return context_.report(written.error());
    }
    if (signals) {
      if (sample) {
        fmt::print(context_.io().err,
                   "embark demo: the sample app is at {} ({}); Ctrl-C stops it.\n", sample->url(),
                   args_.serve_for ? fmt::format("for {} s", *args_.serve_for)
                                   : "until SIGINT or SIGTERM");
      } else if (server_) {
        fmt::print(context_.io().err,
                   "embark demo: the emulator keeps running at {}; open the URL in a browser "
                   "(its CA is {}{}). Ctrl-C stops it.\n",
                   server_->url(), ca_file_.path,
                   args_.show_url ? "" : "; the printed URL is redacted: run with --show-url");
      }
      wait_until_stopped(*signals);
    }
    if (sample) sample->stop();
    return ExitCode::ok;
  }

  bool serve_sample(ExitCode& code) {
    auto started = start_sample();
    if (!started) {
      // A port that cannot be bound is the operator's choice to change, like any bad flag.
      code = context_.report(started.error(), "--serve");
      if (started.error().code() == ErrorCode::invalid_input) code = ExitCode::usage;
      return false;
    }
    sample_ = std::move(*started);
    return true;
  }

  Result<std::unique_ptr<SampleServer>> start_sample() {
    ServeOptions options;
    options.port = args_.port;
    options.wisdom_url = settings_.url;
    options.ca_file = settings_.ca_file;
    options.access_key = settings_.access_key;
    options.workspace = settings_.workspace_id;
    if (server_) {
      options.embed_origin =
          server_->http_url();  // the browser needs no CA for plain HTTP on loopback
    } else if (!settings_.embed_base_url.empty()) {
      options.embed_origin = settings_.embed_base_url;
    } else {
      auto origin = url_origin(settings_.url);
      if (!origin) return origin.error();
      options.embed_origin = *origin;
    }
    return SampleServer::start(*sample_program_, options);
  }

  void print_sample(const SampleServer& sample) {
    fmt::print(out_,
               "\nThe sample embed server ({}, process {}) runs on the same {}: open {} in a "
               "browser and sign in\n"
               "with a demo account of the sample app (its demo passwords, shown on its login page "
               "too):\n",
               *sample_program_, sample.pid(), server_ ? "emulator" : "vendor", sample.url());
    for (const SampleAccount& account : sample.accounts()) {
      fmt::print(out_, "   {:<20} {:<20} {}\n", account.email, account.password, account.tenant);
    }
    fmt::print(out_, "Signing in as alice is the demo's alice logging in again, from a browser.\n");
  }

  boost::json::object sample_json(const SampleServer& sample) const {
    boost::json::array accounts;
    for (const SampleAccount& account : sample.accounts()) {
      accounts.push_back(boost::json::object{
          {"email", account.email}, {"password", account.password}, {"tenant", account.tenant}});
    }
    return {{"url", sample.url()}, {"port", sample.port()}, {"accounts", std::move(accounts)}};
  }

  // Written whole under a temporary name, then renamed: a reader never sees half a port.
  Result<void> write_port_file(std::uint16_t port) const {
    const std::string temporary = args_.port_file + ".tmp";
    {
      std::ofstream file(temporary, std::ios::trunc);
      file << port << '\n';
      if (!file)
        return fail(ErrorCode::invalid_input,
                    fmt::format("--port-file {}: cannot write", args_.port_file));
    }
    std::error_code ec;
    std::filesystem::rename(temporary, args_.port_file, ec);
    if (ec)
      return fail(ErrorCode::invalid_input,
                  fmt::format("--port-file {}: {}", args_.port_file, ec.message()));
    return {};
  }

  // Until SIGINT/SIGTERM, or until --serve-for has passed.
  void wait_until_stopped(asio::signal_set& signals) {
    asio::io_context& io = context_.io_context();
    asio::steady_timer timer(io);
    bool stop = false;
    int pending = 1;
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      --pending;
      if (!ec) stop = true;
    });
    if (args_.serve && args_.serve_for) {
      ++pending;
      timer.expires_after(
          std::chrono::milliseconds(static_cast<std::int64_t>(*args_.serve_for * 1000)));
      timer.async_wait([&](const boost::system::error_code& ec) {
        --pending;
        if (!ec) stop = true;
      });
    }
    io.restart();
    while (!stop && io.run_one() > 0) {
    }
    signals.cancel();
    timer.cancel();
    while (pending > 0 && io.run_one() > 0) {
    }
  }

  Context& context_;
  const DemoArgs& args_;
  std::ostringstream discarded_;  // the readable output, when --json asks for JSON only
  std::ostream& out_;
  Settings settings_;
  TempFile ca_file_;
  std::unique_ptr<emulator::Server> server_;
  std::shared_ptr<WisdomConnection> connection_;
  std::optional<Onboarder> onboarder_;
  std::optional<DocsFlow> docs_;
  std::optional<CallCounts> start_counts_;
  std::optional<std::string> sample_program_;
  std::unique_ptr<SampleServer>
      sample_;  // declared after server_: stops before the emulator it calls
  DemoReport report_;
  std::uint64_t list_bytes_ = 0;
  std::uint64_t list_calls_ = 0;
  std::uint64_t embark_list_calls_ = 0;
};

}  // namespace

void add_demo_command(CLI::App& app, Context& context) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "see what embark does and what it saves, on the WisdomAI emulator started in-process");
  cmd->add_option("--seed-users", args->seed_users,
                  "users the emulator starts with (listUsers returns them all)")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--burst", args->burst, "concurrent logins of one user in the last scene")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_flag(
      "--keep-running", args->keep_running,
      "keep the emulator up after the demo (until Ctrl-C) so the URL can be opened in a browser");
  cmd->add_flag("--show-url", args->show_url,
                "print the embed URL with its session token (a secret; redacted by default)");
  CLI::Option* serve = cmd->add_flag(
      "--serve", args->serve,
      "then start the sample embed server (embark-sample-server, next to embark or on PATH) on "
      "the same emulator until Ctrl-C, and print its address and demo logins");
  cmd->add_option("--serve-for", args->serve_for,
                  "with --serve: stop by itself after this many seconds")
      ->type_name("SECONDS")
      ->check(CLI::PositiveNumber)
      ->needs(serve);
  cmd->add_option("--port", args->port,
                  "with --serve: the sample's port (default 0: any free port)")
      ->type_name("PORT")
      ->needs(serve);
  cmd->add_option("--port-file", args->port_file,
                  "with --serve: write the sample's port here once it listens")
      ->type_name("FILE")
      ->needs(serve);
  add_strategy_options(*cmd, args->strategies);
  cmd->footer(
      "With no WISDOM_URL the emulator runs in-process on a free port; with WISDOM_URL (e.g. a "
      "standalone\n"
      "embark-emulator) the demo runs against it. Every login is done twice: by embark, and as the "
      "docs'\n"
      "literal flow for a user of its own; both columns are the emulator's counters. The last line "
      "of\n"
      "stdout is the embed URL, its session token redacted unless --show-url (with --json: one "
      "JSON\n"
      "document with the counts and the URL).\n"
      "--serve then starts the sample SaaS app on the same emulator and prints "
      "http://127.0.0.1:PORT/\n"
      "and the sample's demo logins; it stops on SIGINT/SIGTERM (or after --serve-for) with exit "
      "0.\n\n"
      "Example:\n  embark demo\n  embark demo --serve            # then open the printed address "
      "and sign in\n"
      "  embark demo --keep-running --show-url   # open the URL in a browser while it runs\n"
      "  embark demo --impersonate direct --burst 100\n"
      "  embark demo --json --serve --serve-for 60 --port-file /tmp/sample.port");
  cmd->callback([&context, args] {
    context.action = [&context, args] { return Demo(context, *args).run(); };
  });
}

}  // namespace embark::cli
