// SessionStore over an in-memory SQLite database with an injected clock.
#include "session_store.hpp"

#include <doctest/doctest.h>

#include "password.hpp"
#include "user_store.hpp"

using namespace embark::sample;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  Database db{":memory:"};
  UserStore users{db};
  std::chrono::system_clock::time_point now = std::chrono::system_clock::time_point{} + 1'000'000h;
  SessionStore sessions{db, 8h, [this] { return now; }};
  std::int64_t alice = 0;

  Fixture() {
    auto t = users.add_tenant("acme", "Acme", {{"tenant_id", "acme"}});
    alice = users.add_user(t, "alice@acme.test", "Alice", "x", {});
  }
};

}  // namespace

TEST_CASE("a created session is found by its cookie id") {
  Fixture f;
  std::string id = f.sessions.create(f.alice);
  CHECK(id.size() == 64);
  auto s = f.sessions.find(id);
  REQUIRE(s);
  CHECK(s->user_id == f.alice);
  CHECK(s->csrf_token.size() == 64);
  CHECK(s->expires_at - s->created_at == 8h);
  CHECK_FALSE(f.sessions.find(std::string(64, '0')));
  CHECK_FALSE(f.sessions.find("short"));
}

TEST_CASE("sessions have distinct ids and CSRF tokens") {
  Fixture f;
  std::string a = f.sessions.create(f.alice), b = f.sessions.create(f.alice);
  CHECK(a != b);
  CHECK(f.sessions.find(a)->csrf_token != f.sessions.find(b)->csrf_token);
}

TEST_CASE("the database stores a hash of the session id, not the id") {
  Fixture f;
  std::string id = f.sessions.create(f.alice);
  auto stmt = f.db.prepare("SELECT id_hash FROM sessions");
  REQUIRE(stmt.step());
  CHECK(stmt.text(0) != id);
  CHECK(stmt.text(0).size() == 64);
}

TEST_CASE("a session expires after its lifetime") {
  Fixture f;
  std::string id = f.sessions.create(f.alice);
  f.now += 8h - 1s;
  CHECK(f.sessions.find(id));
  f.now += 1s;
  CHECK_FALSE(f.sessions.find(id));
  // Expired sessions are deleted when found.
  f.now -= 1h;
  CHECK_FALSE(f.sessions.find(id));
}

TEST_CASE("logout removes the session") {
  Fixture f;
  std::string id = f.sessions.create(f.alice);
  std::string other = f.sessions.create(f.alice);
  CHECK(f.sessions.remove(id));
  CHECK_FALSE(f.sessions.find(id));
  CHECK_FALSE(f.sessions.remove(id));
  CHECK(f.sessions.find(other));
}

TEST_CASE("purge_expired deletes only expired sessions") {
  Fixture f;
  std::string old_id = f.sessions.create(f.alice);
  f.now += 4h;
  std::string new_id = f.sessions.create(f.alice);
  f.now += 5h;
  CHECK(f.sessions.purge_expired() == 1);
  CHECK(f.sessions.find(new_id));
}

TEST_CASE("a user-level attribute never overrides the tenant's tenant_id") {
  Database db{":memory:"};
  UserStore users{db};
  auto acme = users.add_tenant("acme", "Acme Corp", {{"tenant_id", "acme"}, {"region", "us-west"}});
  users.add_user(acme, "mallory@acme.test", "Mallory", "h",
                 {{"tenant_id", "globex"}, {"region", "eu-north"}});
  auto mallory = users.find_by_email("mallory@acme.test");
  REQUIRE(mallory);
  CHECK(mallory->user.attributes.at("tenant_id") == "acme");
  CHECK(mallory->user.attributes.at("region") == "eu-north");  // other keys still refine
}

TEST_CASE("users carry their tenant's attributes, overridden by their own") {
  Database db{":memory:"};
  UserStore users{db};
  CHECK(users.empty());
  auto acme = users.add_tenant("acme", "Acme Corp", {{"tenant_id", "acme"}, {"region", "us-west"}});
  auto globex =
      users.add_tenant("globex", "Globex", {{"tenant_id", "globex"}, {"region", "eu-central"}});
  users.add_user(acme, "Alice@Acme.test", "Alice", hash_password("pw", kPbkdf2MinIterations),
                 {{"region", "us-east"}});
  users.add_user(globex, "carol@globex.test", "Carol", "h", {{"department", "ops"}});
  CHECK_FALSE(users.empty());

  auto alice = users.find_by_email("alice@acme.TEST");
  REQUIRE(alice);
  CHECK(alice->user.email == "Alice@Acme.test");
  CHECK(alice->user.tenant_slug == "acme");
  CHECK(alice->user.attributes ==
        embark::AttributeMap{{"tenant_id", "acme"}, {"region", "us-east"}});
  CHECK(verify_password("pw", alice->password_hash));

  auto carol = users.find_by_id(users.find_by_email("carol@globex.test")->user.id);
  REQUIRE(carol);
  CHECK(carol->tenant_name == "Globex");
  CHECK(carol->attributes == embark::AttributeMap{{"department", "ops"},
                                                  {"region", "eu-central"},
                                                  {"tenant_id", "globex"}});

  CHECK_FALSE(users.find_by_email("nobody@acme.test"));
  CHECK_THROWS(users.add_user(acme, "ALICE@acme.test", "dup", "h", {}));
  // The failed insert left nothing half-written.
  CHECK(users.find_by_email("alice@acme.test")->user.display_name == "Alice");
}
