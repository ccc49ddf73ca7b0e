// Validation, roles and tenant-safe emails.
#include "embark/validation.hpp"

#include <doctest/doctest.h>

#include "embark/roles.hpp"

#include "pipeline/result_printer.hpp"

using namespace embark;

TEST_CASE("email syntax and length") {
  for (const char* good :
       {"alice@example.com", "A.B+tag@sub.example.co", "x@a-b.io", "o'neil@example.org"}) {
    CHECK_MESSAGE(validate_email(good), good);
  }
  for (const char* bad :
       {"", "alice", "@example.com", "alice@", "a@@example.com", "a@b@example.com",
        ".a@example.com", "a..b@example.com", "a@example", "a@-example.com", "a@exa_mple.com",
        "a b@example.com", "a@example..com", "a\n@example.com"}) {
    auto r = validate_email(bad);
    CHECK_MESSAGE(!r, bad);
    if (!r) CHECK(r.error().field() == "email");
  }
  const std::string local(64, 'a');
  CHECK(validate_email(local + "@example.com"));
  CHECK_FALSE(validate_email(local + "a@example.com"));
  std::string long_domain;
  while (long_domain.size() < 250) long_domain += "abcdefghi.";
  CHECK_FALSE(validate_email("a@" + long_domain + "com"));
}

TEST_CASE("attribute keys and values") {
  ValidationPolicy policy;
  CHECK(validate_attributes({{"tenant_id", "acme"}, {"org.unit", "x"}, {"_x:y-z", ""}},
                            "attributes", policy));
  CHECK(validate_attributes({{"name", "Zoë 🙂"}}, "attributes", policy));
  auto key = validate_attributes({{"1bad", "x"}}, "attributes", policy);
  REQUIRE_FALSE(key);
  CHECK(key.error().field() == "attributes");
  auto control = validate_attributes({{"k", "a\tb"}}, "attributes", policy);
  REQUIRE_FALSE(control);
  CHECK(control.error().field() == "attributes.k");
  auto c1 = validate_attributes({{"k", "a\xc2\x85"}}, "session_attributes", policy);  // U+0085
  REQUIRE_FALSE(c1);
  CHECK(c1.error().field() == "session_attributes.k");
  CHECK_FALSE(validate_attributes({{"k", "\xff\xfe"}}, "attributes", policy));
  CHECK_FALSE(validate_attributes({{"k", std::string(1025, 'v')}}, "attributes", policy));
  CHECK_FALSE(validate_attributes({{std::string(65, 'k'), "v"}}, "attributes", policy));
  policy.max_attributes = 1;
  CHECK_FALSE(validate_attributes({{"a", "1"}, {"b", "2"}}, "attributes", policy));
}

TEST_CASE("roles: presets, UUIDs and nothing else") {
  CHECK(resolve_role_id("viewer").value() == "00000000-0000-0000-0000-000000000003");
  CHECK(resolve_role_id("Data-Admin").value() == "00000000-0000-0000-0000-000000000004");
  CHECK(resolve_role_id("basic_explorer").value() == "00000000-0000-0000-0000-000000000015");
  CHECK(resolve_role_id("admin").value() == "00000000-0000-0000-0000-000000000001");
  CHECK(resolve_role_id("observer").value() == "00000000-0000-0000-0000-000000000007");
  CHECK(resolve_role_id("3F2504E0-4F89-11D3-9A0C-0305E82C3301").value() ==
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
  auto bad = resolve_role_id("god", "roles[2].role_id");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().field() == "roles[2].role_id");
  CHECK_FALSE(is_uuid("3f2504e0-4f89-11d3-9a0c-0305e82c330"));
  CHECK_FALSE(is_uuid("3f2504e0x4f89-11d3-9a0c-0305e82c3301"));
  CHECK(role_preset_name("00000000-0000-0000-0000-000000000002") == "explorer");
  CHECK(role_presets().size() == 15);
}

TEST_CASE("normalize_request resolves roles and folds the display name") {
  OnboardRequest r;
  r.email = "a@example.com";
  r.roles = {{"explorer", {"d1"}}};
  r.display_name = "Ada";
  auto n = normalize_request(r);
  REQUIRE(n);
  CHECK(n->roles[0].role_id == "00000000-0000-0000-0000-000000000002");
  CHECK(n->attributes.at("display_name") == "Ada");
  r.attributes["display_name"] = "Someone else";
  auto conflict = normalize_request(r);
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().field() == "display_name");
  r.attributes.clear();
  r.roles[0].scopes = {"bad\x01scope"};
  auto scope = normalize_request(r);
  REQUIRE_FALSE(scope);
  CHECK(scope.error().field() == "roles[0].scopes[0]");
  r.roles[0].scopes = {"d1"};
  r.workspace = "has space";
  CHECK(normalize_request(r).error().field() == "workspace");
  r.workspace = "ws_1";
  r.attributes[std::string(kImpersonatedUserIdKey)] = "x";
  CHECK(normalize_request(r).error().field() == "attributes.impersonated_user_id");
}

TEST_CASE("tenant_email plus-addresses and validates both parts") {
  CHECK(tenant_email("alice@example.com", "tenant123").value() == "alice+tenant123@example.com");
  // Tenants differing only in case are one tag (the vendor folds the email's case).
  CHECK(tenant_email("alice@example.com", "Acme").value() == "alice+acme@example.com");
  CHECK(tenant_email("alice@example.com", "ACME").value() ==
        tenant_email("alice@example.com", "acme").value());
  // Idempotent for its own tag, whatever its case; another tenant's tag is refused.
  CHECK(tenant_email("alice+acme@example.com", "acme").value() == "alice+acme@example.com");
  CHECK(tenant_email("alice+ACME@example.com", "Acme").value() == "alice+acme@example.com");
  CHECK(tenant_email(tenant_email("bo@example.com", "t1").value(), "t1").value() ==
        "bo+t1@example.com");
  CHECK(tenant_email("alice+globex@example.com", "acme").error().field() == "email");
  CHECK(tenant_email("alice+@example.com", "acme").error().field() == "email");
  CHECK(tenant_email("a.b@example.com", "t-1_x").value() == "a.b+t-1_x@example.com");
  CHECK(tenant_email("alice", "t1").error().field() == "email");
  CHECK(tenant_email("alice@example.com", "").error().field() == "tenant");
  CHECK(tenant_email("alice@example.com", "a+b").error().field() == "tenant");
  CHECK(tenant_email("alice@example.com", "a@b").error().field() == "tenant");
  // The tag must still fit the 64-character local part.
  CHECK(tenant_email(std::string(60, 'a') + "@example.com", "tenant").error().field() == "email");
}
