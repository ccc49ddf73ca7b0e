#include "embark/strategies/set_attributes/skip.hpp"

namespace embark {

boost::asio::awaitable<Result<SetAttributesVerdict>> SkipSetAttributes::apply(PipelineContext&,
                                                                              UserRef&) {
  co_return SetAttributesVerdict{StageOutcome::skipped};
}

}  // namespace embark
