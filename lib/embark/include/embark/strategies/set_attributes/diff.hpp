// set-attributes by difference: setUserAttributes only when the desired set's fingerprint differs
// from the stored one; new users get their attributes inside createUsers.
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// set-attributes by difference: setUserAttributes only when the desired set's fingerprint differs
/// from the stored one; new users get their attributes inside createUsers. Registry name "diff".
/// Stateless; thread-safe.
class DiffSetAttributes final : public SetAttributesStrategy {
 public:
  std::string_view name() const noexcept override { return "diff"; }
  std::optional<AttributeMap> attributes_at_creation(const PipelineContext& context) const override;
  boost::asio::awaitable<Result<SetAttributesVerdict>> apply(PipelineContext& context,
                                                             UserRef& user) override;
};

}  // namespace embark
