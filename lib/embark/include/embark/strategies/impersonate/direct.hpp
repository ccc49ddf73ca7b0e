// impersonate by calling impersonateUser on every run (the token is not cached).
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// impersonate by calling impersonateUser on every run (the token is not cached). Registry name
/// "direct". Stateless; thread-safe.
class DirectImpersonate final : public ImpersonateStrategy {
 public:
  std::string_view name() const noexcept override { return "direct"; }
  boost::asio::awaitable<Result<ImpersonateVerdict>> impersonate(
      PipelineContext& context, const UserRef& user,
      const AttributeMap& session_attributes) override;
};

}  // namespace embark
