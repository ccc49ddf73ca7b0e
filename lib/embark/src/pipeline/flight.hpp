// Flight<T>: one result shared by every coroutine that waits for it (single-flight).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

namespace embark::internal {

/// Completed once by its leader; waiters (any thread, any executor) get a copy of the result on
/// their handler's associated executor (which must convert to any_io_executor, as
/// use_awaitable's does). Thread-safe.
template <class T>
class Flight {
 public:
  explicit Flight(boost::asio::any_io_executor fallback) : fallback_(std::move(fallback)) {}

  template <class CompletionToken>
  auto async_wait(CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(T)>(
        [this](auto handler) {
          // Handlers are move-only; a shared holder lets std::function carry them.
          Waiter waiter;
          waiter.executor = boost::asio::get_associated_executor(handler, fallback_);
          auto held = std::make_shared<decltype(handler)>(std::move(handler));
          waiter.resume = [held](T value) { std::move (*held)(std::move(value)); };
          std::unique_lock lock(mutex_);
          if (result_) {
            T copy = *result_;
            lock.unlock();
            deliver(std::move(waiter), std::move(copy));
            return;
          }
          waiters_.push_back(std::move(waiter));
        },
        token);
  }

  void complete(T value) {
    std::vector<Waiter> waiters;
    {
      std::lock_guard lock(mutex_);
      result_ = value;
      waiters.swap(waiters_);
    }
    for (auto& handler : waiters) deliver(std::move(handler), value);
  }

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;
    std::function<void(T)> resume;
  };

  static void deliver(Waiter waiter, T value) {
    boost::asio::post(waiter.executor, [resume = std::move(waiter.resume),
                                        v = std::move(value)]() mutable { resume(std::move(v)); });
  }

  boost::asio::any_io_executor fallback_;
  std::mutex mutex_;
  std::optional<T> result_;
  std::vector<Waiter> waiters_;
};

}  // namespace embark::internal
