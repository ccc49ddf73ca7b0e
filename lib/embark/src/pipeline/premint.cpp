#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pipeline/impl.hpp"

namespace embark {
namespace {

std::string premint_key(const TokenKey& key) {
  return key.workspace + '\x1f' + key.email + '\x1f' + to_hex(key.session_attributes) +
         to_hex(key.entitlements);
}

boost::asio::awaitable<void> premint_task(std::weak_ptr<Onboarder::Impl> weak,
                                          std::shared_ptr<boost::asio::steady_timer> timer,
                                          TokenKey key, Fingerprint stored_attributes,
                                          ImpersonateRequest request, std::string user) {
  auto [ec] = co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  auto self = weak.lock();
  if (!self) co_return;
  {
    std::lock_guard lock(self->premint_mutex);
    // A rescheduled mint replaced this timer; only the current one may clear the slot.
    if (auto it = self->premints.find(premint_key(key));
        it != self->premints.end() && it->second == timer) {
      self->premints.erase(it);
    }
    if (ec || self->stopping) co_return;
  }
  BackgroundEvent event;
  event.what = "pre-mint";
  event.workspace = key.workspace;
  event.user = user;
  // The token will carry the attributes stored when it is minted: file it under `key` only
  // while the directory still confirms those are the ones in the key (a login may have written
  // others since, or the user may have been forgotten).
  auto still_stored = [&]() -> boost::asio::awaitable<bool> {
    auto entry = co_await self->find_entry(key.workspace, key.email, user);
    co_return entry && entry->attributes == stored_attributes;
  };
  if (!co_await still_stored()) co_return;
  // The mint goes through the same counted, observed call as every stage's.
  OnboardRequest owner;
  owner.email = request.email;
  PipelineContext::Run run{.impl = *self,
                           .request = owner,
                           .plan = self->onboard_plan,
                           .workspace = key.workspace,
                           .email_key = key.email,
                           .user = user};
  PipelineContext context(run);
  Result<SessionToken> token = Error(ErrorCode::internal, "pre-mint did not finish");
  try {
    token = co_await context.impersonate(std::move(request.session_attributes));
  } catch (const std::exception& e) {
    token = Error(ErrorCode::internal, std::string("pre-mint failed: ") + e.what());
  }
  std::optional<Error> error;
  if (token) {
    if (co_await still_stored()) co_await self->put_token(key, *token, user);
  } else {
    error = token.error();
    event.error = &*error;
  }
  self->notify_background(event);
}

}  // namespace

void Onboarder::Impl::schedule_premint(const TokenKey& key, Fingerprint stored_attributes,
                                       ImpersonateRequest request, std::string user,
                                       std::chrono::system_clock::time_point expires_at) {
  const auto due = expires_at - config.premint_lead;
  const auto delay =
      std::max(std::chrono::steady_clock::duration::zero(),
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(due - now()));
  auto timer = std::make_shared<boost::asio::steady_timer>(background, delay);
  std::shared_ptr<boost::asio::steady_timer> replaced;
  {
    std::lock_guard lock(premint_mutex);
    if (stopping) return;
    auto [it, inserted] = premints.emplace(premint_key(key), timer);
    if (!inserted) {
      // One pending mint per key; a token already inside the lead window is minted now instead of
      // at the pending timer's (wall-clock) time, which may lie further out.
      if (delay > std::chrono::steady_clock::duration::zero()) return;
      replaced = std::exchange(it->second, timer);
    }
  }
  if (replaced) boost::asio::post(background, [replaced] { replaced->cancel(); });
  boost::asio::co_spawn(background,
                        premint_task(weak_from_this(), timer, key, stored_attributes,
                                     std::move(request), std::move(user)),
                        boost::asio::detached);
}

void Onboarder::Impl::stop() {
  std::vector<std::shared_ptr<boost::asio::steady_timer>> timers;
  {
    std::lock_guard lock(premint_mutex);
    stopping = true;
    for (auto& [key, timer] : premints) timers.push_back(timer);
    premints.clear();
  }
  // Timers are only touched on their strand.
  for (auto& timer : timers) boost::asio::post(background, [timer] { timer->cancel(); });
}

}  // namespace embark
