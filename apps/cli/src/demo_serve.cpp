#include "demo_serve.hpp"

#include <stdexcept>

#include <boost/system/system_error.hpp>
#include <fmt/format.h>

#include "embedded_server.hpp"
#include "seed.hpp"

namespace embark::cli {

struct SampleServer::Impl {
  std::unique_ptr<sample::EmbeddedServer> server;
};

Result<std::unique_ptr<SampleServer>> SampleServer::start(const ServeOptions& options) {
  sample::EmbeddedServerOptions sample_options;
  sample_options.port = options.port;
  sample_options.wisdom_url = options.wisdom_url;
  sample_options.wisdom_ca_file = options.ca_file;
  sample_options.embed_origin = options.embed_origin;
  sample_options.access_key = options.access_key;
  sample_options.workspace = options.workspace;
  auto impl = std::make_unique<Impl>();
  try {
    impl->server = sample::EmbeddedServer::start(std::move(sample_options));
  } catch (const boost::system::system_error& e) {
    return fail(ErrorCode::invalid_input,
                fmt::format("--port {}: cannot listen on 127.0.0.1:{}: {}", options.port,
                            options.port, e.code().message()));
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal,
                fmt::format("the sample embed server did not start: {}", e.what()));
  }
  return std::unique_ptr<SampleServer>(new SampleServer(std::move(impl)));
}

bool SampleServer::available() noexcept { return true; }

std::vector<SampleAccount> SampleServer::accounts() {
  std::vector<SampleAccount> accounts;
  for (const auto& a : sample::kDemoAccounts) {
    accounts.push_back({std::string(a.email), std::string(a.password), std::string(a.tenant)});
  }
  return accounts;
}

SampleServer::SampleServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SampleServer::~SampleServer() = default;

std::string SampleServer::url() const { return impl_->server->url(); }
std::uint16_t SampleServer::port() const { return impl_->server->port(); }
void SampleServer::stop() { impl_->server->stop(); }

}  // namespace embark::cli
