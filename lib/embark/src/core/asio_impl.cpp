// The one translation unit that compiles Boost.Asio, Asio.SSL and Boost.Beast
// (separate compilation, see docs/adr/2026-11-27-build-speed.md).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
