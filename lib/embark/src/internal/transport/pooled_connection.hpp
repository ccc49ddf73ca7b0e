// PooledConnection: one keep-alive HTTP connection (plain TCP or TLS) and its read buffer.
#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace embark::internal {

/// An open connection owned by exactly one request at a time (or by the pool while idle).
/// Not thread-safe: the pool hands it to one coroutine at a time, and every asynchronous
/// operation on its streams (Beast's timeout handlers included) runs on `strand`.
struct PooledConnection {
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  /// The strand the streams were created on; the transport runs each exchange there, so on an
  /// io_context run by several threads no two handlers of this connection overlap. Empty only
  /// for connections built by hand in tests of the pool.
  boost::asio::any_io_executor strand;
  std::unique_ptr<boost::beast::tcp_stream> plain;  ///< set for http://
  std::unique_ptr<TlsStream> tls;                   ///< set for https://
  boost::beast::flat_buffer buffer;                 ///< bytes read past the last response
  std::chrono::steady_clock::time_point idle_since{};
  std::size_t responses = 0;  ///< complete responses read on this connection

  /// The TCP layer under either stream.
  boost::beast::tcp_stream& tcp() { return tls ? tls->next_layer() : *plain; }

  /// Closes the socket without a TLS close_notify (which could block on a dead peer).
  void close() noexcept {
    boost::system::error_code ignored;
    tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
  }

  /// Whether the peer closed the idle connection or sent something unexpected (a non-blocking
  /// peek).
  bool looks_closed() noexcept;
};

}  // namespace embark::internal
