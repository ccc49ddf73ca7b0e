#include "seed.hpp"

#include "password.hpp"

namespace embark::sample {

void seed_demo_data(UserStore& store) {
  auto acme = store.add_tenant(
      "acme", "Acme Corp", {{"tenant_id", "acme"}, {"region", "us-west"}, {"plan", "enterprise"}});
  auto globex =
      store.add_tenant("globex", "Globex Industries",
                       {{"tenant_id", "globex"}, {"region", "eu-central"}, {"plan", "starter"}});
  store.add_user(acme, kDemoAccounts[0].email, "Alice Jensen",
                 hash_password(kDemoAccounts[0].password), {{"department", "finance"}});
  store.add_user(acme, kDemoAccounts[1].email, "Bob Ortiz",
                 hash_password(kDemoAccounts[1].password), {{"department", "sales"}});
  store.add_user(globex, kDemoAccounts[2].email, "Carol Nakamura",
                 hash_password(kDemoAccounts[2].password), {{"department", "operations"}});
}

}  // namespace embark::sample
