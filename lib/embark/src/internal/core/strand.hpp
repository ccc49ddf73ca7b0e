// make_private_strand(): a strand for one connection, one onboarding run or one client operation.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

namespace embark::internal {

/// A new strand of `executor`, or `executor` itself when it already is a strand (its handlers are
/// serialised anyway). A strand of the io_context's own executor type fits any_io_executor's
/// inline storage, so copies share no heap object; others are kept in one (a reference count Asio
/// releases with a fence, see tests/sanitizers/tsan.supp). Thread-safe.
inline boost::asio::any_io_executor make_private_strand(
    const boost::asio::any_io_executor& executor) {
  namespace asio = boost::asio;
  using IoExecutor = asio::io_context::executor_type;
  using PoolExecutor = asio::thread_pool::executor_type;
  if (const auto* io = executor.target<IoExecutor>()) return asio::make_strand(*io);
  if (const auto* pool = executor.target<PoolExecutor>()) return asio::make_strand(*pool);
  if (executor.target<asio::strand<IoExecutor>>() ||
      executor.target<asio::strand<PoolExecutor>>() ||
      executor.target<asio::strand<asio::any_io_executor>>())
    return executor;
  return asio::make_strand(executor);
}

}  // namespace embark::internal
