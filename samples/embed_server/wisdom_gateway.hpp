// WisdomGateway: the one seam between the sample app and embark (the login-time onboarding and the
// iframe's token refresh). The app never talks to WisdomAI except through this interface.
#pragma once

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "embark/result.hpp"
#include "embark/secret.hpp"

#include "app_user.hpp"

namespace embark::sample {

/// What a login-time onboarding produced for the dashboard page.
struct EmbedSession {
  embark::Secret embed_url;  ///< the iframe URL; it carries the session JWT, so it is a secret
  std::string wisdom_email;  ///< the email WisdomAI knows this user by (tenant-safe form)
  std::chrono::system_clock::time_point expires_at;  ///< the JWT's expiry
  std::string report;  ///< one line on what the onboarding did, for the server log
};

/// A fresh session JWT for the iframe's refresh request.
struct RefreshedToken {
  embark::Secret token;
  std::chrono::system_clock::time_point expires_at;
};

/// Puts app users into WisdomAI sessions. Implementations must be safe to call concurrently from
/// the server's executor; they are created once at start-up.
class WisdomGateway {
 public:
  virtual ~WisdomGateway() = default;

  /// Login: makes sure `user` exists in WisdomAI with the right attributes and returns an embed
  /// URL.
  virtual boost::asio::awaitable<embark::Result<EmbedSession>> login(const AppUser& user) = 0;
  /// Refresh: a new session JWT for an already onboarded `user` (the iframe asked for one).
  virtual boost::asio::awaitable<embark::Result<RefreshedToken>> refresh(const AppUser& user) = 0;
  /// The WisdomAI origin the iframe is served from, e.g. "https://acme.wisdom.ai".
  virtual const std::string& origin() const = 0;
};

}  // namespace embark::sample
