#include "app.hpp"

#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "embark/log.hpp"

#include "commands.hpp"

namespace embark::cli {
namespace {

constexpr const char* kFooter = R"TXT(Configuration (highest precedence first):
  1. flags             --url, --workspace, --ca-file, --access-key-file, --api-token-file, ...
  2. environment       WISDOM_URL, WISDOM_ACCESS_KEY, WISDOM_API_TOKEN, WISDOM_WORKSPACE_ID,
                       WISDOM_CA_FILE (EMBARK_CONFIG names a config file)
  3. config file       --config FILE: `key = value` lines (url, workspace_id, ca_file,
                       access_key_file, api_token_file, embed_base_url, timeout)
  4. defaults          system CAs, the vendor's default workspace, 30 s timeout
  Secrets are read from the environment or from files, never from flag values.
  With no URL configured, `embark demo` starts an emulator in-process.

Exit codes:
  0  success
  2  usage error: unknown flag, missing argument or bad configuration
  3  input rejected: malformed email, attribute or CSV row
  4  the vendor said no: credentials, permission, not found, error status
  5  transport failure: unreachable, TLS, timeout or malformed answer

Example:
  export WISDOM_URL=https://acme.wisdom.ai/graphql
  export WISDOM_ACCESS_KEY="$(cat ~/.wisdom/access-key)"
  embark onboard alice@example.com --attr tenant_id=t1 --embed dashboard:42
)TXT";

}  // namespace

int run_cli(const std::vector<std::string>& args, Io& io, const Services& services) {
  Context context(io, services);
  CLI::App app{"embark: put SaaS users into embedded WisdomAI analytics sessions", "embark"};
  app.footer(kFooter);
  app.require_subcommand(1);
  FlagSettings& flags = context.flags();
  app.add_option("--config", flags.config_file, "config file of `key = value` lines")
      ->type_name("FILE");
  app.add_option("--url", flags.url, "GraphQL endpoint, e.g. https://acme.wisdom.ai/graphql")
      ->type_name("URL");
  app.add_option("--workspace", flags.workspace_id, "workspace id (multi-workspace tenants)")
      ->type_name("ID");
  app.add_option("--ca-file", flags.ca_file,
                 "PEM file of CA certificates to trust instead of the system's")
      ->type_name("FILE");
  app.add_option("--access-key-file", flags.access_key_file,
                 "file holding the access key (else WISDOM_ACCESS_KEY)")
      ->type_name("FILE");
  app.add_option("--api-token-file", flags.api_token_file,
                 "file holding a bearer token with iam:write (else WISDOM_API_TOKEN; "
                 "else the access key is exchanged)")
      ->type_name("FILE");
  app.add_option("--embed-base-url", flags.embed_base_url,
                 "origin of the embed pages (default: the URL's)")
      ->type_name("URL");
  app.add_option("--timeout", flags.timeout_seconds, "deadline of each vendor call, seconds")
      ->type_name("SECONDS")
      ->check(CLI::PositiveNumber);
  app.add_option("--redis", flags.redis,
                 "share the user directory, tokens and locks with other instances through Redis: "
                 "redis://[user:password@]host[:port][/db] or unix:///path/redis.sock[?db=N] "
                 "(else EMBARK_REDIS_URL, the place for a password)")
      ->type_name("URL");
  app.add_option("--redis-token-key-file", flags.redis_token_key_file,
                 "file of 64 hex digits (openssl rand -hex 32) encrypting tokens in Redis (else "
                 "EMBARK_REDIS_TOKEN_KEY; without a key tokens are not shared)")
      ->type_name("FILE");
  app.add_flag("--json", context.json(), "machine-readable JSON on stdout");
  app.add_flag("-v,--verbose", context.verbosity(), "log more (repeat for more)");

  add_onboard_command(app, context);
  add_token_command(app, context);
  add_embed_url_command(app, context);
  add_users_command(app, context);
  add_sync_command(app, context);
#ifdef EMBARK_CLI_DEMO
  add_demo_command(app, context);
#endif
  for (CLI::App* sub : app.get_subcommands({})) {
    sub->fallthrough();
    for (CLI::App* leaf : sub->get_subcommands({})) leaf->fallthrough();
  }

  std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  try {
    app.parse(std::move(reversed));
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, io.out, io.err);
    return code == 0 ? 0 : to_int(ExitCode::usage);
  }
  if (context.verbosity() > 0) {
    set_log_level(context.verbosity() >= 2 ? LogLevel::debug : LogLevel::info);
  }
  if (!context.action) {
    io.err << app.help();
    return to_int(ExitCode::usage);
  }
  try {
    return to_int(context.action());
  } catch (const std::exception& e) {
    fmt::print(io.err, "embark: internal error: {}\n", e.what());
    return to_int(ExitCode::failure);
  }
}

}  // namespace embark::cli
