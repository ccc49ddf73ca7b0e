// Helpers for the client-layer unit tests: a scripted HttpTransport, JWT minting, running
// coroutines.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "embark/result.hpp"

#include "internal/transport/http_transport.hpp"

namespace embark::test {

/// base64url without padding.
inline std::string base64url(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

/// An unsigned JWT with the given payload JSON.
inline std::string jwt_with_payload(std::string_view payload,
                                    std::string_view signature = "c2lnbmF0dXJl") {
  return base64url(R"({"alg":"RS256","typ":"JWT"})") + "." + base64url(payload) + "." +
         std::string(signature);
}

/// A JWT expiring at `exp` (seconds since the epoch), made unique by `tag`.
inline std::string jwt_expiring(std::chrono::system_clock::time_point exp,
                                std::string_view tag = "t") {
  const auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(exp.time_since_epoch()).count();
  return jwt_with_payload(R"({"sub":")" + std::string(tag) + R"(","exp":)" + std::to_string(secs) +
                          "}");
}

/// HTTP 200 with a JSON body.
inline internal::HttpResponse ok_json(std::string body) {
  internal::HttpResponse r;
  r.status = 200;
  r.body = std::move(body);
  r.content_type = "application/json";
  return r;
}

inline internal::HttpResponse status_response(int status, std::string body = {},
                                              std::optional<std::string> retry_after = {}) {
  internal::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.retry_after = std::move(retry_after);
  return r;
}

/// What the fake transport saw of one request.
struct SeenRequest {
  std::string body;
  std::optional<Secret> bearer;
  bool idempotent = false;
  bool streamed = false;
  std::size_t max_response_bytes = 0;
};

/// A scripted HttpTransport. Answers come from a queue (or a responder function when the queue is
/// empty); bodies are handed to body_sink in chunks of `chunk_size` bytes. Thread-safe.
class FakeTransport final : public internal::HttpTransport {
 public:
  using Responder = std::function<Result<internal::HttpResponse>(const internal::HttpRequest&)>;

  void push(Result<internal::HttpResponse> response) {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(response));
  }
  void set_responder(Responder responder) {
    std::lock_guard lock(mutex_);
    responder_ = std::move(responder);
  }
  std::vector<SeenRequest> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  std::size_t chunk_size = 7;
  /// How long each answer takes (a real timer), to let concurrent calls overlap.
  std::chrono::milliseconds delay{0};

  boost::asio::awaitable<Result<internal::HttpResponse>> send(
      internal::HttpRequest request) override {
    Result<internal::HttpResponse> response =
        Error(ErrorCode::internal, "fake transport: no scripted response");
    {
      std::lock_guard lock(mutex_);
      seen_.push_back({request.body, request.bearer, request.idempotent,
                       static_cast<bool>(request.body_sink), request.max_response_bytes});
      if (!queue_.empty()) {
        response = std::move(queue_.front());
        queue_.pop_front();
      } else if (responder_) {
        response = responder_(request);
      }
    }
    if (delay.count() > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    if (response && request.body_sink) {
      std::string body = std::move(response->body);
      response->body.clear();
      for (std::size_t i = 0; i < body.size(); i += chunk_size) {
        auto r = request.body_sink(std::string_view(body).substr(i, chunk_size));
        if (!r) co_return r.error();
      }
    }
    co_return response;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<Result<internal::HttpResponse>> queue_;
  Responder responder_;
  std::vector<SeenRequest> seen_;
};

/// Runs one coroutine to completion on a fresh io_context.
template <class T>
T run_sync(boost::asio::awaitable<T> work) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace embark::test
