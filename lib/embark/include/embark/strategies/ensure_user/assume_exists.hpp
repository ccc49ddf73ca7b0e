// ensure-user for pre-provisioned users (bulk sync): no call; the directory entry is used when
// present.
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// ensure-user for pre-provisioned users (bulk sync): no call; the directory entry is used when
/// present. Registry name "assume-exists". Stateless; thread-safe.
class AssumeExistsEnsureUser final : public EnsureUserStrategy {
 public:
  std::string_view name() const noexcept override { return "assume-exists"; }
  boost::asio::awaitable<Result<EnsureUserVerdict>> ensure(PipelineContext& context) override;
};

}  // namespace embark
