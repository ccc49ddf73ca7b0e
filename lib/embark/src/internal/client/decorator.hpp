// Decorator: a CallLayer that wraps another and states its behaviour once, in call().
#pragma once

#include <memory>
#include <utility>

#include "internal/client/call_layer.hpp"

namespace embark::internal {

/// Base of the logging, retry and auth decorators: holds the inner layer. Thread-safe when the
/// derived call() is.
class Decorator : public CallLayer {
 public:
  explicit Decorator(std::shared_ptr<CallLayer> inner) : inner_(std::move(inner)) {}

 protected:
  /// The same call on the inner layer.
  boost::asio::awaitable<Result<void>> next(CallContext& ctx, const OperationInfo& operation,
                                            CallBody& body) {
    return inner_->call(ctx, operation, body);
  }

 private:
  // Outlives every call: the layer above holds this decorator, and callers co_await at once.
  std::shared_ptr<CallLayer> inner_;
};

}  // namespace embark::internal
