#include "embark/strategies/impersonate/reuse.hpp"

#include "internal/core/invalid.hpp"

namespace embark {

ReuseImpersonate::ReuseImpersonate() = default;
ReuseImpersonate::ReuseImpersonate(Options options) : options_(options) {}

Result<void> ReuseImpersonate::validate() const {
  if (options_.token_reuse_margin < std::chrono::seconds(0) ||
      options_.token_reuse_margin >= std::chrono::seconds(3600)) {
    return internal::invalid("token_reuse_margin",
                             "must be between 0 and 3600 seconds (tokens live one hour)");
  }
  return {};
}

boost::asio::awaitable<Result<ImpersonateVerdict>> ReuseImpersonate::impersonate(
    PipelineContext& context, const UserRef& user, const AttributeMap& session_attributes) {
  // No key when the stored attributes are not confirmed: such a token is neither reused nor kept.
  const std::optional<TokenKey> key = context.token_key(user, session_attributes);
  if (key) {
    if (auto cached = co_await context.find_token(*key, options_.token_reuse_margin))
      co_return ImpersonateVerdict{std::move(*cached), StageOutcome::skipped_cached};
  }
  auto token = co_await context.impersonate(session_attributes);
  if (!token) co_return token.error();
  if (key) co_await context.put_token(*key, *token);
  co_return ImpersonateVerdict{std::move(*token), StageOutcome::called};
}

}  // namespace embark
