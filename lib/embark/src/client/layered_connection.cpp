#include <tuple>
#include <type_traits>

#include "internal/client/connection_factory.hpp"
#include "internal/graphql/operations.hpp"

namespace embark::internal {
namespace {

namespace asio = boost::asio;

Error bad_input(std::string_view operation, std::string field, std::string message) {
  Error error(ErrorCode::invalid_input, std::move(message));
  error.with_operation(std::string(operation)).with_field(std::move(field));
  return error;
}

std::optional<Error> check_list(std::string_view operation, const std::vector<std::string>& values,
                                const char* field) {
  if (values.empty()) return bad_input(operation, field, std::string(field) + " must not be empty");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) {
      return bad_input(operation, std::string(field) + "[" + std::to_string(i) + "]",
                       "an entry is empty");
    }
  }
  return std::nullopt;
}

// The class a member function pointer belongs to: LayeredConnection when it overrides the member,
// WisdomConnection when it inherits the "unimplemented" default.
template <class Member>
struct MemberClass;
template <class R, class C, class... Args>
struct MemberClass<R (C::*)(Args...)> {
  using Class = C;
};

template <class... Operations>
constexpr bool overrides_every(std::tuple<Operations...>*) {
  return (std::is_same_v<typename MemberClass<std::remove_cv_t<
                             decltype(Operations::template kMember<LayeredConnection>)>>::Class,
                         LayeredConnection> &&
          ...);
}

// A forgotten override would answer "unimplemented" at run time; it fails here instead.
static_assert(overrides_every(static_cast<AllOperations*>(nullptr)),
              "LayeredConnection must override the WisdomConnection member of every operation in "
              "AllOperations (operations.hpp)");

}  // namespace

asio::awaitable<Result<std::vector<UserRecord>>> LayeredConnection::list_users(
    ListUsersRequest request) {
  if (request.workspace_id.empty()) request.workspace_id = default_workspace_;
  co_return co_await run<ListUsersOperation>(request);
}

asio::awaitable<Result<void>> LayeredConnection::create_users(CreateUsersRequest request) {
  if (auto e = check_list(CreateUsersOperation::kName, request.emails, "emails")) co_return *e;
  if (request.workspace_id.empty()) request.workspace_id = default_workspace_;
  co_return co_await run<CreateUsersOperation>(request);
}

asio::awaitable<Result<void>> LayeredConnection::set_user_attributes(
    SetUserAttributesRequest request) {
  if (request.user_id.empty()) {
    co_return bad_input(SetUserAttributesOperation::kName, "user_id", "user_id must not be empty");
  }
  co_return co_await run<SetUserAttributesOperation>(request);
}

asio::awaitable<Result<void>> LayeredConnection::delete_users(DeleteUsersRequest request) {
  if (auto e = check_list(DeleteUsersOperation::kName, request.user_ids, "user_ids")) co_return *e;
  if (request.workspace_id.empty()) request.workspace_id = default_workspace_;
  co_return co_await run<DeleteUsersOperation>(request);
}

asio::awaitable<Result<SessionToken>> LayeredConnection::impersonate_user(
    ImpersonateRequest request) {
  if (request.email.empty())
    co_return bad_input(ImpersonateOperation::kName, "email", "email must not be empty");
  if (request.session_attributes.contains("impersonated_user_id")) {
    co_return bad_input(ImpersonateOperation::kName, "session_attributes.impersonated_user_id",
                        "impersonated_user_id is reserved and cannot be a session attribute");
  }
  if (request.use_query_form && !request.session_attributes.empty()) {
    co_return bad_input(ImpersonateOperation::kName, "session_attributes",
                        "the query form of impersonateUser cannot carry session attributes");
  }
  co_return co_await run<ImpersonateOperation>(request);
}

asio::awaitable<Result<SessionToken>> LayeredConnection::exchange_access_token() {
  co_return co_await run<ExchangeOperation>(ExchangeRequest{});
}

}  // namespace embark::internal
