#include "embark/strategies/impersonate/pre_mint.hpp"

#include "internal/core/invalid.hpp"

namespace embark {
namespace {

// The pending mint's key: one per token key.
std::string pending_key(const TokenKey& key) {
  return "pre-mint\x1f" + key.workspace + '\x1f' + key.email + '\x1f' +
         to_hex(key.session_attributes) + to_hex(key.entitlements);
}

// The background mint. The token will carry the attributes stored when it is minted: it is filed
// under `key` only while the directory still confirms those are the ones in the key (a login may
// have written others since, or the user may have been forgotten).
BackgroundTask mint_next(TokenKey key, Fingerprint stored_attributes,
                         AttributeMap session_attributes) {
  return
      [key = std::move(key), stored_attributes, session_attributes = std::move(session_attributes)](
          PipelineContext& context) -> boost::asio::awaitable<void> {
        auto still_stored = [&]() -> boost::asio::awaitable<bool> {
          auto entry = co_await context.find_entry();
          co_return entry && entry->attributes == stored_attributes;
        };
        if (!co_await still_stored()) co_return;
        auto token = co_await context.impersonate(session_attributes);
        if (!token) {
          const Error error = token.error();
          context.notify_background("pre-mint", &error);
          co_return;
        }
        if (co_await still_stored()) co_await context.put_token(key, *token);
        context.notify_background("pre-mint", nullptr);
      };
}

}  // namespace

PreMintImpersonate::PreMintImpersonate() = default;
PreMintImpersonate::PreMintImpersonate(Options options) : options_(options) {}

Result<void> PreMintImpersonate::validate() const {
  using std::chrono::seconds;
  if (options_.token_reuse_margin < seconds(0) || options_.token_reuse_margin >= seconds(3600)) {
    return internal::invalid("token_reuse_margin",
                             "must be between 0 and 3600 seconds (tokens live one hour)");
  }
  if (options_.premint_lead <= options_.token_reuse_margin ||
      options_.premint_lead >= seconds(3600)) {
    return internal::invalid("premint_lead",
                             "must exceed token_reuse_margin and be under 3600 seconds");
  }
  return {};
}

boost::asio::awaitable<Result<ImpersonateVerdict>> PreMintImpersonate::impersonate(
    PipelineContext& context, const UserRef& user, const AttributeMap& session_attributes) {
  // As reuse: without confirmed stored attributes there is no key, no reuse and no pre-mint.
  const std::optional<TokenKey> key = context.token_key(user, session_attributes);
  ImpersonateVerdict verdict;
  std::optional<SessionToken> cached;
  if (key) cached = co_await context.find_token(*key, options_.token_reuse_margin);
  if (cached) {
    verdict = {std::move(*cached), StageOutcome::skipped_cached};
  } else {
    auto token = co_await context.impersonate(session_attributes);
    if (!token) co_return token.error();
    if (key) co_await context.put_token(*key, *token);
    verdict = {std::move(*token), StageOutcome::called};
  }
  // The next token is minted before this one runs out (one pending mint per key).
  if (key) {
    context.schedule(pending_key(*key), verdict.token.expires_at - options_.premint_lead,
                     mint_next(*key, *user.attributes, session_attributes));
  }
  co_return verdict;
}

}  // namespace embark
