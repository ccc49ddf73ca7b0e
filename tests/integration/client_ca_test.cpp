// TransportOptions::ca_pem: CA certificates held in memory, against the emulator over TLS.
#include <doctest/doctest.h>

#include "embark/client.hpp"
#include "embark/testing/emulator_fixture.hpp"

using embark::ErrorCode;
using embark::WisdomClient;
using embark::testing::EmulatorFixture;

namespace {

embark::emulator::Options seeded(std::size_t users) {
  embark::emulator::Options options;
  options.seed_users = users;
  return options;
}

}  // namespace

TEST_CASE("a client trusting the emulator's CA in memory connects over TLS, no file involved") {
  EmulatorFixture emulator(seeded(3));
  auto options = emulator.client_options();
  REQUIRE(options.endpoint.starts_with("https://"));
  REQUIRE(options.transport.ca_file.empty());
  REQUIRE_FALSE(options.transport.ca_pem.empty());

  auto client = WisdomClient::create(options);
  REQUIRE_MESSAGE(client.has_value(), (client ? "" : client.error().to_string()));
  auto users = client->list_users();
  REQUIRE_MESSAGE(users.has_value(), (users ? "" : users.error().to_string()));
  CHECK(users->size() == 3);
  CHECK(emulator.stats().of("listUsers").calls == 1);
}

TEST_CASE("a client trusting an unrelated CA in memory is refused: Error{tls}, not retried") {
  EmulatorFixture emulator(seeded(1));
  EmulatorFixture other;  // generates a CA of its own, which never signed `emulator`'s certificate
  REQUIRE(other.ca_pem() != emulator.ca_pem());
  auto options = emulator.client_options();
  options.transport.ca_pem = other.ca_pem();
  options.retry.max_attempts = 3;

  auto client = WisdomClient::create(options);
  REQUIRE_MESSAGE(client.has_value(), (client ? "" : client.error().to_string()));
  auto users = client->list_users();
  REQUIRE_FALSE(users.has_value());
  CHECK(users.error().code() == ErrorCode::tls);
  CHECK(users.error().message().find("certificate verification failed") != std::string::npos);
  CHECK_FALSE(users.error().retryable());
  CHECK(emulator.stats().total.calls == 0);  // the handshake failed: nothing reached the emulator
}

TEST_CASE("ca_pem without a certificate in it is refused when the client is made, naming it") {
  EmulatorFixture emulator;
  auto options = emulator.client_options();
  options.transport.ca_pem =
      "-----BEGIN NOTHING-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END NOTHING-----\n";
  auto client = WisdomClient::create(options);
  REQUIRE_FALSE(client.has_value());
  CHECK(client.error().code() == ErrorCode::invalid_input);
  CHECK(client.error().field() == "transport.ca_pem");
}
