// Strategies' background work (PipelineContext::schedule): keyed timers on the background strand,
// dropped when the Onboarder stops. What runs, and when, is the strategy's (e.g. pre-mint).
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pipeline/impl.hpp"

namespace embark {
namespace {

// Who a background task works for: enough to rebuild a run's context when its timer fires.
struct BackgroundOwner {
  std::string email;  // as the app gave it
  std::string workspace;
  std::string email_key;
  std::string user;  // fingerprint hex, for observers
};

boost::asio::awaitable<void> background_task(std::weak_ptr<Onboarder::Impl> weak,
                                             std::shared_ptr<boost::asio::steady_timer> timer,
                                             std::string key, BackgroundOwner owner,
                                             BackgroundTask task) {
  auto [ec] = co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  auto self = weak.lock();
  if (!self) co_return;
  {
    std::lock_guard lock(self->background_mutex);
    // A replacing task took the slot; only the current one may clear it.
    if (auto it = self->pending.find(key); it != self->pending.end() && it->second == timer)
      self->pending.erase(it);
    if (ec || self->stopping) co_return;
  }
  OnboardRequest request;
  request.email = owner.email;
  request.workspace = owner.workspace;
  // The task's vendor calls go through the same counted, observed path as a stage's.
  PipelineContext::Run run{.impl = *self,
                           .request = request,
                           .plan = self->onboard_plan,
                           .workspace = owner.workspace,
                           .email_key = owner.email_key,
                           .user = owner.user};
  PipelineContext context(run);
  try {
    co_await task(context);
  } catch (const std::exception& e) {
    const Error error(ErrorCode::internal, std::string("background task failed: ") + e.what());
    self->report_backend_error("background", owner.workspace, owner.user, error);
  }
}

}  // namespace

void Onboarder::Impl::schedule(const PipelineContext::Run& run, std::string key,
                               std::chrono::system_clock::time_point due, BackgroundTask task) {
  const auto delay =
      std::max(std::chrono::steady_clock::duration::zero(),
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(due - now()));
  auto timer = std::make_shared<boost::asio::steady_timer>(background, delay);
  std::shared_ptr<boost::asio::steady_timer> replaced;
  {
    std::lock_guard lock(background_mutex);
    if (stopping) return;
    auto [it, inserted] = pending.emplace(key, timer);
    if (!inserted) {
      // One pending task per key; one already due runs now instead of at the pending timer's
      // (wall-clock) time, which may lie further out.
      if (delay > std::chrono::steady_clock::duration::zero()) return;
      replaced = std::exchange(it->second, timer);
    }
  }
  if (replaced) boost::asio::post(background, [replaced] { replaced->cancel(); });
  BackgroundOwner owner{run.request.email, run.workspace, run.email_key, run.user};
  boost::asio::co_spawn(
      background,
      background_task(weak_from_this(), timer, std::move(key), std::move(owner), std::move(task)),
      boost::asio::detached);
}

void Onboarder::Impl::stop() {
  std::vector<std::shared_ptr<boost::asio::steady_timer>> timers;
  {
    std::lock_guard lock(background_mutex);
    stopping = true;
    for (auto& [key, timer] : pending) timers.push_back(timer);
    pending.clear();
  }
  // Timers are only touched on their strand.
  for (auto& timer : timers) boost::asio::post(background, [timer] { timer->cancel(); });
}

}  // namespace embark
