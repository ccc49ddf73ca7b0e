// A small pipelined Redis client: hiredis's RESP reader and command formatter over an Asio
// socket (TCP or Unix), on an I/O thread of its own. Internal to embark.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
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

/// A command argument equal to this is replaced, when its batch is queued on a connection, by
/// that connection's write generation (a number that grows with every new connection), so a
/// script can tell writes sent on a dropped connection from later ones.
inline constexpr std::string_view kWriteGeneration =
    "\x1f"
    "embark:write-generation"
    "\x1f";

/// Commands sent first on every new connection (after AUTH and SELECT), and told whether they
/// succeeded. Used to repair shared entries that went stale while Redis was away.
struct ConnectHook {
  /// Called with the new connection's write generation.
  std::function<std::vector<Command>(std::uint64_t generation)> commands;
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

  /// Handlers waiting for replies, per execution context. When the context shuts down (an
  /// application destroys its io_context with a Redis call in flight) they are destroyed there,
  /// while the context can still take the work their destruction posts, and their replies are
  /// dropped: nothing is ever posted into a destroyed context.
  struct ContextLife {
    std::mutex mutex;
    bool running = true;
    std::uint64_t next = 0;
    std::unordered_map<std::uint64_t, std::shared_ptr<void>> waiting;
    /// The registry of `ex`'s context (a service of that context, created on first use).
    static std::shared_ptr<ContextLife> of(const boost::asio::any_io_executor& ex);
  };

  /// A batch in Asio's universal model; the handler runs on its associated executor.
  template <class CompletionToken>
  auto async_exec(std::vector<Command> commands, std::chrono::milliseconds timeout,
                  CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(Result<std::vector<Reply>>)>(
        // `cmds` is moved into send() below (clang-tidy 14 misreads the generic lambda).
        // NOLINTNEXTLINE(performance-unnecessary-value-param)
        [this](auto handler, std::vector<Command> cmds, std::chrono::milliseconds t) {
          using Handler = decltype(handler);
          auto ex = boost::asio::get_associated_executor(handler, executor());
          auto life = ContextLife::of(ex);
          std::uint64_t id = 0;
          {
            std::lock_guard lock(life->mutex);
            id = ++life->next;
            life->waiting.emplace(id, std::make_shared<Handler>(std::move(handler)));
          }
          send(
              std::move(cmds),
              [ex, life, id](Result<std::vector<Reply>> r) {
                // Posting under the lock: the context cannot shut down in between.
                std::lock_guard lock(life->mutex);
                auto it = life->waiting.find(id);
                if (it == life->waiting.end()) return;  // destroyed at the context's shutdown
                auto held = std::static_pointer_cast<Handler>(std::move(it->second));
                life->waiting.erase(it);
                if (!life->running) {
                  // Started during the shutdown itself: neither postable nor safely destroyed
                  // off the context; left alone (it can only happen as a process winds down).
                  (void)new std::shared_ptr<Handler>(std::move(held));
                  return;
                }
                boost::asio::post(ex, [held, r = std::move(r)]() mutable { std::move (*held)(r); });
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
