// Lexer, executable-document parser and SDL parser of the emulator's GraphQL engine.
#include <doctest/doctest.h>

#include "graphql/builtin_schema.hpp"
#include "graphql/parser.hpp"
#include "graphql/printer.hpp"
#include "graphql/schema.hpp"

namespace gql = embark::emulator::graphql;

namespace {

std::shared_ptr<gql::Document> parse_ok(std::string_view text) {
  gql::GraphqlError error;
  auto doc = gql::parse_document(text, error);
  INFO(error.message);
  REQUIRE(doc);
  return doc;
}

gql::GraphqlError parse_error(std::string_view text) {
  gql::GraphqlError error;
  auto doc = gql::parse_document(text, error);
  REQUIRE_FALSE(doc);
  REQUIRE(error.locations.size() == 1);
  return error;
}

const gql::Value& first_arg(const gql::Document& doc) {
  return doc.operations.at(0).selections.at(0).arguments.at(0).value;
}

}  // namespace

TEST_CASE(
    "an operation with variables, defaults, aliases, arguments and nested selections parses") {
  auto doc = parse_ok(R"(
    mutation CreateUsers($input: CreateUsersInput!, $n: [Int!] = [1, 2], $flag: Boolean = true) {
      created: createUsers(input: $input) { status { code message } }
    })");
  REQUIRE(doc->operations.size() == 1);
  const auto& op = doc->operations[0];
  CHECK(op.operation == "mutation");
  CHECK(op.name == "CreateUsers");
  REQUIRE(op.variables.size() == 3);
  CHECK(op.variables[0].name == "input");
  CHECK(gql::to_string(op.variables[0].type) == "CreateUsersInput!");
  CHECK(gql::to_string(op.variables[1].type) == "[Int!]");
  REQUIRE(op.variables[1].default_value);
  CHECK(gql::print(*op.variables[1].default_value) == "[1, 2]");
  CHECK(op.variables[0].location.line == 2);
  CHECK(op.variables[0].location.column == 26);
  const auto& field = op.selections.at(0);
  CHECK(field.alias == "created");
  CHECK(field.name == "createUsers");
  CHECK(field.response_key() == "created");
  CHECK(field.arguments.at(0).value.kind == gql::Value::Kind::kVariable);
  CHECK(field.selections.at(0).selections.at(1).name == "message");
}

TEST_CASE("the anonymous shorthand, several operations and fragments parse in order") {
  auto doc = parse_ok(R"(
    { currentUser { ...UserParts ... on User @include(if: true) { email } ... @skip(if: false) { id } } }
    query Q { __typename }
    fragment UserParts on User { id name }
  )");
  REQUIRE(doc->operations.size() == 2);
  CHECK(doc->operations[0].operation == "query");
  CHECK(doc->operations[0].name.empty());
  const auto& sels = doc->operations[0].selections[0].selections;
  REQUIRE(sels.size() == 3);
  CHECK(sels[0].kind == gql::Selection::Kind::kFragmentSpread);
  CHECK(sels[0].name == "UserParts");
  CHECK(sels[1].kind == gql::Selection::Kind::kInlineFragment);
  CHECK(sels[1].type_condition == "User");
  CHECK(sels[1].directives.at(0).name == "include");
  CHECK(sels[2].type_condition.empty());
  REQUIRE(doc->fragments.size() == 1);
  CHECK(doc->fragments[0].type_condition == "User");
  CHECK(doc->find_fragment("UserParts") == &doc->fragments[0]);
  CHECK(doc->find_fragment("Nope") == nullptr);
}

TEST_CASE("every literal kind parses") {
  auto doc = parse_ok(
      R"({ f(a: [-12, 0, 1.5e3, -0.25, "s", true, false, null, ENUM_V, {k: "v", n: [1]}, []]) })");
  const auto& list = first_arg(*doc).list;
  REQUIRE(list.size() == 11);
  using K = gql::Value::Kind;
  CHECK(list[0].kind == K::kInt);
  CHECK(list[0].text == "-12");
  CHECK(list[1].kind == K::kInt);
  CHECK(list[2].kind == K::kFloat);
  CHECK(list[3].kind == K::kFloat);
  CHECK(list[4].kind == K::kString);
  CHECK(list[5].kind == K::kBoolean);
  CHECK(list[5].boolean);
  CHECK_FALSE(list[6].boolean);
  CHECK(list[7].kind == K::kNull);
  CHECK(list[8].kind == K::kEnum);
  CHECK(list[8].text == "ENUM_V");
  CHECK(list[9].kind == K::kObject);
  CHECK(gql::print(list[9]) == R"({k: "v", n: [1]})");
  CHECK(list[10].list.empty());
}

TEST_CASE("string escapes are decoded") {
  auto doc = parse_ok(R"({ f(a: "q\" b\\ s\/ \b\f\n\r\t \u00e9 \u{1F600} \uD83D\uDE00") })");
  CHECK(first_arg(*doc).text == "q\" b\\ s/ \b\f\n\r\t \xC3\xA9 \xF0\x9F\x98\x80 \xF0\x9F\x98\x80");
}

TEST_CASE("block strings drop common indentation and blank edge lines") {
  auto doc =
      parse_ok("{ f(a: \"\"\"\n    Hello,\n      World!\n\n    Yours, \\\"\"\" \n  \"\"\") }");
  CHECK(first_arg(*doc).text == "Hello,\n  World!\n\nYours, \"\"\" ");
}

TEST_CASE("comments, commas and a byte-order mark are ignored") {
  auto doc = parse_ok("\xEF\xBB\xBF# leading comment\n{ a, b,,, # trailing\n c }");
  CHECK(doc->operations[0].selections.size() == 3);
  CHECK(doc->operations[0].selections[2].location.line == 3);
}

TEST_CASE("syntax errors carry graphql-js wording and the position") {
  auto e = parse_error("{ }");
  CHECK(e.message == "Syntax Error: Expected Name, found \"}\".");
  CHECK(e.locations[0].line == 1);
  CHECK(e.locations[0].column == 3);

  e = parse_error("query Q {\n  a(x: \"open\n}");
  CHECK(e.message == "Syntax Error: Unterminated string.");
  CHECK(e.locations[0].line == 2);

  e = parse_error("");
  CHECK(e.message == "Syntax Error: Unexpected <EOF>.");

  e = parse_error("query ($x: Int = $y) { a }");
  CHECK(e.message == "Syntax Error: Unexpected variable \"$y\" in constant value.");

  e = parse_error("{ a(x: 01) }");
  CHECK(e.message == "Syntax Error: Invalid number, unexpected digit after 0: \"1\".");

  e = parse_error("{ a(x: 1.) }");
  CHECK(e.message == "Syntax Error: Invalid number, expected digit but got: \")\".");

  e = parse_error("fragment on on User { a }");
  CHECK(e.message == "Syntax Error: Unexpected Name \"on\".");

  e = parse_error("query Q() { a }");
  CHECK(e.message == "Syntax Error: Expected \"$\", found \")\".");

  e = parse_error("{ a(x: 'single') }");
  CHECK(e.message.find("single quote") != std::string::npos);

  e = parse_error("{ a(x: \"\\q\") }");
  CHECK(e.message == "Syntax Error: Invalid character escape sequence: \"\\q\".");

  e = parse_error("{ a }\n\n  ?");
  CHECK(e.message == "Syntax Error: Unexpected character: \"?\".");
  CHECK(e.locations[0].line == 3);
  CHECK(e.locations[0].column == 3);

  e = parse_error("\"described\" query { a }");
  CHECK(e.message.find("descriptions are supported only on type definitions") != std::string::npos);

  e = parse_error("{ a } extra");
  CHECK(e.message == "Syntax Error: Unexpected Name \"extra\".");
}

TEST_CASE("absurd nesting is refused instead of exhausting the stack") {
  std::string deep = "{ a(x: " + std::string(5000, '[') + std::string(5000, ']') + ") }";
  auto e = parse_error(deep);
  CHECK(e.message.find("nested too deeply") != std::string::npos);
}

TEST_CASE("type-system definitions in a query document are kept aside for validation") {
  auto doc = parse_ok("type Extra { a: Int } { __typename }");
  REQUIRE(doc->type_system_definitions.size() == 1);
  CHECK(doc->type_system_definitions[0].first == "Extra");
}

TEST_CASE("the built-in schema parses into the vendor's types") {
  std::string error;
  auto schema = gql::parse_schema(gql::builtin_schema_sdl(), error);
  INFO(error);
  REQUIRE(schema);
  const auto* query = schema->root_type("query");
  REQUIRE(query);
  CHECK(query->name == "Query");
  const auto* list_users = query->find_field("listUsers");
  REQUIRE(list_users);
  CHECK(gql::to_string(list_users->type) == "[User!]!");
  CHECK(gql::to_string(list_users->find_argument("workspaceId")->type) == "ID");
  const auto* input = schema->find_type("CreateUsersInput");
  REQUIRE(input);
  CHECK(input->kind == gql::NamedType::Kind::kInputObject);
  CHECK(gql::to_string(input->find_input_field("emails")->type) == "[String!]!");
  CHECK(input->find_input_field("workspaceID"));
  CHECK_FALSE(input->find_input_field("workspaceId"));
  const auto* status = schema->find_type("StatusCode");
  REQUIRE(status);
  CHECK(status->has_enum_value("NOT_FOUND"));
  CHECK(schema->root_type("mutation")
            ->find_field("addScopeRoleAssignmentsForSharing")
            ->arguments.size() == 4);
  CHECK(schema->root_type("subscription") == nullptr);
  CHECK(schema->find_directive("skip"));
}

TEST_CASE("SDL: descriptions, defaults, schema blocks, extensions and custom directives") {
  std::string error;
  auto schema = gql::parse_schema(R"(
    """Root"""
    schema { query: Root }
    "The root type"
    type Root {
      "a field" items(first: Int = 10, order: Order = ASC): [Item]
    }
    type Item { id: ID! }
    extend type Item { label: String @deprecated(reason: "no") }
    enum Order { ASC DESC }
    directive @tag(name: String!) repeatable on FIELD | FRAGMENT_SPREAD
  )",
                                  error);
  INFO(error);
  REQUIRE(schema);
  CHECK(schema->root_type("query")->name == "Root");
  const auto* items = schema->root_type("query")->find_field("items");
  REQUIRE(items);
  REQUIRE(items->find_argument("first")->default_value);
  CHECK(gql::print(*items->find_argument("order")->default_value) == "ASC");
  CHECK(schema->find_type("Item")->find_field("label"));
  CHECK(schema->find_directive("tag")->repeatable);
}

TEST_CASE("SDL errors are reported") {
  std::string error;
  CHECK_FALSE(gql::parse_schema("type Query { a: Missing }", error));
  CHECK(error.find("Unknown type \"Missing\"") != std::string::npos);
  CHECK_FALSE(gql::parse_schema("type Query { a: Int } type Query { b: Int }", error));
  CHECK(error.find("only one type named \"Query\"") != std::string::npos);
  CHECK_FALSE(gql::parse_schema("type Query { a(x: Query): Int }", error));
  CHECK(error.find("must be Input Type") != std::string::npos);
  CHECK_FALSE(gql::parse_schema("type Query { a: Int", error));
  CHECK(error.find("Syntax Error: Expected Name, found <EOF>.") != std::string::npos);
  CHECK_FALSE(gql::parse_schema("type Other { a: Int }", error));
  CHECK(error == "Query root type must be provided.");
  CHECK_FALSE(gql::parse_schema("interface Node { id: ID } type Query { a: Int }", error));
  CHECK(error.find("not supported") != std::string::npos);
}

TEST_CASE("columns stay right on long one-line documents and count code points") {
  // Long names keep the document under the parser's token limit (5,000) while its one line runs
  // past 50,000 columns.
  std::string doc = "{ ";
  for (int i = 0; i < 2000; ++i) doc += std::string(24, 'a') + " ";
  doc += "?";
  auto e = parse_error(doc);
  CHECK(e.locations[0].line == 1);
  CHECK(e.locations[0].column == 50003);
  e = parse_error("{ a(x: \"\xC3\xA9\") ?");
  CHECK(e.locations[0].column == 13);
  e = parse_error("{ a(x: \"\"\"\n  block\n  \"\"\") ?");
  CHECK(e.locations[0].line == 3);
  CHECK(e.locations[0].column == 8);
}
