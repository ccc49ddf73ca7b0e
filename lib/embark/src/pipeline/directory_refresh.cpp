#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "pipeline/impl.hpp"

namespace embark {
namespace {

// FNV-1a of the ASCII-lower-cased email: which users a listing showed, 8 bytes each and no
// allocation. A collision can only make a miss look unconfirmed, which costs a listing.
std::uint64_t listed_digest(std::string_view email) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : email) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

boost::asio::awaitable<Result<DirectoryRefresh>> Onboarder::Impl::refresh_directory(
    PipelineContext::Run& run, RefreshMode mode, std::chrono::seconds min_interval) {
  std::shared_ptr<internal::Flight<Result<DirectoryRefresh>>> flight;
  for (;;) {
    bool leader = false;
    {
      std::lock_guard lock(refresh_mutex);
      auto& state = refreshes[run.workspace];
      if (state.in_flight) {
        flight = state.in_flight;
      } else if (mode == RefreshMode::if_due && state.last && now() - *state.last < min_interval &&
                 !std::binary_search(state.listed.begin(), state.listed.end(),
                                     listed_digest(run.email_key))) {
        // Too soon after the last listing, which did not show this user either: trust the
        // directory as it is. A user that listing showed and the directory lacks now (forgotten,
        // lost by the vendor, evicted) is no confirmed miss: it is listed again, so a createUsers
        // never reaches a user who may exist with roles an administrator set.
        flight.reset();
      } else {
        flight = std::make_shared<internal::Flight<Result<DirectoryRefresh>>>(executor);
        state.in_flight = flight;
        leader = true;
      }
    }
    if (!flight) co_return DirectoryRefresh{};
    if (leader) break;
    auto shared = co_await flight->async_wait(boost::asio::use_awaitable);
    if (shared) {
      shared->called = false;
      shared->joined = true;
      co_return shared;
    }
    // The login that led the listing was cut short by its own deadline or caller: that says
    // nothing about this run, which lists again (leading or joining) within its own deadline.
    if (shared.error().code() != ErrorCode::cancelled || shared.error().operation() != "listUsers")
      co_return shared;
  }

  const auto started = now();
  Result<DirectoryRefresh> out = DirectoryRefresh{};
  std::vector<std::uint64_t> shown;
  try {
    auto& conn = *connection;
    ListUsersRequest request{run.workspace};
    auto listed = co_await run.call<std::vector<UserRecord>>(
        "listUsers", [&] { return conn.list_users(std::move(request)); });
    if (listed) {
      auto users = std::make_shared<const std::vector<UserRecord>>(std::move(*listed));
      // The listing is the vendor's answer either way: a failed load only costs the cache.
      if (auto loaded =
              co_await config.directory->async_load_listing(run.workspace, *users, started, now());
          !loaded) {
        report_backend_error("directory-backend", run.workspace, {}, loaded.error());
      }
      shown.reserve(users->size());
      for (const auto& record : *users) shown.push_back(listed_digest(record.email));
      std::sort(shown.begin(), shown.end());
      out = DirectoryRefresh{true, false, std::move(users)};
    } else {
      out = listed.error();
    }
  } catch (const boost::system::system_error& e) {
    // The leading run was cut short (its deadline, or its caller cancelled it); the runs that
    // joined this listing may list again.
    out = Error(e.code() == boost::asio::error::operation_aborted ? ErrorCode::cancelled
                                                                  : ErrorCode::internal,
                std::string("the directory refresh was cut short: ") + e.what())
              .with_operation("listUsers")
              .with_retryable(true);
  } catch (const std::exception& e) {
    out = Error(ErrorCode::internal, std::string("directory refresh failed: ") + e.what())
              .with_operation("listUsers");
  }
  {
    // The documented "directory-refresh" event: one per listing sent (joiners share it).
    BackgroundEvent event;
    event.what = "directory-refresh";
    event.workspace = run.workspace;
    std::optional<Error> error;
    if (!out) {
      error = out.error();
      event.error = &*error;
    }
    notify_background(event);
  }
  {
    std::lock_guard lock(refresh_mutex);
    auto& state = refreshes[run.workspace];
    state.in_flight.reset();
    if (out) {
      state.last = started;
      state.listed = std::move(shown);
    }
  }
  flight->complete(out);
  co_return out;
}

}  // namespace embark
