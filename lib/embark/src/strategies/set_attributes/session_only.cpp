#include "embark/strategies/set_attributes/session_only.hpp"

namespace embark {

AttributeMap SessionOnlySetAttributes::session_contribution(const PipelineContext& context) const {
  return context.request().attributes;
}

boost::asio::awaitable<Result<SetAttributesVerdict>> SessionOnlySetAttributes::apply(
    PipelineContext&, UserRef&) {
  co_return SetAttributesVerdict{StageOutcome::skipped};
}

}  // namespace embark
