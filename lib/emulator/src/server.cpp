#include "embark/emulator/server.hpp"

#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

#include "http/listener.hpp"
#include "http/service.hpp"
#include "tls/certificates.hpp"
#include <fcntl.h>
#include <unistd.h>

namespace embark::emulator {
namespace {

namespace asio = boost::asio;

Result<void> validate(const Options& o, const asio::ip::address& address) {
  auto bad = [](std::string m) { return fail(ErrorCode::invalid_input, std::move(m)); };
  if (!o.tls && !address.is_loopback())
    return bad("plain HTTP is served only on loopback (bind_address)");
  if (o.cert_file.empty() != o.key_file.empty()) return bad("cert_file and key_file go together");
  if (o.threads < 0) return bad("threads must not be negative");
  if (o.token_ttl.count() <= 0) return bad("token_ttl must be positive");
  if (o.latency.count() < 0) return bad("latency must not be negative");
  if (o.max_body_bytes == 0) return bad("max_body_bytes must be positive");
  if (o.default_workspace.empty()) return bad("default_workspace must not be empty");
  auto rate_ok = [](double r) { return r >= 0.0 && r <= 1.0; };
  for (const auto& [op, r] : o.fail_rates) {
    if (!rate_ok(r)) return bad("fail_rates[" + op + "] must be within 0..1");
  }
  for (const auto& [op, r] : o.throttle_rates) {
    if (!rate_ok(r)) return bad("throttle_rates[" + op + "] must be within 0..1");
  }
  if (!rate_ok(o.reset_rate)) return bad("reset_rate must be within 0..1");
  if (!rate_ok(o.truncate_rate)) return bad("truncate_rate must be within 0..1");
  for (const auto& k : o.access_keys) {
    if (k.key.empty()) return bad("access_keys must not hold an empty key");
  }
  for (const auto& t : o.api_tokens) {
    if (t.empty()) return bad("api_tokens must not hold an empty token");
  }
  return {};
}

// Written to a fresh file next to the target (random name, O_EXCL: nobody can plant it or have it
// follow a symlink) and renamed over it, so a reader never sees half a file.
Result<void> write_file_atomically(const std::string& path, const std::string& content) {
  std::filesystem::path target(path);
  std::filesystem::path folder = target.parent_path().empty() ? "." : target.parent_path();
  std::string tmp = (folder / ("." + target.filename().string() + "-XXXXXX")).string();
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return fail(ErrorCode::internal, "cannot create a file in " + folder.string());
  std::string_view rest = content;
  bool ok = true;
  while (ok && !rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) rest.remove_prefix(static_cast<std::size_t>(n));
  }
  ok = ::close(fd) == 0 && ok;
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, target, ec);
  if (!ok || ec) {
    std::filesystem::remove(tmp, ec);
    return fail(ErrorCode::internal, "cannot write " + path);
  }
  return {};
}

std::string host_for_url(const asio::ip::address& a) {
  return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

}  // namespace

struct Server::Impl {
  std::unique_ptr<Service> service;
  std::optional<asio::ssl::context> tls;
  std::string ca_pem;
  std::string host;
  bool plain_allowed = false;
  // One io_context per I/O thread: a connection lives on one thread, so its operations need no
  // strand and wake no other thread. Destroyed before the service and the TLS context: pending
  // connection frames reference both.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::condition_variable stopped_cv;
  bool stopped = false;
  bool finished = false;

  explicit Impl(int thread_count) {
    for (int i = 0; i < thread_count; ++i)
      contexts.push_back(std::make_unique<asio::io_context>(1));
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(Options options) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.bind_address, ec);
  if (ec)
    return fail(ErrorCode::invalid_input,
                "bind_address is not an IP address: " + options.bind_address);
  if (auto ok = validate(options, address); !ok) return ok.error();
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  auto impl = std::make_unique<Impl>(threads);
  impl->host = host_for_url(address);
  impl->plain_allowed = address.is_loopback();
  if (options.tls) {
    impl->tls.emplace(asio::ssl::context::tls_server);
    auto& ctx = *impl->tls;
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression |
                    asio::ssl::context::single_dh_use);
    boost::system::error_code tls_ec;
    if (!options.cert_file.empty()) {
      ctx.use_certificate_chain_file(options.cert_file, tls_ec);
      if (!tls_ec) ctx.use_private_key_file(options.key_file, asio::ssl::context::pem, tls_ec);
      if (tls_ec)
        return fail(ErrorCode::invalid_input,
                    "cannot load cert_file/key_file: " + tls_ec.message());
    } else {
      auto material = generate_tls_material();
      if (!material) return material.error();
      ctx.use_certificate_chain(asio::buffer(material->cert_chain_pem), tls_ec);
      if (!tls_ec)
        ctx.use_private_key(asio::buffer(material->key_pem), asio::ssl::context::pem, tls_ec);
      if (tls_ec)
        return fail(ErrorCode::internal,
                    "cannot use the generated certificate: " + tls_ec.message());
      impl->ca_pem = std::move(material->ca_pem);
    }
    if (!options.ca_out.empty()) {
      if (impl->ca_pem.empty())
        return fail(ErrorCode::invalid_input, "ca_out needs a generated CA (no cert_file)");
      if (auto w = write_file_atomically(options.ca_out, impl->ca_pem); !w) return w.error();
    }
  }

  ListenerConfig config;
  config.endpoint = asio::ip::tcp::endpoint(address, options.port);
  config.allow_plain = impl->plain_allowed;
  config.body_limit = options.max_body_bytes;
  config.idle_timeout = options.idle_timeout;
  config.close_after_requests = options.close_after_requests;

  auto service = Service::create(std::move(options));
  if (!service) return service.error();
  impl->service = std::move(*service);
  config.tls = impl->tls ? &*impl->tls : nullptr;

  std::vector<asio::io_context*> contexts;
  for (auto& c : impl->contexts) contexts.push_back(c.get());
  auto listener = Listener::bind(std::move(contexts), config, *impl->service);
  if (!listener) return listener.error();
  impl->listener = std::move(*listener);
  impl->listener->start();
  for (auto& c : impl->contexts) {
    impl->work.push_back(asio::make_work_guard(*c));
    impl->threads.emplace_back([ioc = c.get()] { ioc->run(); });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::string Server::url() const {
  const bool tls = impl_->tls.has_value();
  return fmt::format("{}://{}:{}", tls ? "https" : "http", impl_->host, port());
}

std::string Server::graphql_url() const { return url() + "/graphql"; }

std::string Server::http_url() const {
  if (!impl_->plain_allowed) return {};
  return fmt::format("http://{}:{}", impl_->host, port());
}

std::uint16_t Server::port() const { return impl_->listener->port(); }
const std::string& Server::ca_pem() const { return impl_->ca_pem; }
const Secret& Server::access_key() const {
  return impl_->service->credentials().first_access_key().key;
}
const Secret& Server::api_token() const { return impl_->service->credentials().first_api_token(); }
const std::string& Server::default_workspace() const {
  return impl_->service->options().default_workspace;
}
Stats Server::stats() const { return impl_->service->stats(); }
void Server::reset(bool clear_state) { impl_->service->reset(clear_state); }
void Server::inject_fault(std::string operation, InjectedFault fault, int times) {
  impl_->service->faults().script(std::move(operation), fault, times);
}
void Server::clear_faults() { impl_->service->faults().clear_script(); }

void Server::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->listener->close();
  impl_->work.clear();
  for (auto& c : impl_->contexts) c->stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  {
    std::lock_guard lock(impl_->mutex);
    impl_->finished = true;
  }
  impl_->stopped_cv.notify_all();
}

void Server::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->stopped_cv.wait(lock, [this] { return impl_->finished; });
}

}  // namespace embark::emulator
