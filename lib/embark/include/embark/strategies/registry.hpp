// Strategy registry: every strategy by name, for the CLI and configuration files.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "embark/result.hpp"
#include "embark/strategies/stage.hpp"

namespace embark {

/// Names of the ensure-user strategies, default first: directory, list-then-create,
/// create-always, assume-exists.
std::vector<std::string_view> ensure_user_strategy_names();
/// Names of the set-attributes strategies, default first: diff, always-replace, merge,
/// session-only, skip.
std::vector<std::string_view> set_attributes_strategy_names();
/// Names of the impersonate strategies, default first: reuse, direct, pre-mint.
std::vector<std::string_view> impersonate_strategy_names();

/// A new strategy by name; unknown names fail with invalid_input naming field "ensure_user"
/// (resp. "set_attributes", "impersonate") and listing the known names.
Result<std::shared_ptr<EnsureUserStrategy>> make_ensure_user_strategy(std::string_view name);
Result<std::shared_ptr<SetAttributesStrategy>> make_set_attributes_strategy(std::string_view name);
Result<std::shared_ptr<ImpersonateStrategy>> make_impersonate_strategy(std::string_view name);

}  // namespace embark
