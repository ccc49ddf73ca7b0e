// Internal state of an Onboarder and of one pipeline run (never part of the public API).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "embark/directory.hpp"
#include "embark/observer.hpp"
#include "embark/onboarder.hpp"
#include "embark/shared_state.hpp"
#include "embark/strategies/stage.hpp"
#include "embark/token_cache.hpp"

#include "pipeline/flight.hpp"

namespace embark {

// A pipeline configuration: one strategy per stage. A login and the iframe's refresh are the
// same pipeline run with different plans.
struct PipelinePlan {
  std::string_view kind;  // "onboard" / "refresh"
  std::shared_ptr<EnsureUserStrategy> ensure_user;
  std::shared_ptr<SetAttributesStrategy> set_attributes;
  std::shared_ptr<ImpersonateStrategy> impersonate;
};

// The refresh plan's set-attributes: the configured strategy, run only when the attributes the
// app passes differ from what the directory says is stored (or it does not know).
std::shared_ptr<SetAttributesStrategy> when_changed(std::shared_ptr<SetAttributesStrategy> inner);

struct Onboarder::Impl : std::enable_shared_from_this<Onboarder::Impl> {
  OnboarderConfig config;
  std::shared_ptr<WisdomConnection> connection;
  boost::asio::any_io_executor executor;
  boost::asio::strand<boost::asio::any_io_executor> background;
  PipelinePlan onboard_plan;
  PipelinePlan refresh_plan;

  Impl(OnboarderConfig c, std::shared_ptr<WisdomConnection> conn,
       const boost::asio::any_io_executor& ex);

  const PipelinePlan& plan_of(RunKind kind) const {
    return kind == RunKind::refresh ? refresh_plan : onboard_plan;
  }

  // One run per user at a time, keyed by workspace and lower-cased email. A request identical to
  // the running one (same flight key, single_flight on) shares its result; any other request of
  // that user waits for it to end, then runs against the state it confirmed.
  struct UserRun {
    std::string key;  // flight key of the running request (empty without single flight)
    std::shared_ptr<internal::Flight<Result<Session>>> flight;
  };
  std::mutex runs_mutex;
  std::unordered_map<std::string, UserRun> runs;

  // What one listing showed, shared by the runs that led or joined it. The listing itself
  // streams into the directory and is never held: only the records those runs asked for are.
  struct ListingSeen {
    std::vector<UserRecord> kept;  // the users the sharing runs asked about, as listed
    // A digest of the email of every listed user, sorted.
    std::shared_ptr<const std::vector<std::uint64_t>> shown;
  };
  // The lower-cased emails whose records a listing in flight keeps (its leader's and joiners').
  struct ListingWants {
    std::mutex mutex;
    std::vector<std::string> emails;
    std::atomic<std::uint64_t> version{0};  // bumped per new email; the sink re-reads on change
  };
  // Coalesced directory refreshes, per workspace.
  struct RefreshState {
    std::shared_ptr<internal::Flight<Result<std::shared_ptr<const ListingSeen>>>> in_flight;
    std::shared_ptr<ListingWants> wants;  // of the listing in flight
    std::optional<std::chrono::system_clock::time_point> last;
    // The last listing's `shown`: a user it did not show is a miss the vendor confirmed at
    // `last`.
    std::shared_ptr<const std::vector<std::uint64_t>> listed;
  };
  std::mutex refresh_mutex;
  std::unordered_map<std::string, RefreshState> refreshes;

  // Strategies' pending background tasks (PipelineContext::schedule), one per key; each timer is
  // touched only on the `background` strand.
  std::mutex background_mutex;
  std::unordered_map<std::string, std::shared_ptr<boost::asio::steady_timer>> pending;
  bool stopping = false;

  std::chrono::system_clock::time_point now() const { return config.clock(); }

  boost::asio::awaitable<Result<Session>> run(OnboardRequest request, const PipelinePlan& plan);
  // The request's digests, computed once per run: each is a SHA-256 (see fingerprint.hpp).
  struct RunDigests {
    std::string email_key;  // lower-cased email
    Fingerprint attributes = 0;
    Fingerprint roles = 0;
    Fingerprint session_attributes = 0;
  };
  boost::asio::awaitable<Result<Session>> execute(const OnboardRequest& request,
                                                  const std::string& workspace,
                                                  const std::string& user,
                                                  const RunDigests& digests,
                                                  const PipelinePlan& plan);
  boost::asio::awaitable<std::optional<LockLease>> cross_instance_turn(const std::string& workspace,
                                                                       const std::string& user);
  boost::asio::awaitable<Result<DirectoryRefresh>> refresh_directory(
      PipelineContext::Run& run, RefreshMode mode, std::chrono::seconds min_interval);
  // See PipelineContext::schedule; `run` names the user the task works for.
  void schedule(const PipelineContext::Run& run, std::string key,
                std::chrono::system_clock::time_point due, BackgroundTask task);
  void stop();

  // Shared-state writes outside a stage's context too (pre-mint, forget, not_found): reported on
  // failure, never failing the caller.
  boost::asio::awaitable<void> put_token(const TokenKey& key, const SessionToken& token,
                                         std::string_view user);
  boost::asio::awaitable<void> erase_entry(std::string_view workspace, std::string_view email,
                                           std::string_view user);
  boost::asio::awaitable<std::optional<DirectoryEntry>> find_entry(std::string_view workspace,
                                                                   std::string_view email,
                                                                   std::string_view user);
  // Forget: the directory entry and every token of the user; errors returned, not dropped.
  boost::asio::awaitable<Result<void>> forget(std::string workspace, std::string email);

  void notify_stage(const StageEvent& e) const {
    for (const auto& o : config.observers) o->on_stage(e);
  }
  void notify_call(const VendorCallEvent& e) const {
    for (const auto& o : config.observers) o->on_vendor_call(e);
  }
  void notify_run(const RunEvent& e) const {
    for (const auto& o : config.observers) o->on_run(e);
  }
  void notify_background(const BackgroundEvent& e) const {
    for (const auto& o : config.observers) o->on_background(e);
  }
  // A shared backend failed: reported, never failing the login (a read is a miss, a write is
  // dropped; the vendor's state stays the truth and the next login repairs the cache).
  void report_backend_error(std::string_view what, std::string_view workspace,
                            std::string_view user, const Error& error) const {
    BackgroundEvent e;
    e.what = what;
    e.workspace = workspace;
    e.user = user;
    e.error = &error;
    notify_background(e);
  }
};

struct PipelineContext::Run {
  Onboarder::Impl& impl;
  const OnboardRequest& request;  // normalized
  const PipelinePlan& plan;
  std::string workspace;
  std::string email_key;
  std::string user;  // fingerprint hex, for observers
  Fingerprint attributes_fp = 0;
  Fingerprint roles_fp = 0;
  Fingerprint session_attributes_fp = 0;  // of request.session_attributes
  int stage_calls = 0;
  int total_calls = 0;

  // Runs one vendor call: counted, observed, errors tagged with the operation.
  template <class T, class MakeCall>
  boost::asio::awaitable<Result<T>> call(std::string_view operation, MakeCall make_call) {
    ++stage_calls;
    ++total_calls;
    const auto start = std::chrono::steady_clock::now();
    Result<T> result = co_await make_call();
    VendorCallEvent event;
    event.operation = operation;
    event.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    std::optional<Error> error;
    if (!result) {
      error = result.error();
      if (error->operation().empty()) error->with_operation(std::string(operation));
      result = *error;
      event.error = &*error;
    }
    impl.notify_call(event);
    co_return result;
  }
};

}  // namespace embark
