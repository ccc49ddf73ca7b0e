// `embark token EMAIL`: impersonateUser only; the JWT is the only thing written to stdout.
#include <ostream>

#include <boost/json.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "commands.hpp"
#include "format.hpp"

namespace embark::cli {
namespace {

struct TokenArgs {
  std::string email;
  std::vector<std::string> session_attributes;
  bool query_form = false;
};

ExitCode mint_token(Context& context, const TokenArgs& args) {
  if (const auto& check = context.services().checks.email) {
    if (auto ok = check(args.email); !ok) return context.report(ok.error());
  }
  auto session = parse_key_values(args.session_attributes, "session-attr");
  if (!session) return context.report(session.error());
  if (session->contains("impersonated_user_id")) {
    return context.report(
        Error(ErrorCode::invalid_input,
              "impersonated_user_id is reserved and cannot be a session attribute")
            .with_field("session-attr.impersonated_user_id"));
  }
  ExitCode code = ExitCode::ok;
  auto connection = context.connect(code);
  if (!connection) return code;
  ImpersonateRequest request;
  request.email = args.email;
  request.session_attributes = std::move(*session);
  request.use_query_form = args.query_form;
  auto token = context.run(connection->impersonate_user(std::move(request)));
  if (!token) return context.report(token.error(), "impersonateUser");
  const std::string expires = format_time(token->expires_at);
  if (context.json()) {
    boost::json::object out{{"email", args.email},
                            {"token", std::string(token->jwt.reveal())},
                            {"expires_at", expires}};
    context.io().out << boost::json::serialize(out) << '\n';
  } else {
    fmt::print(context.io().err, "token for {} expires at {}\n", args.email, expires);
    context.io().out << token->jwt.reveal() << '\n';
  }
  return ExitCode::ok;
}

}  // namespace

void add_token_command(CLI::App& app, Context& context) {
  auto args = std::make_shared<TokenArgs>();
  CLI::App* token = app.add_subcommand(
      "token",
      "mint a session JWT for an existing user (impersonateUser only); prints it on stdout");
  token->add_option("EMAIL", args->email, "the user's email")->required();
  token
      ->add_option("--session-attr", args->session_attributes,
                   "session-only attribute (never stored)")
      ->type_name("KEY=VALUE");
  token->add_flag("--query-form", args->query_form, "use the old `query` form of impersonateUser");
  token->footer(
      "The token is a secret: it goes to stdout only, its expiry to stderr.\n\nExample:\n"
      "  WISDOM_ACCESS_KEY=\"$(cat key.txt)\" embark token alice@example.com > token.jwt");
  token->callback([&context, args] {
    context.action = [&context, args] { return mint_token(context, *args); };
  });
}

}  // namespace embark::cli
