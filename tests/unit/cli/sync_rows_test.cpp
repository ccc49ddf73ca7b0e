#include "sync_rows.hpp"

#include <algorithm>

#include <doctest/doctest.h>

using namespace embark;
using namespace embark::cli;

namespace {

RowChecks strict_checks() {
  RowChecks checks;
  checks.email = [](std::string_view email) -> Result<void> {
    if (std::count(email.begin(), email.end(), '@') != 1) {
      return Error(ErrorCode::invalid_input, "not an email address").with_field("email");
    }
    return {};
  };
  checks.role = [](std::string_view role) -> Result<std::string> {
    if (role == "viewer") return std::string("00000000-0000-0000-0000-000000000003");
    if (role.size() == 36) return std::string(role);
    return Error(ErrorCode::invalid_input, "unknown role '" + std::string(role) + "'")
        .with_field("role");
  };
  checks.default_scopes = {"dom_default"};
  return checks;
}

}  // namespace

TEST_CASE("sync rows: columns in any order, roles with and without scopes, attributes") {
  auto input = read_sync_rows(
      "Attributes,EMAIL,roles\n"
      "tenant_id=t1; region = eu,alice@example.com,viewer\n"
      "\"note=a=b\",bob@example.com,\"viewer:d1|d2;00000000-0000-0000-0000-000000000001\"\n"
      ",carol@example.com,\n",
      strict_checks());
  REQUIRE(input.has_value());
  CHECK(input->problems.empty());
  REQUIRE(input->rows.size() == 3);
  const SyncRow& alice = input->rows[0];
  CHECK(alice.line == 2);
  CHECK(alice.email == "alice@example.com");
  REQUIRE(alice.attributes);
  CHECK(*alice.attributes == AttributeMap{{"region", "eu"}, {"tenant_id", "t1"}});
  REQUIRE(alice.roles.size() == 1);
  CHECK(alice.roles[0].role_id == "00000000-0000-0000-0000-000000000003");
  CHECK(alice.roles[0].scopes == std::vector<std::string>{"dom_default"});
  const SyncRow& bob = input->rows[1];
  CHECK(bob.attributes->at("note") == "a=b");
  REQUIRE(bob.roles.size() == 2);
  CHECK(bob.roles[0].scopes == std::vector<std::string>{"d1", "d2"});
  CHECK(bob.roles[1].role_id == "00000000-0000-0000-0000-000000000001");
  const SyncRow& carol = input->rows[2];
  CHECK_FALSE(carol.roles_given);
  CHECK_FALSE(carol.attributes.has_value());
}

TEST_CASE("sync rows: every bad row is reported with its line and field, good rows go on") {
  auto input = read_sync_rows(
      "email,roles,attributes\n"
      "good1@example.com,viewer,a=1\n"
      "not-an-email,viewer,a=1\n"
      "x@example.com,superuser,a=1\n"
      "y@example.com,viewer,novalue\n"
      "z@example.com,viewer\n"
      "GOOD1@example.com,,\n"
      "q\"uote@example.com,,\n"
      "good2@example.com,,k=v;k=w\n"
      "good3@example.com,,\n",
      strict_checks());
  REQUIRE(input.has_value());
  REQUIRE(input->rows.size() == 2);
  CHECK(input->rows[0].email == "good1@example.com");
  CHECK(input->rows[1].email == "good3@example.com");
  REQUIRE(input->problems.size() == 7);
  struct Want {
    std::size_t line;
    const char* field;
    const char* text;
  };
  const Want want[] = {{3, "email", "not an email"},
                       {4, "roles", "unknown role 'superuser'"},
                       {5, "attributes", "not key=value"},
                       {6, "row", "expected 3 fields, found 2"},
                       {7, "email", "already appears on line 2"},
                       {8, "row", "double quote"},
                       {9, "attributes.k", "given twice"}};
  for (std::size_t i = 0; i < 7; ++i) {
    CAPTURE(i);
    CHECK(input->problems[i].line == want[i].line);
    CHECK(input->problems[i].field == want[i].field);
    CHECK(input->problems[i].message.find(want[i].text) != std::string::npos);
  }
}

TEST_CASE("sync rows: an unusable header fails the whole file") {
  CHECK(read_sync_rows("", {}).error().field() == "header");
  auto unknown = read_sync_rows("email,role\n", {});
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().message().find("unknown column 'role'") != std::string::npos);
  CHECK(read_sync_rows("roles,attributes\n", {}).error().message().find("no 'email' column") !=
        std::string::npos);
  CHECK(read_sync_rows("email,email\n", {}).error().message().find("appears twice") !=
        std::string::npos);
  CHECK(read_sync_rows("\"email\n", {}).error().field() == "header");
}

TEST_CASE("sync rows: role cells") {
  CHECK(parse_role_list("viewer:", {}).error().field() == "roles");
  CHECK(parse_role_list(":d1", {}).error().field() == "roles");
  auto roles = parse_role_list(" viewer ; ; explorer:a| b ", {"s"});
  REQUIRE(roles.has_value());
  REQUIRE(roles->size() == 2);
  CHECK((*roles)[0].scopes == std::vector<std::string>{"s"});
  CHECK((*roles)[1].scopes == std::vector<std::string>{"a", "b"});
}
