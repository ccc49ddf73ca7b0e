// The one place strategies are registered by name.
#include "embark/strategies/registry.hpp"

#include <functional>

#include "embark/strategies/ensure_user/assume_exists.hpp"
#include "embark/strategies/ensure_user/create_always.hpp"
#include "embark/strategies/ensure_user/directory.hpp"
#include "embark/strategies/ensure_user/list_then_create.hpp"
#include "embark/strategies/impersonate/direct.hpp"
#include "embark/strategies/impersonate/pre_mint.hpp"
#include "embark/strategies/impersonate/reuse.hpp"
#include "embark/strategies/set_attributes/always_replace.hpp"
#include "embark/strategies/set_attributes/diff.hpp"
#include "embark/strategies/set_attributes/merge.hpp"
#include "embark/strategies/set_attributes/session_only.hpp"
#include "embark/strategies/set_attributes/skip.hpp"

#include "internal/core/invalid.hpp"

namespace embark {
namespace {

template <class Base>
struct RegistryEntry {
  std::string_view name;
  std::function<std::shared_ptr<Base>()> make;
};

template <class T>
auto maker() {
  return [] { return std::make_shared<T>(); };
}

const std::vector<RegistryEntry<EnsureUserStrategy>>& ensure_user_table() {
  static const std::vector<RegistryEntry<EnsureUserStrategy>> kTable{
      {"directory", maker<DirectoryEnsureUser>()},
      {"list-then-create", maker<ListThenCreateEnsureUser>()},
      {"create-always", maker<CreateAlwaysEnsureUser>()},
      {"assume-exists", maker<AssumeExistsEnsureUser>()},
  };
  return kTable;
}

const std::vector<RegistryEntry<SetAttributesStrategy>>& set_attributes_table() {
  static const std::vector<RegistryEntry<SetAttributesStrategy>> kTable{
      {"diff", maker<DiffSetAttributes>()},
      {"always-replace", maker<AlwaysReplaceSetAttributes>()},
      {"merge", maker<MergeSetAttributes>()},
      {"session-only", maker<SessionOnlySetAttributes>()},
      {"skip", maker<SkipSetAttributes>()},
  };
  return kTable;
}

const std::vector<RegistryEntry<ImpersonateStrategy>>& impersonate_table() {
  static const std::vector<RegistryEntry<ImpersonateStrategy>> kTable{
      {"reuse", maker<ReuseImpersonate>()},
      {"direct", maker<DirectImpersonate>()},
      {"pre-mint", maker<PreMintImpersonate>()},
  };
  return kTable;
}

template <class Base>
std::vector<std::string_view> names_of(const std::vector<RegistryEntry<Base>>& table) {
  std::vector<std::string_view> out;
  out.reserve(table.size());
  for (const auto& e : table) out.push_back(e.name);
  return out;
}

template <class Base>
Result<std::shared_ptr<Base>> make_from(const std::vector<RegistryEntry<Base>>& table,
                                        std::string_view name, std::string_view field) {
  std::string known;
  for (const auto& e : table) {
    if (e.name == name) return e.make();
    if (!known.empty()) known += ", ";
    known += e.name;
  }
  return fail(ErrorCode::invalid_input, "unknown strategy; expected one of: " + known)
      .with_field(std::string(field));
}

}  // namespace

std::string_view to_string(RolePolicy policy) noexcept {
  return policy == RolePolicy::enforce ? "enforce" : "on-create";
}

Result<RolePolicy> parse_role_policy(std::string_view text) {
  if (text == "on-create") return RolePolicy::on_create;
  if (text == "enforce") return RolePolicy::enforce;
  return internal::invalid("role_policy", "expected on-create or enforce");
}

Result<void> EnsureUserStrategy::validate() const { return {}; }
Result<void> SetAttributesStrategy::validate() const { return {}; }
Result<void> ImpersonateStrategy::validate() const { return {}; }

std::vector<std::string_view> ensure_user_strategy_names() { return names_of(ensure_user_table()); }
std::vector<std::string_view> set_attributes_strategy_names() {
  return names_of(set_attributes_table());
}
std::vector<std::string_view> impersonate_strategy_names() { return names_of(impersonate_table()); }

Result<std::shared_ptr<EnsureUserStrategy>> make_ensure_user_strategy(std::string_view name) {
  return make_from(ensure_user_table(), name, "ensure_user");
}
Result<std::shared_ptr<SetAttributesStrategy>> make_set_attributes_strategy(std::string_view name) {
  return make_from(set_attributes_table(), name, "set_attributes");
}
Result<std::shared_ptr<ImpersonateStrategy>> make_impersonate_strategy(std::string_view name) {
  return make_from(impersonate_table(), name, "impersonate");
}

}  // namespace embark
