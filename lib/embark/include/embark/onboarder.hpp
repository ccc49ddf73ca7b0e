// Onboarder: the library's entry point — ensure-user, set-attributes, impersonate, in one call.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>

#include "embark/async.hpp"
#include "embark/config.hpp"
#include "embark/connection.hpp"
#include "embark/request.hpp"
#include "embark/result.hpp"
#include "embark/session.hpp"

namespace embark {

class UserDirectory;
class TokenCache;

/// Puts users into embedded WisdomAI sessions. Create one at start-up and share it: every member
/// function is thread-safe. Runs on an I/O thread it owns unless OnboarderConfig::executor is set.
///
/// Every entry point validates the request before any vendor call (errors name the field) and
/// returns errors as values; a failing stage's error names the stage and strategy.
///
/// One run per user (workspace and email) at a time: a concurrent identical request shares the
/// running one (OnboarderConfig::single_flight); any other request of that user, an onboarding or
/// a refresh, waits for it (within its own deadline), then runs against what the vendor confirmed.
/// With OnboarderConfig::lock_service, onboardings and refreshes take turns across instances too.
class Onboarder {
 public:
  /// Validates `config`, builds the strategies, caches and (if no executor is given) starts the
  /// I/O thread. Fails with invalid_input naming the config field.
  static Result<Onboarder> create(OnboarderConfig config,
                                  std::shared_ptr<WisdomConnection> connection);

  Onboarder(Onboarder&&) noexcept;
  Onboarder& operator=(Onboarder&&) noexcept;
  /// Stops background work (pre-mint timers) and joins the owned I/O thread; runs still in
  /// flight on the owned thread are abandoned. A given executor's context must outlive the
  /// Onboarder and the runs it started.
  ~Onboarder();

  /// Blocking onboarding, for thread-per-request servers. Called on a thread that runs the
  /// Onboarder's executor it returns Error{internal} (it would wait for itself).
  Result<Session> onboard(const OnboardRequest& request) const;

  /// Asynchronous onboarding in Asio's universal model: the token may be a callback
  /// `void(Result<Session>)`, `boost::asio::use_awaitable`, `boost::asio::use_future`, ...
  /// The pipeline runs on the Onboarder's executor; the handler is invoked on its own associated
  /// executor (default: the Onboarder's), which is kept busy until then. Cancellation through the
  /// token's cancellation slot ends the run with Error{cancelled}.
  template <boost::asio::completion_token_for<void(Result<Session>)> CompletionToken>
  auto async_onboard(OnboardRequest request, CompletionToken&& token) const {
    return detail::async_run<Session>(*runtime_, kOnboard,
                                      run_of(std::move(request), RunKind::onboard),
                                      std::forward<CompletionToken>(token));
  }

  /// The pipeline as a coroutine, run on a strand of the awaiting coroutine's executor; the
  /// coroutine's cancellation reaches it as with async_onboard.
  boost::asio::awaitable<Result<Session>> co_onboard(OnboardRequest request) const;

  /// The iframe's token refresh: the pipeline with a refresh plan — the user from the directory
  /// (no ensure-user call), the configured set-attributes only when the attributes passed differ
  /// from the stored ones (one write), then the configured impersonate (a cached or pre-minted
  /// token carrying exactly these attributes, else impersonateUser). Call it with the email and
  /// attributes from the APP's current session data, never with values the browser sent; a
  /// refresh never returns a token with attributes the app no longer sends.
  /// Blocking; same caveat as onboard().
  Result<Session> refresh(const OnboardRequest& request) const;
  /// refresh() in the universal async model.
  template <boost::asio::completion_token_for<void(Result<Session>)> CompletionToken>
  auto async_refresh(OnboardRequest request, CompletionToken&& token) const {
    return detail::async_run<Session>(*runtime_, kRefresh,
                                      run_of(std::move(request), RunKind::refresh),
                                      std::forward<CompletionToken>(token));
  }
  /// refresh() as a coroutine.
  boost::asio::awaitable<Result<Session>> co_refresh(OnboardRequest request) const;

  /// Drops what embark remembers of a user — the directory entry and every cached or pre-minted
  /// token — for apps that change or revoke a user's access outside a login. No vendor call; the
  /// next login asks the vendor again. `workspace` empty: the config's default workspace.
  /// Fails with invalid_input (field "email") for an empty email, or with the backend's error.
  /// A run of that user already in flight may still file its result. Blocking; same caveat as
  /// onboard().
  Result<void> forget(std::string_view email, std::string_view workspace = {}) const;
  /// forget() as a coroutine.
  boost::asio::awaitable<Result<void>> co_forget(std::string email,
                                                 std::string workspace = {}) const;

  /// The executor the pipeline's background work runs on.
  boost::asio::any_io_executor get_executor() const noexcept;
  /// The validated config (strategy objects and backends filled in).
  const OnboarderConfig& config() const noexcept;
  /// Names of the strategies in use, per stage.
  std::string_view strategy_name(Stage stage) const noexcept;
  /// The user directory (e.g. to preload it from a bulk sync).
  UserDirectory& directory() const noexcept;
  /// The token cache.
  TokenCache& tokens() const noexcept;

  struct Impl;  ///< internal (lib/embark/src/pipeline)
  /// Which plan a run follows (internal).
  enum class RunKind : unsigned char { onboard, refresh };

 private:
  static constexpr detail::CallName kOnboard{"Onboarder::onboard", "",
                                             "async_onboard or co_onboard"};
  static constexpr detail::CallName kRefresh{"Onboarder::refresh", "",
                                             "async_refresh or co_refresh"};
  static constexpr detail::CallName kForget{"Onboarder::forget", "", "co_forget"};

  Onboarder(std::shared_ptr<Impl> impl, std::unique_ptr<detail::Runtime> runtime);
  void shutdown() noexcept;

  static boost::asio::awaitable<Result<Session>> run(std::shared_ptr<Impl> impl,
                                                     OnboardRequest request, RunKind kind);
  /// One run as a factory of its coroutine (for the runtime), keeping the pipeline alive.
  struct RunFactory {
    std::shared_ptr<Impl> impl;
    OnboardRequest request;
    RunKind kind;
    boost::asio::awaitable<Result<Session>> operator()() {
      return run(std::move(impl), std::move(request), kind);
    }
  };
  RunFactory run_of(OnboardRequest request, RunKind kind) const {
    return RunFactory{impl_, std::move(request), kind};
  }

  std::shared_ptr<Impl> impl_;
  std::unique_ptr<detail::Runtime> runtime_;
};

}  // namespace embark
