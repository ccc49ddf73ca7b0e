#include "redis/client.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <hiredis/hiredis.h>

namespace embark::redis {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

Reply convert(const redisReply& r) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::string;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::status;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::error;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::integer;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::array;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(convert(*r.element[i]));
      break;
    default:
      out.type = Reply::Type::nil;
  }
  return out;
}

std::string format(const Command& command) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(command.size());
  lengths.reserve(command.size());
  for (const auto& a : command) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  char* target = nullptr;
  const int n =
      redisFormatCommandArgv(&target, static_cast<int>(argv.size()), argv.data(), lengths.data());
  if (n < 0 || target == nullptr) throw std::bad_alloc();
  std::string out(target, static_cast<std::size_t>(n));
  redisFreeCommand(target);
  return out;
}

struct ReaderDeleter {
  void operator()(redisReader* r) const noexcept { redisReaderFree(r); }
};

}  // namespace

struct Client::State : std::enable_shared_from_this<Client::State> {
  struct Pending {
    std::size_t expected = 0;
    std::vector<Reply> replies;
    BatchHandler done;
    SteadyClock::time_point deadline;
  };

  RedisUrl url;
  ClientOptions options;
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  asio::generic::stream_protocol::socket socket{ioc};
  asio::steady_timer timer{ioc};
  std::unique_ptr<redisReader, ReaderDeleter> reader{redisReaderCreate()};
  std::thread thread;

  enum class Phase { idle, connecting, ready } phase = Phase::idle;
  std::uint64_t generation = 0;
  std::uint64_t write_generation = 0;  // of the current (or next) connection
  std::deque<Pending> pending;
  std::string out;      // formatted, not yet written
  std::string writing;  // being written
  bool write_busy = false;
  bool timer_armed = false;
  std::array<char, std::size_t{16} * 1024> buffer{};
  SteadyClock::time_point retry_at{};
  std::chrono::milliseconds backoff{0};
  ConnectHook hook;
  std::atomic<bool> connected{false};
  std::atomic<std::uint64_t> connects{0};

  State(RedisUrl u, ClientOptions o)
      : url(std::move(u)), options(o), backoff(o.reconnect_backoff) {}

  void start() {
    thread = std::thread([self = shared_from_this()] { self->ioc.run(); });
  }

  void stop() {
    asio::post(ioc, [self = shared_from_this()] {
      self->timer.cancel();
      self->fail_all(Error(ErrorCode::cancelled, "redis client stopped"), false);
      self->work.reset();
    });
    if (!thread.joinable()) return;
    // The last owner may let go inside a completion on the client's own thread: it cannot join
    // itself, and the thread ends on its own once the queued stop has run.
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();
    } else {
      thread.join();
    }
  }

  void enqueue(std::vector<Command> commands, BatchHandler done,
               std::chrono::milliseconds timeout) {
    const auto now = SteadyClock::now();
    if (phase == Phase::idle) {
      if (now < retry_at) {
        done(Error(ErrorCode::connect, "redis " + to_string(url) + " unavailable (backing off)"));
        return;
      }
      connect();
    }
    push(std::move(commands), std::move(done), now, timeout);
  }

  void push(std::vector<Command> commands, BatchHandler done, SteadyClock::time_point now,
            std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) {
    Pending p;
    p.expected = commands.size();
    p.done = std::move(done);
    p.deadline = now + (timeout.count() > 0 ? timeout : options.timeout);
    try {
      for (auto& c : commands) {
        for (auto& arg : c) {
          if (arg.size() == kWriteGeneration.size() && arg == kWriteGeneration)
            arg = std::to_string(write_generation);
        }
        out += format(c);
      }
    } catch (const std::exception&) {
      p.done(Error(ErrorCode::internal, "redis command could not be formatted"));
      return;
    }
    if (p.expected == 0) {
      p.done(std::vector<Reply>{});
      return;
    }
    const auto deadline = p.deadline;
    pending.push_back(std::move(p));
    if (timer_armed && deadline < timer.expiry()) timer.cancel();  // re-armed by its handler
    arm_timer();
    flush();
  }

  // Handshake commands go first on the new connection, ahead of anything queued after them.
  void connect() {
    phase = Phase::connecting;
    const std::uint64_t gen = ++generation;
    ++write_generation;
    connects.fetch_add(1, std::memory_order_relaxed);
    std::vector<Command> hello;
    if (!url.password.empty()) {
      if (url.user.empty()) {
        hello.push_back({"AUTH", std::string(url.password.reveal())});
      } else {
        hello.push_back({"AUTH", url.user, std::string(url.password.reveal())});
      }
    }
    if (url.db != 0) hello.push_back({"SELECT", std::to_string(url.db)});
    std::size_t hook_count = 0;
    if (hook.commands) {
      auto extra = hook.commands(write_generation);
      hook_count = extra.size();
      for (auto& c : extra) hello.push_back(std::move(c));
    }
    if (!hello.empty()) {
      const std::size_t auth_count = hello.size() - hook_count;
      push(
          std::move(hello),
          [this, gen, auth_count, hook_count](Result<std::vector<Reply>> r) {
            if (!r) {
              if (hook_count > 0 && hook.done) hook.done(false);
              return;
            }
            for (std::size_t i = 0; i < auth_count; ++i) {
              if ((*r)[i].is_error()) {
                if (hook_count > 0 && hook.done) hook.done(false);
                if (gen == generation) {
                  fail_all(Error(ErrorCode::unauthenticated,
                                 "redis " + to_string(url) + " refused AUTH/SELECT"),
                           true);
                }
                return;
              }
            }
            bool ok = true;
            for (std::size_t i = auth_count; i < r->size(); ++i) ok = ok && !(*r)[i].is_error();
            if (hook_count > 0 && hook.done) hook.done(ok);
          },
          SteadyClock::now());
    }
    asio::co_spawn(ioc, open(gen), asio::detached);
  }

  asio::awaitable<void> open(std::uint64_t gen) {
    auto self = shared_from_this();
    boost::system::error_code ec;
    if (url.transport == RedisUrl::Transport::unix_socket) {
      asio::local::stream_protocol::endpoint ep(url.path);
      std::tie(ec) = co_await socket.async_connect(asio::generic::stream_protocol::endpoint(ep),
                                                   asio::as_tuple(asio::use_awaitable));
    } else {
      asio::ip::tcp::resolver resolver(ioc);
      auto [rec, results] = co_await resolver.async_resolve(url.host, std::to_string(url.port),
                                                            asio::as_tuple(asio::use_awaitable));
      ec = rec;
      if (!ec) {
        ec = asio::error::host_not_found;
        for (const auto& entry : results) {
          if (gen != generation) co_return;
          boost::system::error_code ignored;
          socket.close(ignored);
          std::tie(ec) = co_await socket.async_connect(
              asio::generic::stream_protocol::endpoint(entry.endpoint()),
              asio::as_tuple(asio::use_awaitable));
          if (!ec) break;
        }
      }
      if (!ec && gen == generation) socket.set_option(asio::ip::tcp::no_delay(true), ec);
    }
    if (gen != generation) co_return;  // timed out meanwhile
    if (ec) {
      fail_all(Error(ErrorCode::connect, "redis " + to_string(url) + ": " + ec.message()), true);
      co_return;
    }
    phase = Phase::ready;
    read(gen);
    flush();
  }

  void flush() {
    if (phase != Phase::ready || write_busy || out.empty()) return;
    write_busy = true;
    writing.swap(out);
    out.clear();
    const std::uint64_t gen = generation;
    asio::async_write(socket, asio::buffer(writing),
                      [self = shared_from_this(), gen](boost::system::error_code ec, std::size_t) {
                        if (gen != self->generation) return;
                        self->write_busy = false;
                        self->writing.clear();
                        if (ec) {
                          self->fail_all(Error(ErrorCode::connect, "redis write: " + ec.message()),
                                         true);
                          return;
                        }
                        self->flush();
                      });
  }

  void read(std::uint64_t gen) {
    socket.async_read_some(asio::buffer(buffer), [self = shared_from_this(), gen](
                                                     boost::system::error_code ec, std::size_t n) {
      if (gen != self->generation) return;
      if (ec) {
        self->fail_all(Error(ErrorCode::connect, "redis connection lost: " + ec.message()), true);
        return;
      }
      self->on_data(gen, n);
    });
  }

  void on_data(std::uint64_t gen, std::size_t n) {
    if (redisReaderFeed(reader.get(), buffer.data(), n) != REDIS_OK) {
      fail_all(Error(ErrorCode::protocol, "redis reader failed"), true);
      return;
    }
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) {
        fail_all(Error(ErrorCode::protocol, "redis sent something that is not RESP"), true);
        return;
      }
      if (raw == nullptr) break;
      Reply reply = convert(*static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      if (pending.empty()) {
        fail_all(Error(ErrorCode::protocol, "redis sent a reply nobody asked for"), true);
        return;
      }
      auto& head = pending.front();
      head.replies.push_back(std::move(reply));
      if (head.replies.size() == head.expected) {
        Pending done = std::move(head);
        pending.pop_front();
        connected.store(true, std::memory_order_relaxed);
        backoff = options.reconnect_backoff;
        done.done(std::move(done.replies));
        if (gen != generation) return;  // the handler dropped the connection
      }
    }
    read(gen);
  }

  SteadyClock::time_point earliest_deadline() const {
    auto t = SteadyClock::time_point::max();
    for (const auto& p : pending) t = std::min(t, p.deadline);
    return t;
  }

  void arm_timer() {
    if (timer_armed || pending.empty()) return;
    timer_armed = true;
    timer.expires_at(earliest_deadline());
    timer.async_wait([self = shared_from_this()](boost::system::error_code) {
      self->timer_armed = false;
      if (self->pending.empty()) return;
      if (SteadyClock::now() >= self->earliest_deadline()) {
        self->fail_all(
            Error(ErrorCode::timeout, "redis " + to_string(self->url) + " did not answer in time"),
            true);
      } else {
        self->arm_timer();
      }
    });
  }

  // Drops the connection (replies still owed could not be matched to later requests) and fails
  // every batch waiting on it.
  void fail_all(const Error& error, bool back_off) {
    ++generation;
    phase = Phase::idle;
    boost::system::error_code ignored;
    socket.close(ignored);
    reader.reset(redisReaderCreate());
    out.clear();
    writing.clear();
    write_busy = false;
    connected.store(false, std::memory_order_relaxed);
    if (back_off) {
      retry_at = SteadyClock::now() + backoff;
      backoff = std::min(backoff * 2, options.max_reconnect_backoff);
    }
    std::deque<Pending> failed;
    failed.swap(pending);
    for (auto& p : failed) p.done(error);
  }
};

namespace {

// Registered in each execution context that awaits Redis replies. Services shut down before
// the context destroys its queued work, in reverse order of creation (this one after the
// scheduler), so the handlers destroyed here may still post their frames' teardown to it.
class LifeService final : public asio::execution_context::service {
 public:
  using key_type = LifeService;  // NOLINT(readability-identifier-naming): Asio's service name
  static inline asio::execution_context::id id;
  explicit LifeService(asio::execution_context& context)
      : asio::execution_context::service(context), life_(std::make_shared<Client::ContextLife>()) {}
  std::shared_ptr<Client::ContextLife> life() const { return life_; }

 private:
  void shutdown() override {
    std::unordered_map<std::uint64_t, std::shared_ptr<void>> waiting;
    {
      std::lock_guard lock(life_->mutex);
      life_->running = false;
      waiting.swap(life_->waiting);
    }
    waiting.clear();  // outside the lock: a frame's teardown may release the last Client
  }
  std::shared_ptr<Client::ContextLife> life_;
};

}  // namespace

std::shared_ptr<Client::ContextLife> Client::ContextLife::of(const asio::any_io_executor& ex) {
  auto& context = asio::query(ex, asio::execution::context);
  return asio::use_service<LifeService>(context).life();
}

Client::Client(RedisUrl url, ClientOptions options)
    : state_(std::make_shared<State>(std::move(url), options)) {
  state_->start();
}

Client::~Client() { state_->stop(); }

void Client::send(std::vector<Command> commands, BatchHandler done,
                  std::chrono::milliseconds timeout) {
  asio::post(state_->ioc, [s = state_, c = std::move(commands), d = std::move(done),
                           timeout]() mutable { s->enqueue(std::move(c), std::move(d), timeout); });
}

asio::awaitable<Result<Reply>> Client::co_exec(Command command) {
  std::vector<Command> batch;
  batch.push_back(std::move(command));
  auto r = co_await async_exec(std::move(batch), std::chrono::milliseconds(0), asio::use_awaitable);
  if (!r) co_return r.error();
  co_return std::move(r->front());
}

asio::awaitable<Result<std::vector<Reply>>> Client::co_batch(std::vector<Command> commands,
                                                             std::chrono::milliseconds timeout) {
  co_return co_await async_exec(std::move(commands), timeout, asio::use_awaitable);
}

Result<std::vector<Reply>> Client::exec(std::vector<Command> commands,
                                        std::chrono::milliseconds timeout) {
  std::promise<Result<std::vector<Reply>>> promise;
  auto future = promise.get_future();
  send(
      std::move(commands),
      [&promise](Result<std::vector<Reply>> r) { promise.set_value(std::move(r)); }, timeout);
  return future.get();
}

void Client::set_connect_hook(ConnectHook hook) {
  asio::post(state_->ioc, [s = state_, h = std::move(hook)]() mutable { s->hook = std::move(h); });
}

bool Client::connected() const noexcept {
  return state_->connected.load(std::memory_order_relaxed);
}

std::uint64_t Client::connects() const noexcept {
  return state_->connects.load(std::memory_order_relaxed);
}

asio::any_io_executor Client::executor() const noexcept { return state_->ioc.get_executor(); }

}  // namespace embark::redis
