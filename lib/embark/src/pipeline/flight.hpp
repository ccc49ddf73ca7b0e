// Flight<T>: one result shared by every coroutine that waits for it (single-flight).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include "embark/error.hpp"

namespace embark::internal {

/// Completed once by its leader; waiters (any thread, any executor) get a copy of the result on
/// their handler's associated executor (which must convert to any_io_executor, as
/// use_awaitable's does). A waiter whose wait is cancelled (its cancellation slot, e.g. a
/// deadline raced with `||`) leaves at once with T(Error{cancelled}); the leader goes on.
/// Always owned by a shared_ptr. Thread-safe.
template <class T>
class Flight : public std::enable_shared_from_this<Flight<T>> {
 public:
  explicit Flight(boost::asio::any_io_executor fallback) : fallback_(std::move(fallback)) {}

  template <class CompletionToken>
  auto async_wait(CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(T)>(
        [this](auto handler) {
          // Handlers are move-only; a shared holder lets std::function carry them.
          Waiter waiter;
          waiter.executor = boost::asio::get_associated_executor(handler, fallback_);
          auto slot = boost::asio::get_associated_cancellation_slot(handler);
          auto held = std::make_shared<decltype(handler)>(std::move(handler));
          waiter.resume = [held](T value) { std::move (*held)(std::move(value)); };
          std::unique_lock lock(mutex_);
          if (result_) {
            T copy = *result_;
            lock.unlock();
            deliver(std::move(waiter), std::move(copy));
            return;
          }
          const std::uint64_t id = next_id_++;
          if (slot.is_connected()) {
            // Assigned before complete() can see the waiter (and resume it elsewhere). Runs on
            // whichever thread cancels; the mutex decides between it and complete().
            slot.assign([weak = this->weak_from_this(), id](boost::asio::cancellation_type) {
              if (auto self = weak.lock()) self->leave(id);
            });
          }
          waiters_.emplace(id, std::move(waiter));
        },
        token);
  }

  void complete(T value) {
    std::map<std::uint64_t, Waiter> waiters;
    {
      std::lock_guard lock(mutex_);
      result_ = value;
      waiters.swap(waiters_);
    }
    for (auto& [id, waiter] : waiters) deliver(std::move(waiter), value);
  }

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;
    std::function<void(T)> resume;
  };

  void leave(std::uint64_t id) {
    std::unique_lock lock(mutex_);
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;  // already completed
    Waiter waiter = std::move(it->second);
    waiters_.erase(it);
    lock.unlock();
    deliver(std::move(waiter), T(Error(ErrorCode::cancelled,
                                       "the wait for a shared run was "
                                       "cancelled")));
  }

  static void deliver(Waiter waiter, T value) {
    boost::asio::post(waiter.executor, [resume = std::move(waiter.resume),
                                        v = std::move(value)]() mutable { resume(std::move(v)); });
  }

  boost::asio::any_io_executor fallback_;
  std::mutex mutex_;
  std::optional<T> result_;
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, Waiter> waiters_;
};

}  // namespace embark::internal
