#include "onboarder_gateway.hpp"

#ifdef EMBARK_HAS_REDIS
#include "embark/redis.hpp"
#endif

#include <stdexcept>

#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "embark/client.hpp"
#include "embark/validation.hpp"

namespace embark::sample {

namespace asio = boost::asio;

namespace {

std::string summarize(const embark::Session& session) {
  std::string out = fmt::format("{} vendor call(s) in {} ms:", session.vendor_calls,
                                session.elapsed.count() / 1000);
  for (const auto& stage : session.stages) {
    out += fmt::format(" {}={}({})", embark::to_string(stage.stage),
                       embark::to_string(stage.outcome), stage.strategy);
  }
  return out;
}

}  // namespace

OnboarderGateway::OnboarderGateway(std::shared_ptr<const embark::Onboarder> onboarder,
                                   std::string origin, std::string dashboard_id)
    : onboarder_(std::move(onboarder)),
      origin_(std::move(origin)),
      dashboard_id_(std::move(dashboard_id)) {}

embark::Result<embark::OnboardRequest> OnboarderGateway::request_for(const AppUser& user) const {
  // People may belong to several tenants of the app: one WisdomAI user per (person, tenant).
  auto email = embark::tenant_email(user.email, user.tenant_slug);
  if (!email) return email.error();
  embark::OnboardRequest request;
  request.email = std::move(*email);
  request.attributes = user.attributes;
  request.display_name = user.display_name;
  request.roles = {embark::RoleAssignment{"viewer", {}}};
  request.embed = embark::EmbedTarget::dashboard(dashboard_id_);
  return request;
}

asio::awaitable<embark::Result<EmbedSession>> OnboarderGateway::login(const AppUser& user) {
  auto request = request_for(user);
  if (!request) co_return request.error();
  std::string email = request->email;
  embark::Result<embark::Session> session =
      co_await onboarder_->async_onboard(std::move(*request), asio::use_awaitable);
  if (!session) co_return session.error();
  EmbedSession out;
  out.embed_url = std::move(session->embed_url);
  out.wisdom_email = std::move(email);
  out.expires_at = session->expires_at;
  out.report = summarize(*session);
  co_return out;
}

asio::awaitable<embark::Result<RefreshedToken>> OnboarderGateway::refresh(const AppUser& user) {
  auto request = request_for(user);
  if (!request) co_return request.error();
  embark::Result<embark::Session> session =
      co_await onboarder_->async_refresh(std::move(*request), asio::use_awaitable);
  if (!session) co_return session.error();
  co_return RefreshedToken{std::move(session->jwt), session->expires_at};
}

std::shared_ptr<const embark::Onboarder> make_sample_onboarder(
    const WisdomEndpoint& wisdom, boost::asio::any_io_executor executor,
    std::vector<std::shared_ptr<embark::Observer>> observers) {
  embark::ClientOptions client_options;
  client_options.endpoint = wisdom.graphql_url;
  client_options.access_key = wisdom.access_key;
  client_options.workspace_id = wisdom.workspace;
  client_options.transport.ca_file = wisdom.ca_file;
  client_options.transport.ca_pem = wisdom.ca_pem;
  auto connection = embark::make_wisdom_connection(client_options, executor);
  if (!connection)
    throw std::runtime_error("WisdomAI connection: " + connection.error().to_string());

  embark::OnboarderConfig config;
  config.embed_base_url = wisdom.embed_origin;
  config.default_workspace = wisdom.workspace;
  config.validation.required_attribute_keys = {"tenant_id"};
  config.executor = executor;
  config.observers = std::move(observers);
  if (!wisdom.redis_url.empty()) {
#ifdef EMBARK_HAS_REDIS
    embark::RedisOptions redis;
    redis.url = embark::parse_redis_url(wisdom.redis_url, "--redis").value();
    redis.token_key = wisdom.redis_token_key;
    auto shared = embark::make_redis_shared_state(std::move(redis));
    if (!shared) throw std::runtime_error("redis: " + shared.error().to_string());
    embark::apply(*shared, config);
#else
    throw std::runtime_error("--redis: this build of embark has no Redis support");
#endif
  }
  auto onboarder = embark::Onboarder::create(std::move(config), std::move(*connection));
  if (!onboarder) throw std::runtime_error("onboarder: " + onboarder.error().to_string());
  return std::make_shared<const embark::Onboarder>(std::move(*onboarder));
}

}  // namespace embark::sample
