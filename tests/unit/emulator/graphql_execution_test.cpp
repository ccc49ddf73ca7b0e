// Engine: prepare (with its cache), variable and argument coercion, and result completion.
#include <atomic>
#include <map>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "graphql/builtin_schema.hpp"
#include "graphql/document_cache.hpp"
#include "graphql/engine.hpp"

namespace gql = embark::emulator::graphql;
namespace json = boost::json;

namespace {

std::shared_ptr<const gql::Schema> builtin() {
  std::string error;
  auto schema = gql::parse_schema(gql::builtin_schema_sdl(), error);
  REQUIRE(schema);
  return schema;
}

json::object user(std::string id, std::string email) {
  return json::object{
      {"id", id},
      {"email", email},
      {"name", email},
      {"profilePicture", ""},
      {"creationTimestamp", "2026-01-01T00:00:00Z"},
      {"lastActiveSessionTimestamp", nullptr},
      {"roleAssignments",
       json::array{json::object{{"roleId", "r1"}, {"scopes", json::array{"*"}}}}},
      {"userAttributes",
       json::array{json::object{{"key", "region"}, {"value", "eu"}, {"source", "DATABASE"}}}},
      {"isScimManaged", false},
      {"status", "ACTIVE"}};
}

// An engine whose resolvers record their arguments and return what the test put in `answers`.
struct Fixture {
  gql::Engine engine{builtin()};
  std::vector<std::pair<std::string, json::object>> calls;
  std::map<std::string, gql::FieldResult> answers;

  Fixture() {
    for (auto [type, field] : std::vector<std::pair<const char*, const char*>>{
             {"Query", "listUsers"},
             {"Query", "currentUser"},
             {"Query", "exchangeAccessToken"},
             {"Query", "impersonateUser"},
             {"Mutation", "impersonateUser"},
             {"Mutation", "createUsers"},
             {"Mutation", "setUserAttributes"},
             {"Mutation", "deleteUsersFromWorkspace"},
             {"Mutation", "addScopeRoleAssignmentsForSharing"}}) {
      std::string key = std::string(type) + "." + field;
      engine.set_resolver(type, field, [this, key](const gql::FieldCall& call) {
        calls.emplace_back(key, call.arguments);
        CHECK(call.context == this);
        auto it = answers.find(key);
        return it == answers.end() ? gql::FieldResult{nullptr, ""} : it->second;
      });
    }
  }

  json::object run(std::string_view query, const json::object& variables = {},
                   std::string_view op = {}) {
    auto prepared = engine.prepare(query, op);
    if (!prepared.operation) {
      INFO(json::serialize(gql::Engine::error_body(prepared.errors)));
      REQUIRE(prepared.operation);
    }
    return engine.execute(*prepared.operation, variables, this);
  }
};

std::string str(const json::value& v) { return json::serialize(v); }

}  // namespace

TEST_CASE("prepare reports syntax and validation errors in the GraphQL error shape") {
  Fixture f;
  auto p = f.engine.prepare("{ currentUser { mail } }", "");
  REQUIRE_FALSE(p.operation);
  auto body = gql::Engine::error_body(p.errors);
  CHECK(
      str(body) ==
      R"({"errors":[{"message":"Cannot query field \"mail\" on type \"User\". Did you mean \"email\"?","locations":[{"line":1,"column":17}]}],"data":null})");
  p = f.engine.prepare("{", "");
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0].message == "Syntax Error: Expected Name, found <EOF>.");
}

TEST_CASE("prepare selects the operation by name and lists its root fields") {
  Fixture f;
  const char* doc =
      "query A { currentUser { id } } mutation B { x: createUsers(input: {emails: []}) { ...S } "
      "impersonateUser(accessToken: \"k\", userEmail: \"e\") } fragment S on CreateUsersResponse { "
      "status { code } }";
  auto p = f.engine.prepare(doc, "B");
  REQUIRE(p.operation);
  CHECK(p.operation->operation_type == "mutation");
  CHECK(p.operation->root_fields == std::vector<std::string>{"createUsers", "impersonateUser"});
  CHECK(f.engine.prepare(doc, "").errors.at(0).message ==
        "Must provide operation name if query contains multiple operations.");
  CHECK(f.engine.prepare(doc, "C").errors.at(0).message == "Unknown operation named \"C\".");
}

TEST_CASE("prepared documents are cached by text and operation name") {
  Fixture f;
  const char* doc =
      "mutation I($k: String!, $e: String!) { impersonateUser(accessToken: $k, userEmail: $e) }";
  auto a = f.engine.prepare(doc, "");
  auto b = f.engine.prepare(doc, "");
  auto c = f.engine.prepare(doc, "I");
  REQUIRE(a.operation);
  CHECK(a.operation == b.operation);
  CHECK(a.operation != c.operation);

  gql::DocumentCache cache(2);
  gql::Prepared p;
  cache.insert("q1", "", p);
  cache.insert("q2", "", p);
  CHECK(cache.find("q1", ""));  // q1 is now the most recently used
  cache.insert("q3", "", p);
  CHECK(cache.size() == 2);
  CHECK_FALSE(cache.find("q2", ""));
  CHECK(cache.find("q1", ""));
  CHECK_FALSE(cache.find("q", "1q"));
}

TEST_CASE(
    "variables: absent vs null, defaults, list wrapping, ID from int, input object defaults") {
  Fixture f;
  f.answers["Query.listUsers"] = {json::array{}, ""};
  const char* doc = "query L($w: ID) { listUsers(workspaceId: $w) { id } }";
  f.run(doc);
  f.run(doc, {{"w", nullptr}});
  f.run(doc, {{"w", 42}});
  f.run(doc, {{"w", "ws-1"}});
  f.run("query L($w: ID = \"dflt\") { listUsers(workspaceId: $w) { id } }");
  f.run("{ listUsers(workspaceId: 7) { id } }");
  REQUIRE(f.calls.size() == 6);
  CHECK(str(f.calls[0].second) == "{}");
  CHECK(str(f.calls[1].second) == R"({"workspaceId":null})");
  CHECK(str(f.calls[2].second) == R"({"workspaceId":"42"})");
  CHECK(str(f.calls[3].second) == R"({"workspaceId":"ws-1"})");
  CHECK(str(f.calls[4].second) == R"({"workspaceId":"dflt"})");
  CHECK(str(f.calls[5].second) == R"({"workspaceId":"7"})");

  f.calls.clear();
  f.answers["Mutation.createUsers"] = {
      json::object{{"status", json::object{{"code", "OK"}, {"message", "done"}}}}, ""};
  auto body = f.run(
      "mutation C($input: CreateUsersInput!) { createUsers(input: $input) { status { code message "
      "} } }",
      {{"input", json::object{{"emails", "one@x.io"},
                              {"roleAssignments", json::object{{"roleId", 5}, {"scopes", "*"}}}}}});
  CHECK(str(body) == R"({"data":{"createUsers":{"status":{"code":"OK","message":"done"}}}})");
  REQUIRE(f.calls.size() == 1);
  CHECK(str(f.calls[0].second) ==
        R"({"input":{"emails":["one@x.io"],"roleAssignments":[{"roleId":"5","scopes":["*"]}]}})");

  f.calls.clear();
  f.run(
      "mutation ($e: String!) { createUsers(input: {emails: [$e, \"b@x.io\"], sendWelcomeEmail: "
      "true}) { status { code } } }",
      {{"e", "a@x.io"}});
  CHECK(str(f.calls.at(0).second) ==
        R"({"input":{"emails":["a@x.io","b@x.io"],"sendWelcomeEmail":true}})");

  f.calls.clear();
  f.run(
      "mutation ($s: ScopeType!) { addScopeRoleAssignmentsForSharing(scopeId: 9, scopeType: $s, "
      "scopeRoleAssignments: {roleId: \"r\", principalId: \"p\"}) { code } }",
      {{"s", "DOMAIN"}});
  CHECK(
      str(f.calls.at(0).second) ==
      R"({"scopeId":"9","scopeRoleAssignments":[{"roleId":"r","principalId":"p"}],"scopeType":"DOMAIN"})");
}

TEST_CASE("invalid variables are answered with errors and no data") {
  Fixture f;
  const char* create =
      "mutation C($input: CreateUsersInput!) { createUsers(input: $input) { status { code } } }";
  auto messages = [&](const json::object& vars) {
    auto body = f.run(create, vars);
    CHECK_FALSE(body.contains("data"));
    std::vector<std::string> out;
    for (const auto& e : body.at("errors").as_array())
      out.emplace_back(e.at("message").as_string());
    return out;
  };
  CHECK(messages({}) ==
        std::vector<std::string>{
            "Variable \"$input\" of required type \"CreateUsersInput!\" was not provided."});
  CHECK(messages({{"input", nullptr}}) ==
        std::vector<std::string>{
            "Variable \"$input\" of non-null type \"CreateUsersInput!\" must not be null."});
  CHECK(messages({{"input", json::object{{"workspaceId", "w"}, {"emails", json::array{}}}}}) ==
        std::vector<std::string>{
            "Variable \"$input\" got invalid value { workspaceId: \"w\", emails: [] }; Field "
            "\"workspaceId\" is not "
            "defined by type \"CreateUsersInput\". Did you mean \"workspaceID\"?"});
  CHECK(messages({{"input", json::object{{"sendWelcomeEmail", true}}}}) ==
        std::vector<std::string>{
            "Variable \"$input\" got invalid value { sendWelcomeEmail: true }; Field \"emails\" of "
            "required type \"[String!]!\" was not provided."});
  CHECK(
      messages({{"input", json::object{{"emails", json::array{"a@x.io", 5}}}}}) ==
      std::vector<std::string>{
          "Variable \"$input\" got invalid value 5 at \"input.emails[1]\"; String cannot represent "
          "a non string value: 5"});
  CHECK(messages({{"input", "nope"}}) ==
        std::vector<std::string>{"Variable \"$input\" got invalid value \"nope\"; Expected type "
                                 "\"CreateUsersInput\" to be "
                                 "an object."});
  CHECK(messages({{"input", json::object{{"emails", json::array{nullptr}}}}}) ==
        std::vector<std::string>{
            "Variable \"$input\" got invalid value null at \"input.emails[0]\"; Expected "
            "non-nullable type \"String!\" not to be null."});
  auto body = f.run(
      "mutation ($s: ScopeType!) { addScopeRoleAssignmentsForSharing(scopeId: 1, scopeType: $s, "
      "scopeRoleAssignments: []) { code } }",
      {{"s", "dashboard"}});
  CHECK(
      str(body.at("errors").at(0).at("message")) ==
      R"("Variable \"$s\" got invalid value \"dashboard\"; Value \"dashboard\" does not exist in \"ScopeType\" enum. Did you mean the enum value \"DASHBOARD\"?")");
  body = f.run("query ($w: ID) { listUsers(workspaceId: $w) { id } }", {{"w", 1.5}});
  CHECK(str(body.at("errors").at(0).at("message")) ==
        R"("Variable \"$w\" got invalid value 1.5; ID cannot represent value: 1.5")");
  CHECK(f.calls.empty());
}

TEST_CASE(
    "results follow the selection set: aliases, request order, fragments, __typename, "
    "skip/include") {
  Fixture f;
  f.answers["Query.listUsers"] = {json::array{user("u1", "a@x.io"), user("u2", "b@x.io")}, ""};
  auto body = f.run(R"(
    query L($withRoles: Boolean!, $skipId: Boolean = false) {
      users: listUsers {
        __typename
        mail: email
        id @skip(if: $skipId)
        ...Parts
        ... on User { status }
        roleAssignments @include(if: $withRoles) { scopes roleId }
        userAttributes @include(if: false) { key }
      }
    }
    fragment Parts on User { email isScimManaged lastActiveSessionTimestamp })",
                    {{"withRoles", true}});
  CHECK(
      str(body) ==
      R"({"data":{"users":[)"
      R"({"__typename":"User","mail":"a@x.io","id":"u1","email":"a@x.io","isScimManaged":false,"lastActiveSessionTimestamp":null,"status":"ACTIVE","roleAssignments":[{"scopes":["*"],"roleId":"r1"}]},)"
      R"({"__typename":"User","mail":"b@x.io","id":"u2","email":"b@x.io","isScimManaged":false,"lastActiveSessionTimestamp":null,"status":"ACTIVE","roleAssignments":[{"scopes":["*"],"roleId":"r1"}]}]}})");
  body = f.run(
      "query L($withRoles: Boolean!, $skipId: Boolean = false) { listUsers { id @skip(if: $skipId) "
      "email @include(if: $withRoles) } }",
      {{"withRoles", false}, {"skipId", true}});
  CHECK(str(body) == R"({"data":{"listUsers":[{},{}]}})");
}

TEST_CASE("a failing non-null root field makes data null; errors carry locations and path") {
  Fixture f;
  f.answers["Mutation.impersonateUser"] = {nullptr, "User not found"};
  auto body = f.run("mutation {\n  impersonateUser(accessToken: \"k\", userEmail: \"e\")\n}");
  CHECK(
      str(body) ==
      R"({"errors":[{"message":"User not found","locations":[{"line":2,"column":3}],"path":["impersonateUser"]}],"data":null})");
}

TEST_CASE("non-null violations propagate to the nearest nullable parent") {
  Fixture f;
  json::object broken = user("u2", "b@x.io");
  broken["email"] = nullptr;
  f.answers["Query.listUsers"] = {json::array{user("u1", "a@x.io"), broken}, ""};
  auto body = f.run("{ listUsers { id email } }");
  CHECK(
      str(body) ==
      R"({"errors":[{"message":"Cannot return null for non-nullable field User.email.","locations":[{"line":1,"column":18}],"path":["listUsers",1,"email"]}],"data":null})");

  json::object bad_enum = user("u1", "a@x.io");
  bad_enum["userAttributes"] =
      json::array{json::object{{"key", "k"}, {"value", "v"}, {"source", "SESSION"}}};
  f.answers["Query.listUsers"] = {json::array{bad_enum}, ""};
  body = f.run("{ listUsers { userAttributes { source } } }");
  CHECK(str(body.at("errors").at(0).at("message")) ==
        R"("Enum \"UserAttributeSource\" cannot represent value: \"SESSION\"")");
  CHECK(str(body.at("errors").at(0).at("path")) ==
        R"(["listUsers",0,"userAttributes",0,"source"])");
  CHECK(body.at("data").is_null());

  // A nullable field absorbs the error and the rest of the object stays.
  json::object odd = user("u1", "a@x.io");
  odd["lastActiveSessionTimestamp"] = json::array{};
  f.answers["Query.currentUser"] = {odd, ""};
  body = f.run("{ currentUser { id lastActiveSessionTimestamp } }");
  CHECK(
      str(body) ==
      R"({"errors":[{"message":"String cannot represent value: []","locations":[{"line":1,"column":20}],"path":["currentUser","lastActiveSessionTimestamp"]}],"data":{"currentUser":{"id":"u1","lastActiveSessionTimestamp":null}}})");
}

TEST_CASE("mutation root fields run serially in request order, merged by response key") {
  Fixture f;
  f.answers["Mutation.createUsers"] = {
      json::object{{"status", json::object{{"code", "OK"}, {"message", "m"}}}}, ""};
  f.answers["Mutation.setUserAttributes"] = {
      json::object{{"status", json::object{{"code", "NOT_FOUND"}, {"message", "User not found"}}}},
      ""};
  auto body = f.run(R"(mutation {
    b: setUserAttributes(input: {userId: "x", userAttributes: []}) { status { code } }
    a: createUsers(input: {emails: ["a@x.io"]}) { status { code } }
    b: setUserAttributes(input: {userId: "x", userAttributes: []}) { status { message } }
  })");
  CHECK(
      str(body) ==
      R"({"data":{"b":{"status":{"code":"NOT_FOUND","message":"User not found"}},"a":{"status":{"code":"OK"}}}})");
  REQUIRE(f.calls.size() == 2);
  CHECK(f.calls[0].first == "Mutation.setUserAttributes");
  CHECK(f.calls[1].first == "Mutation.createUsers");
}

TEST_CASE("a missing resolver or a throwing one becomes a field error") {
  gql::Engine engine(builtin());
  engine.set_resolver(
      "Query", "exchangeAccessToken",
      [](const gql::FieldCall&) -> gql::FieldResult { throw std::runtime_error("boom"); });
  auto p = engine.prepare("{ exchangeAccessToken(accessToken: \"k\") }", "");
  auto body = engine.execute(*p.operation, {}, nullptr);
  CHECK(str(body.at("errors").at(0).at("message")) == R"("boom")");
  CHECK(body.at("data").is_null());
  p = engine.prepare("{ currentUser { id } }", "");
  body = engine.execute(*p.operation, {}, nullptr);
  CHECK(str(body.at("errors").at(0).at("message")) ==
        R"("No resolver is registered for Query.currentUser.")");
}

TEST_CASE("execute_serialized writes the body as JSON text, escaping strings and coercing IDs") {
  Fixture f;
  json::object u = user("ignored", "a\\b\n\x01\"@x.io");
  u["id"] = 42;
  u["name"] = "Zo\xC3\xAB";
  f.answers["Query.currentUser"] = {u, ""};
  auto p = f.engine.prepare("{ currentUser { id email name isScimManaged } }", "");
  REQUIRE(p.operation);
  std::string text = f.engine.execute_serialized(*p.operation, {}, &f);
  CHECK(text ==
        "{\"data\":{\"currentUser\":{\"id\":\"42\",\"email\":\"a\\\\b\\n\\u0001\\\"@x.io\","
        "\"name\":\"Zo\xC3\xAB\","
        "\"isScimManaged\":false}}}");
  CHECK(json::parse(text) == json::value(f.engine.execute(*p.operation, {}, &f)));
}

TEST_CASE("one engine serves many threads at once") {
  gql::Engine engine(builtin());
  engine.set_resolver("Mutation", "impersonateUser", [](const gql::FieldCall& call) {
    return gql::FieldResult{
        json::string("jwt-for-" + std::string(call.arguments.at("userEmail").as_string())), ""};
  });
  const char* doc =
      "mutation I($k: String!, $e: String!) { impersonateUser(accessToken: $k, userEmail: $e) }";
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        // A few distinct documents too, so the cache is written while others read it.
        auto p = engine.prepare(
            i % 50 == 0 ? std::string(doc) + " # " + std::to_string(t * 1000 + i) : doc, "");
        std::string email = std::to_string(t) + "-" + std::to_string(i) + "@x.io";
        auto body = engine.execute_serialized(*p.operation, {{"k", "key"}, {"e", email}}, nullptr);
        if (body != "{\"data\":{\"impersonateUser\":\"jwt-for-" + email + "\"}}") ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong.load() == 0);
}
