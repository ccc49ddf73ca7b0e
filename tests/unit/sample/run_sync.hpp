// Runs a coroutine to completion on a private io_context (tests only).
#pragma once

#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace embark::sample::testing {

/// Runs `awaitable` on `io` until it finishes (work on other executors included) and returns its
/// value.
template <class T>
T run_sync(boost::asio::io_context& io, boost::asio::awaitable<T> awaitable) {
  std::optional<T> result;
  std::exception_ptr error;
  auto guard = boost::asio::make_work_guard(io);
  boost::asio::co_spawn(io, std::move(awaitable), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result = std::move(value);
    guard.reset();
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

}  // namespace embark::sample::testing
