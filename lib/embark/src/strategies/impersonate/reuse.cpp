#include "embark/strategies/impersonate/reuse.hpp"

namespace embark {

boost::asio::awaitable<Result<ImpersonateVerdict>> ReuseImpersonate::impersonate(
    PipelineContext& context, const UserRef&, const AttributeMap& session_attributes) {
  const TokenKey key = context.token_key(session_attributes);
  if (auto cached = co_await context.find_token(key)) {
    co_return ImpersonateVerdict{std::move(*cached), StageOutcome::skipped_cached};
  }
  auto token = co_await context.impersonate(session_attributes);
  if (!token) co_return token.error();
  co_await context.put_token(key, *token);
  co_return ImpersonateVerdict{std::move(*token), StageOutcome::called};
}

}  // namespace embark
