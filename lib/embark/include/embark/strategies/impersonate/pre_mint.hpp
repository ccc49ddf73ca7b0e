// impersonate like reuse, and mint the next token in the background premint_lead before expiry, so
// the iframe's refresh finds it cached.
#pragma once

#include <chrono>

#include "embark/strategies/stage.hpp"

namespace embark {

/// impersonate like reuse, and mint the next token in the background `premint_lead` before
/// expiry, so the iframe's refresh finds it cached. The mint is filed only while the directory
/// still confirms the stored attributes the token carries (checked before and after it). Registry
/// name "pre-mint". Immutable; thread-safe (pending mints are the Onboarder's, one per token key).
class PreMintImpersonate final : public ImpersonateStrategy {
 public:
  /// The strategy's knobs (checked by validate()).
  struct Options {
    /// A cached token is handed out only while its remaining lifetime exceeds this margin;
    /// 0 <= margin < 3600 s.
    std::chrono::seconds token_reuse_margin{300};
    /// The next token is minted this long before the current one expires;
    /// token_reuse_margin < lead < 3600 s.
    std::chrono::seconds premint_lead{600};
  };

  /// With the default options.
  PreMintImpersonate();
  explicit PreMintImpersonate(Options options);

  std::string_view name() const noexcept override { return "pre-mint"; }
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
