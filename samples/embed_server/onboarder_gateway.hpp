// OnboarderGateway: the WisdomGateway over embark::Onboarder (the real seam implementation).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "embark/embed.hpp"
#include "embark/observer.hpp"
#include "embark/onboarder.hpp"
#include "embark/request.hpp"
#include "embark/secret.hpp"

#include "wisdom_gateway.hpp"

namespace embark::sample {

/// Maps app users to embark onboarding requests: the WisdomAI email is the tenant-safe
/// plus-address (alice@acme.test in tenant "acme" -> alice+acme@acme.test), the tenant's and the
/// user's row-level attributes become stored attributes, new users get the viewer role, and the
/// embed target is one dashboard. Thread-safe (the Onboarder is; the rest is immutable).
class OnboarderGateway : public WisdomGateway {
 public:
  /// `onboarder` must be configured with an embed base URL whose origin is `origin`.
  OnboarderGateway(std::shared_ptr<const embark::Onboarder> onboarder, std::string origin,
                   std::string dashboard_id);

  boost::asio::awaitable<embark::Result<EmbedSession>> login(const AppUser& user) override;
  boost::asio::awaitable<embark::Result<RefreshedToken>> refresh(const AppUser& user) override;
  const std::string& origin() const override { return origin_; }

  /// The onboarding request for `user` (exposed for tests and the README).
  embark::Result<embark::OnboardRequest> request_for(const AppUser& user) const;

 private:
  std::shared_ptr<const embark::Onboarder> onboarder_;
  std::string origin_;
  std::string dashboard_id_;
};

/// Where the app finds WisdomAI. Plain value type.
struct WisdomEndpoint {
  std::string graphql_url;   ///< GraphQL endpoint embark calls
  std::string ca_file;       ///< CA bundle for that endpoint (empty: the system CAs)
  std::string embed_origin;  ///< origin of the embed pages (the iframe's)
  embark::Secret access_key;
  std::string workspace;  ///< empty: the default workspace
  std::string ca_pem;     ///< CA certificates in memory (the embedded emulator's), with ca_file
  /// Shared state for several app instances (redis:// or unix:// URL); empty: in memory.
  std::string redis_url;
  embark::Secret redis_token_key;  ///< 32 bytes; empty: tokens stay per instance
};

/// embark's connection and the app's one Onboarder (tenant_id required as a row-level attribute,
/// so nobody is onboarded without RLS), running on `executor` and reporting to `observers`.
/// Throws std::runtime_error naming the part that failed.
std::shared_ptr<const embark::Onboarder> make_sample_onboarder(
    const WisdomEndpoint& wisdom, boost::asio::any_io_executor executor,
    std::vector<std::shared_ptr<embark::Observer>> observers = {});

}  // namespace embark::sample
