// impersonate with reuse: a cached token for the same (workspace, email, session attributes,
// entitlements) is handed out while its remaining lifetime exceeds the reuse margin; otherwise
// impersonateUser and cache.
#pragma once

#include <chrono>

#include "embark/strategies/stage.hpp"

namespace embark {

/// impersonate with reuse: a cached token for the same (workspace, email, session attributes,
/// entitlements) is handed out while its remaining lifetime exceeds `token_reuse_margin`;
/// otherwise impersonateUser and cache. Registry name "reuse". Immutable; thread-safe.
class ReuseImpersonate final : public ImpersonateStrategy {
 public:
  /// The strategy's knobs (checked by validate()).
  struct Options {
    /// A cached token is handed out only while its remaining lifetime exceeds this margin;
    /// 0 <= margin < 3600 s (tokens live one hour).
    std::chrono::seconds token_reuse_margin{300};
  };

  /// With the default options.
  ReuseImpersonate();
  explicit ReuseImpersonate(Options options);

  std::string_view name() const noexcept override { return "reuse"; }
  Result<void> validate() const override;
  boost::asio::awaitable<Result<ImpersonateVerdict>> impersonate(
      PipelineContext& context, const UserRef& user,
      const AttributeMap& session_attributes) override;
  /// The options it was built with.
  const Options& options() const noexcept { return options_; }

 private:
  Options options_;
};

}  // namespace embark
