// ensure-user the docs' literal way: listUsers on every login (concurrent ones coalesced),
// createUsers when missing.
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark {

/// ensure-user the docs' literal way: listUsers on every login (concurrent ones coalesced),
/// createUsers when missing. Registry name "list-then-create". Stateless; thread-safe.
class ListThenCreateEnsureUser final : public EnsureUserStrategy {
 public:
  std::string_view name() const noexcept override { return "list-then-create"; }
  boost::asio::awaitable<Result<EnsureUserVerdict>> ensure(PipelineContext& context) override;
};

}  // namespace embark
