// Decorator<Derived>: the one place that maps every CallLayer operation onto a decorator's
// single operation-generic behaviour.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include "internal/client/call_layer.hpp"
#include "internal/graphql/operations.hpp"

namespace embark::internal {

/// The awaitable a decorator's `next` callable returns, e.g. awaitable<Result<SessionToken>>.
template <class Next>
using AwaitableOf = std::invoke_result_t<Next&>;

/// The Result<T> that awaiting a decorator's `next` yields.
template <class Next>
using ResultOf = typename AwaitableOf<Next>::value_type;

/// Base of the decorators (CRTP). Implements each CallLayer operation by calling
/// `Derived::around<Operation>(ctx, next)`, where Operation is the operation's descriptor of
/// internal/graphql/operations.hpp (kName, kIdempotency, kNeedsBearer) and `next()` starts the
/// same operation on the inner layer and returns its awaitable. A decorator therefore states its
/// behaviour once, for all operations. Thread-safe when Derived::around is.
template <class Derived>
class Decorator : public CallLayer {
 public:
  explicit Decorator(std::shared_ptr<CallLayer> inner) : inner_(std::move(inner)) {}

  boost::asio::awaitable<Result<std::vector<UserRecord>>> list_users(
      CallContext& ctx, const ListUsersRequest& r) final {
    return dispatch<ListUsersOperation>(
        ctx, [&inner = *inner_, &ctx, &r] { return inner.list_users(ctx, r); });
  }
  boost::asio::awaitable<Result<void>> create_users(CallContext& ctx,
                                                    const CreateUsersRequest& r) final {
    return dispatch<CreateUsersOperation>(
        ctx, [&inner = *inner_, &ctx, &r] { return inner.create_users(ctx, r); });
  }
  boost::asio::awaitable<Result<void>> set_user_attributes(
      CallContext& ctx, const SetUserAttributesRequest& r) final {
    return dispatch<SetUserAttributesOperation>(
        ctx, [&inner = *inner_, &ctx, &r] { return inner.set_user_attributes(ctx, r); });
  }
  boost::asio::awaitable<Result<void>> delete_users(CallContext& ctx,
                                                    const DeleteUsersRequest& r) final {
    return dispatch<DeleteUsersOperation>(
        ctx, [&inner = *inner_, &ctx, &r] { return inner.delete_users(ctx, r); });
  }
  boost::asio::awaitable<Result<SessionToken>> impersonate_user(CallContext& ctx,
                                                                const ImpersonateRequest& r) final {
    return dispatch<ImpersonateOperation>(
        ctx, [&inner = *inner_, &ctx, &r] { return inner.impersonate_user(ctx, r); });
  }
  boost::asio::awaitable<Result<SessionToken>> exchange_access_token(CallContext& ctx) final {
    return dispatch<ExchangeOperation>(
        ctx, [&inner = *inner_, &ctx] { return inner.exchange_access_token(ctx); });
  }

 private:
  template <class Operation, class Next>
  AwaitableOf<Next> dispatch(CallContext& ctx, Next next) {
    return static_cast<Derived&>(*this).template around<Operation>(ctx, std::move(next));
  }

  // Outlives every call: the layer above holds this decorator, and callers co_await at once.
  std::shared_ptr<CallLayer> inner_;
};

}  // namespace embark::internal
