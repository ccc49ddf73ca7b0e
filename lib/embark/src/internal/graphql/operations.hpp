// The vendor operations embark sends: each query document is a constant next to the code that
// builds its variables and reads its answer (shapes in docs/vendor-api.md#request-shapes). Each
// also states the facts the client's layers act on: kIdempotency (retry decorator, transport
// resend) and kNeedsBearer (auth decorator: management calls carry a bearer token).
#pragma once

#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "embark/model.hpp"
#include "embark/result.hpp"
#include "embark/retry.hpp"
#include "embark/secret.hpp"

#include "internal/graphql/graphql_request.hpp"

namespace embark::internal {

/// listUsers (note the argument is `workspaceId`, lower-case d). Answer parsed by ListUsersParser.
struct ListUsersOperation {
  static constexpr std::string_view kName = "listUsers";
  static constexpr Idempotency kIdempotency = Idempotency::idempotent;
  static constexpr bool kNeedsBearer = true;
  static constexpr std::string_view kOperationName = "ListUsers";
  static constexpr std::string_view kDocument =
      "query ListUsers($workspaceId: ID) { listUsers(workspaceId: $workspaceId) "
      "{ id email userAttributes { key value source } roleAssignments { roleId scopes } } }";
  static GraphqlRequest build(const ListUsersRequest& request);
};

/// createUsers (the input's field is `workspaceID`, capital ID). Answer: `status{code message}`.
struct CreateUsersOperation {
  static constexpr std::string_view kName = "createUsers";
  // Repeating it re-applies the same roles (or answers "already exists", which callers accept).
  static constexpr Idempotency kIdempotency = Idempotency::idempotent;
  static constexpr bool kNeedsBearer = true;
  static constexpr std::string_view kOperationName = "CreateUsers";
  static constexpr std::string_view kDocument =
      "mutation CreateUsers($input: CreateUsersInput!) { createUsers(input: $input) { status { "
      "code message } } }";
  static GraphqlRequest build(const CreateUsersRequest& request);
};

/// setUserAttributes (full replacement of DATABASE attributes). Answer: `status{code message}`.
struct SetUserAttributesOperation {
  static constexpr std::string_view kName = "setUserAttributes";
  static constexpr Idempotency kIdempotency = Idempotency::idempotent;
  static constexpr bool kNeedsBearer = true;
  static constexpr std::string_view kOperationName = "SetUserAttributes";
  static constexpr std::string_view kDocument =
      "mutation SetUserAttributes($input: SetUserAttributesInput!) "
      "{ setUserAttributes(input: $input) { status { code message } } }";
  static GraphqlRequest build(const SetUserAttributesRequest& request);
};

/// deleteUsersFromWorkspace (input shape inferred, docs/vendor-api.md#gap-3). Answer: `status{code
/// message}`.
struct DeleteUsersOperation {
  static constexpr std::string_view kName = "deleteUsersFromWorkspace";
  // Repeating it after it took effect answers NOT_FOUND.
  static constexpr Idempotency kIdempotency = Idempotency::non_idempotent;
  static constexpr bool kNeedsBearer = true;
  static constexpr std::string_view kOperationName = "DeleteUsersFromWorkspace";
  static constexpr std::string_view kDocument =
      "mutation DeleteUsersFromWorkspace($input: DeleteUsersFromWorkspaceInput!) "
      "{ deleteUsersFromWorkspace(input: $input) { status { code message } } }";
  static GraphqlRequest build(const DeleteUsersRequest& request);
};

/// impersonateUser, current mutation form (with optional session attributes) and the old query
/// form.
struct ImpersonateOperation {
  static constexpr std::string_view kName = "impersonateUser";
  static constexpr Idempotency kIdempotency = Idempotency::idempotent;
  static constexpr bool kNeedsBearer = false;
  static constexpr std::string_view kOperationName = "ImpersonateUser";
  static constexpr std::string_view kMutationDocument =
      "mutation ImpersonateUser($accessToken: String!, $userEmail: String!, $attributes: "
      "[UserAttributeInput!]) "
      "{ impersonateUser(accessToken: $accessToken, userEmail: $userEmail, attributes: "
      "$attributes) }";
  static constexpr std::string_view kQueryDocument =
      "query ImpersonateUser($accessToken: String!, $userEmail: String!) "
      "{ impersonateUser(accessToken: $accessToken, userEmail: $userEmail) }";
  /// The query form is used when `request.use_query_form`; it cannot carry session attributes.
  static GraphqlRequest build(const ImpersonateRequest& request, const Secret& access_key);
};

/// exchangeAccessToken: the access key for a bearer JWT.
struct ExchangeOperation {
  static constexpr std::string_view kName = "exchangeAccessToken";
  static constexpr Idempotency kIdempotency = Idempotency::idempotent;
  static constexpr bool kNeedsBearer = false;
  static constexpr std::string_view kOperationName = "ExchangeAccessToken";
  static constexpr std::string_view kDocument =
      "query ExchangeAccessToken($accessToken: String!) { exchangeAccessToken(accessToken: "
      "$accessToken) }";
  static GraphqlRequest build(const Secret& access_key);
};

/// Every document above, for the contract test.
std::vector<std::string_view> all_documents();

/// The JWT in `data.<field>` of a mapped answer, with its decoded expiry.
Result<SessionToken> read_token(const boost::json::value& data, std::string_view field);

}  // namespace embark::internal
