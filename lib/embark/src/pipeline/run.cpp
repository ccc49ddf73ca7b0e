#include <iterator>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "embark/embed.hpp"
#include "embark/shared_state.hpp"
#include "embark/strategies/ensure_user/assume_exists.hpp"
#include "embark/validation.hpp"

#include "internal/core/within.hpp"
#include "pipeline/impl.hpp"

namespace embark {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::chrono::microseconds since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
}

// Everything that shapes a run's result; identical keys may share one run.
std::string flight_key(const OnboardRequest& r, const std::string& workspace,
                       const Onboarder::Impl::RunDigests& digests, std::string_view kind) {
  std::string key;
  key.reserve(kind.size() + workspace.size() + digests.email_key.size() + 64);
  key += kind;
  key += '\x1f';
  key += workspace;
  key += '\x1f';
  key += digests.email_key;
  key += '\x1f';
  // to_hex()'s digits, written in place (one allocation for the key, not four).
  fmt::format_to(std::back_inserter(key), "{:016x}{:016x}{:016x}", digests.attributes,
                 digests.session_attributes, digests.roles);
  for (const auto& g : r.groups) {
    key += '\x1e';
    key += g;
  }
  key += '\x1f';
  key += r.send_welcome_email ? '1' : '0';
  key += to_string(r.embed);
  return key;
}

Session joined_copy(const Session& original, std::chrono::microseconds waited) {
  Session s = original;
  s.joined_in_flight = true;
  s.vendor_calls = 0;
  s.elapsed = waited;
  for (auto& stage : s.stages) {
    stage.outcome = StageOutcome::joined_in_flight;
    stage.vendor_calls = 0;
    stage.elapsed = std::chrono::microseconds(0);
  }
  return s;
}

Error past_deadline(std::chrono::milliseconds allowed, std::string_view what) {
  return Error(ErrorCode::deadline_exceeded,
               fmt::format("the onboarding did not finish within its deadline of {} ms ({})",
                           allowed.count(), what));
}

// Whether the identical run a waiter joined ended cancelled by its own caller while the waiter
// was not: that says nothing about the waiter's request, which runs again (leading or joining)
// within its own deadline.
bool cut_short_by_its_caller(const Result<Session>& shared,
                             const boost::asio::cancellation_state& waiter) {
  return !shared && shared.error().code() == ErrorCode::cancelled &&
         waiter.cancelled() == boost::asio::cancellation_type::none;
}

}  // namespace

boost::asio::awaitable<Result<Session>> Onboarder::Impl::run(OnboardRequest raw,
                                                             const PipelinePlan& plan) {
  const auto start = SteadyClock::now();
  RunEvent event;
  event.run = plan.kind;
  const std::chrono::milliseconds allowed = raw.deadline.value_or(config.deadline);
  const SteadyClock::time_point deadline = start + allowed;

  auto normalized =
      allowed <= std::chrono::milliseconds(0)
          ? Result<OnboardRequest>(
                Error(ErrorCode::invalid_input, "deadline must be positive").with_field("deadline"))
          : normalize_request(std::move(raw), config.validation);
  if (!normalized) {
    const Error error = normalized.error();
    event.error = &error;
    event.elapsed = since(start);
    notify_run(event);
    co_return error;
  }
  const OnboardRequest& request = *normalized;
  const std::string workspace =
      request.workspace.empty() ? config.default_workspace : request.workspace;
  RunDigests digests{.email_key = lower_email(request.email),
                     .attributes = fingerprint(request.attributes),
                     .roles = fingerprint(request.roles),
                     .session_attributes = fingerprint(request.session_attributes)};
  // The user's digest names the user to observers and in the cross-instance lock; with neither
  // configured nobody reads it, and a SHA-256 per login is saved.
  const std::string user = config.observers.empty() && !config.lock_service
                               ? std::string()
                               : to_hex(user_fingerprint(workspace, digests.email_key));
  event.workspace = workspace;
  event.user = user;

  // One run per user at a time: two runs of one user with other attributes would otherwise
  // interleave their writes and mints, and file a token under the attributes the other run wrote.
  std::string user_key = workspace;
  user_key += '\x1f';
  user_key += digests.email_key;
  const std::string key =
      config.single_flight ? flight_key(request, workspace, digests, plan.kind) : "";
  auto flight = std::make_shared<internal::Flight<Result<Session>>>(executor);
  for (;;) {
    std::unique_lock lock(runs_mutex);
    auto [it, leading] = runs.try_emplace(user_key, UserRun{key, flight});
    if (leading) break;
    auto running = it->second.flight;
    const bool identical = config.single_flight && it->second.key == key;
    lock.unlock();
    // The running one goes on for the others when this waiter's own deadline passes.
    auto raced =
        co_await internal::within(running->async_wait(boost::asio::use_awaitable), deadline);
    const auto state = co_await boost::asio::this_coro::cancellation_state;
    Result<Session> shared = Error(ErrorCode::internal, "the wait for a run ended unexpectedly");
    if (!raced) {
      shared = past_deadline(allowed, identical ? "waiting for the identical run it joined"
                                                : "waiting for an earlier run of the same user");
    } else if (identical && !cut_short_by_its_caller(*raced, state)) {
      shared = std::move(*raced);
    } else if (state.cancelled() != boost::asio::cancellation_type::none) {
      shared = Error(ErrorCode::cancelled,
                     "the onboarding was cancelled while an earlier run of the same user ran");
    } else {
      // That run is over and what it wrote is confirmed (or known to have failed): this request
      // runs against that state, leading or joining an identical run that got there first.
      continue;
    }
    event.joined_in_flight = identical;
    event.elapsed = since(start);
    std::optional<Error> error;
    if (shared) {
      shared = joined_copy(*shared, event.elapsed);
    } else {
      error = shared.error();
      event.error = &*error;
    }
    notify_run(event);
    co_return shared;
  }

  Result<Session> result = Error(ErrorCode::internal, "pipeline did not finish");
  try {
    std::optional<LockLease> lease;
    // Refreshes too: one that writes changed attributes must not interleave with another
    // instance's run of the user (the same race as in process, across instances).
    if (config.lock_service) lease = co_await cross_instance_turn(workspace, user);
    // The deadline cancels whatever the run is doing: a vendor call, a backoff, a wait.
    auto raced =
        co_await internal::within(execute(request, workspace, user, digests, plan), deadline);
    if (raced) {
      result = std::move(*raced);
    } else {
      result = past_deadline(allowed, "vendor calls still in progress were cancelled");
    }
    if (lease) {
      // Released in the background: the login does not wait for the round trip (a lost release
      // only makes others wait for the TTL).
      boost::asio::co_spawn(
          executor,
          [](std::shared_ptr<LockService> locks, LockLease l) -> boost::asio::awaitable<void> {
            (void)co_await locks->async_release(l);
          }(config.lock_service, std::move(*lease)),
          boost::asio::detached);
    }
  } catch (const boost::system::system_error& e) {
    // Asio's way of ending a coroutine its caller cancelled (async_onboard's cancellation slot,
    // co_onboard's awaiting coroutine).
    result = e.code() == boost::asio::error::operation_aborted
                 ? Error(ErrorCode::cancelled, "the onboarding was cancelled")
                 : Error(ErrorCode::internal, std::string("pipeline failed: ") + e.what());
  } catch (const std::exception& e) {
    result = Error(ErrorCode::internal, std::string("pipeline failed: ") + e.what());
  }
  if (result) result->elapsed = since(start);
  {
    // Leave the table before completing, so later arrivals start afresh (and hit the caches).
    std::lock_guard lock(runs_mutex);
    runs.erase(user_key);
  }
  // Out of the table, the flight gains no new holders: when this run holds the only reference,
  // nobody waits or will wait, and the two copies of the session complete() keeps are skipped.
  if (flight.use_count() > 1) flight->complete(result);
  event.elapsed = since(start);
  std::optional<Error> error;
  if (result) {
    event.vendor_calls = result->vendor_calls;
  } else {
    error = result.error();
    event.error = &*error;
  }
  notify_run(event);
  co_return result;
}

// Another instance may be onboarding the same user: wait for its turn, so its createUsers and
// setUserAttributes land in the shared directory before this run looks. Never fails a login: a
// lock service that cannot be asked, or a wait past lock_wait, means going alone.
boost::asio::awaitable<std::optional<LockLease>> Onboarder::Impl::cross_instance_turn(
    const std::string& workspace, const std::string& user) {
  const std::string name = "onboard:" + user;
  const auto give_up = SteadyClock::now() + config.lock_wait;
  auto backoff = std::chrono::milliseconds(2);
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    auto got = co_await config.lock_service->async_try_acquire(workspace, name, config.lock_ttl);
    if (!got) co_return std::nullopt;
    if (*got) co_return std::move(**got);
    if (SteadyClock::now() + backoff >= give_up) co_return std::nullopt;
    timer.expires_after(backoff);
    co_await timer.async_wait(boost::asio::use_awaitable);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(50));
  }
}

namespace {

// Reports each stage as it ends; a failure's error names the stage and strategy.
struct StageRunner {
  Onboarder::Impl& impl;
  PipelineContext::Run& run;
  Session& session;

  template <class Verdict>
  Result<Verdict> finish(Stage stage, std::string_view strategy, SteadyClock::time_point start,
                         Result<Verdict> verdict) {
    std::optional<Error> error;
    if (!verdict) {
      error = verdict.error();
      error->with_stage(std::string(to_string(stage)), std::string(strategy));
      verdict = *error;
    }
    const StageOutcome outcome = verdict ? verdict->outcome : StageOutcome::failed;
    StageReport report{stage, std::string(strategy), outcome, run.stage_calls, since(start)};
    StageEvent event;
    event.run = run.plan.kind;
    event.stage = stage;
    event.strategy = strategy;
    event.outcome = outcome;
    event.vendor_calls = report.vendor_calls;
    event.elapsed = report.elapsed;
    event.workspace = run.workspace;
    event.user = run.user;
    event.error = error ? &*error : nullptr;
    impl.notify_stage(event);
    session.stages.push_back(std::move(report));
    run.stage_calls = 0;
    return verdict;
  }
};

// The vendor no longer knows a user the directory knows: forget it, so the next login asks
// (and re-creates it) instead of trusting the entry and its tokens.
bool vendor_lost_user(const Error& error) {
  return error.code() == ErrorCode::not_found &&
         (error.operation() == "impersonateUser" || error.operation() == "setUserAttributes");
}

// The refresh plan's set-attributes (see when_changed()).
class WhenChangedSetAttributes final : public SetAttributesStrategy {
 public:
  explicit WhenChangedSetAttributes(std::shared_ptr<SetAttributesStrategy> inner)
      : inner_(std::move(inner)) {}
  std::string_view name() const noexcept override { return inner_->name(); }
  std::optional<AttributeMap> attributes_at_creation(
      const PipelineContext& context) const override {
    return inner_->attributes_at_creation(context);
  }
  AttributeMap session_contribution(const PipelineContext& context) const override {
    return inner_->session_contribution(context);
  }
  boost::asio::awaitable<Result<SetAttributesVerdict>> apply(PipelineContext& context,
                                                             UserRef& user) override {
    if (user.attributes && *user.attributes == context.attributes_fingerprint())
      co_return SetAttributesVerdict{StageOutcome::skipped_unchanged};
    co_return co_await inner_->apply(context, user);
  }

 private:
  std::shared_ptr<SetAttributesStrategy> inner_;
};

}  // namespace

std::shared_ptr<SetAttributesStrategy> when_changed(std::shared_ptr<SetAttributesStrategy> inner) {
  return std::make_shared<WhenChangedSetAttributes>(std::move(inner));
}

Onboarder::Impl::Impl(OnboarderConfig c, std::shared_ptr<WisdomConnection> conn,
                      const boost::asio::any_io_executor& ex)
    : config(std::move(c)), connection(std::move(conn)), executor(ex), background(ex) {
  onboard_plan = {"onboard", config.ensure_user_strategy, config.set_attributes_strategy,
                  config.impersonate_strategy};
  // The iframe's refresh: the user was onboarded at login, so no ensure-user call (the
  // directory's entry, else set-attributes resolves the user); attributes written only when they
  // changed; the configured impersonate.
  refresh_plan = {"refresh", std::make_shared<AssumeExistsEnsureUser>(),
                  when_changed(config.set_attributes_strategy), config.impersonate_strategy};
}

boost::asio::awaitable<Result<Session>> Onboarder::Impl::execute(const OnboardRequest& request,
                                                                 const std::string& workspace,
                                                                 const std::string& user_hex,
                                                                 const RunDigests& digests,
                                                                 const PipelinePlan& plan) {
  PipelineContext::Run run{.impl = *this,
                           .request = request,
                           .plan = plan,
                           .workspace = workspace,
                           .email_key = digests.email_key,
                           .user = user_hex,
                           .attributes_fp = digests.attributes,
                           .roles_fp = digests.roles,
                           .session_attributes_fp = digests.session_attributes};
  PipelineContext context(run);

  Session session;
  session.stages.reserve(3);
  session.email = request.email;
  session.workspace = workspace;
  StageRunner stages{*this, run, session};

  auto start = SteadyClock::now();
  // (Each co_await its own statement: GCC 12 mis-destroys temporaries around a co_await nested
  // in a call's arguments.)
  auto ensure_verdict = co_await plan.ensure_user->ensure(context);
  auto ensured =
      stages.finish(Stage::ensure_user, plan.ensure_user->name(), start, std::move(ensure_verdict));
  if (!ensured) co_return ensured.error();
  UserRef user = std::move(ensured->user);

  start = SteadyClock::now();
  auto apply_verdict = co_await plan.set_attributes->apply(context, user);
  auto applied = stages.finish(Stage::set_attributes, plan.set_attributes->name(), start,
                               std::move(apply_verdict));
  if (!applied) {
    if (vendor_lost_user(applied.error())) {
      auto forgotten = co_await forget(workspace, run.email_key);
      (void)forgotten;  // reported by forget(); the login's own error is what the caller needs
    }
    co_return applied.error();
  }

  AttributeMap session_attributes = plan.set_attributes->session_contribution(context);
  for (const auto& [k, v] : request.session_attributes) session_attributes[k] = v;

  start = SteadyClock::now();
  auto mint_verdict = co_await plan.impersonate->impersonate(context, user, session_attributes);
  auto minted =
      stages.finish(Stage::impersonate, plan.impersonate->name(), start, std::move(mint_verdict));
  if (!minted) {
    if (vendor_lost_user(minted.error())) {
      auto forgotten = co_await forget(workspace, run.email_key);
      (void)forgotten;
    }
    co_return minted.error();
  }

  session.jwt = std::move(minted->token.jwt);
  session.expires_at = minted->token.expires_at;
  session.user_id = std::move(user.user_id);
  session.vendor_calls = run.total_calls;
  if (!config.embed_base_url.empty() && request.embed.kind != EmbedKind::none) {
    auto url = build_embed_url(config.embed_base_url, request.embed, session.jwt);
    if (!url) co_return url.error();
    session.embed_url = std::move(*url);
  }
  co_return session;
}

}  // namespace embark
