#include "api/operations.hpp"

#include <atomic>
#include <cctype>
#include <unordered_set>

#include <boost/json/monotonic_resource.hpp>
#include <fmt/format.h>

#include "graphql/json_text.hpp"
#include "state/roles.hpp"

namespace embark::emulator {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using graphql::FieldResult;

constexpr std::string_view kReservedClaim = "impersonated_user_id";
constexpr std::size_t kMaxEmailLength = 254;

FieldResult status(std::string_view code, std::string_view message) {
  return {object{{"status", object{{"code", code}, {"message", message}}}}, {}};
}

FieldResult error(std::string message) { return {nullptr, std::move(message)}; }

const value* arg(const object& o, std::string_view name) {
  const value* v = o.if_contains(name);
  return (v && !v->is_null()) ? v : nullptr;
}

std::string string_arg(const object& o, std::string_view name) {
  const value* v = arg(o, name);
  return (v && v->is_string()) ? std::string(v->as_string()) : std::string();
}

bool valid_email(std::string_view e) {
  if (e.empty() || e.size() > kMaxEmailLength) return false;
  const auto at = e.find('@');
  if (at == 0 || at == std::string_view::npos || e.find('@', at + 1) != std::string_view::npos)
    return false;
  const auto domain = e.substr(at + 1);
  const auto dot = domain.find('.');
  if (domain.empty() || dot == 0 || dot == std::string_view::npos || domain.back() == '.')
    return false;
  for (char c : e) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return true;
}

// Parses [UserAttributeInput!]; later duplicates win. Returns an error message naming the field.
std::string parse_attributes(const value& list, std::string_view field, AttributeMap& out) {
  if (!list.is_array()) return fmt::format("{} must be a list", field);
  std::size_t i = 0;
  for (const auto& item : list.as_array()) {
    const auto* o = item.if_object();
    const value* k = o ? o->if_contains("key") : nullptr;
    const value* v = o ? o->if_contains("value") : nullptr;
    if (!k || !v || !k->is_string() || !v->is_string()) {
      return fmt::format("{}[{}] needs string key and value", field, i);
    }
    if (k->as_string().empty()) return fmt::format("{}[{}].key must not be empty", field, i);
    out.insert_or_assign(std::string(k->as_string()), std::string(v->as_string()));
    ++i;
  }
  return {};
}

std::string parse_roles(const value& list, std::vector<RoleAssignment>& out) {
  if (!list.is_array()) return "input.roleAssignments must be a list";
  std::size_t i = 0;
  for (const auto& item : list.as_array()) {
    const auto* o = item.if_object();
    const value* role = o ? o->if_contains("roleId") : nullptr;
    const value* scopes = o ? o->if_contains("scopes") : nullptr;
    if (!role || !role->is_string() || !scopes || !scopes->is_array()) {
      return fmt::format("input.roleAssignments[{}] needs roleId and scopes", i);
    }
    if (!is_known_role(role->as_string())) {
      return fmt::format("Unknown role id {} in input.roleAssignments[{}].roleId",
                         std::string_view(role->as_string()), i);
    }
    RoleAssignment r;
    r.role_id = role->as_string();
    for (const auto& s : scopes->as_array()) {
      if (!s.is_string())
        return fmt::format("input.roleAssignments[{}].scopes must hold strings", i);
      r.scopes.emplace_back(s.as_string());
    }
    out.push_back(std::move(r));
    ++i;
  }
  return {};
}

std::uint64_t next_token_serial() {
  static std::atomic<std::uint64_t> serial{0};
  return serial.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

Requirement requirement_of(std::string_view f) {
  if (f == "listUsers" || f == "createUsers" || f == "setUserAttributes" ||
      f == "deleteUsersFromWorkspace" || f == "addScopeRoleAssignmentsForSharing" ||
      f == "removeScopeRoleAssignmentsForSharing") {
    return Requirement::iam_write;
  }
  if (f == "currentUser") return Requirement::any_caller;
  return Requirement::none;
}

Operations::Operations(UserStore& store, const Credentials& credentials,
                       std::shared_ptr<const JwtKeys> keys, const Options& options, Clock clock)
    : store_(store),
      credentials_(credentials),
      keys_(std::move(keys)),
      options_(options),
      clock_(std::move(clock)) {}

std::int64_t Operations::now_seconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
}

void Operations::register_on(graphql::Engine& engine) {
  auto ctx = [](const graphql::FieldCall& c) -> RequestContext& {
    return *static_cast<RequestContext*>(c.context);
  };
  engine.set_resolver("Query", "listUsers", [this](const graphql::FieldCall& c) {
    return list_users(c.arguments, selected_user_fields(c));
  });
  engine.set_resolver("Query", "currentUser",
                      [this, ctx](const graphql::FieldCall& c) { return current_user(ctx(c)); });
  engine.set_resolver("Query", "exchangeAccessToken", [this, ctx](const graphql::FieldCall& c) {
    return exchange_access_token(c.arguments, ctx(c));
  });
  engine.set_resolver("Query", "impersonateUser", [this, ctx](const graphql::FieldCall& c) {
    return impersonate_user(c.arguments, ctx(c));
  });
  engine.set_resolver("Mutation", "impersonateUser", [this, ctx](const graphql::FieldCall& c) {
    return impersonate_user(c.arguments, ctx(c));
  });
  engine.set_resolver("Mutation", "createUsers",
                      [this](const graphql::FieldCall& c) { return create_users(c.arguments); });
  engine.set_resolver("Mutation", "setUserAttributes", [this](const graphql::FieldCall& c) {
    return set_user_attributes(c.arguments);
  });
  engine.set_resolver("Mutation", "deleteUsersFromWorkspace",
                      [this](const graphql::FieldCall& c) { return delete_users(c.arguments); });
  engine.set_resolver("Mutation", "addScopeRoleAssignmentsForSharing",
                      [this](const graphql::FieldCall& c) { return share(c.arguments, true); });
  engine.set_resolver("Mutation", "removeScopeRoleAssignmentsForSharing",
                      [this](const graphql::FieldCall& c) { return share(c.arguments, false); });
}

Caller Operations::authenticate(std::string_view authorization) const {
  Caller caller;
  if (authorization.empty()) return caller;
  caller.kind = Caller::Kind::invalid;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size()) return caller;
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return caller;
    }
  }
  const std::string_view token = authorization.substr(kBearer.size());
  if (credentials_.is_api_token(token)) {
    caller.kind = Caller::Kind::api_token;
    caller.iam_write = true;
    caller.workspace = options_.default_workspace;
    return caller;
  }
  auto claims = keys_->verify(token, now_seconds());
  if (!claims) return caller;
  const std::string use = claims->contains("token_use") && (*claims)["token_use"].is_string()
                              ? std::string((*claims)["token_use"].as_string())
                              : std::string();
  if (const auto* ws = claims->if_contains("workspace_id"); ws && ws->is_string())
    caller.workspace = ws->as_string();
  if (use == "api") {
    caller.kind = Caller::Kind::exchanged;
    if (const auto* perms = claims->if_contains("permissions"); perms && perms->is_array()) {
      for (const auto& p : perms->as_array()) {
        if (p.is_string() && p.as_string() == "iam:write") caller.iam_write = true;
      }
    }
  } else if (use == "session") {
    const auto* uid = claims->if_contains(kReservedClaim);
    if (!uid || !uid->is_string()) return caller;
    caller.kind = Caller::Kind::user;
    caller.user_id = uid->as_string();
  }
  return caller;
}

unsigned Operations::selected_user_fields(const graphql::FieldCall& call) {
  static constexpr std::pair<std::string_view, unsigned> kFields[] = {
      {"id", kUserId},
      {"email", kUserEmail},
      {"name", kUserName},
      {"profilePicture", kUserProfilePicture},
      {"creationTimestamp", kUserCreationTimestamp},
      {"lastActiveSessionTimestamp", kUserLastActiveSessionTimestamp},
      {"roleAssignments", kUserRoleAssignments},
      {"userAttributes", kUserAttributes},
      {"isScimManaged", kUserIsScimManaged},
      {"status", kUserStatus},
  };
  unsigned fields = 0;
  for (const auto& [name, bit] : kFields) {
    if (call.selects(name)) fields |= bit;
  }
  return fields;
}

object Operations::user_json(const StoredUser& user, const boost::json::storage_ptr& sp,
                             unsigned fields) {
  // Everything is built in `sp` so that a 100,000-user answer allocates from one arena.
  object u(sp);
  u.reserve(10);
  if (fields & kUserId) u.emplace("id", user.id);
  if (fields & kUserEmail) u.emplace("email", user.email);
  if (fields & kUserName) u.emplace("name", user.email);
  if (fields & kUserProfilePicture) u.emplace("profilePicture", "");
  if (fields & kUserCreationTimestamp) u.emplace("creationTimestamp", user.created_text);
  if (fields & kUserLastActiveSessionTimestamp) {
    const std::int64_t last = user.last_active_ms.load(std::memory_order_relaxed);
    if (last >= 0) {
      u.emplace("lastActiveSessionTimestamp", rfc3339(TimePoint(std::chrono::milliseconds(last))));
    } else {
      u.emplace("lastActiveSessionTimestamp", nullptr);
    }
  }
  if (fields & kUserRoleAssignments) {
    array roles(sp);
    roles.reserve(user.roles.size());
    for (const auto& r : user.roles) {
      array scopes(sp);
      scopes.reserve(r.scopes.size());
      for (const auto& scope : r.scopes) scopes.emplace_back(scope);
      object o(sp);
      o.reserve(2);
      o.emplace("roleId", r.role_id);
      o.emplace("scopes", std::move(scopes));
      roles.emplace_back(std::move(o));
    }
    u.emplace("roleAssignments", std::move(roles));
  }
  if (fields & kUserAttributes) {
    array attrs(sp);
    attrs.reserve(user.database_attributes.size() + user.jwt_attributes.size());
    auto add_attrs = [&](const AttributeMap& map, std::string_view source) {
      for (const auto& [k, v] : map) {
        object o(sp);
        o.reserve(3);
        o.emplace("key", k);
        o.emplace("value", v);
        o.emplace("source", source);
        attrs.emplace_back(std::move(o));
      }
    };
    add_attrs(user.database_attributes, "DATABASE");
    add_attrs(user.jwt_attributes, "JWT");
    u.emplace("userAttributes", std::move(attrs));
  }
  if (fields & kUserIsScimManaged) u.emplace("isScimManaged", false);
  if (fields & kUserStatus) u.emplace("status", "ACTIVE");
  return u;
}

namespace {

// Calls fn(key, value) for the effective attributes in key order: session > DATABASE > JWT, the
// reserved claim never taken from the session. A merge of the three sorted maps, no copies.
template <class Fn>
void for_each_effective_attribute(const StoredUser& user, const AttributeMap& session, Fn&& fn) {
  auto j = user.jwt_attributes.begin();
  auto d = user.database_attributes.begin();
  auto s = session.begin();
  auto skip_reserved = [&] {
    if (s != session.end() && s->first == kReservedClaim) ++s;
  };
  skip_reserved();
  for (;;) {
    const std::string* key = nullptr;
    for (const std::string* k : {j != user.jwt_attributes.end() ? &j->first : nullptr,
                                 d != user.database_attributes.end() ? &d->first : nullptr,
                                 s != session.end() ? &s->first : nullptr}) {
      if (k && (!key || *k < *key)) key = k;
    }
    if (!key) return;
    const std::string* value = nullptr;
    if (j != user.jwt_attributes.end() && j->first == *key) value = &(j++)->second;
    if (d != user.database_attributes.end() && d->first == *key) value = &(d++)->second;
    if (s != session.end() && s->first == *key) {
      value = &(s++)->second;
      skip_reserved();
    }
    fn(*key, *value);
  }
}

}  // namespace

AttributeMap Operations::effective_attributes(const StoredUser& user, const AttributeMap& session) {
  AttributeMap out;
  for_each_effective_attribute(user, session, [&](const std::string& k, const std::string& v) {
    out.emplace_hint(out.end(), k, v);
  });
  return out;
}

std::string Operations::mint_session_token(const StoredUser& user,
                                           const AttributeMap& session) const {
  using graphql::append_json_int;
  using graphql::append_json_string;
  const std::int64_t now = now_seconds();
  // The claims' JSON is written directly (the same text boost::json would give for the object).
  std::string claims;
  claims.reserve(384);
  claims += R"({"iss":"embark-emulator","sub":)";
  append_json_string(claims, user.id);
  claims += R"(,"email":)";
  append_json_string(claims, user.email);
  claims += R"(,"impersonated_user_id":)";
  append_json_string(claims, user.id);
  claims += R"(,"workspace_id":)";
  append_json_string(claims, user.workspace);
  claims += R"(,"iat":)";
  append_json_int(claims, now);
  claims += R"(,"exp":)";
  append_json_int(claims, now + options_.token_ttl.count());
  claims += R"(,"jti":)";
  append_json_string(claims, fmt::format("{}-{}", keys_->key_id(), next_token_serial()));
  claims += R"(,"token_use":"session","attributes":{)";
  bool first = true;
  for_each_effective_attribute(user, session, [&](const std::string& k, const std::string& v) {
    if (!first) claims += ',';
    first = false;
    append_json_string(claims, k);
    claims += ':';
    append_json_string(claims, v);
  });
  claims += "}}";
  return keys_->sign_json(claims);
}

FieldResult Operations::list_users(const object& args, unsigned user_fields) {
  std::string workspace = string_arg(args, "workspaceId");
  if (workspace.empty()) workspace = options_.default_workspace;
  if (!store_.has_workspace(workspace))
    return error(fmt::format("Workspace {} not found", workspace));
  const auto users = store_.list(workspace);
  // About 600 bytes per user in the arena: sized once instead of growing through many blocks.
  constexpr std::size_t kBytesPerUser = 640;
  // The tree refers to the arena without owning it, so destroying it is free (no walk over
  // 100,000 objects); the FieldResult keeps the arena alive as long as the tree.
  auto arena =
      std::make_shared<boost::json::monotonic_resource>(users.size() * kBytesPerUser + 1024);
  const boost::json::storage_ptr sp(arena.get());
  array out(sp);
  out.reserve(users.size());
  for (const auto& u : users) out.emplace_back(user_json(*u, sp, user_fields));
  return {value(std::move(out)), {}, std::move(arena)};
}

FieldResult Operations::current_user(RequestContext& ctx) {
  if (ctx.caller.kind != Caller::Kind::user)
    return error("The bearer token does not belong to a user");
  auto user = store_.find_by_id(ctx.caller.user_id);
  if (!user) return error("User not found");
  return {user_json(*user), {}};
}

FieldResult Operations::exchange_access_token(const object& args, RequestContext& ctx) {
  const AccessKey* key = credentials_.find_access_key(string_arg(args, "accessToken"));
  if (!key) {
    ctx.unauthorized = true;
    return error("Unauthorized");
  }
  const std::int64_t now = now_seconds();
  object claims{{"iss", "embark-emulator"},
                {"sub", "accesskey:" + key->key.fingerprint()},
                {"workspace_id", key->workspace},
                {"iat", now},
                {"exp", now + options_.token_ttl.count()},
                {"jti", fmt::format("{}-{}", keys_->key_id(), next_token_serial())},
                {"token_use", "api"},
                {"permissions", array{"iam:write"}}};
  return {value(keys_->sign(claims)), {}};
}

FieldResult Operations::impersonate_user(const object& args, RequestContext& ctx) {
  const AccessKey* key = credentials_.find_access_key(string_arg(args, "accessToken"));
  if (!key) {
    ctx.unauthorized = true;
    return error("Unauthorized");
  }
  AttributeMap session;
  if (const value* attrs = arg(args, "attributes")) {
    if (auto msg = parse_attributes(*attrs, "attributes", session); !msg.empty()) return error(msg);
  }
  auto user = store_.find_by_email(key->workspace, string_arg(args, "userEmail"));
  if (!user) return error("User not found");
  UserStore::touch(*user, clock_());
  return {value(mint_session_token(*user, session)), {}};
}

FieldResult Operations::create_users(const object& args) {
  const value* input_v = arg(args, "input");
  if (!input_v || !input_v->is_object()) return status("ERROR", "input is required");
  const object& input = input_v->as_object();
  CreateUsersSpec spec;
  spec.workspace = string_arg(input, "workspaceID");
  if (spec.workspace.empty()) spec.workspace = options_.default_workspace;
  if (!store_.has_workspace(spec.workspace))
    return status("ERROR", fmt::format("Workspace {} not found", spec.workspace));

  const value* emails = arg(input, "emails");
  if (!emails || !emails->is_array() || emails->as_array().empty()) {
    return status("ERROR", "input.emails must name at least one email");
  }
  std::unordered_set<std::string> seen;
  std::size_t i = 0;
  for (const auto& e : emails->as_array()) {
    if (!e.is_string() || !valid_email(e.as_string())) {
      return status("ERROR", fmt::format("Invalid email in input.emails[{}]", i));
    }
    if (!seen.insert(lower_email(e.as_string())).second) {
      return status("ERROR", fmt::format("Duplicate email {} in input.emails",
                                         std::string_view(e.as_string())));
    }
    spec.emails.emplace_back(e.as_string());
    ++i;
  }
  if (const value* roles = arg(input, "roleAssignments")) {
    spec.roles.emplace();
    if (auto msg = parse_roles(*roles, *spec.roles); !msg.empty()) return status("ERROR", msg);
  }
  if (const value* attrs = arg(input, "userAttributes")) {
    spec.attributes.emplace();
    if (auto msg = parse_attributes(*attrs, "input.userAttributes", *spec.attributes);
        !msg.empty()) {
      return status("ERROR", msg);
    }
  }
  if (const value* groups = arg(input, "userGroupIds")) {
    spec.groups.emplace();
    if (groups->is_array()) {
      for (const auto& g : groups->as_array()) {
        if (g.is_string()) spec.groups->emplace_back(g.as_string());
      }
    }
  }
  const StoreStatus s = store_.create_users(spec, options_.existing_user, clock_());
  return status(s.code, s.message);
}

FieldResult Operations::set_user_attributes(const object& args) {
  const value* input_v = arg(args, "input");
  if (!input_v || !input_v->is_object()) return status("ERROR", "input is required");
  const object& input = input_v->as_object();
  const std::string id = string_arg(input, "userId");
  AttributeMap attrs;
  const value* list = arg(input, "userAttributes");
  if (!list) return status("ERROR", "input.userAttributes is required");
  if (auto msg = parse_attributes(*list, "input.userAttributes", attrs); !msg.empty())
    return status("ERROR", msg);
  const StoreStatus s = store_.set_attributes(id, std::move(attrs));
  return status(s.code, s.message);
}

FieldResult Operations::delete_users(const object& args) {
  const value* input_v = arg(args, "input");
  if (!input_v || !input_v->is_object()) return status("ERROR", "input is required");
  const object& input = input_v->as_object();
  std::string workspace = string_arg(input, "workspaceID");
  if (workspace.empty()) workspace = options_.default_workspace;
  std::vector<std::string> ids;
  if (const value* list = arg(input, "ids"); list && list->is_array()) {
    for (const auto& id : list->as_array()) {
      if (id.is_string()) ids.emplace_back(id.as_string());
    }
  }
  const StoreStatus s = store_.delete_users(workspace, ids);
  return status(s.code, s.message);
}

FieldResult Operations::share(const object& args, bool add) {
  const value* list = arg(args, "scopeRoleAssignments");
  if (list && list->is_array()) {
    for (const auto& item : list->as_array()) {
      const auto* o = item.if_object();
      if (!o) continue;
      const std::string role = string_arg(*o, "roleId");
      if (!is_known_role(role))
        return {object{{"code", "ERROR"}, {"message", fmt::format("Unknown role id {}", role)}},
                {}};
      if (!store_.find_by_id(string_arg(*o, "principalId"))) {
        return {object{{"code", "NOT_FOUND"}, {"message", "User not found"}}, {}};
      }
    }
  }
  return {object{{"code", "OK"},
                 {"message", add ? "Role added successfully" : "Role removed successfully"}},
          {}};
}

}  // namespace embark::emulator
