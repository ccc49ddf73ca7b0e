// Validation rules (GraphQL spec section 5) against the built-in WisdomAI schema.
#include <algorithm>

#include <doctest/doctest.h>

#include "graphql/builtin_schema.hpp"
#include "graphql/parser.hpp"
#include "graphql/schema.hpp"
#include "graphql/validator.hpp"

namespace gql = embark::emulator::graphql;

namespace {

const gql::Schema& schema() {
  static const auto s = [] {
    std::string error;
    auto parsed = gql::parse_schema(gql::builtin_schema_sdl(), error);
    REQUIRE(parsed);
    return parsed;
  }();
  return *s;
}

std::vector<std::string> messages(std::string_view text) {
  gql::GraphqlError syntax;
  auto doc = gql::parse_document(text, syntax);
  INFO(syntax.message);
  REQUIRE(doc);
  std::vector<std::string> out;
  for (const auto& e : gql::validate(schema(), *doc)) out.push_back(e.message);
  return out;
}

// The document produces exactly one error, with this message.
void expect_error(std::string_view text, const std::string& message) {
  auto errors = messages(text);
  INFO(text);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == message);
}

bool has_error(std::string_view text, const std::string& message) {
  auto errors = messages(text);
  return std::find(errors.begin(), errors.end(), message) != errors.end();
}

}  // namespace

TEST_CASE("the vendor's documented requests are valid") {
  for (const char* doc : {
           "mutation CreateUsers($input: CreateUsersInput!) { createUsers(input: $input) { status "
           "{ code message } } }",
           "mutation SetUserAttributes($input: SetUserAttributesInput!) { setUserAttributes(input: "
           "$input) { status { code message } } }",
           "query ListUsers($workspaceId: ID) { listUsers(workspaceId: $workspaceId) { id email "
           "userAttributes { key value source } roleAssignments { roleId scopes } } }",
           "mutation ImpersonateUser($accessToken: String!, $userEmail: String!) { "
           "impersonateUser(accessToken: $accessToken, userEmail: $userEmail) }",
           "query ImpersonateUser($accessToken: String!, $userEmail: String!) { "
           "impersonateUser(accessToken: $accessToken, userEmail: $userEmail) }",
           "query ExchangeAccessToken($accessToken: String!) { exchangeAccessToken(accessToken: "
           "$accessToken) }",
           "mutation { addScopeRoleAssignmentsForSharing(scopeId: \"d1\", scopeType: DASHBOARD, "
           "scopeRoleAssignments: [{roleId: \"r\", principalId: \"p\"}]) { code message } }",
       }) {
    INFO(doc);
    CHECK(messages(doc).empty());
  }
}

TEST_CASE("operation names are unique and an anonymous operation stands alone") {
  expect_error("query A { currentUser { id } } query A { currentUser { email } }",
               "There can be only one operation named \"A\".");
  expect_error("{ currentUser { id } } query B { currentUser { id } }",
               "This anonymous operation must be the only defined operation.");
}

TEST_CASE("fields must exist on their type, with suggestions") {
  expect_error("{ currentUser { mail } }",
               "Cannot query field \"mail\" on type \"User\". Did you mean \"email\"?");
  expect_error("{ users { id } }", "Cannot query field \"users\" on type \"Query\".");
  expect_error("{ listUser { id } }",
               "Cannot query field \"listUser\" on type \"Query\". Did you mean \"listUsers\"?");
  expect_error("{ currentUser { xyzzy } }", "Cannot query field \"xyzzy\" on type \"User\".");
  CHECK(messages("{ __typename currentUser { __typename id } }").empty());
}

TEST_CASE("leaf fields take no selection; object fields need one") {
  expect_error("mutation ($i: CreateUsersInput!) { createUsers(input: $i) { status } }",
               "Field \"status\" of type \"ResponseStatus!\" must have a selection of subfields. "
               "Did you mean \"status { ... }\"?");
  expect_error(
      "{ currentUser { email { length } } }",
      "Field \"email\" must not have a selection since type \"String!\" has no subfields.");
  expect_error("{ currentUser }",
               "Field \"currentUser\" of type \"User!\" must have a selection of subfields. Did "
               "you mean \"currentUser { ... }\"?");
}

TEST_CASE("arguments must be known, unique and present when required") {
  expect_error("{ listUsers(workspaceID: \"w\") { id } }",
               "Unknown argument \"workspaceID\" on field \"Query.listUsers\". Did you mean "
               "\"workspaceId\"?");
  expect_error("{ listUsers(workspaceId: \"a\", workspaceId: \"b\") { id } }",
               "There can be only one argument named \"workspaceId\".");
  expect_error("{ exchangeAccessToken }",
               "Field \"exchangeAccessToken\" argument \"accessToken\" of type \"String!\" is "
               "required, but it was not provided.");
  expect_error("mutation { createUsers { status { code } } }",
               "Field \"createUsers\" argument \"input\" of type \"CreateUsersInput!\" is "
               "required, but it was not provided.");
}

TEST_CASE("literal values must fit their types") {
  expect_error("{ exchangeAccessToken(accessToken: 5) }",
               "String cannot represent a non string value: 5");
  expect_error("{ exchangeAccessToken(accessToken: null) }",
               "Expected value of type \"String!\", found null.");
  expect_error("{ listUsers(workspaceId: 1.5) { id } }",
               "ID cannot represent a non-string and non-integer value: 1.5");
  CHECK(messages("{ listUsers(workspaceId: 7) { id } }").empty());
  expect_error(
      "mutation { removeScopeRoleAssignmentsForSharing(scopeId: \"s\", scopeType: dashboard, "
      "scopeRoleAssignments: []) { code } }",
      "Value \"dashboard\" does not exist in \"ScopeType\" enum. Did you mean the enum value "
      "\"DASHBOARD\"?");
  expect_error(
      "mutation { removeScopeRoleAssignmentsForSharing(scopeId: \"s\", scopeType: \"DASHBOARD\", "
      "scopeRoleAssignments: []) { code } }",
      "Enum \"ScopeType\" cannot represent non-enum value: \"DASHBOARD\". Did you mean the enum "
      "value \"DASHBOARD\"?");
  expect_error("mutation { createUsers(input: 5) { status { code } } }",
               "Expected value of type \"CreateUsersInput!\", found 5.");
}

TEST_CASE(
    "input objects: unknown fields, missing required fields, unique fields, single values for "
    "lists") {
  expect_error(
      "mutation { createUsers(input: {emails: [\"a@b.c\"], workspaceId: \"w\"}) { status { code } "
      "} }",
      "Field \"workspaceId\" is not defined by type \"CreateUsersInput\". Did you mean "
      "\"workspaceID\"?");
  expect_error(
      "mutation { createUsers(input: {workspaceID: \"w\"}) { status { code } } }",
      "Field \"CreateUsersInput.emails\" of required type \"[String!]!\" was not provided.");
  expect_error("mutation { createUsers(input: {emails: [], emails: []}) { status { code } } }",
               "There can be only one input field named \"emails\".");
  CHECK(messages("mutation { createUsers(input: {emails: \"one@b.c\"}) { status { code } } }")
            .empty());
  expect_error("mutation { createUsers(input: {emails: [\"a\", null]}) { status { code } } }",
               "Expected value of type \"String!\", found null.");
  expect_error(
      "mutation { setUserAttributes(input: {userId: 1, userAttributes: [{key: \"k\"}]}) { status { "
      "code } } }",
      "Field \"UserAttributeInput.value\" of required type \"String!\" was not provided.");
}

TEST_CASE("variables: defined, used, unique, input types, defaults of the right type") {
  expect_error("query { listUsers(workspaceId: $w) { id } }", "Variable \"$w\" is not defined.");
  expect_error("query L { listUsers(workspaceId: $w) { id } }",
               "Variable \"$w\" is not defined by operation \"L\".");
  expect_error("query L($w: ID, $unused: String) { listUsers(workspaceId: $w) { id } }",
               "Variable \"$unused\" is never used in operation \"L\".");
  expect_error("query ($w: ID, $w: ID) { listUsers(workspaceId: $w) { id } }",
               "There can be only one variable named \"$w\".");
  expect_error("query ($u: User) { listUsers(workspaceId: $u) { id } }",
               "Variable \"$u\" cannot be non-input type \"User\".");
  expect_error("query ($u: Strin) { exchangeAccessToken(accessToken: $u) }",
               "Unknown type \"Strin\". Did you mean \"String\"?");
  CHECK(has_error("query ($n: Int) { currentUser { id } }",
                  "Unknown type \"Int\". Did you mean \"ID\"?"));
  expect_error("query ($w: ID = 1.5) { listUsers(workspaceId: $w) { id } }",
               "ID cannot represent a non-string and non-integer value: 1.5");
}

TEST_CASE("variable usages must be allowed in their position") {
  expect_error("query ($t: String) { exchangeAccessToken(accessToken: $t) }",
               "Variable \"$t\" of type \"String\" used in position expecting type \"String!\".");
  CHECK(messages("query ($t: String = \"x\") { exchangeAccessToken(accessToken: $t) }").empty());
  expect_error("query ($w: String) { listUsers(workspaceId: $w) { id } }",
               "Variable \"$w\" of type \"String\" used in position expecting type \"ID\".");
  expect_error(
      "mutation ($e: [String]) { createUsers(input: {emails: $e}) { status { code } } }",
      "Variable \"$e\" of type \"[String]\" used in position expecting type \"[String!]!\".");
  CHECK(
      messages("mutation ($e: String!) { createUsers(input: {emails: [$e]}) { status { code } } }")
          .empty());
  CHECK(
      messages("mutation ($e: [String!]!) { createUsers(input: {emails: $e}) { status { code } } }")
          .empty());
  expect_error(
      "mutation ($e: String!) { createUsers(input: {emails: $e}) { status { code } } }",
      "Variable \"$e\" of type \"String!\" used in position expecting type \"[String!]!\".");
}

TEST_CASE("fragments: known, used, on composite types, possible, acyclic") {
  expect_error("{ currentUser { ...Nope } }", "Unknown fragment \"Nope\".");
  expect_error("{ currentUser { id } } fragment F on User { id }", "Fragment \"F\" is never used.");
  expect_error("{ currentUser { ...F } } fragment F on String { id }",
               "Fragment \"F\" cannot condition on non composite type \"String\".");
  expect_error("{ currentUser { ... on ResponseStatus { code } } }",
               "Fragment cannot be spread here as objects of type \"User\" can never be of type "
               "\"ResponseStatus\".");
  expect_error("{ currentUser { ...S } } fragment S on ResponseStatus { code }",
               "Fragment \"S\" cannot be spread here as objects of type \"User\" can never be of "
               "type \"ResponseStatus\".");
  expect_error("{ currentUser { ... on Usr { id } } }",
               "Unknown type \"Usr\". Did you mean \"User\"?");
  expect_error("{ currentUser { ...A } } fragment A on User { id ...A }",
               "Cannot spread fragment \"A\" within itself.");
  expect_error("{ currentUser { ...A } } fragment A on User { ...B } fragment B on User { ...A }",
               "Cannot spread fragment \"A\" within itself via \"B\".");
  expect_error("{ currentUser { ...A } } fragment A on User { id } fragment A on User { email }",
               "There can be only one fragment named \"A\".");
}

TEST_CASE("directives: known, allowed here, not repeated, with their arguments") {
  expect_error("{ currentUser @nope { id } }", "Unknown directive \"@nope\".");
  expect_error("query @skip(if: true) { currentUser { id } }",
               "Directive \"@skip\" may not be used on QUERY.");
  expect_error("{ currentUser @skip(if: true) @skip(if: false) { id } }",
               "The directive \"@skip\" can only be used once at this location.");
  expect_error("{ currentUser @include { id } }",
               "Directive \"@include\" argument \"if\" of type \"Boolean!\" is required, but it "
               "was not provided.");
  expect_error("{ currentUser @include(if: true, unless: false) { id } }",
               "Unknown argument \"unless\" on directive \"@include\".");
  expect_error("{ currentUser @include(if: \"yes\") { id } }",
               "Boolean cannot represent a non boolean value: \"yes\"");
  expect_error("query ($b: Boolean) { currentUser @include(if: $b) { id } }",
               "Variable \"$b\" of type \"Boolean\" used in position expecting type \"Boolean!\".");
}

TEST_CASE("fields with one response name must merge") {
  expect_error("{ currentUser { id: email id } }",
               "Fields \"id\" conflict because \"email\" and \"id\" are different fields. Use "
               "different aliases on the "
               "fields to fetch both if this was intentional.");
  expect_error("{ listUsers(workspaceId: \"a\") { id } listUsers(workspaceId: \"b\") { email } }",
               "Fields \"listUsers\" conflict because they have differing arguments. Use different "
               "aliases on the "
               "fields to fetch both if this was intentional.");
  CHECK(has_error(
      "{ currentUser { a: roleAssignments { x: roleId } a: roleAssignments { x: scopes } } }",
      "Fields \"a\" conflict because subfields \"x\" conflict because \"roleId\" and \"scopes\" "
      "are different "
      "fields. Use different aliases on the fields to fetch both if this was intentional."));
  CHECK(messages("{ currentUser { id id ...F } } fragment F on User { id email }").empty());
  CHECK(messages("{ a: listUsers { id } a: listUsers { email } }").empty());
}

TEST_CASE("type-system definitions are not executable") {
  expect_error("{ currentUser { id } } type Extra { a: Int }",
               "The \"Extra\" definition is not executable.");
}
