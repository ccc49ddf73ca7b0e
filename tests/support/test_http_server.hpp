// TestHttpServer: a small Beast HTTP/1.1 server (TLS or plain) on 127.0.0.1:<ephemeral port> with
// scriptable misbehaviour, for the transport's integration tests.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "support/test_certificates.hpp"

namespace embark::test_support {

/// How the server treats requests.
enum class ServerMode {
  answer,              ///< answer every request and keep the connection open
  connection_close,    ///< answer with `Connection: close`, then close
  close_after_answer,  ///< answer (promising keep-alive), then close the connection at once
  drop_reused,         ///< answer a connection's first request; read later ones and close without
                       ///< answering
  never_answer,        ///< read the request, never answer (until the client goes away)
  http10,              ///< answer as HTTP/1.0 without keep-alive
};

/// The scripted behaviour. Plain value type.
struct ServerBehaviour {
  ServerMode mode = ServerMode::answer;
  int status = 200;
  std::size_t body_bytes = 0;  ///< size of the JSON body; 0 = a small `{"data":{}}`
  std::optional<std::string> retry_after{};
};

/// What the server last received (for assertions; tests never print it).
struct ReceivedRequest {
  std::string method, target, host, authorization, content_type, body;
};

/// Listens on 127.0.0.1 (port 0) as soon as it is constructed and serves on its own thread until
/// destroyed. Counters and behaviour are thread-safe.
class TestHttpServer {
 public:
  /// TLS server with `certificate` (a key pair from test_certificates.hpp).
  explicit TestHttpServer(KeyPair certificate);
  /// Plain HTTP server.
  TestHttpServer();
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  /// The bound port.
  unsigned short port() const noexcept { return port_; }
  /// "<scheme>://<host>:<port><path>".
  std::string url(std::string_view host = "127.0.0.1", std::string_view path = "/graphql") const;

  void set_behaviour(ServerBehaviour behaviour);
  ServerBehaviour behaviour() const;
  ReceivedRequest last_request() const;

  std::size_t accepted() const noexcept { return accepted_.load(); }
  std::size_t requests() const noexcept { return requests_.load(); }
  std::size_t handshakes() const noexcept { return handshakes_.load(); }
  std::size_t sessions_resumed() const noexcept { return sessions_resumed_.load(); }
  std::size_t peak_open() const noexcept { return peak_open_.load(); }

 private:
  struct Impl;
  friend struct Impl;
  void start(std::optional<KeyPair> certificate);

  std::unique_ptr<Impl> impl_;
  bool tls_ = false;
  unsigned short port_ = 0;
  mutable std::mutex mutex_;
  ServerBehaviour behaviour_;
  ReceivedRequest last_request_;
  std::atomic<std::size_t> accepted_{0}, requests_{0}, handshakes_{0}, sessions_resumed_{0},
      open_{0}, peak_open_{0};
};

}  // namespace embark::test_support
