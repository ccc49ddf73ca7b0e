// The vendor operations embark sends: each query document is a constant next to the code that
// builds its variables and reads its answer (shapes in docs/vendor-api.md#request-shapes). Each
// also states the facts the client's layers act on: kIdempotency (retry decorator, transport
// resend) and kNeedsBearer (auth decorator: management calls carry a bearer token).
// kMaxAnswerBytes states the largest answer, and the typed halves of a call are Request, Answer,
// prepare() (input checks), encode() and decode() (or, for an answer parsed as it streams,
// kStreams and Parser). Override<Base> is the operation's WisdomConnection member in the real
// connection: LayeredConnection is the chain of every Override in AllOperations
// (internal/client/connection_factory.hpp), so a new operation here needs no line there. A
// descriptor without one of these pieces, or a WisdomConnection virtual without a descriptor in
// AllOperations, fails to compile (tests/unit/client/compile_checks.cmake).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "embark/connection.hpp"
#include "embark/error.hpp"
#include "embark/model.hpp"
#include "embark/result.hpp"
#include "embark/retry.hpp"
#include "embark/secret.hpp"

#include "internal/graphql/graphql_request.hpp"
#include "internal/graphql/list_users_parser.hpp"

namespace embark::internal {

/// Largest answer of an operation that returns a status or one token (a few KiB in practice);
/// anything larger is refused as Error{protocol} before it is buffered. Each operation states its
/// limit in kMaxAnswerBytes (0 = the transport's own limit).
inline constexpr std::size_t kSmallAnswerBytes = std::size_t{64} * 1024;

/// The JWT in `data.<field>` of a mapped answer, with its decoded expiry.
Result<SessionToken> read_token(const boost::json::value& data, std::string_view field);

/// A write's confirmation: `data.<field>.status.code` (or `data.<field>.code`) must be "OK".
/// A missing or null field, a missing status or code is a protocol error (non-OK codes were
/// already mapped to their errors): an answer that does not confirm a write is not a success.
Result<void> read_status(const boost::json::value& data, std::string_view field);

/// exchangeAccessToken takes nothing but the access key, which the GraphQL layer holds.
struct ExchangeRequest {};

/// listUsers (note the argument is `workspaceId`, lower-case d). Answer parsed by ListUsersParser.
struct ListUsersOperation {
  static constexpr std::string_view kName = "listUsers";
  static constexpr Idempotency kIdempotency = Idempotency::idempotent;
  static constexpr std::size_t kMaxAnswerBytes =
      0;  // the transport's limit: a workspace's users, streamed
  static constexpr bool kNeedsBearer = true;
  static constexpr std::string_view kOperationName = "ListUsers";
  static constexpr std::string_view kDocument =
      "query ListUsers($workspaceId: ID) { listUsers(workspaceId: $workspaceId) "
      "{ id email userAttributes { key value source } roleAssignments { roleId scopes } } }";
  static GraphqlRequest build(const ListUsersRequest& request);
  using Request = ListUsersRequest;
  using Answer = std::vector<UserRecord>;
  static constexpr bool kStreams = true;
  using Parser = ListUsersParser;
  static GraphqlRequest encode(const Request& request, const Secret&) { return build(request); }
  /// Checks the request and fills what it leaves to the connection (the default workspace);
  /// Error{invalid_input} naming the field.
  static std::optional<Error> prepare(Request& request, const std::string& default_workspace);
  /// This operation's WisdomConnection member in the real connection; Base provides send<>().
  template <class Base>
  struct Override : Base {
    using Base::Base;
    boost::asio::awaitable<Result<Answer>> list_users(Request request) override {
      return this->template send<ListUsersOperation>(std::move(request));
    }
  };
};

/// createUsers (the input's field is `workspaceID`, capital ID). Answer: `status{code message}`.
struct CreateUsersOperation {
  static constexpr std::string_view kName = "createUsers";
  // Never re-sent blindly: a repeat after a lost answer may send a second welcome email or
  // re-apply roles the app has since changed. Re-sent only when the vendor cannot have acted
  // (429, failed TLS handshake).
  static constexpr Idempotency kIdempotency = Idempotency::non_idempotent;
  static constexpr std::size_t kMaxAnswerBytes = kSmallAnswerBytes;
  static constexpr bool kNeedsBearer = true;
  static constexpr std::string_view kOperationName = "CreateUsers";
  static constexpr std::string_view kDocument =
      "mutation CreateUsers($input: CreateUsersInput!) { createUsers(input: $input) { status { "
      "code message } } }";
  static GraphqlRequest build(const CreateUsersRequest& request);
  using Request = CreateUsersRequest;
  using Answer = void;
  static constexpr bool kStreams = false;
  static GraphqlRequest encode(const Request& request, const Secret&) { return build(request); }
  /// The answer is only its status: OK confirms the write, anything else is an error.
  static Result<void> decode(const boost::json::value& data) { return read_status(data, kName); }
  /// Checks the request and fills what it leaves to the connection (the default workspace);
  /// Error{invalid_input} naming the field.
  static std::optional<Error> prepare(Request& request, const std::string& default_workspace);
  /// This operation's WisdomConnection member in the real connection; Base provides send<>().
  template <class Base>
  struct Override : Base {
    using Base::Base;
    boost::asio::awaitable<Result<Answer>> create_users(Request request) override {
      return this->template send<CreateUsersOperation>(std::move(request));
    }
  };
};

/// setUserAttributes (full replacement of DATABASE attributes). Answer: `status{code message}`.
struct SetUserAttributesOperation {
  static constexpr std::string_view kName = "setUserAttributes";
  static constexpr Idempotency kIdempotency = Idempotency::idempotent;
  static constexpr std::size_t kMaxAnswerBytes = kSmallAnswerBytes;
  static constexpr bool kNeedsBearer = true;
  static constexpr std::string_view kOperationName = "SetUserAttributes";
  static constexpr std::string_view kDocument =
      "mutation SetUserAttributes($input: SetUserAttributesInput!) "
      "{ setUserAttributes(input: $input) { status { code message } } }";
  static GraphqlRequest build(const SetUserAttributesRequest& request);
  using Request = SetUserAttributesRequest;
  using Answer = void;
  static constexpr bool kStreams = false;
  static GraphqlRequest encode(const Request& request, const Secret&) { return build(request); }
  /// The answer is only its status: OK confirms the write, anything else is an error.
  static Result<void> decode(const boost::json::value& data) { return read_status(data, kName); }
  /// Checks the request and fills what it leaves to the connection (the default workspace);
  /// Error{invalid_input} naming the field.
  static std::optional<Error> prepare(Request& request, const std::string& default_workspace);
  /// This operation's WisdomConnection member in the real connection; Base provides send<>().
  template <class Base>
  struct Override : Base {
    using Base::Base;
    boost::asio::awaitable<Result<Answer>> set_user_attributes(Request request) override {
      return this->template send<SetUserAttributesOperation>(std::move(request));
    }
  };
};

/// deleteUsersFromWorkspace (input shape inferred, docs/vendor-api.md#gap-3). Answer: `status{code
/// message}`.
struct DeleteUsersOperation {
  static constexpr std::string_view kName = "deleteUsersFromWorkspace";
  // Repeating it after it took effect answers NOT_FOUND.
  static constexpr Idempotency kIdempotency = Idempotency::non_idempotent;
  static constexpr std::size_t kMaxAnswerBytes = kSmallAnswerBytes;
  static constexpr bool kNeedsBearer = true;
  static constexpr std::string_view kOperationName = "DeleteUsersFromWorkspace";
  static constexpr std::string_view kDocument =
      "mutation DeleteUsersFromWorkspace($input: DeleteUsersFromWorkspaceInput!) "
      "{ deleteUsersFromWorkspace(input: $input) { status { code message } } }";
  static GraphqlRequest build(const DeleteUsersRequest& request);
  using Request = DeleteUsersRequest;
  using Answer = void;
  static constexpr bool kStreams = false;
  static GraphqlRequest encode(const Request& request, const Secret&) { return build(request); }
  /// The answer is only its status: OK confirms the write, anything else is an error.
  static Result<void> decode(const boost::json::value& data) { return read_status(data, kName); }
  /// Checks the request and fills what it leaves to the connection (the default workspace);
  /// Error{invalid_input} naming the field.
  static std::optional<Error> prepare(Request& request, const std::string& default_workspace);
  /// This operation's WisdomConnection member in the real connection; Base provides send<>().
  template <class Base>
  struct Override : Base {
    using Base::Base;
    boost::asio::awaitable<Result<Answer>> delete_users(Request request) override {
      return this->template send<DeleteUsersOperation>(std::move(request));
    }
  };
};

/// impersonateUser, current mutation form (with optional session attributes) and the old query
/// form.
struct ImpersonateOperation {
  static constexpr std::string_view kName = "impersonateUser";
  static constexpr Idempotency kIdempotency = Idempotency::idempotent;
  static constexpr std::size_t kMaxAnswerBytes = kSmallAnswerBytes;
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
  using Request = ImpersonateRequest;
  using Answer = SessionToken;
  static constexpr bool kStreams = false;
  static GraphqlRequest encode(const Request& request, const Secret& access_key) {
    return build(request, access_key);
  }
  static Result<SessionToken> decode(const boost::json::value& data) {
    return read_token(data, kName);
  }
  /// Checks the request and fills what it leaves to the connection (the default workspace);
  /// Error{invalid_input} naming the field.
  static std::optional<Error> prepare(Request& request, const std::string& default_workspace);
  /// This operation's WisdomConnection member in the real connection; Base provides send<>().
  template <class Base>
  struct Override : Base {
    using Base::Base;
    boost::asio::awaitable<Result<Answer>> impersonate_user(Request request) override {
      return this->template send<ImpersonateOperation>(std::move(request));
    }
  };
};

/// exchangeAccessToken: the access key for a bearer JWT.
struct ExchangeOperation {
  static constexpr std::string_view kName = "exchangeAccessToken";
  static constexpr Idempotency kIdempotency = Idempotency::idempotent;
  static constexpr std::size_t kMaxAnswerBytes = kSmallAnswerBytes;
  static constexpr bool kNeedsBearer = false;
  static constexpr std::string_view kOperationName = "ExchangeAccessToken";
  static constexpr std::string_view kDocument =
      "query ExchangeAccessToken($accessToken: String!) { exchangeAccessToken(accessToken: "
      "$accessToken) }";
  static GraphqlRequest build(const Secret& access_key);
  using Request = ExchangeRequest;
  using Answer = SessionToken;
  static constexpr bool kStreams = false;
  static GraphqlRequest encode(const Request&, const Secret& access_key) {
    return build(access_key);
  }
  static Result<SessionToken> decode(const boost::json::value& data) {
    return read_token(data, kName);
  }
  /// Nothing to check.
  static std::optional<Error> prepare(Request&, const std::string&) { return std::nullopt; }
  /// This operation's WisdomConnection member in the real connection; Base provides send<>().
  template <class Base>
  struct Override : Base {
    using Base::Base;
    boost::asio::awaitable<Result<Answer>> exchange_access_token() override {
      return this->template send<ExchangeOperation>(Request{});
    }
  };
};

/// Every operation above: LayeredConnection is the chain of their Override mixins.
using AllOperations =
    std::tuple<ListUsersOperation, CreateUsersOperation, SetUserAttributesOperation,
               DeleteUsersOperation, ImpersonateOperation, ExchangeOperation>;

/// Every document above, for the contract test.
std::vector<std::string_view> all_documents();

}  // namespace embark::internal
