// set-attributes on every login (setUserAttributes), except right after a createUsers that carried
// them.
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// set-attributes on every login (setUserAttributes), except right after a createUsers that carried
/// them. Registry name "always-replace". Stateless; thread-safe.
class AlwaysReplaceSetAttributes final : public SetAttributesStrategy {
 public:
  std::string_view name() const noexcept override { return "always-replace"; }
  std::optional<AttributeMap> attributes_at_creation(const PipelineContext& context) const override;
  boost::asio::awaitable<Result<SetAttributesVerdict>> apply(PipelineContext& context,
                                                             UserRef& user) override;
};

}  // namespace embark
