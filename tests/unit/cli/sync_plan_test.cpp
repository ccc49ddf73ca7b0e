#include "sync_plan.hpp"

#include <doctest/doctest.h>

using namespace embark;
using namespace embark::cli;

namespace {

const RoleAssignment kViewer{"00000000-0000-0000-0000-000000000003", {"d1"}};
const RoleAssignment kAdmin{"00000000-0000-0000-0000-000000000001", {"d1"}};

SyncRow row(std::size_t line, std::string email, std::vector<RoleAssignment> roles,
            std::optional<AttributeMap> attributes) {
  SyncRow r;
  r.line = line;
  r.email = std::move(email);
  r.roles_given = !roles.empty();
  r.roles = std::move(roles);
  r.attributes = std::move(attributes);
  return r;
}

}  // namespace

TEST_CASE("plan: missing users are created, grouped by identical roles and attributes") {
  std::vector<SyncRow> rows{row(2, "a@x.io", {kViewer}, AttributeMap{{"t", "1"}}),
                            row(3, "b@x.io", {kViewer}, AttributeMap{{"t", "2"}}),
                            row(4, "c@x.io", {kViewer}, AttributeMap{{"t", "1"}}),
                            row(5, "d@x.io", {kAdmin}, AttributeMap{{"t", "1"}}),
                            row(6, "e@x.io", {}, std::nullopt)};
  SyncPlan plan = plan_sync({}, rows);
  REQUIRE(plan.creates.size() == 4);
  CHECK(plan.creates[0].emails == std::vector<std::string>{"a@x.io", "c@x.io"});
  CHECK(plan.creates[0].lines == std::vector<std::size_t>{2, 4});
  CHECK(plan.creates[0].attributes == AttributeMap{{"t", "1"}});
  CHECK(plan.creates[1].emails == std::vector<std::string>{"b@x.io"});
  CHECK(plan.creates[2].roles == std::vector<RoleAssignment>{kAdmin});
  CHECK_FALSE(plan.creates[3].roles_given);
  CHECK_FALSE(plan.creates[3].attributes.has_value());
  CHECK(plan.create_count() == 5);
  CHECK(plan.update_count() == 0);
  CHECK(plan.call_count() == 4);
}

TEST_CASE("plan: batches are split at the batch size") {
  std::vector<SyncRow> rows;
  for (std::size_t i = 0; i < 7; ++i)
    rows.push_back(row(i + 2, "u" + std::to_string(i) + "@x.io", {kViewer}, std::nullopt));
  SyncPlan plan = plan_sync({}, rows, {.max_batch_size = 3});
  REQUIRE(plan.creates.size() == 3);
  CHECK(plan.creates[0].emails.size() == 3);
  CHECK(plan.creates[2].emails == std::vector<std::string>{"u6@x.io"});
}

TEST_CASE(
    "plan: existing users get attribute updates only when they differ; roles are left alone") {
  std::vector<UserRecord> directory{{"id-a", "A@X.io", {{"t", "1"}}, {kViewer}},
                                    {"id-b", "b@x.io", {{"t", "1"}}, {kViewer}},
                                    {"id-c", "c@x.io", {{"t", "1"}}, {kViewer}}};
  std::vector<SyncRow> rows{
      row(2, "a@x.io", {kAdmin}, AttributeMap{{"t", "1"}}),  // same attrs, other role
      row(3, "b@x.io", {kViewer}, AttributeMap{{"t", "2"}}), row(4, "c@x.io", {}, std::nullopt)};
  SyncPlan plan = plan_sync(directory, rows);
  CHECK(plan.creates.empty());
  CHECK(plan.role_updates.empty());
  REQUIRE(plan.attribute_updates.size() == 1);
  CHECK(plan.attribute_updates[0].user_id == "id-b");
  CHECK(plan.attribute_updates[0].attributes == AttributeMap{{"t", "2"}});
  REQUIRE(plan.unchanged.size() == 2);
  CHECK(plan.unchanged[0].line == 2);
  CHECK(plan.unchanged[1].line == 4);
}

TEST_CASE("plan: --enforce-roles re-applies differing roles, ignoring scope and role order") {
  RoleAssignment viewer_two_scopes{kViewer.role_id, {"d2", "d1"}};
  std::vector<UserRecord> directory{
      {"id-a", "a@x.io", {}, {kViewer}},
      {"id-b", "b@x.io", {}, {kAdmin, {kViewer.role_id, {"d1", "d2"}}}}};
  std::vector<SyncRow> rows{
      row(2, "a@x.io", {kAdmin}, std::nullopt),
      row(3, "b@x.io", {viewer_two_scopes, kAdmin}, AttributeMap{{"t", "9"}})};
  SyncPlan plan = plan_sync(directory, rows, {.enforce_roles = true});
  REQUIRE(plan.role_updates.size() == 1);
  CHECK(plan.role_updates[0].emails == std::vector<std::string>{"a@x.io"});
  CHECK_FALSE(plan.role_updates[0].attributes.has_value());
  REQUIRE(plan.attribute_updates.size() == 1);
  CHECK(plan.attribute_updates[0].email == "b@x.io");
  CHECK(plan.update_count() == 2);
}

TEST_CASE("plan: planning again against the result of a partial run plans only what is left") {
  std::vector<SyncRow> rows{row(2, "a@x.io", {kViewer}, AttributeMap{{"t", "1"}}),
                            row(3, "b@x.io", {kViewer}, AttributeMap{{"t", "1"}})};
  std::vector<UserRecord> after_first_batch{{"id-a", "a@x.io", {{"t", "1"}}, {kViewer}}};
  SyncPlan plan = plan_sync(after_first_batch, rows);
  REQUIRE(plan.creates.size() == 1);
  CHECK(plan.creates[0].emails == std::vector<std::string>{"b@x.io"});
  CHECK(plan.unchanged.size() == 1);
}
