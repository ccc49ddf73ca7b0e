#include "seed/seed_users.hpp"

#include <array>
#include <random>

#include <fmt/format.h>

namespace embark::emulator {
namespace {

constexpr std::array<std::string_view, 24> kFirst{
    "alice", "bob",  "carol",   "dave",   "erin",   "frank", "grace",  "heidi",
    "ivan",  "judy", "mallory", "niaj",   "olivia", "peggy", "rupert", "sybil",
    "trent", "uma",  "victor",  "walter", "xena",   "yusuf", "zoe",    "li"};
constexpr std::array<std::string_view, 20> kLast{
    "smith",  "garcia", "nguyen", "mueller",   "rossi", "kowalski", "tanaka",
    "okafor", "silva",  "dubois", "johansson", "kim",   "patel",    "cohen",
    "novak",  "haddad", "murphy", "schmidt",   "costa", "ivanova"};
constexpr std::array<std::string_view, 8> kDomains{
    "acme.example",  "globex.example", "initech.example", "umbrella.example",
    "hooli.example", "stark.example",  "wayne.example",   "tyrell.example"};
constexpr std::array<std::string_view, 4> kRegions{"us-east", "us-west", "eu-central", "ap-south"};
constexpr std::array<std::string_view, 3> kPlans{"free", "pro", "enterprise"};
constexpr std::array<std::string_view, 5> kDepartments{"sales", "finance", "engineering", "support",
                                                       "marketing"};
constexpr std::string_view kViewer = "00000000-0000-0000-0000-000000000003";
constexpr std::string_view kExplorer = "00000000-0000-0000-0000-000000000002";
constexpr std::string_view kAdmin = "00000000-0000-0000-0000-000000000001";

}  // namespace

void seed_users(UserStore& store, const std::string& workspace, std::size_t count,
                std::uint64_t seed, TimePoint now) {
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < count; ++i) {
    const auto r = rng();
    const std::string_view first = kFirst[r % kFirst.size()];
    const std::string_view last = kLast[(r >> 8) % kLast.size()];
    const std::string_view domain = kDomains[(r >> 16) % kDomains.size()];
    CreateUsersSpec spec;
    spec.workspace = workspace;
    // The index keeps every email unique however the names fall.
    spec.emails.push_back(fmt::format("{}.{}{}@{}", first, last, i + 1, domain));
    const std::size_t account = (r >> 24) % 5000;
    spec.attributes = AttributeMap{{"account_id", fmt::format("acct_{:05}", account)},
                                   {"region", std::string(kRegions[(r >> 40) % kRegions.size()])},
                                   {"plan", std::string(kPlans[(r >> 44) % kPlans.size()])}};
    spec.jwt_attributes =
        AttributeMap{{"department", std::string(kDepartments[(r >> 48) % kDepartments.size()])}};
    const unsigned pick = (r >> 56) % 100;
    const std::string_view role = pick < 80 ? kViewer : (pick < 95 ? kExplorer : kAdmin);
    spec.roles = std::vector<RoleAssignment>{
        RoleAssignment{std::string(role), {fmt::format("domain_{}", account % 50)}}};
    store.create_users(spec, ExistingUserMode::reapply, now);
  }
}

}  // namespace embark::emulator
