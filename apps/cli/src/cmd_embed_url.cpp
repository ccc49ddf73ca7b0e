// `embark embed-url [EMAIL]`: the iframe URL for a user (impersonate only) or for a token in a
// file.
#include <ostream>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "embark/embed.hpp"

#include "commands.hpp"
#include "format.hpp"

namespace embark::cli {
namespace {

struct EmbedArgs {
  std::string email;
  std::string embed = "chat";
  std::string token_file;
  std::vector<std::string> session_attributes;
};

ExitCode embed_url(Context& context, const EmbedArgs& args) {
  if (args.email.empty() == args.token_file.empty()) {
    fmt::print(context.io().err, "embark: embed-url: give either EMAIL or --token-file FILE\n");
    return ExitCode::usage;
  }
  auto target = parse_embed_target(args.embed);
  if (!target) return context.report(target.error());
  if (auto ok = validate_embed_target(*target); !ok) return context.report(ok.error());

  SessionToken token;
  ExitCode code = ExitCode::ok;
  Settings settings;
  if (!args.token_file.empty()) {
    auto s = context.settings(code, /*require_url=*/false);
    if (!s) return code;
    settings = *s;
    auto text = context.io().reader(args.token_file);
    if (!text)
      return context.report(
          Error(ErrorCode::invalid_input, text.error().message()).with_field("--token-file"));
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
    token.jwt = Secret{std::move(*text)};
  } else {
    if (const auto& check = context.services().checks.email) {
      if (auto ok = check(args.email); !ok) return context.report(ok.error());
    }
    auto session = parse_key_values(args.session_attributes, "session-attr");
    if (!session) return context.report(session.error());
    auto connection = context.connect(code, &settings);
    if (!connection) return code;
    ImpersonateRequest request;
    request.email = args.email;
    request.session_attributes = std::move(*session);
    auto minted = context.run(connection->impersonate_user(std::move(request)));
    if (!minted) return context.report(minted.error(), "impersonateUser");
    token = std::move(*minted);
  }
  if (settings.embed_base_url.empty()) {
    fmt::print(context.io().err,
               "embark: embed-url: no embed origin; set --embed-base-url or WISDOM_URL\n");
    return ExitCode::usage;
  }
  auto url = build_embed_url(settings.embed_base_url, *target, token.jwt);
  if (!url) return context.report(url.error());
  if (context.json()) {
    boost::json::object out{{"embed_url", url->reveal()}};
    if (args.token_file.empty()) out["expires_at"] = format_time(token.expires_at);
    context.io().out << boost::json::serialize(out) << '\n';
  } else {
    if (args.token_file.empty()) {
      fmt::print(context.io().err, "token for {} expires at {}\n", args.email,
                 format_time(token.expires_at));
    }
    context.io().out << url->reveal() << '\n';
  }
  return ExitCode::ok;
}

}  // namespace

void add_embed_url_command(CLI::App& app, Context& context) {
  auto args = std::make_shared<EmbedArgs>();
  CLI::App* cmd = app.add_subcommand(
      "embed-url",
      "the iframe URL for an existing user (impersonate only) or for a token you have");
  cmd->add_option("EMAIL", args->email, "the user's email (mints a token with impersonateUser)");
  cmd->add_option("--token-file", args->token_file,
                  "build the URL from this token instead (no vendor call)")
      ->type_name("FILE");
  cmd->add_option(
         "--embed", args->embed,
         "page: chat, chat:ID, dashboard:ID, legacy-chat[:ID], legacy-dashboard:ID, story:ID")
      ->type_name("KIND[:ID]")
      ->capture_default_str();
  cmd->add_option("--session-attr", args->session_attributes,
                  "session-only attribute, never stored")
      ->type_name("KEY=VALUE");
  cmd->footer(
      "The URL carries the session JWT: it goes to stdout only.\n\nExample:\n"
      "  embark embed-url alice@example.com --embed dashboard:42\n"
      "  embark token alice@example.com > t.jwt && embark embed-url --token-file t.jwt --embed "
      "chat");
  cmd->callback([&context, args] {
    context.action = [&context, args] { return embed_url(context, *args); };
  });
}

}  // namespace embark::cli
