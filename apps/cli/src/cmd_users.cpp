// `embark users list|create|set-attributes|delete`.
#include <algorithm>
#include <optional>
#include <ostream>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "commands.hpp"
#include "format.hpp"
#include "sync_plan.hpp"
#include "table.hpp"
#include "text.hpp"

namespace embark::cli {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

struct UsersArgs {
  std::vector<std::string> emails;
  std::vector<std::string> roles;
  std::vector<std::string> scopes;
  std::vector<std::string> attributes;
  bool enforce_roles = false;
  bool clear = false;
  bool yes = false;
};

// Checks each email with the configured checks; the first bad one is the error.
Result<void> check_emails(const Context& context, const std::vector<std::string>& emails) {
  for (const std::string& email : emails) {
    if (!context.services().checks.email) continue;
    if (auto ok = context.services().checks.email(email); !ok) {
      Error e = ok.error();
      return e.with_field("email");
    }
  }
  return {};
}

const UserRecord* find_user(const std::vector<UserRecord>& users, std::string_view email) {
  const std::string wanted = to_lower(email);
  for (const UserRecord& u : users) {
    if (to_lower(u.email) == wanted) return &u;
  }
  return nullptr;
}

// --attr KEY=VALUE flags, parsed and passed through the configured attribute checks.
Result<AttributeMap> checked_attributes(const Context& context,
                                        const std::vector<std::string>& flags) {
  auto attributes = parse_key_values(flags, "attr");
  if (!attributes) return attributes.error();
  if (context.services().checks.attributes && !attributes->empty()) {
    if (auto ok = context.services().checks.attributes(*attributes); !ok) return ok.error();
  }
  return attributes;
}

// The connection, its settings and the workspace's users (one listUsers call).
struct Workspace {
  std::shared_ptr<WisdomConnection> connection;
  Settings settings;
  std::vector<UserRecord> users;
};

// Connects and lists the workspace; on failure `code` says how the command ends.
std::optional<Workspace> open_workspace(Context& context, ExitCode& code) {
  Workspace ws;
  ws.connection = context.connect(code, &ws.settings);
  if (!ws.connection) return std::nullopt;
  auto users = context.run(ws.connection->list_users({ws.settings.workspace_id}));
  if (!users) {
    code = context.report(users.error(), "listUsers");
    return std::nullopt;
  }
  ws.users = std::move(*users);
  return ws;
}

// The record of every email, or not_found naming the first missing one ("nothing was <verb>").
Result<std::vector<const UserRecord*>> find_all(const std::vector<UserRecord>& users,
                                                const std::vector<std::string>& emails,
                                                std::string_view verb) {
  std::vector<const UserRecord*> found;
  for (const std::string& email : emails) {
    const UserRecord* user = find_user(users, email);
    if (!user) {
      return Error(ErrorCode::not_found,
                   fmt::format("no user {} in the workspace; nothing was {}", email, verb))
          .with_field("email");
    }
    found.push_back(user);
  }
  return found;
}

ExitCode list_users(Context& context) {
  ExitCode code = ExitCode::ok;
  auto ws = open_workspace(context, code);
  if (!ws) return code;
  std::vector<UserRecord>& users = ws->users;
  if (context.json()) {
    // One record at a time, each freed once written: a 100,000-user workspace never exists as a
    // JSON document or as one output string next to its records.
    std::ostream& out = context.io().out;
    out << '[';
    for (std::size_t i = 0; i < users.size(); ++i) {
      if (i > 0) out << ',';
      out << json::serialize(user_json(users[i]));
      users[i] = UserRecord{};
    }
    out << "]\n";
    return ExitCode::ok;
  }
  Table table({"email", "id", "roles", "attributes"});
  for (const UserRecord& u : users) {
    table.add_row({u.email, u.id, format_roles(u.roles), format_attributes(u.attributes)});
  }
  table.render(context.io().out);
  fmt::print(context.io().out, "{} users\n", users.size());
  return ExitCode::ok;
}

ExitCode create_users(Context& context, const UsersArgs& args) {
  if (auto ok = check_emails(context, args.emails); !ok) return context.report(ok.error());
  auto roles = parse_role_list(fmt::format("{}", fmt::join(args.roles, ";")), args.scopes);
  if (!roles) return context.report(roles.error());
  if (const auto& resolve = context.services().checks.role) {
    for (RoleAssignment& r : *roles) {
      auto id = resolve(r.role_id);
      if (!id) return context.report(id.error());
      r.role_id = *id;
    }
  }
  auto attributes = checked_attributes(context, args.attributes);
  if (!attributes) return context.report(attributes.error());

  ExitCode code = ExitCode::ok;
  // createUsers re-applies roles of users who exist (overwriting roles set by hand), so users
  // found by listUsers are left alone unless --enforce-roles.
  auto ws = open_workspace(context, code);
  if (!ws) return code;
  std::vector<std::string> missing, existing;
  for (const std::string& email : args.emails) {
    (find_user(ws->users, email) ? existing : missing).push_back(email);
  }
  std::vector<std::string> to_send = missing;
  if (args.enforce_roles) to_send.insert(to_send.end(), existing.begin(), existing.end());
  if (!to_send.empty()) {
    CreateUsersRequest request;
    request.emails = to_send;
    request.workspace_id = ws->settings.workspace_id;
    if (!roles->empty()) request.roles = canonical_roles(*roles);
    if (!attributes->empty()) request.attributes = *attributes;
    auto created = context.run(ws->connection->create_users(std::move(request)));
    if (!created) return context.report(created.error(), "createUsers");
  }
  if (context.json()) {
    json::object out;
    out["created"] = to_json_array(missing);
    out[args.enforce_roles ? "roles_reapplied" : "left_alone"] = to_json_array(existing);
    context.io().out << json::serialize(out) << '\n';
    return ExitCode::ok;
  }
  for (const std::string& e : missing) fmt::print(context.io().out, "created     {}\n", e);
  for (const std::string& e : existing) {
    fmt::print(context.io().out, "{}{}\n", args.enforce_roles ? "roles set   " : "exists      ", e);
  }
  if (!existing.empty() && !args.enforce_roles) {
    fmt::print(context.io().err,
               "embark: {} user(s) already existed and were left alone (--enforce-roles re-applies "
               "roles)\n",
               existing.size());
  }
  return ExitCode::ok;
}

ExitCode set_attributes(Context& context, const UsersArgs& args) {
  if (args.attributes.empty() && !args.clear) {
    fmt::print(context.io().err,
               "embark: users set-attributes: give --attr KEY=VALUE or --clear\n");
    return ExitCode::usage;
  }
  if (auto ok = check_emails(context, args.emails); !ok) return context.report(ok.error());
  auto attributes = checked_attributes(context, args.attributes);
  if (!attributes) return context.report(attributes.error());
  ExitCode code = ExitCode::ok;
  auto ws = open_workspace(context, code);
  if (!ws) return code;
  auto targets = find_all(ws->users, args.emails, "changed");
  if (!targets) return context.report(targets.error());
  json::array done;
  for (const UserRecord* user : *targets) {
    if (user->attributes == *attributes) {
      if (!context.json()) fmt::print(context.io().out, "unchanged   {}\n", user->email);
      done.push_back(json::object{{"email", user->email}, {"result", "unchanged"}});
      continue;
    }
    auto set = context.run(ws->connection->set_user_attributes({user->id, *attributes}));
    if (!set) return context.report(set.error(), fmt::format("setUserAttributes {}", user->email));
    if (!context.json()) fmt::print(context.io().out, "updated     {}\n", user->email);
    done.push_back(json::object{{"email", user->email}, {"result", "updated"}});
  }
  if (context.json()) context.io().out << json::serialize(done) << '\n';
  return ExitCode::ok;
}

ExitCode delete_users(Context& context, const UsersArgs& args) {
  if (!args.yes) {
    fmt::print(context.io().err,
               "embark: users delete is irreversible; add --yes to delete {} user(s)\n",
               args.emails.size());
    return ExitCode::usage;
  }
  if (auto ok = check_emails(context, args.emails); !ok) return context.report(ok.error());
  ExitCode code = ExitCode::ok;
  auto ws = open_workspace(context, code);
  if (!ws) return code;
  auto targets = find_all(ws->users, args.emails, "deleted");
  if (!targets) return context.report(targets.error());
  DeleteUsersRequest request;
  request.workspace_id = ws->settings.workspace_id;
  for (const UserRecord* user : *targets) request.user_ids.push_back(user->id);
  auto deleted = context.run(ws->connection->delete_users(request));
  if (!deleted) return context.report(deleted.error(), "deleteUsersFromWorkspace");
  if (context.json()) {
    context.io().out << json::serialize(json::object{{"deleted", to_json_array(args.emails)}})
                     << '\n';
  } else {
    for (const std::string& e : args.emails) fmt::print(context.io().out, "deleted     {}\n", e);
  }
  return ExitCode::ok;
}

}  // namespace

void add_users_command(CLI::App& app, Context& context) {
  auto args = std::make_shared<UsersArgs>();
  CLI::App* users = app.add_subcommand("users", "list, create, update or delete workspace users");
  users->require_subcommand(1);
  users->footer("Example:\n  embark users list --json");

  CLI::App* list =
      users->add_subcommand("list", "every user of the workspace (one listUsers call)");
  list->footer("Example:\n  embark users list\n  embark users list --json | jq '.[].email'");
  list->callback([&context] { context.action = [&context] { return list_users(context); }; });

  CLI::App* create = users->add_subcommand(
      "create", "create users that do not exist yet (existing ones are left alone)");
  create->add_option("EMAIL", args->emails, "emails of the users")->required();
  create
      ->add_option(
          "--role", args->roles,
          "role preset (viewer, explorer, admin, ...) or UUID, optionally ROLE:SCOPE|SCOPE")
      ->type_name("ROLE");
  create->add_option("--scope", args->scopes, "scope (domain id) for roles given without one")
      ->type_name("SCOPE");
  create->add_option("--attr", args->attributes, "stored attribute given to new users")
      ->type_name("KEY=VALUE");
  create->add_flag(
      "--enforce-roles", args->enforce_roles,
      "also send existing users, which re-applies the roles given (overwrites roles set by hand)");
  create->footer(
      "Example:\n  embark users create alice@example.com bob@example.com --role viewer --scope "
      "dom_1 "
      "--attr tenant_id=t1");
  create->callback([&context, args] {
    context.action = [&context, args] { return create_users(context, *args); };
  });

  CLI::App* set = users->add_subcommand(
      "set-attributes", "replace a user's stored (DATABASE) attributes with the ones given");
  set->add_option("EMAIL", args->emails, "emails of the users")->required();
  set->add_option("--attr", args->attributes, "the complete set of stored attributes")
      ->type_name("KEY=VALUE");
  set->add_flag("--clear", args->clear, "remove every stored attribute");
  set->footer(
      "Example:\n  embark users set-attributes alice@example.com --attr tenant_id=t1 --attr "
      "region=eu");
  set->callback([&context, args] {
    context.action = [&context, args] { return set_attributes(context, *args); };
  });

  CLI::App* del = users->add_subcommand("delete", "remove users from the workspace (irreversible)");
  del->add_option("EMAIL", args->emails, "emails of the users")->required();
  del->add_flag("--yes", args->yes, "confirm the deletion");
  del->footer("Example:\n  embark users delete alice@example.com --yes");
  del->callback([&context, args] {
    context.action = [&context, args] { return delete_users(context, *args); };
  });
}

Result<AttributeMap> parse_key_values(const std::vector<std::string>& items,
                                      std::string_view field) {
  AttributeMap map;
  for (const std::string& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error(ErrorCode::invalid_input, fmt::format("--{} '{}' is not KEY=VALUE", field, item))
          .with_field(std::string(field));
    }
    const std::string key = item.substr(0, eq);
    if (!map.emplace(key, item.substr(eq + 1)).second) {
      return Error(ErrorCode::invalid_input,
                   fmt::format("--{}: key '{}' is given twice", field, key))
          .with_field(fmt::format("{}.{}", field, key));
    }
  }
  return map;
}

}  // namespace embark::cli
