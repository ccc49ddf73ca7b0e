#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "embark/embed.hpp"
#include "embark/shared_state.hpp"
#include "embark/validation.hpp"

#include "pipeline/impl.hpp"

namespace embark {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::chrono::microseconds since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
}

// Everything that shapes a run's result; identical keys may share one run.
std::string flight_key(const OnboardRequest& r, const std::string& workspace, bool refresh) {
  std::string key = refresh ? "refresh" : "onboard";
  key += '\x1f';
  key += workspace;
  key += '\x1f';
  key += lower_email(r.email);
  key += '\x1f';
  key += to_hex(fingerprint(r.attributes));
  key += to_hex(fingerprint(r.session_attributes));
  key += to_hex(fingerprint(r.roles));
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

// Completes at `deadline`; raced with `||` against a run or a wait, whose loser is cancelled.
boost::asio::awaitable<void> until(SteadyClock::time_point deadline) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, deadline);
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

Error past_deadline(std::chrono::milliseconds allowed, std::string_view what) {
  return Error(ErrorCode::deadline_exceeded,
               fmt::format("the onboarding did not finish within its deadline of {} ms ({})",
                           allowed.count(), what));
}

}  // namespace

boost::asio::awaitable<Result<Session>> Onboarder::Impl::run(OnboardRequest raw, bool refresh) {
  using namespace boost::asio::experimental::awaitable_operators;
  const auto start = SteadyClock::now();
  const std::string_view kind = refresh ? "refresh" : "onboard";
  RunEvent event;
  event.run = kind;
  const std::chrono::milliseconds allowed = raw.deadline.value_or(config.deadline);
  const SteadyClock::time_point deadline = start + allowed;

  auto normalized =
      allowed <= std::chrono::milliseconds(0)
          ? Result<OnboardRequest>(
                Error(ErrorCode::invalid_input, "deadline must be positive").with_field("deadline"))
          : normalize_request(raw, config.validation);
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
  const std::string user = to_hex(user_fingerprint(workspace, request.email));
  event.workspace = workspace;
  event.user = user;

  std::shared_ptr<internal::Flight<Result<Session>>> flight;
  std::string key;
  if (config.single_flight) {
    key = flight_key(request, workspace, refresh);
    std::unique_lock lock(runs_mutex);
    if (auto it = runs.find(key); it != runs.end()) {
      auto joined = it->second;
      lock.unlock();
      // The leader goes on for the others when this waiter's own deadline passes.
      auto raced = co_await (joined->async_wait(boost::asio::use_awaitable) || until(deadline));
      Result<Session> shared = raced.index() == 0
                                   ? std::get<0>(std::move(raced))
                                   : Result<Session>(past_deadline(allowed,
                                                                   "waiting for the "
                                                                   "identical run it "
                                                                   "joined"));
      event.joined_in_flight = true;
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
    flight = std::make_shared<internal::Flight<Result<Session>>>(executor);
    runs.emplace(key, flight);
  }

  Result<Session> result = Error(ErrorCode::internal, "pipeline did not finish");
  try {
    std::optional<LockLease> lease;
    if (config.lock_service && !refresh) lease = co_await cross_instance_turn(workspace, user);
    // The deadline cancels whatever the run is doing: a vendor call, a backoff, a wait.
    auto raced = co_await (execute(request, workspace, user, refresh) || until(deadline));
    if (raced.index() == 0) {
      result = std::get<0>(std::move(raced));
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
  } catch (const std::exception& e) {
    result = Error(ErrorCode::internal, std::string("pipeline failed: ") + e.what());
  }
  if (result) result->elapsed = since(start);
  if (flight) {
    {
      // Leave the table before completing, so later arrivals start afresh (and hit the caches).
      std::lock_guard lock(runs_mutex);
      runs.erase(key);
    }
    flight->complete(result);
  }
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

boost::asio::awaitable<Result<Session>> Onboarder::Impl::execute(const OnboardRequest& request,
                                                                 const std::string& workspace,
                                                                 const std::string& user_hex,
                                                                 bool refresh) {
  PipelineContext::Run run{.impl = *this,
                           .request = request,
                           .workspace = workspace,
                           .email_key = lower_email(request.email),
                           .user = user_hex,
                           .attributes_fp = fingerprint(request.attributes),
                           .roles_fp = fingerprint(request.roles),
                           .kind = refresh ? "refresh" : "onboard"};
  PipelineContext context(run);

  Session session;
  session.email = request.email;
  session.workspace = workspace;

  // One stage: run it, report it, and on failure name the stage and strategy in the error.
  auto finish_stage = [&](Stage stage, std::string_view strategy, StageOutcome outcome,
                          SteadyClock::time_point start, const Error* error) {
    StageReport report{stage, std::string(strategy), outcome, run.stage_calls, since(start)};
    StageEvent event;
    event.run = run.kind;
    event.stage = stage;
    event.strategy = strategy;
    event.outcome = outcome;
    event.vendor_calls = report.vendor_calls;
    event.elapsed = report.elapsed;
    event.workspace = workspace;
    event.user = run.user;
    event.error = error;
    notify_stage(event);
    session.stages.push_back(std::move(report));
    run.stage_calls = 0;
  };

  UserRef user;
  if (!refresh) {
    auto& strategy = *config.ensure_user_strategy;
    auto start = SteadyClock::now();
    auto ensured = co_await strategy.ensure(context);
    if (!ensured) {
      Error error = ensured.error();
      error.with_stage(std::string(to_string(Stage::ensure_user)), std::string(strategy.name()));
      finish_stage(Stage::ensure_user, strategy.name(), StageOutcome::failed, start, &error);
      co_return error;
    }
    user = std::move(ensured->user);
    finish_stage(Stage::ensure_user, strategy.name(), ensured->outcome, start, nullptr);

    auto& setter = *config.set_attributes_strategy;
    start = SteadyClock::now();
    auto applied = co_await setter.apply(context, user);
    if (!applied) {
      Error error = applied.error();
      error.with_stage(std::string(to_string(Stage::set_attributes)), std::string(setter.name()));
      finish_stage(Stage::set_attributes, setter.name(), StageOutcome::failed, start, &error);
      co_return error;
    }
    finish_stage(Stage::set_attributes, setter.name(), applied->outcome, start, nullptr);
  } else {
    // The iframe's refresh: the user was onboarded at login; only a token is needed.
    user.workspace = workspace;
    user.email = request.email;
    if (auto entry = co_await context.find_entry()) {
      user.user_id = entry->user_id;
      user.attributes = entry->attributes;
      user.roles = entry->roles;
    }
  }

  AttributeMap session_attributes = config.set_attributes_strategy->session_contribution(context);
  for (const auto& [k, v] : request.session_attributes) session_attributes[k] = v;

  auto& minter = *config.impersonate_strategy;
  const auto start = SteadyClock::now();
  auto minted = co_await minter.impersonate(context, user, session_attributes);
  if (!minted) {
    Error error = minted.error();
    error.with_stage(std::string(to_string(Stage::impersonate)), std::string(minter.name()));
    finish_stage(Stage::impersonate, minter.name(), StageOutcome::failed, start, &error);
    co_return error;
  }
  finish_stage(Stage::impersonate, minter.name(), minted->outcome, start, nullptr);

  session.jwt = minted->token.jwt;
  session.expires_at = minted->token.expires_at;
  session.user_id = user.user_id;
  session.vendor_calls = run.total_calls;
  if (!config.embed_base_url.empty() && request.embed.kind != EmbedKind::none) {
    auto url = build_embed_url(config.embed_base_url, request.embed, session.jwt);
    if (!url) co_return url.error();
    session.embed_url = std::move(*url);
  }
  co_return session;
}

}  // namespace embark
