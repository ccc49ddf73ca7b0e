#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "internal/policies/retry_loop.hpp"

namespace embark::internal {
namespace {

boost::asio::awaitable<Result<void>> timer_sleep(std::chrono::milliseconds delay) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
  auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  if (ec) co_return Error(ErrorCode::cancelled, "the call was cancelled while waiting to retry");
  co_return Result<void>();
}

}  // namespace

RetryEnvironment real_retry_environment() {
  return RetryEnvironment{[] { return RetryEnvironment::Clock::now(); }, &timer_sleep};
}

}  // namespace embark::internal
