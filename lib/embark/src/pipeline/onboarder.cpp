#include "embark/onboarder.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "embark/strategies/registry.hpp"

#include "internal/core/strand.hpp"
#include "pipeline/impl.hpp"

namespace embark {

Result<Onboarder> Onboarder::create(OnboarderConfig config,
                                    std::shared_ptr<WisdomConnection> connection) {
  if (!connection)
    return fail(ErrorCode::invalid_input, "no connection given").with_field("connection");
  if (auto r = validate_config(config); !r) return r.error();
  if (!config.ensure_user_strategy)
    config.ensure_user_strategy = make_ensure_user_strategy(config.ensure_user).value();
  if (!config.set_attributes_strategy) {
    config.set_attributes_strategy = make_set_attributes_strategy(config.set_attributes).value();
  }
  if (!config.impersonate_strategy)
    config.impersonate_strategy = make_impersonate_strategy(config.impersonate).value();
  config.ensure_user = std::string(config.ensure_user_strategy->name());
  config.set_attributes = std::string(config.set_attributes_strategy->name());
  config.impersonate = std::string(config.impersonate_strategy->name());
  if (!config.directory) {
    InMemoryDirectoryOptions options;
    options.max_entries = config.directory_max_entries;
    config.directory = std::make_shared<InMemoryUserDirectory>(options);
  }
  if (!config.token_cache) {
    InMemoryTokenCacheOptions options;
    options.max_entries = config.token_cache_max_entries;
    options.clock = config.clock;
    config.token_cache = std::make_shared<InMemoryTokenCache>(options);
  }
  auto runtime = config.executor ? std::make_unique<detail::Runtime>(*config.executor)
                                 : std::make_unique<detail::Runtime>();
  auto impl = std::make_shared<Impl>(std::move(config), std::move(connection), runtime->executor());
  return Onboarder(std::move(impl), std::move(runtime));
}

Onboarder::Onboarder(std::shared_ptr<Impl> impl, std::unique_ptr<detail::Runtime> runtime)
    : impl_(std::move(impl)), runtime_(std::move(runtime)) {}

Onboarder::Onboarder(Onboarder&&) noexcept = default;

Onboarder& Onboarder::operator=(Onboarder&& other) noexcept {
  if (this != &other) {
    shutdown();
    impl_ = std::move(other.impl_);
    runtime_ = std::move(other.runtime_);
  }
  return *this;
}

Onboarder::~Onboarder() { shutdown(); }

void Onboarder::shutdown() noexcept {
  if (impl_) impl_->stop();
  // The Impl holds a strand of the owned io_context: release it before the context goes, so the
  // last reference (ours, or a coroutine frame's as the context destroys pending work) dies
  // while the strand service still exists.
  impl_.reset();
  runtime_.reset();
}

Result<Session> Onboarder::onboard(const OnboardRequest& request) const {
  return detail::run_blocking<Session>(*runtime_, kOnboard, run_of(request, RunKind::onboard));
}

Result<Session> Onboarder::refresh(const OnboardRequest& request) const {
  return detail::run_blocking<Session>(*runtime_, kRefresh, run_of(request, RunKind::refresh));
}

// The coroutine forms run on a strand of the awaiting coroutine's executor, through the same
// initiation as async_onboard (use_awaitable is just one more completion token).
boost::asio::awaitable<Result<Session>> Onboarder::co_onboard(OnboardRequest request) const {
  auto executor = co_await boost::asio::this_coro::executor;
  co_return co_await detail::async_run_on<Session>(
      internal::make_private_strand(executor), executor, kOnboard,
      run_of(std::move(request), RunKind::onboard), boost::asio::use_awaitable);
}

boost::asio::awaitable<Result<Session>> Onboarder::co_refresh(OnboardRequest request) const {
  auto executor = co_await boost::asio::this_coro::executor;
  co_return co_await detail::async_run_on<Session>(
      internal::make_private_strand(executor), executor, kRefresh,
      run_of(std::move(request), RunKind::refresh), boost::asio::use_awaitable);
}

boost::asio::awaitable<Result<Session>> Onboarder::run(std::shared_ptr<Impl> impl,
                                                       OnboardRequest request, RunKind kind) {
  const PipelinePlan& plan = impl->plan_of(kind);
  co_return co_await impl->run(std::move(request), plan);
}

Result<void> Onboarder::forget(std::string_view email, std::string_view workspace) const {
  return detail::run_blocking<void>(
      *runtime_, kForget, [this, email = std::string(email), workspace = std::string(workspace)] {
        return co_forget(email, workspace);
      });
}

boost::asio::awaitable<Result<void>> Onboarder::co_forget(std::string email,
                                                          std::string workspace) const {
  if (email.empty()) co_return fail(ErrorCode::invalid_input, "email is empty").with_field("email");
  if (workspace.empty()) workspace = impl_->config.default_workspace;
  auto impl = impl_;
  co_return co_await impl->forget(std::move(workspace), lower_email(email));
}

boost::asio::any_io_executor Onboarder::get_executor() const noexcept { return impl_->executor; }
const OnboarderConfig& Onboarder::config() const noexcept { return impl_->config; }
UserDirectory& Onboarder::directory() const noexcept { return *impl_->config.directory; }
TokenCache& Onboarder::tokens() const noexcept { return *impl_->config.token_cache; }

std::string_view Onboarder::strategy_name(Stage stage) const noexcept {
  switch (stage) {
    case Stage::ensure_user:
      return impl_->config.ensure_user_strategy->name();
    case Stage::set_attributes:
      return impl_->config.set_attributes_strategy->name();
    case Stage::impersonate:
      return impl_->config.impersonate_strategy->name();
  }
  return {};
}

}  // namespace embark
