// ensure-user by the user directory: a fresh entry costs no call; a miss refreshes the directory
// (one coalesced listUsers) and creates the user only if still missing. An existing user is sent
// createUsers only in RolePolicy::enforce mode when the roles differ.
#pragma once

#include <chrono>

#include "embark/strategies/stage.hpp"

namespace embark {

/// ensure-user by the user directory: a fresh entry costs no call; a miss refreshes the directory
/// (one coalesced listUsers) and creates the user only if still missing. An existing user is sent
/// createUsers only in RolePolicy::enforce mode when the roles differ. Registry name "directory".
/// Immutable after construction; thread-safe.
class DirectoryEnsureUser final : public EnsureUserStrategy {
 public:
  /// The strategy's knobs (checked by validate()).
  struct Options {
    /// Whether existing users' roles are re-applied when the app's differ.
    RolePolicy role_policy = RolePolicy::on_create;
    /// An entry older than this is refreshed (by a coalesced listUsers) before use; > 0.
    std::chrono::seconds directory_ttl{3600};
    /// At most one listUsers per workspace per interval (misses in between trust the
    /// directory); >= 0.
    std::chrono::seconds min_refresh_interval = kDefaultMinRefreshInterval;
  };

  /// With the default options.
  DirectoryEnsureUser();
  explicit DirectoryEnsureUser(Options options);

  std::string_view name() const noexcept override { return "directory"; }
  Result<void> validate() const override;
  boost::asio::awaitable<Result<EnsureUserVerdict>> ensure(PipelineContext& context) override;
  /// The options it was built with.
  const Options& options() const noexcept { return options_; }

 private:
  Options options_;
};

}  // namespace embark
