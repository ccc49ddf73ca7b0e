// Runs coroutines side by side on the current executor and waits for all of them.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace embark::cli {

/// Starts every task at once and returns their results in order. Must run on a single-threaded
/// executor (the results are written without locks). A task that throws yields nullopt.
template <class T>
boost::asio::awaitable<std::vector<std::optional<T>>> when_all(
    std::vector<boost::asio::awaitable<T>> tasks) {
  namespace asio = boost::asio;
  auto executor = co_await asio::this_coro::executor;
  std::vector<std::optional<T>> results(tasks.size());
  std::size_t live = tasks.size();
  asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    asio::co_spawn(executor, std::move(tasks[i]), [&, i](std::exception_ptr e, T value) {
      if (!e) results[i].emplace(std::move(value));
      if (--live == 0) all_done.cancel();
    });
  }
  if (live > 0) {
    boost::system::error_code ec;
    co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return results;
}

}  // namespace embark::cli
