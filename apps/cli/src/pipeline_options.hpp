// The onboarding options shared by `onboard`, `embed-url` and `demo`: strategies by name, roles,
// attributes, embed target.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "embark/config.hpp"
#include "embark/onboarder.hpp"
#include "embark/request.hpp"

#include "context.hpp"

namespace embark::cli {

/// Strategy names as given on the command line (empty = the library's default).
struct StrategyArgs {
  std::string ensure_user;
  std::string attributes;
  std::string impersonate;
  bool enforce_roles = false;
};

/// Adds --ensure-user, --attributes, --impersonate (checked against the strategy registry) and
/// --enforce-roles to a subcommand.
void add_strategy_options(CLI::App& command, StrategyArgs& args);

/// An OnboarderConfig for the settings and strategy choice, running on the context's io_context.
OnboarderConfig onboarder_config(Context& context, const Settings& settings,
                                 const StrategyArgs& args);

/// What a user's onboarding request is made of on the command line.
struct RequestArgs {
  std::string email;
  std::string tenant;
  std::vector<std::string> roles;
  std::vector<std::string> scopes;
  std::vector<std::string> attributes;
  std::vector<std::string> session_attributes;
  std::vector<std::string> groups;
  std::string display_name;
  std::string embed = "chat";
};

/// Adds EMAIL and the request options (--tenant, --role, --scope, --attr, --session-attr, --group,
/// --display-name, --embed) to a subcommand.
void add_request_options(CLI::App& command, RequestArgs& args);

/// The OnboardRequest for the arguments; errors are invalid_input naming the field.
Result<OnboardRequest> make_request(const RequestArgs& args);

}  // namespace embark::cli
