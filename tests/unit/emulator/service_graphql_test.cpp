// The documented operations through Service::handle (docs/vendor-api.md#operations,
// #request-shapes).
#include <doctest/doctest.h>

#include "auth/base64url.hpp"
#include "service_test_support.hpp"

using namespace embark::emulator;
using namespace embark::emulator::test;

namespace {

json::object claims_of(std::string_view token) {
  const auto a = token.find('.');
  const auto b = token.find('.', a + 1);
  return json::parse(*base64url_decode(token.substr(a + 1, b - a - 1))).as_object();
}

json::object attr(std::string_view k, std::string_view v) { return {{"key", k}, {"value", v}}; }

std::string user_id(Service& s, std::string_view email) {
  return s.store().find_by_email("default", email)->id;
}

}  // namespace

TEST_CASE("cheat-sheet: createUsers, setUserAttributes, listUsers answer as documented") {
  auto s = make_service();
  auto status =
      create_users(*s, {"alice@yourcompany.com"},
                   {{"workspaceID", nullptr},
                    {"roleAssignments",
                     json::array{json::object{{"roleId", kViewer}, {"scopes", {"domain_456"}}}}}});
  CHECK(status.at("code").as_string() == "OK");
  CHECK(status.at("message").as_string() == "Operation completed successfully");

  const std::string id = user_id(*s, "alice@yourcompany.com");
  auto set =
      call(*s, kSetAttributes,
           {{"input", json::object{{"userId", id},
                                   {"userAttributes", json::array{attr("account_id", "acct_456"),
                                                                  attr("region", "us-west")}}}}},
           bearer_of(*s));
  CHECK(
      json::serialize(set) ==
      R"({"data":{"setUserAttributes":{"status":{"code":"OK","message":"Operation completed successfully"}}}})");

  auto list = call(*s, kList, {}, bearer_of(*s));
  const auto& users = list.at("data").at("listUsers").as_array();
  REQUIRE(users.size() == 1);
  const auto& u = users[0].as_object();
  CHECK(u.size() == 4);  // exactly the selected fields, in request order
  CHECK(u.begin()->key() == "id");
  CHECK(u.at("email").as_string() == "alice@yourcompany.com");
  CHECK(
      json::serialize(u.at("userAttributes")) ==
      R"([{"key":"account_id","value":"acct_456","source":"DATABASE"},{"key":"region","value":"us-west","source":"DATABASE"}])");
  CHECK(json::serialize(u.at("roleAssignments")) ==
        R"([{"roleId":"00000000-0000-0000-0000-000000000003","scopes":["domain_456"]}])");
}

TEST_CASE(
    "cheat-sheet: impersonateUser (mutation and old query) and exchangeAccessToken return JWTs") {
  auto s = make_service();
  create_users(*s, {"bob@example.com"}, {{"userAttributes", json::array{attr("region", "eu")}}});
  for (auto doc : {kImpersonate, kImpersonateQuery}) {
    auto body = call(*s, doc, {{"accessToken", key_of(*s)}, {"userEmail", "BOB@example.com"}});
    REQUIRE(body.as_object().contains("data"));
    CHECK_FALSE(body.as_object().contains("errors"));
    const std::string token(body.at("data").at("impersonateUser").as_string());
    auto verified = s->keys().verify(token, s->operations().now_seconds());
    REQUIRE(verified.has_value());
    const auto claims = claims_of(token);
    CHECK(claims.at("sub").as_string() == user_id(*s, "bob@example.com"));
    CHECK(claims.at("impersonated_user_id").as_string() == user_id(*s, "bob@example.com"));
    CHECK(claims.at("email").as_string() == "bob@example.com");
    CHECK(claims.at("workspace_id").as_string() == "default");
    CHECK(claims.at("exp").as_int64() - claims.at("iat").as_int64() == 3600);
    CHECK(claims.at("attributes").at("region").as_string() == "eu");
  }
  CHECK(s->store().find_by_email("default", "bob@example.com")->last_active_ms.load() > 0);

  auto exchanged = call(*s, kExchange, {{"accessToken", key_of(*s)}});
  const std::string api_jwt(exchanged.at("data").at("exchangeAccessToken").as_string());
  // The exchanged token is a bearer with iam:write.
  auto list = call(*s, kList, {}, api_jwt);
  CHECK(list.at("data").at("listUsers").as_array().size() == 1);
}

TEST_CASE("session attributes win for that token only and never override impersonated_user_id") {
  auto s = make_service();
  create_users(*s, {"carol@example.com"},
               {{"userAttributes", json::array{attr("region", "eu"), attr("plan", "pro")}}});
  auto body = call(*s, kImpersonateWithAttributes,
                   {{"accessToken", key_of(*s)},
                    {"userEmail", "carol@example.com"},
                    {"attributes", json::array{attr("region", "us"),
                                               attr("impersonated_user_id", "user_evil")}}});
  const auto claims = claims_of(body.at("data").at("impersonateUser").as_string());
  CHECK(claims.at("impersonated_user_id").as_string() == user_id(*s, "carol@example.com"));
  CHECK(claims.at("attributes").at("region").as_string() == "us");
  CHECK(claims.at("attributes").at("plan").as_string() == "pro");
  CHECK_FALSE(claims.at("attributes").as_object().contains("impersonated_user_id"));
  // Not persisted.
  CHECK(
      s->store().find_by_email("default", "carol@example.com")->database_attributes.at("region") ==
      "eu");
}

TEST_CASE("impersonateUser failures: bad key is Unauthorized, unknown email is User not found") {
  auto s = make_service();
  auto bad_key = call(*s, kImpersonate, {{"accessToken", "wrong"}, {"userEmail", "x@example.com"}});
  CHECK(
      json::serialize(bad_key) ==
      R"({"errors":[{"message":"Unauthorized","locations":[{"line":1,"column":1}]}],"data":null})");
  auto unknown =
      call(*s, kImpersonate, {{"accessToken", key_of(*s)}, {"userEmail", "nobody@example.com"}});
  CHECK(unknown.at("data").is_null());
  CHECK(unknown.at("errors").at(0).at("message").as_string() == "User not found");

  Options o;
  o.auth_errors = AuthErrorMode::http401;
  auto strict = make_service(o);
  call(*strict, kImpersonate, {{"accessToken", "wrong"}, {"userEmail", "x@example.com"}}, {},
       http::status::unauthorized);
}

TEST_CASE("management operations need a bearer with iam:write") {
  auto s = make_service();
  const std::string unauthorized =
      R"({"errors":[{"message":"Unauthorized","locations":[{"line":1,"column":1}]}],"data":null})";
  CHECK(json::serialize(call(*s, kList)) == unauthorized);
  CHECK(json::serialize(call(*s, kList, {}, "garbage")) == unauthorized);
  CHECK(s->store().size() == 0);

  create_users(*s, {"dave@example.com"});
  const std::string session = std::string(
      call(*s, kImpersonate, {{"accessToken", key_of(*s)}, {"userEmail", "dave@example.com"}})
          .at("data")
          .at("impersonateUser")
          .as_string());
  auto forbidden = call(*s, kList, {}, session);
  CHECK(forbidden.at("errors").at(0).at("message").as_string() == "Forbidden");
  CHECK(forbidden.at("data").is_null());
  // ...but an impersonation token identifies its user.
  auto me = call(*s, "{ currentUser { email id } }", {}, session);
  CHECK(me.at("data").at("currentUser").at("email").as_string() == "dave@example.com");

  Options o;
  o.auth_errors = AuthErrorMode::http401;
  auto strict = make_service(o);
  call(*strict, kList, {}, {}, http::status::unauthorized);
}

TEST_CASE("createUsers validates the whole batch first") {
  auto s = make_service();
  auto bad_email = create_users(*s, {"ok@example.com", "not-an-email"});
  CHECK(bad_email.at("code").as_string() == "ERROR");
  CHECK(std::string(bad_email.at("message").as_string()).find("input.emails[1]") !=
        std::string::npos);
  auto dup = create_users(*s, {"ok@example.com", "OK@example.com"});
  CHECK(dup.at("code").as_string() == "ERROR");
  auto role =
      create_users(*s, {"ok@example.com"},
                   {{"roleAssignments",
                     json::array{json::object{{"roleId", "00000000-0000-0000-0000-000000000099"},
                                              {"scopes", json::array{}}}}}});
  CHECK(role.at("code").as_string() == "ERROR");
  CHECK(std::string(role.at("message").as_string()).find("roleId") != std::string::npos);
  auto ws = create_users(*s, {"ok@example.com"}, {{"workspaceID", "nope"}});
  CHECK(ws.at("code").as_string() == "ERROR");
  CHECK(s->store().size() == 0);
  // A single string where a list is expected is coerced to a one-item list.
  auto single =
      call(*s, kCreate, {{"input", json::object{{"emails", "solo@example.com"}}}}, bearer_of(*s));
  CHECK(single.at("data").at("createUsers").at("status").at("code").as_string() == "OK");
  CHECK(s->store().size() == 1);
}

TEST_CASE(
    "createUsers on an existing email: reapply by default, ERROR with --existing-user=error") {
  auto s = make_service();
  create_users(*s, {"erin@example.com"},
               {{"roleAssignments",
                 json::array{json::object{{"roleId", "00000000-0000-0000-0000-000000000001"},
                                          {"scopes", {"d"}}}}}});
  auto again = create_users(
      *s, {"Erin@example.com"},
      {{"roleAssignments", json::array{json::object{{"roleId", kViewer}, {"scopes", {"d"}}}}}});
  CHECK(again.at("code").as_string() == "OK");
  CHECK(s->store().size() == 1);
  CHECK(s->store().find_by_email("default", "erin@example.com")->roles.at(0).role_id == kViewer);

  Options o;
  o.existing_user = ExistingUserMode::error;
  auto strict = make_service(o);
  create_users(*strict, {"erin@example.com"});
  auto refused = create_users(*strict, {"erin@example.com"});
  CHECK(refused.at("code").as_string() == "ERROR");
  CHECK(refused.at("message").as_string() == "User with email erin@example.com already exists");
}

TEST_CASE("setUserAttributes and deleteUsersFromWorkspace answer NOT_FOUND for unknown ids") {
  auto s = make_service();
  create_users(*s, {"f@example.com", "g@example.com"});
  auto set =
      call(*s, kSetAttributes,
           {{"input", json::object{{"userId", "user_nope"}, {"userAttributes", json::array{}}}}},
           bearer_of(*s));
  CHECK(json::serialize(set.at("data").at("setUserAttributes").at("status")) ==
        R"({"code":"NOT_FOUND","message":"User not found"})");

  const std::string f = user_id(*s, "f@example.com");
  auto del = call(*s, kDelete, {{"input", json::object{{"ids", json::array{f, "user_nope"}}}}},
                  bearer_of(*s));
  CHECK(del.at("data").at("deleteUsersFromWorkspace").at("status").at("code").as_string() ==
        "NOT_FOUND");
  CHECK(s->store().size() == 2);
  del = call(*s, kDelete, {{"input", json::object{{"ids", json::array{f}}}}}, bearer_of(*s));
  CHECK(del.at("data").at("deleteUsersFromWorkspace").at("status").at("code").as_string() == "OK");
  CHECK(s->store().size() == 1);
}

TEST_CASE("GraphQL errors: bare { status } and unknown fields are validation errors") {
  auto s = make_service();
  auto bare =
      call(*s, "mutation($input: CreateUsersInput!) { createUsers(input: $input) { status } }",
           {{"input", json::object{{"emails", json::array{"a@example.com"}}}}}, bearer_of(*s));
  REQUIRE(bare.as_object().contains("errors"));
  CHECK(bare.at("errors").at(0).as_object().contains("locations"));
  CHECK(s->store().size() == 0);
  auto unknown = call(*s, "{ listUsers { id nickname } }", {}, bearer_of(*s));
  CHECK(unknown.as_object().contains("errors"));
}

TEST_CASE("seeded users are realistic and deterministic for a seed") {
  Options o;
  o.seed_users = 50;
  o.seed = 9;
  auto a = make_service(o);
  auto b = make_service(o);
  const auto ua = a->store().list("default");
  const auto ub = b->store().list("default");
  REQUIRE(ua.size() == 50);
  for (std::size_t i = 0; i < ua.size(); ++i) {
    CHECK(ua[i]->email == ub[i]->email);
    CHECK(ua[i]->id == ub[i]->id);
    CHECK(ua[i]->email.find('@') != std::string::npos);
    CHECK(ua[i]->database_attributes.count("account_id") == 1);
    CHECK(ua[i]->roles.size() == 1);
  }
  auto listed = call(*a, kList, {}, bearer_of(*a));
  CHECK(listed.at("data").at("listUsers").as_array().size() == 50);
}

TEST_CASE("cheat-sheet: addScopeRoleAssignmentsForSharing returns ResponseStatus directly") {
  auto s = make_service();
  create_users(*s, {"share@example.com"});
  const std::string id = user_id(*s, "share@example.com");
  constexpr std::string_view kShare =
      "mutation Share($scopeId: ID!, $a: [ScopeRoleAssignmentInput!]!) { "
      "addScopeRoleAssignmentsForSharing(scopeId: "
      "$scopeId, scopeRoleAssignments: $a, scopeType: DASHBOARD) { code message } }";
  auto ok = call(*s, kShare,
                 {{"scopeId", "dash_1"},
                  {"a", json::array{json::object{{"roleId", "00000000-0000-0000-0000-000000000008"},
                                                 {"principalId", id}}}}},
                 bearer_of(*s));
  CHECK(
      json::serialize(ok) ==
      R"({"data":{"addScopeRoleAssignmentsForSharing":{"code":"OK","message":"Role added successfully"}}})");
  auto missing =
      call(*s, kShare,
           {{"scopeId", "dash_1"},
            {"a", json::array{json::object{{"roleId", "00000000-0000-0000-0000-000000000008"},
                                           {"principalId", "user_nope"}}}}},
           bearer_of(*s));
  CHECK(missing.at("data").at("addScopeRoleAssignmentsForSharing").at("code").as_string() ==
        "NOT_FOUND");
}
