// OnboarderGateway through the real embark::Onboarder over a scripted in-memory connection: what
// the app's users become in WisdomAI, and that a refresh only impersonates.
#include "onboarder_gateway.hpp"

#include <map>
#include <mutex>

#include <doctest/doctest.h>

#include "embark/connection.hpp"
#include "embark/onboarder.hpp"

#include "run_sync.hpp"

using namespace embark::sample;
namespace asio = boost::asio;

namespace {

class ScriptedConnection : public embark::WisdomConnection {
 public:
  asio::awaitable<embark::Result<std::vector<embark::UserRecord>>> list_users(
      embark::ListUsersRequest) override {
    std::lock_guard lock(mutex_);
    ++calls["listUsers"];
    std::vector<embark::UserRecord> out;
    for (const auto& [email, user] : users) out.push_back(user);
    co_return out;
  }
  asio::awaitable<embark::Result<void>> create_users(embark::CreateUsersRequest request) override {
    std::lock_guard lock(mutex_);
    ++calls["createUsers"];
    for (const auto& email : request.emails) {
      auto& user = users[email];
      user.id = "user-" + std::to_string(users.size());
      user.email = email;
      if (request.attributes) user.attributes = *request.attributes;
      if (request.roles) user.roles = *request.roles;
    }
    co_return embark::Result<void>{};
  }
  asio::awaitable<embark::Result<void>> set_user_attributes(
      embark::SetUserAttributesRequest request) override {
    std::lock_guard lock(mutex_);
    ++calls["setUserAttributes"];
    for (auto& [email, user] : users) {
      if (user.id == request.user_id) user.attributes = request.attributes;
    }
    co_return embark::Result<void>{};
  }
  asio::awaitable<embark::Result<embark::SessionToken>> impersonate_user(
      embark::ImpersonateRequest request) override {
    std::lock_guard lock(mutex_);
    ++calls["impersonateUser"];
    impersonated.push_back(request.email);
    // A short lifetime, so the reuse strategy never hands out a cached token here.
    co_return embark::SessionToken{
        embark::Secret("jwt." + std::to_string(impersonated.size()) + ".sig"),
        std::chrono::system_clock::now() + std::chrono::seconds{60}};
  }

  std::map<std::string, embark::UserRecord> users;
  std::map<std::string, int> calls;
  std::vector<std::string> impersonated;

 private:
  std::mutex mutex_;
};

AppUser alice() {
  AppUser u;
  u.id = 1;
  u.email = "alice@acme.test";
  u.display_name = "Alice Jensen";
  u.tenant_slug = "acme";
  u.tenant_name = "Acme Corp";
  u.attributes = {{"tenant_id", "acme"}, {"region", "us-west"}};
  return u;
}

// An OnboarderGateway for dashboard "revenue" over a ScriptedConnection.
struct GatewayFixture {
  asio::io_context io;
  std::shared_ptr<ScriptedConnection> connection = std::make_shared<ScriptedConnection>();
  OnboarderGateway gateway{make_onboarder(io, connection), "https://acme.wisdom.ai", "revenue"};

  static std::shared_ptr<const embark::Onboarder> make_onboarder(
      asio::io_context& io, std::shared_ptr<ScriptedConnection> connection) {
    embark::OnboarderConfig config;
    config.embed_base_url = "https://acme.wisdom.ai";
    config.executor = io.get_executor();
    auto onboarder = embark::Onboarder::create(config, std::move(connection));
    REQUIRE(onboarder.has_value());
    return std::make_shared<const embark::Onboarder>(std::move(*onboarder));
  }
};

}  // namespace

TEST_CASE("app users map to tenant-safe WisdomAI users with their row-level attributes") {
  GatewayFixture f;
  auto& io = f.io;
  auto& connection = f.connection;
  auto& gateway = f.gateway;
  CHECK(gateway.origin() == "https://acme.wisdom.ai");

  auto request = gateway.request_for(alice());
  REQUIRE(request.has_value());
  CHECK(request->email == "alice+acme@acme.test");
  CHECK(request->attributes == embark::AttributeMap{{"tenant_id", "acme"}, {"region", "us-west"}});
  CHECK(request->display_name == "Alice Jensen");
  CHECK(request->embed == embark::EmbedTarget::dashboard("revenue"));
  REQUIRE(request->roles.size() == 1);
  CHECK(request->roles[0].role_id == "viewer");

  auto session = testing::run_sync(io, gateway.login(alice()));
  REQUIRE(session.has_value());
  CHECK(session->wisdom_email == "alice+acme@acme.test");
  CHECK(std::string(session->embed_url.reveal()) ==
        "https://acme.wisdom.ai/embed/dashboards/revenue?token=jwt.1.sig");
  CHECK(session->expires_at > std::chrono::system_clock::now());
  CHECK(session->report.find("impersonate") != std::string::npos);
  CHECK(session->report.find("jwt.1.sig") == std::string::npos);
  REQUIRE(connection->users.count("alice+acme@acme.test") == 1);
  auto stored = connection->users.at("alice+acme@acme.test").attributes;
  CHECK(stored.at("tenant_id") == "acme");
  CHECK(stored.at("region") == "us-west");
  CHECK(connection->calls["createUsers"] == 1);

  // The iframe's refresh: one impersonateUser, nothing else.
  auto before = connection->calls;
  auto token = testing::run_sync(io, gateway.refresh(alice()));
  REQUIRE(token.has_value());
  CHECK(token->token.reveal() == "jwt.2.sig");
  CHECK(connection->calls["impersonateUser"] == before["impersonateUser"] + 1);
  CHECK(connection->calls["createUsers"] == before["createUsers"]);
  CHECK(connection->calls["listUsers"] == before["listUsers"]);
  CHECK(connection->calls["setUserAttributes"] == before["setUserAttributes"]);
  CHECK(connection->impersonated.back() == "alice+acme@acme.test");
}

TEST_CASE("a tenant slug that cannot form an email is refused before any vendor call") {
  GatewayFixture f;
  auto& io = f.io;
  auto& connection = f.connection;
  auto& gateway = f.gateway;
  AppUser bad = alice();
  bad.tenant_slug = "acme corp";
  auto session = testing::run_sync(io, gateway.login(bad));
  REQUIRE_FALSE(session.has_value());
  CHECK(session.error().code() == embark::ErrorCode::invalid_input);
  CHECK(connection->calls.empty());
}
