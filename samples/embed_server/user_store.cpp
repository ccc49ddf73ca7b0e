#include "user_store.hpp"

namespace embark::sample {

UserStore::UserStore(Database& db) : db_(db) {
  db_.exec(R"sql(
    CREATE TABLE IF NOT EXISTS tenants (
      id   INTEGER PRIMARY KEY,
      slug TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS tenant_attributes (
      tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      key       TEXT NOT NULL,
      value     TEXT NOT NULL,
      PRIMARY KEY (tenant_id, key)
    );
    CREATE TABLE IF NOT EXISTS users (
      id            INTEGER PRIMARY KEY,
      tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
      display_name  TEXT NOT NULL,
      password_hash TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS user_attributes (
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      key     TEXT NOT NULL,
      value   TEXT NOT NULL,
      PRIMARY KEY (user_id, key)
    );
  )sql");
}

bool UserStore::empty() {
  auto stmt = db_.prepare("SELECT COUNT(*) FROM tenants");
  stmt.step();
  return stmt.integer(0) == 0;
}

std::int64_t UserStore::insert_with_attributes(Database::Statement& insert,
                                               std::string_view attribute_sql,
                                               const embark::AttributeMap& attributes) {
  db_.exec("BEGIN");
  try {
    insert.step();
    auto id_stmt = db_.prepare("SELECT last_insert_rowid()");
    id_stmt.step();
    std::int64_t id = id_stmt.integer(0);
    for (const auto& [key, value] : attributes) {
      db_.prepare(attribute_sql).bind(1, id).bind(2, key).bind(3, value).step();
    }
    db_.exec("COMMIT");
    return id;
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
}

std::int64_t UserStore::add_tenant(std::string_view slug, std::string_view name,
                                   const embark::AttributeMap& attributes) {
  auto insert = db_.prepare("INSERT INTO tenants (slug, name) VALUES (?, ?)");
  insert.bind(1, slug).bind(2, name);
  return insert_with_attributes(
      insert, "INSERT INTO tenant_attributes (tenant_id, key, value) VALUES (?, ?, ?)", attributes);
}

std::int64_t UserStore::add_user(std::int64_t tenant_id, std::string_view email,
                                 std::string_view display_name, std::string_view password_hash,
                                 const embark::AttributeMap& attributes) {
  auto insert = db_.prepare(
      "INSERT INTO users (tenant_id, email, display_name, password_hash) VALUES (?, ?, ?, ?)");
  insert.bind(1, tenant_id).bind(2, email).bind(3, display_name).bind(4, password_hash);
  return insert_with_attributes(
      insert, "INSERT INTO user_attributes (user_id, key, value) VALUES (?, ?, ?)", attributes);
}

std::optional<AppUser> UserStore::load(std::string_view where_sql, auto&& bind,
                                       std::string* password_hash) {
  auto stmt = db_.prepare(std::string(R"sql(
      SELECT u.id, u.email, u.display_name, u.password_hash, t.id, t.slug, t.name
      FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE )sql") +
                          std::string(where_sql));
  bind(stmt);
  if (!stmt.step()) return std::nullopt;
  AppUser user;
  user.id = stmt.integer(0);
  user.email = stmt.text(1);
  user.display_name = stmt.text(2);
  if (password_hash) *password_hash = stmt.text(3);
  std::int64_t tenant_id = stmt.integer(4);
  user.tenant_slug = stmt.text(5);
  user.tenant_name = stmt.text(6);

  auto tenant_attrs = db_.prepare("SELECT key, value FROM tenant_attributes WHERE tenant_id = ?");
  tenant_attrs.bind(1, tenant_id);
  while (tenant_attrs.step()) user.attributes[tenant_attrs.text(0)] = tenant_attrs.text(1);
  auto user_attrs = db_.prepare("SELECT key, value FROM user_attributes WHERE user_id = ?");
  user_attrs.bind(1, user.id);
  while (user_attrs.step()) {
    // A user-level value may refine the tenant's (e.g. region) but never its tenant_id: that
    // attribute is what row-level security separates tenants by.
    std::string key = user_attrs.text(0);
    if (key == "tenant_id") continue;
    user.attributes[std::move(key)] = user_attrs.text(1);
  }
  return user;
}

std::optional<UserCredentials> UserStore::find_by_email(std::string_view email) {
  std::string hash;
  auto user = load(
      "u.email = ?", [&](Database::Statement& s) { s.bind(1, email); }, &hash);
  if (!user) return std::nullopt;
  return UserCredentials{std::move(*user), std::move(hash)};
}

std::optional<AppUser> UserStore::find_by_id(std::int64_t id) {
  return load(
      "u.id = ?", [&](Database::Statement& s) { s.bind(1, id); }, nullptr);
}

}  // namespace embark::sample
