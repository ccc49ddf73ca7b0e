// embark's async runtime: the one way WisdomClient and Onboarder start an operation, complete a
// completion token, and refuse a blocking call that would wait for its own thread.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

#include "embark/error.hpp"
#include "embark/result.hpp"

// Everything here is internal to embark (namespace detail): the public front doors are
// WisdomClient (client.hpp) and Onboarder (onboarder.hpp). It is a header because their async_
// members are templates on the completion token.
namespace embark::detail {

/// How a front-door call names itself in its errors. Static strings only: the name travels by
/// value into every operation.
struct CallName {
  /// The call as the user wrote it ("WisdomClient::impersonate_user", "Onboarder::onboard").
  const char* call = "";
  /// The vendor operation, carried as Error::operation() ("impersonateUser"), or empty.
  const char* operation = "";
  /// What to call instead on the runtime's own thread ("async_onboard or co_onboard").
  const char* async_form = "";
};

/// The executor a front door runs on and, unless the application gave one, the io_context and
/// the thread it owns to run it. Not copyable or movable. Thread-safe, except stop() and the
/// destructor, which the owner calls once.
class Runtime {
 public:
  /// Owns an io_context run by one thread of its own.
  Runtime();
  /// Runs on the application's `executor`; no thread (the application runs its context).
  explicit Runtime(boost::asio::any_io_executor executor);
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  /// stop().
  ~Runtime();

  /// The executor operations run on (a strand of it each, see operation_executor()).
  const boost::asio::any_io_executor& executor() const noexcept { return executor_; }
  /// A new strand of executor() for one operation: an operation races its work against its
  /// deadline, whose two sides must not complete on two threads of a thread pool at once.
  boost::asio::any_io_executor operation_executor() const;
  /// Error{internal} naming `name` when the calling thread runs executor() (a blocking call here
  /// would wait for itself, or starve a pool one thread at a time); nullopt when blocking is safe.
  std::optional<Error> blocking_error(const CallName& name) const;
  /// Ends the owned thread: stops the io_context and joins the thread; called on that thread
  /// (an owner destroyed by one of its own handlers) it only lets run() end once no work is left,
  /// and the thread's own reference destroys the io_context. Idempotent; no-op without a thread.
  void stop() noexcept;

 private:
  struct OwnThread;
  std::shared_ptr<OwnThread> own_;
  boost::asio::any_io_executor executor_;
};

/// The Error for an exception that escaped an operation's coroutine: Error{cancelled} for Asio's
/// operation_aborted, Error{internal} naming the call for anything else (a bug).
Error error_from_exception(const std::exception_ptr& error, const CallName& name);

/// The operation's coroutine: the factory (and whatever it keeps alive) lives in this frame until
/// the operation ends. Cancellation does not throw at its co_awaits: the operation returns it as a
/// Result, after its own cleanup.
template <class T, class Factory>
boost::asio::awaitable<Result<T>> run_operation(Factory factory) {
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  co_return co_await factory();
}

/// Completes an operation's handler with its Result on the handler's own executor.
template <class T, class Handler, class WorkGuard>
struct Completion {
  Handler handler;
  WorkGuard work;  // keeps the handler's executor busy until the handler ran
  CallName name;
  void operator()(const std::exception_ptr& error, Result<T> result) {
    if (error) result = error_from_exception(error, name);
    auto executor = work.get_executor();
    boost::asio::dispatch(executor,
                          [handler = std::move(handler), result = std::move(result)]() mutable {
                            std::move(handler)(std::move(result));
                          });
    work.reset();
  }
};

/// Starts one operation (see async_run_on). Everything it needs travels inside this object, not as
/// extra initiation arguments: GCC 12 loses by-value parameter packs of coroutines such as
/// use_awaitable's initiate().
template <class T, class Factory>
struct Initiation {
  boost::asio::any_io_executor run_on;
  boost::asio::any_io_executor handler_default;
  CallName name;
  Factory factory;

  template <class Handler>
  void operator()(Handler handler) {
    namespace asio = boost::asio;
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto work = asio::make_work_guard(asio::get_associated_executor(handler, handler_default));
    asio::co_spawn(
        run_on, run_operation<T>(std::move(factory)),
        asio::bind_cancellation_slot(slot, Completion<T, Handler, decltype(work)>{
                                               std::move(handler), std::move(work), name}));
  }
};

/// The one initiation path: runs `factory()` (an awaitable<Result<T>>) on `run_on` and completes
/// `token` with void(Result<T>) on the handler's associated executor (default
/// `handler_default`), keeping that executor busy meanwhile. Cancellation through the token's
/// cancellation slot reaches the operation, which ends with Error{cancelled}; an exception
/// becomes an Error naming the call. Any Asio token works: callbacks, use_awaitable,
/// use_future, deferred.
template <class T, class Token, class Factory>
auto async_run_on(boost::asio::any_io_executor run_on, boost::asio::any_io_executor handler_default,
                  const CallName& name, Factory factory, Token&& token) {
  return boost::asio::async_initiate<Token, void(Result<T>)>(
      Initiation<T, Factory>{std::move(run_on), std::move(handler_default), name,
                             std::move(factory)},
      token);
}

/// async_run_on on a new strand of the runtime's executor, the handler's default executor being
/// the runtime's.
template <class T, class Token, class Factory>
auto async_run(const Runtime& runtime, const CallName& name, Factory factory, Token&& token) {
  return async_run_on<T>(runtime.operation_executor(), runtime.executor(), name, std::move(factory),
                         std::forward<Token>(token));
}

/// The blocking form of async_run: refuses to wait for the runtime's own thread (Error{internal}
/// naming the async form), else waits for the operation.
template <class T, class Factory>
Result<T> run_blocking(const Runtime& runtime, const CallName& name, Factory factory) {
  if (auto error = runtime.blocking_error(name)) return *std::move(error);
  try {
    return async_run<T>(runtime, name, std::move(factory), boost::asio::use_future).get();
  } catch (...) {  // a broken promise: the runtime was stopped under the call
    return error_from_exception(std::current_exception(), name);
  }
}

}  // namespace embark::detail
