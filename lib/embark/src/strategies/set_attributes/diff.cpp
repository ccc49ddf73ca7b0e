#include "embark/strategies/set_attributes/diff.hpp"

#include "strategies/set_attributes/common.hpp"

namespace embark {

std::optional<AttributeMap> DiffSetAttributes::attributes_at_creation(
    const PipelineContext& context) const {
  return context.request().attributes;
}

boost::asio::awaitable<Result<SetAttributesVerdict>> DiffSetAttributes::apply(
    PipelineContext& context, UserRef& user) {
  const Fingerprint desired = context.attributes_fingerprint();
  if (user.attributes_written || (user.attributes && *user.attributes == desired)) {
    co_return SetAttributesVerdict{StageOutcome::skipped_unchanged};
  }
  if (auto resolved = co_await internal::resolve_user(context, user); !resolved)
    co_return resolved.error();
  if (user.attributes && *user.attributes == desired) {
    co_return SetAttributesVerdict{StageOutcome::skipped_unchanged};
  }
  if (auto written =
          co_await internal::write_attributes(context, user, context.request().attributes);
      !written) {
    co_return written.error();
  }
  co_return SetAttributesVerdict{StageOutcome::called};
}

}  // namespace embark
