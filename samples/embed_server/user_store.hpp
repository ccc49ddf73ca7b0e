// UserStore: tenants and users of the app (SQLite), with their row-level attributes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app_user.hpp"
#include "database.hpp"

namespace embark::sample {

/// A user together with the stored password hash (never leaves the login handler).
struct UserCredentials {
  AppUser user;
  std::string password_hash;
};

/// Tenants, users and their attributes. Not thread-safe (one Database, one thread).
class UserStore {
 public:
  /// Uses `db` (which must outlive the store) and creates the tables if they do not exist.
  explicit UserStore(Database& db);

  /// Whether no tenant exists yet (a fresh database to seed).
  bool empty();
  /// Adds a tenant with its attributes; returns its id. Throws on a duplicate slug.
  std::int64_t add_tenant(std::string_view slug, std::string_view name,
                          const embark::AttributeMap& attributes);
  /// Adds a user with a password hash (see hash_password) and attributes that override the
  /// tenant's. Emails are unique, compared case-insensitively. Returns the user's id.
  std::int64_t add_user(std::int64_t tenant_id, std::string_view email,
                        std::string_view display_name, std::string_view password_hash,
                        const embark::AttributeMap& attributes);
  /// The user with this email (case-insensitive) and their password hash.
  std::optional<UserCredentials> find_by_email(std::string_view email);
  /// The user with this id.
  std::optional<AppUser> find_by_id(std::int64_t id);

 private:
  std::optional<AppUser> load(std::string_view where_sql, auto&& bind, std::string* password_hash);
  /// In one transaction: runs `insert` (a prepared INSERT of the owner row), then inserts each
  /// attribute with `attribute_sql` (owner id, key, value). Returns the owner's id.
  std::int64_t insert_with_attributes(Database::Statement& insert, std::string_view attribute_sql,
                                      const embark::AttributeMap& attributes);
  Database& db_;
};

}  // namespace embark::sample
