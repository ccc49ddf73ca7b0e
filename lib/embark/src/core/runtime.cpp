#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/system_error.hpp>
#include <fmt/format.h>

#include "embark/async.hpp"
#include "embark/log.hpp"

#include "internal/core/strand.hpp"

namespace embark::detail {

namespace asio = boost::asio;

namespace {

// Whether the calling thread is one that runs `executor` (an io_context's, a thread_pool's or a
// strand's). Unknown executor kinds answer false: the check can only refuse what it recognises.
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

Error named(Error error, const CallName& name) {
  if (*name.operation != '\0') error.with_operation(name.operation);
  return error;
}

}  // namespace

// Shared with the thread, so that an owner destroyed by one of its own handlers (on this very
// thread) can detach and leave the io_context alive until run() returns.
struct Runtime::OwnThread {
  std::shared_ptr<asio::io_context> context = std::make_shared<asio::io_context>(1);
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      context->get_executor()};
  std::thread thread;
};

Runtime::Runtime() : own_(std::make_shared<OwnThread>()) {
  executor_ = own_->context->get_executor();
  own_->thread = std::thread([context = own_->context] {
    // A handler that throws (an application's callback) is logged and the thread goes on: every
    // later call of the owner would otherwise wait for a thread that is gone.
    for (;;) {
      try {
        context->run();
        return;
      } catch (const std::exception& e) {
        logf(LogLevel::error, "runtime", "a handler on embark's I/O thread threw: {}", e.what());
      } catch (...) {
        logf(LogLevel::error, "runtime", "a handler on embark's I/O thread threw");
      }
    }
  });
}

Runtime::Runtime(asio::any_io_executor executor) : executor_(std::move(executor)) {}

Runtime::~Runtime() { stop(); }

asio::any_io_executor Runtime::operation_executor() const {
  return internal::make_private_strand(executor_);
}

std::optional<Error> Runtime::blocking_error(const CallName& name) const {
  if (!runs_in_this_thread(executor_)) return std::nullopt;
  return named(Error(ErrorCode::internal,
                     fmt::format("{} blocks, and was called on a thread that runs its executor: it "
                                 "would wait for itself; use {} there",
                                 name.call, name.async_form)),
               name);
}

void Runtime::stop() noexcept {
  if (!own_ || !own_->work) return;
  own_->work.reset();
  if (own_->thread.get_id() == std::this_thread::get_id()) {
    // Stopped by one of its own handlers. Not stopped hard: run() returns once the work other
    // threads still count on is released (a caller's thread waiting for a call's result), and
    // only then does the thread's reference destroy the context.
    own_->thread.detach();
  } else {
    own_->context->stop();
    if (own_->thread.joinable()) own_->thread.join();
  }
}

Error error_from_exception(const std::exception_ptr& error, const CallName& name) {
  std::string what;  // the exception's text, when it has one
  try {
    if (error) std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted)
      return named(Error(ErrorCode::cancelled, fmt::format("{} was cancelled", name.call)), name);
    what = e.what();
  } catch (const std::future_error&) {
    return named(Error(ErrorCode::internal,
                       fmt::format("{} was abandoned: its runtime stopped under it", name.call)),
                 name);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  return named(Error(ErrorCode::internal, fmt::format("{} failed on an unexpected exception{}{}",
                                                      name.call, what.empty() ? "" : ": ", what)),
               name);
}

}  // namespace embark::detail
