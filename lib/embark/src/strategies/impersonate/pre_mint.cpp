#include "embark/strategies/impersonate/pre_mint.hpp"

namespace embark {

boost::asio::awaitable<Result<ImpersonateVerdict>> PreMintImpersonate::impersonate(
    PipelineContext& context, const UserRef&, const AttributeMap& session_attributes) {
  const TokenKey key = context.token_key(session_attributes);
  ImpersonateVerdict verdict;
  if (auto cached = co_await context.find_token(key)) {
    verdict = {std::move(*cached), StageOutcome::skipped_cached};
  } else {
    auto token = co_await context.impersonate(session_attributes);
    if (!token) co_return token.error();
    co_await context.put_token(key, *token);
    verdict = {std::move(*token), StageOutcome::called};
  }
  // The next token is minted before this one runs out (one pending mint per key).
  context.schedule_premint(key, session_attributes, verdict.token.expires_at);
  co_return verdict;
}

}  // namespace embark
