#include "embark/strategies/impersonate/pre_mint.hpp"

namespace embark {

boost::asio::awaitable<Result<ImpersonateVerdict>> PreMintImpersonate::impersonate(
    PipelineContext& context, const UserRef& user, const AttributeMap& session_attributes) {
  // As reuse: without confirmed stored attributes there is no key, no reuse and no pre-mint.
  const std::optional<TokenKey> key = context.token_key(user, session_attributes);
  ImpersonateVerdict verdict;
  std::optional<SessionToken> cached;
  if (key) cached = co_await context.find_token(*key);
  if (cached) {
    verdict = {std::move(*cached), StageOutcome::skipped_cached};
  } else {
    auto token = co_await context.impersonate(session_attributes);
    if (!token) co_return token.error();
    if (key) co_await context.put_token(*key, *token);
    verdict = {std::move(*token), StageOutcome::called};
  }
  // The next token is minted before this one runs out (one pending mint per key).
  if (key) context.schedule_premint(*key, user, session_attributes, verdict.token.expires_at);
  co_return verdict;
}

}  // namespace embark
