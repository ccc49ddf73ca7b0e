// ensure-user for apps that own roles: createUsers on every login (roles re-applied); an "already
// exists" answer is success.
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// ensure-user for apps that own roles: createUsers on every login (roles re-applied); an "already
/// exists" answer is success. Registry name "create-always". Stateless; thread-safe.
class CreateAlwaysEnsureUser final : public EnsureUserStrategy {
 public:
  std::string_view name() const noexcept override { return "create-always"; }
  boost::asio::awaitable<Result<EnsureUserVerdict>> ensure(PipelineContext& context) override;
};

}  // namespace embark
