// set-attributes never persisted: the app's attributes travel as impersonateUser session
// attributes.
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// set-attributes never persisted: the app's attributes travel as impersonateUser session
/// attributes. Registry name "session-only". Stateless; thread-safe.
class SessionOnlySetAttributes final : public SetAttributesStrategy {
 public:
  std::string_view name() const noexcept override { return "session-only"; }
  AttributeMap session_contribution(const PipelineContext& context) const override;
  boost::asio::awaitable<Result<SetAttributesVerdict>> apply(PipelineContext& context,
                                                             UserRef& user) override;
};

}  // namespace embark
