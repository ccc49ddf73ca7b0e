// impersonate like reuse, and mint the next token in the background premint_lead before expiry, so
// the iframe's refresh finds it cached.
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// impersonate like reuse, and mint the next token in the background premint_lead before expiry, so
/// the iframe's refresh finds it cached. Registry name "pre-mint". Stateless; thread-safe.
class PreMintImpersonate final : public ImpersonateStrategy {
 public:
  std::string_view name() const noexcept override { return "pre-mint"; }
  boost::asio::awaitable<Result<ImpersonateVerdict>> impersonate(
      PipelineContext& context, const UserRef& user,
      const AttributeMap& session_attributes) override;
};

}  // namespace embark
