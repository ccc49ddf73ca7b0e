// Steps shared by the set-attributes strategies (internal).
#pragma once

#include "embark/strategies/stage.hpp"

namespace embark::internal {

/// Makes sure `user` has a vendor id (and the stored attributes' fingerprint): from the
/// directory, else by a coalesced listUsers (forced when the minimum interval suppressed one).
/// Fails with not_found when the vendor does not list the user.
boost::asio::awaitable<Result<void>> resolve_user(PipelineContext& context, UserRef& user);

/// setUserAttributes, and only after the vendor confirmed it, the directory's new fingerprint.
boost::asio::awaitable<Result<void>> write_attributes(PipelineContext& context, UserRef& user,
                                                      const AttributeMap& attributes);

}  // namespace embark::internal
