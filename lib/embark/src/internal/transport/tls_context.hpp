// TLS client context and session cache of the transport.
#pragma once

#include <memory>
#include <mutex>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

#include "embark/client_options.hpp"
#include "embark/result.hpp"

namespace embark::internal {

/// Builds the client TLS context: TLS 1.2 or newer, the system CAs or `options.ca_file` and
/// `options.ca_pem`, peer verification unless `options.verify_peer` is false. A bad ca_file or
/// ca_pem is Error{invalid_input} with field "transport.ca_file" / "transport.ca_pem".
/// Thread-safe (pure function).
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(
    const TransportOptions& options);

/// Keeps the most recent resumable TLS session of one host, for resumption on reconnect.
/// Thread-safe.
class TlsSessionCache {
 public:
  TlsSessionCache() = default;
  TlsSessionCache(const TlsSessionCache&) = delete;
  TlsSessionCache& operator=(const TlsSessionCache&) = delete;

  /// Offers the cached session (if any) to a connection that has not handshaken yet.
  void apply_to(SSL* ssl) const;
  /// Remembers a copy of the connection's session if it can be resumed (TLS 1.3 tickets arrive
  /// after the handshake, so call this after a response was read).
  void remember_from(SSL* ssl);
  /// Forgets the cached session (after a handshake that used it failed).
  void clear();

 private:
  struct SessionFree {
    void operator()(SSL_SESSION* s) const noexcept { SSL_SESSION_free(s); }
  };
  mutable std::mutex mutex_;
  std::shared_ptr<SSL_SESSION> session_;
};

}  // namespace embark::internal
