// `embark onboard EMAIL`: the whole pipeline, as a login handler would run it.
#include <ostream>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "commands.hpp"
#include "format.hpp"
#include "pipeline_options.hpp"
#include "session_output.hpp"

namespace embark::cli {
namespace {

struct OnboardArgs {
  RequestArgs request;
  StrategyArgs strategies;
};

ExitCode onboard(Context& context, const OnboardArgs& args) {
  auto request = make_request(args.request);
  if (!request) return context.report(request.error());
  ExitCode code = ExitCode::ok;
  Settings settings;
  auto connection = context.connect(code, &settings);
  if (!connection) return code;
  auto onboarder =
      Onboarder::create(onboarder_config(context, settings, args.strategies), connection);
  if (!onboarder) return context.report(onboarder.error(), "configuration");
  auto session = context.run(onboarder->co_onboard(*request));
  if (!session) return context.report(session.error(), "onboard");
  if (context.json()) {
    context.io().out << boost::json::serialize(session_json(*session, true)) << '\n';
    return ExitCode::ok;
  }
  std::ostream& out = context.io().out;
  fmt::print(out, "onboarded {}{} in {}, {} vendor call(s)\n", session->email,
             session->workspace.empty() ? "" : fmt::format(" (workspace {})", session->workspace),
             format_duration(session->elapsed), session->vendor_calls);
  print_stages(out, *session);
  fmt::print(out, "token expires at {}\n", format_time(session->expires_at));
  if (!session->embed_url.empty()) out << session->embed_url.reveal() << '\n';
  return ExitCode::ok;
}

}  // namespace

void add_onboard_command(CLI::App& app, Context& context) {
  auto args = std::make_shared<OnboardArgs>();
  CLI::App* cmd = app.add_subcommand(
      "onboard",
      "ensure the user exists, sync stored attributes, mint a session: what a login handler does");
  add_request_options(*cmd, args->request);
  add_strategy_options(*cmd, args->strategies);
  cmd->footer(
      "Prints what each stage did and its vendor calls, the token's expiry, and the embed URL as "
      "the\n"
      "last line (it carries the session JWT: treat it as a secret).\n\nExample:\n"
      "  embark onboard alice@example.com --tenant t1 --role viewer --scope dom_1 \\\n"
      "      --attr tenant_id=t1 --embed dashboard:42 --impersonate direct");
  cmd->callback(
      [&context, args] { context.action = [&context, args] { return onboard(context, *args); }; });
}

}  // namespace embark::cli
