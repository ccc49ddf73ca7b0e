// A small pipelined Redis client: hiredis's RESP reader and command formatter over an Asio
// socket (TCP or Unix), on an I/O thread of its own. Internal to embark.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "embark/redis.hpp"
#include "embark/result.hpp"

namespace embark::redis {

/// One RESP reply.
struct Reply {
  enum class Type { string, array, integer, nil, status, error };
  Type type = Type::nil;
  std::string str;  ///< string, status and error replies
  long long integer = 0;
  std::vector<Reply> elements;  ///< array replies
  bool is_error() const noexcept { return type == Type::error; }
  bool is_nil() const noexcept { return type == Type::nil; }
};

/// One command and its arguments, e.g. {"SET", key, value, "PX", "1000"}.
using Command = std::vector<std::string>;
/// Called with the replies of a batch, in order, or the reason there are none.
using BatchHandler = std::function<void(Result<std::vector<Reply>>)>;

/// Behaviour of a Client.
struct ClientOptions {
  std::chrono::milliseconds timeout{25};
  std::chrono::milliseconds reconnect_backoff{50};
  std::chrono::milliseconds max_reconnect_backoff{1000};
};

/// Commands sent first on every new connection (after AUTH and SELECT), and told whether they
/// succeeded. Used to repair shared entries that went stale while Redis was away.
struct ConnectHook {
  std::function<std::vector<Command>()> commands;
  std::function<void(bool ok)> done;
};

/// Pipelined commands over one connection. A batch's commands are written together and its
/// replies handed over together. A batch fails (timeout, connect, protocol) when the server is
/// unreachable, slower than the timeout (the connection is then dropped: late replies cannot be
/// matched) or sends something that is not RESP; an error *reply* is a Reply, not a failure.
/// After a failed connection, batches fail at once until the back-off has passed. Thread-safe.
class Client {
 public:
  Client(RedisUrl url, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends a batch; `done` runs on the client's thread. `timeout` zero: the client's default.
  void send(std::vector<Command> commands, BatchHandler done,
            std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  /// A batch in Asio's universal model; the handler runs on its associated executor.
  template <class CompletionToken>
  auto async_exec(std::vector<Command> commands, std::chrono::milliseconds timeout,
                  CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(Result<std::vector<Reply>>)>(
        [this](auto handler, std::vector<Command> cmds, std::chrono::milliseconds t) {
          auto ex = boost::asio::get_associated_executor(handler, executor());
          auto held = std::make_shared<decltype(handler)>(std::move(handler));
          // The caller's context counts the batch as outstanding work until post() has returned
          // on this client's thread: its owner cannot run out of work, join and destroy it while
          // post() still signals its scheduler.
          send(
              std::move(cmds),
              [ex, held,
               work = boost::asio::make_work_guard(ex)](Result<std::vector<Reply>> r) mutable {
                boost::asio::post(ex, [held, r = std::move(r)]() mutable { std::move (*held)(r); });
                work.reset();
              },
              t);
        },
        token, std::move(commands), timeout);
  }
  /// One command as a coroutine on the caller's executor.
  boost::asio::awaitable<Result<Reply>> co_exec(Command command);
  /// A batch as a coroutine on the caller's executor.
  boost::asio::awaitable<Result<std::vector<Reply>>> co_batch(
      std::vector<Command> commands,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
  /// A batch, blocking. Never call it on the client's own thread.
  Result<std::vector<Reply>> exec(std::vector<Command> commands,
                                  std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  /// Sets the hook run on every new connection (call before the first batch).
  void set_connect_hook(ConnectHook hook);
  /// Whether the last round trip succeeded.
  bool connected() const noexcept;
  /// The client's own executor.
  boost::asio::any_io_executor executor() const noexcept;
  /// Connections opened so far (for tests).
  std::uint64_t connects() const noexcept;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace embark::redis
