// DocsFlow: the vendor's documented login flow, done literally, for the demo's comparison column.
#pragma once

#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "embark/model.hpp"

#include "context.hpp"

namespace embark::cli {

/// One login the way the WisdomAI docs describe it (docs/vendor-api.md#embedding-flow; the vendor's
/// embed demo does it per request): exchangeAccessToken for a management bearer, listUsers to
/// see whether the user exists, createUsers with the attributes (new user) or setUserAttributes
/// (existing user), then impersonateUser. Nothing is cached, so every login costs 4 calls.
/// Each login makes its own connections, as a handler holding no state would.
/// Thread-safe (immutable); the coroutines run on `executor`.
class DocsFlow {
 public:
  /// `settings` carry the endpoint, CA file, workspace and access key (its api_token is ignored:
  /// the flow exchanges the access key itself).
  DocsFlow(ConnectionFactory connect, Settings settings, boost::asio::any_io_executor executor);

  /// Runs one login of `email` with stored `attributes`; returns the session token.
  boost::asio::awaitable<Result<SessionToken>> login(std::string email,
                                                     AttributeMap attributes) const;

 private:
  ConnectionFactory connect_;
  Settings settings_;
  boost::asio::any_io_executor executor_;
};

}  // namespace embark::cli
