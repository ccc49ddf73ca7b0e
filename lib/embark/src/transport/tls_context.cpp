#include "internal/transport/tls_context.hpp"

#include <boost/asio/buffer.hpp>
#include <fmt/format.h>
#include <openssl/err.h>

namespace embark::internal {
namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> make_tls_client_context(const TransportOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1)
    return fail(ErrorCode::internal, "cannot restrict TLS to version 1.2 or newer");
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression);

  boost::system::error_code ec;
  if (options.ca_file.empty() && options.ca_pem.empty()) {
    context->set_default_verify_paths(ec);
    if (ec)
      return fail(ErrorCode::tls,
                  fmt::format("cannot load the system CA certificates: {}", ec.message()));
  }
  if (!options.ca_file.empty()) {
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      Error error(ErrorCode::invalid_input, fmt::format("cannot load CA certificates from '{}': {}",
                                                        options.ca_file, ec.message()));
      error.with_field("transport.ca_file");
      return error;
    }
  }
  if (!options.ca_pem.empty()) {
    // Every certificate of the text goes into the trust store; text without one is an error.
    context->add_certificate_authority(boost::asio::buffer(options.ca_pem), ec);
    if (ec) {
      Error error(ErrorCode::invalid_input,
                  fmt::format("cannot load CA certificates from ca_pem: {}", ec.message()));
      error.with_field("transport.ca_pem");
      return error;
    }
  }
  context->set_verify_mode(options.verify_peer ? ssl::verify_peer : ssl::verify_none);
  return context;
}

void TlsSessionCache::apply_to(SSL* ssl) const {
  std::shared_ptr<SSL_SESSION> session;
  {
    std::lock_guard lock(mutex_);
    session = session_;
  }
  if (session) SSL_set_session(ssl, session.get());  // takes its own reference
}

void TlsSessionCache::remember_from(SSL* ssl) {
  SSL_SESSION* live = SSL_get0_session(ssl);
  if (live == nullptr || SSL_SESSION_is_resumable(live) != 1) return;
  // A private copy: OpenSSL marks the live session not resumable when its connection is freed
  // without a close_notify, which is how pooled connections usually end.
  SSL_SESSION* copy = SSL_SESSION_dup(live);
  if (copy == nullptr) return;
  std::shared_ptr<SSL_SESSION> session(copy, SessionFree{});
  std::lock_guard lock(mutex_);
  session_ = std::move(session);
}

void TlsSessionCache::clear() {
  std::lock_guard lock(mutex_);
  session_.reset();
}

}  // namespace embark::internal
