#include "embark/secret.hpp"

#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

using embark::Secret;

namespace {
constexpr const char* kValue = "ak_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
}

TEST_CASE("a secret never formats its value") {
  Secret s{kValue};
  CHECK(s.reveal() == kValue);

  std::ostringstream os;
  os << s;
  CHECK(os.str().find(kValue) == std::string::npos);
  CHECK(os.str().rfind("secret:", 0) == 0);

  auto f = fmt::format("token={}", s);
  CHECK(f.find(kValue) == std::string::npos);
  CHECK(f == "token=" + s.redacted());
  CHECK(fmt::format("{:>30}", s).find(kValue) == std::string::npos);
}

TEST_CASE("fingerprint is short, stable, and differs between values") {
  Secret a{kValue}, b{kValue}, c{"another-value"};
  CHECK(a.fingerprint().size() == 8);
  CHECK(a.fingerprint() == b.fingerprint());
  CHECK(a.fingerprint() != c.fingerprint());
  // sha256("abc") begins with ba7816bf.
  CHECK(Secret{"abc"}.fingerprint() == "ba7816bf");
  CHECK(Secret{}.fingerprint().empty());
  CHECK(Secret{}.redacted() == "secret:<empty>");
}

TEST_CASE("copy, move and comparison") {
  Secret a{kValue};
  Secret copy = a;
  CHECK(copy == a);
  Secret moved = std::move(copy);
  CHECK(moved == a);
  CHECK(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from secrets are wiped
  Secret other{"x"};
  CHECK_FALSE(other == a);
  other = a;
  CHECK(other == a);
  other = Secret{};
  CHECK(other.empty());
}
