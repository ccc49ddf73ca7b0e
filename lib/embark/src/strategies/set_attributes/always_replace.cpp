#include "embark/strategies/set_attributes/always_replace.hpp"

#include "strategies/set_attributes/common.hpp"

namespace embark {

std::optional<AttributeMap> AlwaysReplaceSetAttributes::attributes_at_creation(
    const PipelineContext& context) const {
  return context.request().attributes;
}

boost::asio::awaitable<Result<SetAttributesVerdict>> AlwaysReplaceSetAttributes::apply(
    PipelineContext& context, UserRef& user) {
  if (user.attributes_written) co_return SetAttributesVerdict{StageOutcome::skipped_unchanged};
  if (user.user_id.empty()) {
    if (auto resolved = co_await internal::resolve_user(context, user); !resolved)
      co_return resolved.error();
  }
  if (auto written =
          co_await internal::write_attributes(context, user, context.request().attributes);
      !written) {
    co_return written.error();
  }
  co_return SetAttributesVerdict{StageOutcome::called};
}

}  // namespace embark
