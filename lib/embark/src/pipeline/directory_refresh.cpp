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

// The listing as it streams in: each user is staged into the directory, its email's digest
// noted, and its record kept when a run sharing the listing asked about that user.
class RefreshSink final : public UserSink {
 public:
  RefreshSink(std::unique_ptr<DirectoryListing> staged,
              std::shared_ptr<Onboarder::Impl::ListingWants> wants)
      : staged_(std::move(staged)), wants_(std::move(wants)) {}

  void restart() override {
    if (staged_) staged_->clear();
    shown_.clear();
    kept_.clear();
  }

  void add(const UserRecord& user) override {
    const std::uint64_t digest = listed_digest(user.email);
    shown_.push_back(digest);
    if (const auto version = wants_->version.load(); version != version_) {
      std::lock_guard lock(wants_->mutex);
      wanted_.clear();
      for (const auto& email : wants_->emails) wanted_.push_back({listed_digest(email), email});
      version_ = version;
    }
    for (const auto& [wanted_digest, email] : wanted_) {
      if (wanted_digest == digest && lower_email(user.email) == email) {
        // Captured by name: clang 14 (clang-tidy) cannot capture a structured binding.
        std::erase_if(
            kept_, [&email = email](const UserRecord& k) { return lower_email(k.email) == email; });
        kept_.push_back(user);
        break;
      }
    }
    if (staged_) staged_->add(user);
  }

  DirectoryListing* staged() const noexcept { return staged_.get(); }

  // What the listing showed, for the runs that share it.
  std::shared_ptr<const Onboarder::Impl::ListingSeen> seen() {
    std::sort(shown_.begin(), shown_.end());
    auto out = std::make_shared<Onboarder::Impl::ListingSeen>();
    out->kept = std::move(kept_);
    out->shown = std::make_shared<const std::vector<std::uint64_t>>(std::move(shown_));
    return out;
  }

 private:
  std::unique_ptr<DirectoryListing> staged_;
  std::shared_ptr<Onboarder::Impl::ListingWants> wants_;
  std::uint64_t version_ = 0;
  std::vector<std::pair<std::uint64_t, std::string>> wanted_;
  std::vector<std::uint64_t> shown_;
  std::vector<UserRecord> kept_;
};

// One run's view of a shared listing.
DirectoryRefresh view_of(const Onboarder::Impl::ListingSeen& seen, const std::string& email_key) {
  DirectoryRefresh out;
  out.listed = true;
  for (const auto& record : seen.kept) {
    if (lower_email(record.email) == email_key) out.user = record;
  }
  out.shows_user = out.user || std::binary_search(seen.shown->begin(), seen.shown->end(),
                                                  listed_digest(email_key));
  return out;
}

}  // namespace

boost::asio::awaitable<Result<DirectoryRefresh>> Onboarder::Impl::refresh_directory(
    PipelineContext::Run& run, RefreshMode mode, std::chrono::seconds min_interval) {
  using Seen = std::shared_ptr<const ListingSeen>;
  std::shared_ptr<internal::Flight<Result<Seen>>> flight;
  std::shared_ptr<ListingWants> wants;
  for (;;) {
    bool leader = false;
    {
      std::lock_guard lock(refresh_mutex);
      auto& state = refreshes[run.workspace];
      if (state.in_flight) {
        flight = state.in_flight;
        wants = state.wants;
      } else if (mode == RefreshMode::if_due && state.last && now() - *state.last < min_interval &&
                 !(state.listed && std::binary_search(state.listed->begin(), state.listed->end(),
                                                      listed_digest(run.email_key)))) {
        // Too soon after the last listing, which did not show this user either: trust the
        // directory as it is. A user that listing showed and the directory lacks now (forgotten,
        // lost by the vendor, evicted) is no confirmed miss: it is listed again, so a createUsers
        // never reaches a user who may exist with roles an administrator set.
        flight.reset();
      } else {
        flight = std::make_shared<internal::Flight<Result<Seen>>>(executor);
        wants = std::make_shared<ListingWants>();
        state.in_flight = flight;
        state.wants = wants;
        leader = true;
      }
    }
    if (!flight) co_return DirectoryRefresh{};
    {
      // This run's record is kept from the moment it is registered (a joiner registered after
      // its record went by learns from the digests that it was listed).
      std::lock_guard lock(wants->mutex);
      wants->emails.push_back(run.email_key);
      wants->version.fetch_add(1);
    }
    if (leader) break;
    auto shared = co_await flight->async_wait(boost::asio::use_awaitable);
    if (shared) {
      DirectoryRefresh out = view_of(**shared, run.email_key);
      out.joined = true;
      co_return out;
    }
    // The login that led the listing was cut short by its own deadline or caller: that says
    // nothing about this run, which lists again (leading or joining) within its own deadline.
    if (shared.error().code() != ErrorCode::cancelled || shared.error().operation() != "listUsers")
      co_return shared.error();
  }

  const auto started = now();
  Result<Seen> out = Seen{};
  try {
    auto& conn = *connection;
    // Staged while it streams in, committed only once the whole answer is in: a listing that
    // fails midway leaves the directory as it was.
    auto sink =
        std::make_shared<RefreshSink>(config.directory->begin_listing(run.workspace), wants);
    ListUsersRequest request{run.workspace, sink};
    auto listed = co_await run.call<std::vector<UserRecord>>(
        "listUsers", [&] { return conn.list_users(std::move(request)); });
    if (listed) {
      // A connection that collects anyway (it ignored the sink) answers the users here.
      for (const auto& record : *listed) sink->add(record);
      // The listing is the vendor's answer either way: a failed load only costs the cache.
      if (auto* staged = sink->staged()) {
        if (auto loaded = co_await staged->async_commit(started, now()); !loaded)
          report_backend_error("directory-backend", run.workspace, {}, loaded.error());
      }
      out = sink->seen();
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
    state.wants.reset();
    if (out) {
      state.last = started;
      state.listed = (*out)->shown;
    }
  }
  flight->complete(out);
  if (!out) co_return out.error();
  DirectoryRefresh mine = view_of(**out, run.email_key);
  mine.called = true;
  co_return mine;
}

}  // namespace embark
