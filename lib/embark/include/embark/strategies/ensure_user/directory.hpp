// ensure-user by the user directory: a fresh entry costs no call; a miss refreshes the directory
// (one coalesced listUsers) and creates the user only if still missing. An existing user is sent
// createUsers only in RolePolicy::enforce mode when the roles differ.
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// ensure-user by the user directory: a fresh entry costs no call; a miss refreshes the directory
/// (one coalesced listUsers) and creates the user only if still missing. An existing user is sent
/// createUsers only in RolePolicy::enforce mode when the roles differ. Registry name "directory".
/// Stateless; thread-safe.
class DirectoryEnsureUser final : public EnsureUserStrategy {
 public:
  std::string_view name() const noexcept override { return "directory"; }
  boost::asio::awaitable<Result<EnsureUserVerdict>> ensure(PipelineContext& context) override;
};

}  // namespace embark
