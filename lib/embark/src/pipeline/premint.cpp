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
                                          TokenKey key, ImpersonateRequest request,
                                          std::string user) {
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
  const auto start = std::chrono::steady_clock::now();
  Result<SessionToken> token = Error(ErrorCode::internal, "pre-mint did not finish");
  try {
    token = co_await self->connection->impersonate_user(std::move(request));
  } catch (const std::exception& e) {
    token = Error(ErrorCode::internal, std::string("pre-mint failed: ") + e.what());
  }
  VendorCallEvent call;
  call.operation = "impersonateUser";
  call.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  std::optional<Error> error;
  if (token) {
    co_await self->put_token(key, *token, user);
  } else {
    error = token.error();
    error->with_operation("impersonateUser");
    call.error = &*error;
    event.error = &*error;
  }
  self->notify_call(call);
  self->notify_background(event);
}

}  // namespace

void Onboarder::Impl::schedule_premint(const TokenKey& key, ImpersonateRequest request,
                                       std::string user,
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
  boost::asio::co_spawn(
      background, premint_task(weak_from_this(), timer, key, std::move(request), std::move(user)),
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
