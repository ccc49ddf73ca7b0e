// UserStore: workspaces, case-insensitive emails, createUsers modes, atomic delete, replace
// semantics.
#include "state/user_store.hpp"

#include <doctest/doctest.h>

namespace emu = embark::emulator;

namespace {

const emu::TimePoint kNow = emu::TimePoint(std::chrono::seconds(1'800'000'000));

emu::CreateUsersSpec spec(std::vector<std::string> emails) {
  emu::CreateUsersSpec s;
  s.workspace = "default";
  s.emails = std::move(emails);
  return s;
}

}  // namespace

TEST_CASE("createUsers stores users per workspace in creation order, keyed by lower-cased email") {
  emu::UserStore store({"default", "other"}, 7);
  auto s = spec({"Bob@Example.com", "alice@example.com"});
  s.attributes = embark::AttributeMap{{"region", "eu"}};
  REQUIRE(store.create_users(s, emu::ExistingUserMode::reapply, kNow).ok());

  const auto users = store.list("default");
  REQUIRE(users.size() == 2);
  CHECK(users[0]->email == "Bob@Example.com");  // stored as given
  CHECK(users[1]->email == "alice@example.com");
  CHECK(users[0]->id != users[1]->id);
  CHECK(store.find_by_email("default", "bob@EXAMPLE.com") == users[0]);
  CHECK(store.find_by_email("other", "bob@example.com") == nullptr);
  CHECK(store.list("other").empty());
  CHECK(store.find_by_id(users[1]->id)->database_attributes.at("region") == "eu");
}

TEST_CASE(
    "existing user: reapply replaces roles, keeps omitted fields; error mode refuses the whole "
    "batch") {
  emu::UserStore store({"default"}, 1);
  auto first = spec({"carol@example.com"});
  first.roles =
      std::vector<embark::RoleAssignment>{{"00000000-0000-0000-0000-000000000001", {"d1"}}};
  first.attributes = embark::AttributeMap{{"plan", "pro"}};
  REQUIRE(store.create_users(first, emu::ExistingUserMode::reapply, kNow).ok());
  const std::string id = store.find_by_email("default", "carol@example.com")->id;

  auto again = spec({"CAROL@example.com"});
  again.roles =
      std::vector<embark::RoleAssignment>{{"00000000-0000-0000-0000-000000000003", {"d2"}}};
  REQUIRE(store.create_users(again, emu::ExistingUserMode::reapply, kNow).ok());
  auto carol = store.find_by_id(id);
  REQUIRE(store.size() == 1);
  REQUIRE(carol->roles.size() == 1);
  CHECK(carol->roles[0].role_id == "00000000-0000-0000-0000-000000000003");
  CHECK(carol->database_attributes.at("plan") == "pro");  // omitted: unchanged

  auto batch = spec({"dave@example.com", "carol@example.com"});
  const auto status = store.create_users(batch, emu::ExistingUserMode::error, kNow);
  CHECK(status.code == "ERROR");
  CHECK(status.message == "User with email carol@example.com already exists");
  CHECK(store.find_by_email("default", "dave@example.com") == nullptr);  // nothing half-done
}

TEST_CASE("setUserAttributes replaces DATABASE attributes and answers NOT_FOUND for unknown ids") {
  emu::UserStore store({"default"}, 1);
  auto s = spec({"erin@example.com"});
  s.attributes = embark::AttributeMap{{"a", "1"}, {"b", "2"}};
  s.jwt_attributes = embark::AttributeMap{{"dept", "sales"}};
  store.create_users(s, emu::ExistingUserMode::reapply, kNow);
  const auto before = store.find_by_email("default", "erin@example.com");

  CHECK(store.set_attributes(before->id, {{"c", "3"}}).ok());
  const auto after = store.find_by_id(before->id);
  CHECK(after->database_attributes == embark::AttributeMap{{"c", "3"}});
  CHECK(after->jwt_attributes == embark::AttributeMap{{"dept", "sales"}});
  CHECK(before->database_attributes.size() == 2);  // readers keep their snapshot

  const auto missing = store.set_attributes("user_nope", {});
  CHECK(missing.code == "NOT_FOUND");
  CHECK(missing.message == "User not found");
}

TEST_CASE("deleteUsersFromWorkspace is all or nothing") {
  emu::UserStore store({"default"}, 1);
  store.create_users(spec({"f@example.com", "g@example.com"}), emu::ExistingUserMode::reapply,
                     kNow);
  const auto users = store.list("default");

  CHECK(store.delete_users("default", {users[0]->id, "user_unknown"}).code == "NOT_FOUND");
  CHECK(store.size() == 2);
  CHECK(store.delete_users("default", {users[0]->id}).ok());
  CHECK(store.size() == 1);
  CHECK(store.find_by_email("default", "f@example.com") == nullptr);
  // A deleted email can be created again, as a new user.
  store.create_users(spec({"f@example.com"}), emu::ExistingUserMode::error, kNow);
  CHECK(store.find_by_email("default", "f@example.com")->id != users[0]->id);
}

TEST_CASE("ids are deterministic for a seed and touch records the last session") {
  emu::UserStore a({"default"}, 42);
  emu::UserStore b({"default"}, 42);
  emu::UserStore c({"default"}, 43);
  for (auto* s : {&a, &b, &c})
    s->create_users(spec({"h@example.com"}), emu::ExistingUserMode::reapply, kNow);
  CHECK(a.list("default")[0]->id == b.list("default")[0]->id);
  CHECK(a.list("default")[0]->id != c.list("default")[0]->id);

  const auto user = a.list("default")[0];
  CHECK(user->last_active_ms.load() == -1);
  emu::UserStore::touch(*user, kNow);
  CHECK(user->last_active_ms.load() == 1'800'000'000'000LL);
}
