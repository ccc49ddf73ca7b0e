// set-attributes that does nothing (attributes managed elsewhere).
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// set-attributes that does nothing (attributes managed elsewhere). Registry name "skip".
/// Stateless; thread-safe.
class SkipSetAttributes final : public SetAttributesStrategy {
 public:
  std::string_view name() const noexcept override { return "skip"; }
  boost::asio::awaitable<Result<SetAttributesVerdict>> apply(PipelineContext& context,
                                                             UserRef& user) override;
};

}  // namespace embark
