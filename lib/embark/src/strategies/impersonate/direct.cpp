#include "embark/strategies/impersonate/direct.hpp"

namespace embark {

boost::asio::awaitable<Result<ImpersonateVerdict>> DirectImpersonate::impersonate(
    PipelineContext& context, const UserRef&, const AttributeMap& session_attributes) {
  auto token = co_await context.impersonate(session_attributes);
  if (!token) co_return token.error();
  co_return ImpersonateVerdict{std::move(*token), StageOutcome::called};
}

}  // namespace embark
