#include "internal/client/bearer_source.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "embark/log.hpp"

namespace embark::internal {

namespace asio = boost::asio;

// Each waiting coroutine gets its own channel on its own executor, so that the exchanging
// coroutine can wake waiters on any thread safely.
struct BearerSource::Waiter {
  explicit Waiter(const asio::any_io_executor& ex) : channel(ex, 1) {}
  asio::experimental::concurrent_channel<void(boost::system::error_code, Result<Secret>)> channel;
};

BearerSource::BearerSource(Secret api_token) : fixed_(std::move(api_token)) {}

BearerSource::BearerSource(Exchange exchange, WallClock wall_clock)
    : exchange_(std::move(exchange)), wall_clock_(std::move(wall_clock)) {}

BearerSource::~BearerSource() = default;

int BearerSource::exchanges() const {
  std::lock_guard lock(mutex_);
  return exchanges_;
}

void BearerSource::invalidate(const Secret& refused) {
  std::lock_guard lock(mutex_);
  if (cached_ && cached_->token == refused) cached_.reset();
}

asio::awaitable<Result<Secret>> BearerSource::get(std::chrono::steady_clock::time_point deadline) {
  if (fixed_) co_return *fixed_;
  const auto executor = co_await asio::this_coro::executor;
  for (;;) {
    std::shared_ptr<Waiter> waiter;
    {
      std::lock_guard lock(mutex_);
      if (cached_ && wall_clock_() < cached_->renew_at) co_return cached_->token;
      if (in_flight_) {
        waiter = std::make_shared<Waiter>(executor);
        waiters_.push_back(waiter);
      } else {
        in_flight_ = true;
        ++exchanges_;
      }
    }
    if (waiter) {
      auto [ec, result] =
          co_await waiter->channel.async_receive(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return Error(ErrorCode::cancelled, "cancelled while waiting for a bearer token");
      // The exchanging call was cancelled on its caller's behalf, not ours: try again.
      if (!result && result.error().code() == ErrorCode::cancelled) continue;
      co_return result;
    }

    logf(LogLevel::debug, "auth", "exchanging the access key for a bearer token");
    Result<SessionToken> exchanged = Error(ErrorCode::internal, "exchange did not run");
    try {
      exchanged = co_await exchange_(deadline);
    } catch (const std::exception&) {
      exchanged = Error(ErrorCode::internal, "the access-key exchange threw");
    }
    Result<Secret> out =
        exchanged ? Result<Secret>(exchanged->jwt) : Result<Secret>(exchanged.error());
    std::vector<std::shared_ptr<Waiter>> waiters;
    {
      std::lock_guard lock(mutex_);
      in_flight_ = false;
      if (exchanged) {
        const auto now = wall_clock_();
        const auto lifetime = exchanged->expires_at - now;
        const auto margin =
            std::min<std::chrono::system_clock::duration>(kRenewMargin, lifetime / 4);
        cached_ = Cached{exchanged->jwt, exchanged->expires_at - margin};
        logf(LogLevel::debug, "auth", "bearer token {} valid for {} s", exchanged->jwt.redacted(),
             std::chrono::duration_cast<std::chrono::seconds>(lifetime).count());
      }
      waiters.swap(waiters_);
    }
    for (auto& w : waiters) w->channel.try_send(boost::system::error_code(), out);
    co_return out;
  }
}

}  // namespace embark::internal
