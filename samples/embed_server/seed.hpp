// Demo data: two tenants whose users have different row-level attributes.
#pragma once

#include <array>
#include <string_view>

#include "user_store.hpp"

namespace embark::sample {

/// A seeded demo login (shown on the login page when the database was seeded at start-up).
struct DemoAccount {
  std::string_view email;
  std::string_view password;
  std::string_view tenant;
};

/// The seeded logins: two users of "acme", one of "globex".
inline constexpr std::array<DemoAccount, 3> kDemoAccounts{{
    {"alice@acme.test", "acme-demo-alice", "Acme Corp"},
    {"bob@acme.test", "acme-demo-bob", "Acme Corp"},
    {"carol@globex.test", "globex-demo-carol", "Globex Industries"},
}};

/// Adds the demo tenants and users (passwords hashed with PBKDF2). Call on an empty store.
void seed_demo_data(UserStore& store);

}  // namespace embark::sample
