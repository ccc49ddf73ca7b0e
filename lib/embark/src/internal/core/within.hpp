// within(): an awaitable raced against a deadline with one timer.
#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace embark::internal {

/// Runs `op` on the caller's executor; when `deadline` passes first, cancels it (terminal
/// cancellation), waits for it to end and returns nullopt. Otherwise returns its value. The
/// caller's own cancellation reaches `op` as well. Costs one timer and one spawned coroutine:
/// about half of `op || timer` (experimental::awaitable_operators), which spawns both sides and
/// waits for the cancelled timer too. Exceptions of `op` propagate. The same thread-safety as
/// `||`: use it from one strand or a single-threaded executor.
template <class T>
boost::asio::awaitable<std::optional<T>> within(boost::asio::awaitable<T> op,
                                                std::chrono::steady_clock::time_point deadline) {
  namespace asio = boost::asio;
  auto executor = co_await asio::this_coro::executor;
  struct Race {
    Race(const asio::any_io_executor& ex, std::chrono::steady_clock::time_point at)
        : timer(ex, at) {}
    asio::steady_timer timer;
    asio::cancellation_signal signal;  // cancels `op`
    std::atomic<bool> finished{false};
    std::atomic<bool> expired{false};
  };
  // Shared with the timer's handler, which may run after this coroutine has returned.
  auto race = std::make_shared<Race>(executor, deadline);
  race->timer.async_wait([race](boost::system::error_code ec) {
    if (ec || race->finished.load()) return;
    race->expired.store(true);
    race->signal.emit(asio::cancellation_type::terminal);
  });
  asio::cancellation_state outer = co_await asio::this_coro::cancellation_state;
  auto outer_slot = outer.slot();
  if (outer_slot.is_connected())
    outer_slot.assign([race](asio::cancellation_type type) { race->signal.emit(type); });
  auto [failure, value] = co_await asio::co_spawn(
      executor, std::move(op),
      asio::bind_cancellation_slot(race->signal.slot(), asio::as_tuple(asio::use_awaitable)));
  race->finished.store(true);
  if (outer_slot.is_connected()) outer_slot.clear();
  race->timer.cancel();
  if (failure) std::rethrow_exception(failure);
  if (race->expired.load()) co_return std::nullopt;
  co_return std::optional<T>(std::move(value));
}

}  // namespace embark::internal
