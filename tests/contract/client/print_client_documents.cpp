// Prints, as one JSON array, every GraphQL request the client can send: the document and the
// variables the client really builds for it (secrets replaced by placeholders). The contract test
// validates each against the schema with graphql-js.
#include <cstdio>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "embark/secret.hpp"

#include "internal/graphql/operations.hpp"

int main() {
  using namespace embark;
  using namespace embark::internal;
  const Secret placeholder_key("ACCESS_KEY_PLACEHOLDER");

  CreateUsersRequest create;
  create.emails = {"alice@example.com", "bob@example.com"};
  create.workspace_id = "workspace_123";
  create.roles =
      std::vector<RoleAssignment>{{"00000000-0000-0000-0000-000000000003", {"domain_456"}}};
  create.attributes = AttributeMap{{"account_id", "acct_456"}, {"region", "us-west"}};
  create.group_ids = {"group_1"};
  CreateUsersRequest create_minimal;
  create_minimal.emails = {"carol@example.com"};

  const std::vector<GraphqlRequest> requests = {
      ListUsersOperation::build({}),
      ListUsersOperation::build({"workspace_123"}),
      CreateUsersOperation::build(create_minimal),
      CreateUsersOperation::build(create),
      SetUserAttributesOperation::build({"user_abc123", {{"account_id", "acct_456"}}}),
      SetUserAttributesOperation::build({"user_abc123", {}}),
      DeleteUsersOperation::build({{"user_abc123", "user_def456"}, "workspace_123"}),
      DeleteUsersOperation::build({{"user_abc123"}, ""}),
      ImpersonateOperation::build({"alice@example.com", {}, false}, placeholder_key),
      ImpersonateOperation::build({"alice@example.com", {{"tenant", "t1"}}, false},
                                  placeholder_key),
      ImpersonateOperation::build({"alice@example.com", {}, true}, placeholder_key),
      ExchangeOperation::build(placeholder_key),
  };

  boost::json::array out;
  for (const auto& r : requests) {
    out.push_back(boost::json::object{
        {"operationName", r.operation_name}, {"query", r.document}, {"variables", r.variables}});
  }
  // Every document constant must be covered by at least one request above.
  for (auto document : all_documents()) {
    bool covered = false;
    for (const auto& r : requests) covered = covered || r.document == document;
    if (!covered) {
      std::fprintf(stderr, "document not exercised: %.*s\n", static_cast<int>(document.size()),
                   document.data());
      return 1;
    }
  }
  std::puts(boost::json::serialize(out).c_str());
  return 0;
}
