// Registration of each subcommand on the CLI11 application (one file per subcommand).
#pragma once

#include <CLI/CLI.hpp>

#include "context.hpp"

namespace embark::cli {

/// `users list|create|set-attributes|delete`.
void add_users_command(CLI::App& app, Context& context);
/// `token EMAIL`: impersonate only.
void add_token_command(CLI::App& app, Context& context);
/// `sync FILE.csv`: bulk provisioning.
void add_sync_command(CLI::App& app, Context& context);
/// `onboard EMAIL`: the whole pipeline.
void add_onboard_command(CLI::App& app, Context& context);
/// `embed-url [EMAIL]`: the iframe URL for a user or a token.
void add_embed_url_command(CLI::App& app, Context& context);
#ifdef EMBARK_CLI_DEMO
/// `demo`: the emulator in-process and a guided tour of the pipeline.
void add_demo_command(CLI::App& app, Context& context);
#endif

/// Parses repeated `KEY=VALUE` arguments into a map; errors name `field`.
Result<AttributeMap> parse_key_values(const std::vector<std::string>& items,
                                      std::string_view field);

}  // namespace embark::cli
