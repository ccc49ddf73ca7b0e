// set-attributes by merging: keep attributes other systems set, overwrite the app's keys.
#pragma once

#include <memory>

#include "embark/strategies/stage.hpp"

namespace embark {

/// set-attributes by merging: the written set is (stored attributes) overlaid with the app's.
/// The stored map comes from a listUsers (coalesced); the strategy remembers the fingerprint it
/// last wrote per user so an unchanged login costs no call. Registry name "merge". Thread-safe.
class MergeSetAttributes final : public SetAttributesStrategy {
 public:
  MergeSetAttributes();
  ~MergeSetAttributes() override;
  std::string_view name() const noexcept override { return "merge"; }
  /// A new user has nothing to merge with: the app's attributes go inside createUsers.
  std::optional<AttributeMap> attributes_at_creation(const PipelineContext& context) const override;
  boost::asio::awaitable<Result<SetAttributesVerdict>> apply(PipelineContext& context,
                                                             UserRef& user) override;

 private:
  struct Memory;
  std::unique_ptr<Memory> memory_;
};

}  // namespace embark
