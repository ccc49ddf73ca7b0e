#include "embark/onboarder.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "embark/strategies/registry.hpp"

#include "internal/client/blocking.hpp"
#include "internal/core/strand.hpp"
#include "pipeline/impl.hpp"

namespace embark {

// The I/O thread an Onboarder owns when the app gives it no executor.
// Shared with its thread, so that an Onboarder destroyed by one of its own completion handlers
// (on this very thread) detaches and leaves the io_context alive until run() returns.
struct Onboarder::IoThread {
  std::shared_ptr<boost::asio::io_context> context = std::make_shared<boost::asio::io_context>(1);
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
      context->get_executor()};
  std::thread thread{[context = context] { context->run(); }};

  ~IoThread() {
    work.reset();
    if (thread.get_id() == std::this_thread::get_id()) {
      // Destroyed by one of its own handlers. Not stopped: run() returns once the work other
      // threads still count on the context is released (a client thread finishing a call), and
      // only then does the thread's reference destroy the context.
      thread.detach();
    } else {
      context->stop();
      if (thread.joinable()) thread.join();
    }
  }
};

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
  std::unique_ptr<IoThread> io;
  boost::asio::any_io_executor executor;
  if (config.executor) {
    executor = *config.executor;
  } else {
    io = std::make_unique<IoThread>();
    executor = io->context->get_executor();
  }
  auto impl = std::make_shared<Impl>(std::move(config), std::move(connection), executor);
  return Onboarder(std::move(impl), std::move(io));
}

Onboarder::Onboarder(std::shared_ptr<Impl> impl, std::unique_ptr<IoThread> io)
    : impl_(std::move(impl)), io_(std::move(io)) {}

Onboarder::Onboarder(Onboarder&&) noexcept = default;

Onboarder& Onboarder::operator=(Onboarder&& other) noexcept {
  if (this != &other) {
    shutdown();
    impl_ = std::move(other.impl_);
    io_ = std::move(other.io_);
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
  io_.reset();
}

Result<Session> Onboarder::onboard(const OnboardRequest& request) const {
  if (auto error = internal::blocking_call_check(impl_->executor, "Onboarder::onboard",
                                                 "co_onboard or async_onboard"))
    return *error;
  try {
    return boost::asio::co_spawn(internal::make_private_strand(impl_->executor),
                                 run(impl_, request, RunKind::onboard), boost::asio::use_future)
        .get();
  } catch (...) {
    return exception_error(std::current_exception());
  }
}

Result<Session> Onboarder::refresh(const OnboardRequest& request) const {
  if (auto error = internal::blocking_call_check(impl_->executor, "Onboarder::refresh",
                                                 "co_refresh or async_refresh"))
    return *error;
  try {
    return boost::asio::co_spawn(internal::make_private_strand(impl_->executor),
                                 run(impl_, request, RunKind::refresh), boost::asio::use_future)
        .get();
  } catch (...) {
    return exception_error(std::current_exception());
  }
}

boost::asio::awaitable<Result<Session>> Onboarder::co_onboard(OnboardRequest request) const {
  co_return co_await boost::asio::co_spawn(
      internal::make_private_strand(co_await boost::asio::this_coro::executor),
      run(impl_, std::move(request), RunKind::onboard), boost::asio::use_awaitable);
}

boost::asio::awaitable<Result<Session>> Onboarder::co_refresh(OnboardRequest request) const {
  co_return co_await boost::asio::co_spawn(
      internal::make_private_strand(co_await boost::asio::this_coro::executor),
      run(impl_, std::move(request), RunKind::refresh), boost::asio::use_awaitable);
}

boost::asio::awaitable<Result<Session>> Onboarder::run(std::shared_ptr<Impl> impl,
                                                       OnboardRequest request, RunKind kind) {
  const PipelinePlan& plan = impl->plan_of(kind);
  co_return co_await impl->run(std::move(request), plan);
}

Result<void> Onboarder::forget(std::string_view email, std::string_view workspace) const {
  if (auto error = internal::blocking_call_check(impl_->executor, "Onboarder::forget", "co_forget"))
    return *error;
  try {
    return boost::asio::co_spawn(internal::make_private_strand(impl_->executor),
                                 co_forget(std::string(email), std::string(workspace)),
                                 boost::asio::use_future)
        .get();
  } catch (...) {
    return exception_error(std::current_exception());
  }
}

boost::asio::awaitable<Result<void>> Onboarder::co_forget(std::string email,
                                                          std::string workspace) const {
  if (email.empty()) co_return fail(ErrorCode::invalid_input, "email is empty").with_field("email");
  if (workspace.empty()) workspace = impl_->config.default_workspace;
  auto impl = impl_;
  co_return co_await impl->forget(std::move(workspace), lower_email(email));
}

// Every run (onboard, refresh, forget; blocking, async or coroutine) gets a strand of its own: it
// races its stages against its deadline with `||`, whose branches would otherwise complete on
// several threads of a multi-threaded executor at once (Asio's parallel_group registers its
// cancellation handler after launching them).
boost::asio::any_io_executor Onboarder::executor_of(const Impl& impl) {
  return internal::make_private_strand(impl.executor);
}

Error Onboarder::exception_error(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return Error(ErrorCode::internal, std::string("unexpected exception: ") + e.what());
  } catch (...) {
  }
  return Error(ErrorCode::internal, "unexpected exception");
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
