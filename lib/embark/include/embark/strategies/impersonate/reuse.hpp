// impersonate with reuse: a cached token for the same (workspace, email, session attributes,
// entitlements) is handed out while its remaining lifetime exceeds token_reuse_margin; otherwise
// impersonateUser and cache.
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// impersonate with reuse: a cached token for the same (workspace, email, session attributes,
/// entitlements) is handed out while its remaining lifetime exceeds token_reuse_margin; otherwise
/// impersonateUser and cache. Registry name "reuse". Stateless; thread-safe.
class ReuseImpersonate final : public ImpersonateStrategy {
 public:
  std::string_view name() const noexcept override { return "reuse"; }
  boost::asio::awaitable<Result<ImpersonateVerdict>> impersonate(
      PipelineContext& context, const UserRef& user,
      const AttributeMap& session_attributes) override;
};

}  // namespace embark
