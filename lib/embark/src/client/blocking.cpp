#include "internal/client/blocking.hpp"

#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/format.h>

namespace embark::internal {

namespace asio = boost::asio;

bool runs_in_this_thread(const asio::any_io_executor& executor) noexcept {
  if (const auto* e = executor.target<asio::io_context::executor_type>())
    return e->running_in_this_thread();
  if (const auto* e = executor.target<asio::thread_pool::executor_type>())
    return e->running_in_this_thread();
  if (const auto* e = executor.target<asio::strand<asio::any_io_executor>>())
    return e->running_in_this_thread();
  if (const auto* e = executor.target<asio::strand<asio::io_context::executor_type>>())
    return e->running_in_this_thread();
  return false;
}

std::optional<Error> blocking_call_check(const asio::any_io_executor& executor,
                                         std::string_view what, std::string_view async_form) {
  if (!runs_in_this_thread(executor)) return std::nullopt;
  return Error(ErrorCode::internal,
               fmt::format("a blocking {} was called on a thread that runs its executor and would "
                           "wait for itself; use {} there",
                           what, async_form));
}

}  // namespace embark::internal
