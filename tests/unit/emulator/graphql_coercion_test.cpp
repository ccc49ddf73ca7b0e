// Scalar, enum, list and input-object coercion (inputs) and serialization (outputs) on a small
// schema that has the Int, Float, Boolean and custom scalars the WisdomAI schema lacks.
#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "graphql/engine.hpp"

namespace gql = embark::emulator::graphql;
namespace json = boost::json;

namespace {

constexpr const char* kSdl = R"(
  scalar JSON
  enum Color { RED GREEN }
  input Opts { n: Int = 7, tags: [String!], inner: Opts }
  type Out { i: Int f: Float b: Boolean s: String e: Color j: JSON req: Int! }
  type Query {
    echo(i: Int, f: Float, b: Boolean, s: String, id: ID, e: Color, l: [[Int]], o: Opts, j: JSON): Out
  }
)";

struct Fixture {
  gql::Engine engine{[] {
    std::string error;
    auto schema = gql::parse_schema(kSdl, error);
    INFO(error);
    REQUIRE(schema);
    return schema;
  }()};
  json::object last_arguments;
  json::value answer = json::object{{"req", 1}};

  Fixture() {
    engine.set_resolver("Query", "echo", [this](const gql::FieldCall& call) {
      last_arguments = call.arguments;
      return gql::FieldResult{answer, ""};
    });
  }

  // Runs the document; returns the body's text.
  std::string run(std::string_view query, const json::object& variables = {}) {
    auto p = engine.prepare(query, "");
    if (!p.operation) {
      INFO(json::serialize(gql::Engine::error_body(p.errors)));
      REQUIRE(p.operation);
    }
    return engine.execute_serialized(*p.operation, variables, this);
  }

  std::string variable_error(std::string_view declaration, const json::value& value) {
    std::string name(declaration.substr(1, declaration.find(':') - 1));
    std::string arg = name;
    auto body = json::parse(
        run("query (" + std::string(declaration) + ") { echo(" + arg + ": $" + name + ") { req } }",
            {{name, value}}));
    if (!body.as_object().contains("errors")) return "(no error)";
    return std::string(body.at("errors").at(0).at("message").as_string());
  }

  std::string coerced(std::string_view declaration, const json::value& value) {
    std::string name(declaration.substr(1, declaration.find(':') - 1));
    last_arguments.clear();
    run("query (" + std::string(declaration) + ") { echo(" + name + ": $" + name + ") { req } }",
        {{name, value}});
    return json::serialize(last_arguments);
  }
};

}  // namespace

TEST_CASE("Int, Float and Boolean variables follow the spec's input coercion") {
  Fixture f;
  CHECK(f.coerced("$i: Int", 3.0) == R"({"i":3})");
  CHECK(f.variable_error("$i: Int", 2147483648LL) ==
        "Variable \"$i\" got invalid value 2147483648; Int cannot represent non 32-bit signed "
        "integer value: 2147483648");
  CHECK(f.variable_error("$i: Int", 1.5) ==
        "Variable \"$i\" got invalid value 1.5; Int cannot represent non-integer value: 1.5");
  CHECK(f.variable_error("$i: Int", "1") ==
        "Variable \"$i\" got invalid value \"1\"; Int cannot represent non-integer value: \"1\"");
  CHECK(f.coerced("$f: Float", 2) == R"({"f":2E0})");
  CHECK(f.variable_error("$f: Float", "x") ==
        "Variable \"$f\" got invalid value \"x\"; Float cannot represent non numeric value: \"x\"");
  CHECK(f.coerced("$b: Boolean", false) == R"({"b":false})");
  CHECK(f.variable_error("$b: Boolean", 1) ==
        "Variable \"$b\" got invalid value 1; Boolean cannot represent a non boolean value: 1");
  CHECK(f.variable_error("$s: String", true) ==
        "Variable \"$s\" got invalid value true; String cannot represent a non string value: true");
  CHECK(f.variable_error("$id: ID", json::array{}) ==
        "Variable \"$id\" got invalid value []; ID cannot represent value: []");
}

TEST_CASE("enum, list and input-object variables") {
  Fixture f;
  CHECK(f.coerced("$e: Color", "GREEN") == R"({"e":"GREEN"})");
  CHECK(f.variable_error("$e: Color", "BLUE") ==
        "Variable \"$e\" got invalid value \"BLUE\"; Value \"BLUE\" does not exist in \"Color\" "
        "enum.");
  CHECK(
      f.variable_error("$e: Color", 1) ==
      "Variable \"$e\" got invalid value 1; Enum \"Color\" cannot represent non-string value: 1.");
  CHECK(f.coerced("$l: [[Int]]", 5) == R"({"l":[[5]]})");
  CHECK(f.coerced("$l: [[Int]]", json::array{1, json::array{2, nullptr}}) ==
        R"({"l":[[1],[2,null]]})");
  CHECK(f.coerced("$o: Opts", json::object{}) == R"({"o":{"n":7}})");
  CHECK(f.coerced("$o: Opts", json::object{{"inner", json::object{}}, {"tags", "t"}}) ==
        R"({"o":{"n":7,"tags":["t"],"inner":{"n":7}}})");
  CHECK(f.coerced("$o: Opts", json::object{{"n", nullptr}}) == R"({"o":{"n":null}})");
  CHECK(f.variable_error("$o: Opts", json::object{{"tags", json::array{"a", nullptr}}}) ==
        "Variable \"$o\" got invalid value null at \"o.tags[1]\"; Expected non-nullable type "
        "\"String!\" not to be null.");
}

TEST_CASE("literal arguments are coerced the same way, variables inside them included") {
  Fixture f;
  f.run(
      R"({ echo(i: -5, f: 1, b: true, s: "x", id: 12, e: RED, l: 1, o: {tags: "a", inner: {n: 2}}, j: {any: [1, "x", null]}) { req } })");
  CHECK(
      json::serialize(f.last_arguments) ==
      R"({"i":-5,"f":1E0,"b":true,"s":"x","id":"12","e":"RED","l":[[1]],"o":{"n":7,"tags":["a"],"inner":{"n":2}},"j":{"any":[1,"x",null]}})");
  f.run("query ($n: Int, $t: String!) { echo(l: [[$n], [$n, 3]], o: {n: $n, tags: [$t]}) { req } }",
        {{"t", "tag"}});
  CHECK(json::serialize(f.last_arguments) ==
        R"({"l":[[null],[null,3]],"o":{"n":7,"tags":["tag"]}})");
}

TEST_CASE("leaf results are serialized per their type; bad ones become null with an error") {
  Fixture f;
  f.answer = json::object{{"i", 2.0}, {"f", 3},     {"b", 0},
                          {"s", 12},  {"e", "RED"}, {"j", json::object{{"k", 1}}},
                          {"req", 1}};
  CHECK(f.run("{ echo { i f b s e j req } }") ==
        R"({"data":{"echo":{"i":2,"f":3,"b":false,"s":"12","e":"RED","j":{"k":1},"req":1}}})");
  f.answer = json::object{{"i", 1.5}, {"e", "BLUE"}, {"req", 1}};
  auto body = json::parse(f.run("{ echo { i e req } }"));
  CHECK(json::serialize(body.at("data")) == R"({"echo":{"i":null,"e":null,"req":1}})");
  CHECK(body.at("errors").at(0).at("message") == "Int cannot represent non-integer value: 1.5");
  CHECK(body.at("errors").at(1).at("message") == "Enum \"Color\" cannot represent value: \"BLUE\"");
  f.answer = json::object{{"i", 1}};
  body = json::parse(f.run("{ echo { i req } }"));
  CHECK(json::serialize(body.at("data")) == R"({"echo":null})");
  CHECK(json::serialize(body.at("errors").at(0).at("path")) == R"(["echo","req"])");
}
