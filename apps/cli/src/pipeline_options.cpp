#include "pipeline_options.hpp"

#include <fmt/format.h>

#include "embark/strategies/ensure_user/directory.hpp"
#include "embark/strategies/ensure_user/list_then_create.hpp"
#include "embark/strategies/registry.hpp"
#ifdef EMBARK_HAS_REDIS
#include "embark/redis.hpp"
#endif
#include "embark/validation.hpp"

#include "commands.hpp"
#include "sync_rows.hpp"

namespace embark::cli {
namespace {

std::vector<std::string> names(std::vector<std::string_view> views) {
  return {views.begin(), views.end()};
}

}  // namespace

void add_strategy_options(CLI::App& command, StrategyArgs& args) {
  const auto ensure = names(ensure_user_strategy_names());
  const auto attrs = names(set_attributes_strategy_names());
  const auto imp = names(impersonate_strategy_names());
  command
      .add_option("--ensure-user", args.ensure_user,
                  fmt::format("ensure-user strategy (default {})", ensure.front()))
      ->check(CLI::IsMember(ensure))
      ->type_name("STRATEGY");
  command
      .add_option("--attributes", args.attributes,
                  fmt::format("set-attributes strategy (default {})", attrs.front()))
      ->check(CLI::IsMember(attrs))
      ->type_name("STRATEGY");
  command
      .add_option("--impersonate", args.impersonate,
                  fmt::format("impersonate strategy (default {})", imp.front()))
      ->check(CLI::IsMember(imp))
      ->type_name("STRATEGY");
  command.add_flag(
      "--enforce-roles", args.enforce_roles,
      "re-apply roles to existing users whose roles differ (overwrites roles set by hand; "
      "ensure-user strategies directory and list-then-create)");
}

OnboarderConfig onboarder_config(Context& context, const Settings& settings,
                                 const StrategyArgs& args) {
  OnboarderConfig config;
  if (!args.ensure_user.empty()) config.ensure_user = args.ensure_user;
  if (!args.attributes.empty()) config.set_attributes = args.attributes;
  if (!args.impersonate.empty()) config.impersonate = args.impersonate;
  if (args.enforce_roles) {
    // role_policy is an option of the ensure-user strategies that look users up.
    if (config.ensure_user == "directory") {
      config.ensure_user_strategy = std::make_shared<DirectoryEnsureUser>(
          DirectoryEnsureUser::Options{.role_policy = RolePolicy::enforce});
    } else if (config.ensure_user == "list-then-create") {
      config.ensure_user_strategy = std::make_shared<ListThenCreateEnsureUser>(
          ListThenCreateEnsureUser::Options{.role_policy = RolePolicy::enforce});
    }
  }
  config.default_workspace = settings.workspace_id;
  config.embed_base_url = settings.embed_base_url;
  config.executor = context.io_context().get_executor();
#ifdef EMBARK_HAS_REDIS
  if (!settings.redis_url.empty()) {
    RedisOptions redis;
    redis.url = parse_redis_url(settings.redis_url, "redis").value();  // checked by the settings
    redis.token_key = settings.redis_token_key;
    if (auto shared = make_redis_shared_state(std::move(redis))) apply(*shared, config);
  }
#endif
  return config;
}

void add_request_options(CLI::App& command, RequestArgs& args) {
  command.add_option("EMAIL", args.email, "the user's email")->required();
  command
      .add_option("--tenant", args.tenant,
                  "your tenant id: the user is onboarded as EMAIL plus-addressed with it "
                  "(alice+TENANT@example.com)")
      ->type_name("TENANT");
  command
      .add_option("--role", args.roles,
                  "role given at creation: preset (viewer, explorer, ...) or UUID, optionally "
                  "ROLE:SCOPE|SCOPE")
      ->type_name("ROLE");
  command.add_option("--scope", args.scopes, "scope (domain id) for roles given without one")
      ->type_name("SCOPE");
  command.add_option("--attr", args.attributes, "stored attribute (row-level security)")
      ->type_name("KEY=VALUE");
  command
      .add_option("--session-attr", args.session_attributes, "session-only attribute, never stored")
      ->type_name("KEY=VALUE");
  command.add_option("--group", args.groups, "group id to join on creation")->type_name("ID");
  command.add_option("--display-name", args.display_name, "stored as the display_name attribute")
      ->type_name("NAME");
  command
      .add_option(
          "--embed", args.embed,
          "page to embed: chat, chat:ID, dashboard:ID, legacy-chat[:ID], legacy-dashboard:ID, "
          "story:ID, none")
      ->type_name("KIND[:ID]")
      ->capture_default_str();
}

Result<OnboardRequest> make_request(const RequestArgs& args) {
  OnboardRequest request;
  request.email = args.email;
  if (!args.tenant.empty()) {
    auto email = tenant_email(args.email, args.tenant);
    if (!email) return email.error();
    request.email = std::move(*email);
  }
  auto roles = parse_role_list(fmt::format("{}", fmt::join(args.roles, ";")), args.scopes);
  if (!roles) return roles.error();
  request.roles = std::move(*roles);
  auto attributes = parse_key_values(args.attributes, "attr");
  if (!attributes) return attributes.error();
  request.attributes = std::move(*attributes);
  auto session = parse_key_values(args.session_attributes, "session-attr");
  if (!session) return session.error();
  request.session_attributes = std::move(*session);
  request.groups = args.groups;
  request.display_name = args.display_name;
  auto embed = parse_embed_target(args.embed);
  if (!embed) return embed.error();
  request.embed = std::move(*embed);
  return request;
}

}  // namespace embark::cli
