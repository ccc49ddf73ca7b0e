// Realistic generated users for --seed-users N (deterministic for a seed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "state/user_store.hpp"

namespace embark::emulator {

/// Creates `count` users in `workspace`: unique plausible emails, DATABASE attributes
/// (account_id, region, plan), a JWT-sourced department, mostly VIEWER roles.
void seed_users(UserStore& store, const std::string& workspace, std::size_t count,
                std::uint64_t seed, TimePoint now);

}  // namespace embark::emulator
