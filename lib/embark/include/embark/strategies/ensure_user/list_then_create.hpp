// ensure-user the docs' literal way: listUsers on every login (concurrent ones coalesced),
// createUsers when missing.
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// ensure-user the docs' literal way: listUsers on every login (concurrent ones coalesced),
/// createUsers when missing. Registry name "list-then-create". Immutable; thread-safe.
class ListThenCreateEnsureUser final : public EnsureUserStrategy {
 public:
  /// The strategy's knobs.
  struct Options {
    /// Whether existing users' roles are re-applied when the app's differ.
    RolePolicy role_policy = RolePolicy::on_create;
  };

  /// With the default options.
  ListThenCreateEnsureUser();
  explicit ListThenCreateEnsureUser(Options options);

  std::string_view name() const noexcept override { return "list-then-create"; }
  boost::asio::awaitable<Result<EnsureUserVerdict>> ensure(PipelineContext& context) override;
  /// The options it was built with.
  const Options& options() const noexcept { return options_; }

 private:
  Options options_;
};

}  // namespace embark
