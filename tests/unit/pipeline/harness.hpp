// Test harness: an Onboarder over FakeWisdom with a manual clock.
#pragma once

#include <doctest/doctest.h>

#include "embark/onboarder.hpp"
#include "embark/roles.hpp"

#include "pipeline/fake_wisdom.hpp"
#include "pipeline/result_printer.hpp"

namespace embark::test {

struct Harness {
  ManualClock clock;
  std::shared_ptr<FakeWisdom> fake = std::make_shared<FakeWisdom>(clock.clock());

  OnboarderConfig config() const {
    OnboarderConfig c;
    c.clock = clock.clock();
    c.embed_base_url = "https://acme.wisdom.ai";
    return c;
  }
  Onboarder make(OnboarderConfig c) const {
    c.clock = clock.clock();
    auto r = Onboarder::create(std::move(c), fake);
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().to_string()));
    return std::move(*r);
  }
  Onboarder make() const { return make(config()); }
};

inline OnboardRequest request_for(std::string email, std::string tenant = "acme") {
  OnboardRequest r;
  r.email = std::move(email);
  r.roles = {RoleAssignment{"viewer", {"domain_1"}}};
  r.attributes = {{"tenant", std::move(tenant)}, {"region", "eu"}};
  r.embed = EmbedTarget::dashboard("sales-42");
  return r;
}

inline std::string viewer_id() { return resolve_role_id("viewer").value(); }

}  // namespace embark::test
