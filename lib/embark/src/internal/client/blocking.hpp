// The one rule for blocking calls of WisdomClient and Onboarder: never wait on the thread that
// would have to run what is waited for.
#pragma once

#include <optional>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "embark/error.hpp"

namespace embark::internal {

/// Whether the calling thread is one that runs `executor` (an io_context's, a thread_pool's or a
/// strand's). Unknown executor kinds answer false.
bool runs_in_this_thread(const boost::asio::any_io_executor& executor) noexcept;

/// Error{internal} naming `what` when a blocking call made on this thread would wait for
/// `executor`, which this very thread runs (a deadlock, or a pool starved one thread at a time);
/// nullopt when blocking is safe. `async_form` names what to call there instead.
std::optional<Error> blocking_call_check(const boost::asio::any_io_executor& executor,
                                         std::string_view what, std::string_view async_form);

}  // namespace embark::internal
