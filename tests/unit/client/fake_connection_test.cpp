// Shows how an application unit-tests its login handler with embark::testing::FakeConnection.
#include "embark/testing/fake_connection.hpp"

#include <memory>

#include <doctest/doctest.h>

#include "embark/client.hpp"

namespace {

// The application's code under test: ensure the user exists, then impersonate them.
embark::Result<std::string> login_handler(const embark::WisdomClient& client,
                                          const std::string& email) {
  auto users = client.list_users();
  if (!users) return users.error();
  bool exists = false;
  for (const auto& u : *users) exists = exists || u.email == email;
  if (!exists) {
    embark::CreateUsersRequest create;
    create.emails = {email};
    if (auto created = client.create_users(create); !created) return created.error();
  }
  auto token = client.impersonate_user({email, {}, false});
  if (!token) return token.error();
  return "https://acme.wisdom.ai/embed/dashboards/d1?token=" + std::string(token->jwt.reveal());
}

embark::SessionToken token(std::string jwt) {
  return {embark::Secret(std::move(jwt)), std::chrono::system_clock::now() + std::chrono::hours(1)};
}

}  // namespace

TEST_CASE("a login handler tested without a server") {
  auto fake = std::make_shared<embark::testing::FakeConnection>();
  embark::WisdomClient client(fake);

  SUBCASE("new user: list, create, impersonate") {
    fake->push_list_users(std::vector<embark::UserRecord>{{"u1", "bob@x.com", {}, {}}});
    fake->push_create_users({});
    fake->push_impersonate_user(token("jwt-for-alice"));
    auto url = login_handler(client, "alice@x.com");
    REQUIRE(url.has_value());
    CHECK(url->ends_with("token=jwt-for-alice"));
    auto calls = fake->calls();
    REQUIRE(calls.create_users.size() == 1);
    CHECK(calls.create_users[0].emails == std::vector<std::string>{"alice@x.com"});
    REQUIRE(calls.impersonate_user.size() == 1);
    CHECK(calls.impersonate_user[0].email == "alice@x.com");
  }
  SUBCASE("returning user: no createUsers") {
    fake->push_list_users(std::vector<embark::UserRecord>{{"u1", "alice@x.com", {}, {}}});
    fake->push_impersonate_user(token("jwt"));
    REQUIRE(login_handler(client, "alice@x.com").has_value());
    CHECK(fake->calls().create_users.empty());
    CHECK(fake->calls().total() == 2);
  }
  SUBCASE("vendor failure reaches the handler's caller") {
    fake->push_list_users(embark::Error(embark::ErrorCode::rate_limited, "slow down"));
    auto url = login_handler(client, "alice@x.com");
    REQUIRE_FALSE(url.has_value());
    CHECK(url.error().code() == embark::ErrorCode::rate_limited);
  }
  SUBCASE("an unscripted call says which operation") {
    auto r = client.exchange_access_token();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == embark::ErrorCode::unimplemented);
    CHECK(r.error().operation() == "exchangeAccessToken");
  }
}
