// The decorators stacked over GraphqlStub by make_wisdom_connection: logging, retry, auth.
#pragma once

#include <memory>

#include "embark/client_options.hpp"
#include "embark/retry.hpp"
#include "internal/client/bearer_source.hpp"
#include "internal/client/wisdom_stub.hpp"
#include "internal/policies/retry_loop.hpp"

namespace embark::internal {

/// Logs every attempt at LogLevel::trace (operation, attempt, outcome, HTTP status, latency,
/// bearer fingerprint) and failures at LogLevel::debug. Never logs a secret's value.
class LoggingStub final : public WisdomStub {
 public:
  explicit LoggingStub(std::shared_ptr<WisdomStub> inner) : inner_(std::move(inner)) {}
  boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(CallContext& ctx, const ListUsersRequest& request) override;
  boost::asio::awaitable<Result<void>> create_users(CallContext& ctx, const CreateUsersRequest& request) override;
  boost::asio::awaitable<Result<void>> set_user_attributes(CallContext& ctx, const SetUserAttributesRequest& request) override;
  boost::asio::awaitable<Result<void>> delete_users(CallContext& ctx, const DeleteUsersRequest& request) override;
  boost::asio::awaitable<Result<SessionToken>> impersonate_user(CallContext& ctx, const ImpersonateRequest& request) override;
  boost::asio::awaitable<Result<SessionToken>> exchange_access_token(CallContext& ctx) override;

 private:
  std::shared_ptr<WisdomStub> inner_;
};

/// Runs each operation in retry_loop with the operation's idempotency (deleteUsersFromWorkspace is
/// the only non-idempotent one: repeating it after it took effect answers NOT_FOUND).
class RetryStub final : public WisdomStub {
 public:
  RetryStub(std::shared_ptr<WisdomStub> inner, std::unique_ptr<RetryPolicy> retry, std::unique_ptr<BackoffPolicy> backoff,
            std::shared_ptr<RetryBudget> budget, RetryEnvironment environment)
      : inner_(std::move(inner)),
        retry_(std::move(retry)),
        backoff_(std::move(backoff)),
        budget_(std::move(budget)),
        env_(std::move(environment)) {}
  boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(CallContext& ctx, const ListUsersRequest& request) override;
  boost::asio::awaitable<Result<void>> create_users(CallContext& ctx, const CreateUsersRequest& request) override;
  boost::asio::awaitable<Result<void>> set_user_attributes(CallContext& ctx, const SetUserAttributesRequest& request) override;
  boost::asio::awaitable<Result<void>> delete_users(CallContext& ctx, const DeleteUsersRequest& request) override;
  boost::asio::awaitable<Result<SessionToken>> impersonate_user(CallContext& ctx, const ImpersonateRequest& request) override;
  boost::asio::awaitable<Result<SessionToken>> exchange_access_token(CallContext& ctx) override;

 private:
  RetrySettings settings(const CallContext& ctx, Idempotency idempotency, std::string_view operation) const {
    return RetrySettings{*retry_, *backoff_, budget_.get(), ctx.deadline, idempotency, operation};
  }
  std::shared_ptr<WisdomStub> inner_;
  std::unique_ptr<RetryPolicy> retry_;
  std::unique_ptr<BackoffPolicy> backoff_;
  std::shared_ptr<RetryBudget> budget_;
  RetryEnvironment env_;
};

/// Puts a bearer token on management calls (listUsers, createUsers, setUserAttributes,
/// deleteUsersFromWorkspace). When the token was exchanged and the vendor refuses it, the token is
/// dropped, exchanged once more, and the call made once more.
class AuthStub final : public WisdomStub {
 public:
  AuthStub(std::shared_ptr<WisdomStub> inner, std::shared_ptr<BearerSource> bearer)
      : inner_(std::move(inner)), bearer_(std::move(bearer)) {}
  boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(CallContext& ctx, const ListUsersRequest& request) override;
  boost::asio::awaitable<Result<void>> create_users(CallContext& ctx, const CreateUsersRequest& request) override;
  boost::asio::awaitable<Result<void>> set_user_attributes(CallContext& ctx, const SetUserAttributesRequest& request) override;
  boost::asio::awaitable<Result<void>> delete_users(CallContext& ctx, const DeleteUsersRequest& request) override;
  boost::asio::awaitable<Result<SessionToken>> impersonate_user(CallContext& ctx, const ImpersonateRequest& request) override;
  boost::asio::awaitable<Result<SessionToken>> exchange_access_token(CallContext& ctx) override;

 private:
  std::shared_ptr<WisdomStub> inner_;
  std::shared_ptr<BearerSource> bearer_;
};

}  // namespace embark::internal
