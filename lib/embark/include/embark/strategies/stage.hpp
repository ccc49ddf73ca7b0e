// Stage interfaces: EnsureUser -> SetAttributes(UserRef) -> Impersonate(UserRef), and the
// PipelineContext through which strategies reach the vendor, the directory and the token cache.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "embark/config.hpp"
#include "embark/directory.hpp"
#include "embark/fingerprint.hpp"
#include "embark/model.hpp"
#include "embark/request.hpp"
#include "embark/result.hpp"
#include "embark/session.hpp"
#include "embark/token_cache.hpp"

namespace embark {

/// When roles are sent to the vendor (a knob of the ensure-user strategies that look users up).
enum class RolePolicy {
  on_create,  ///< only when the user is created (default: never overwrite roles an admin set)
  enforce,    ///< also re-apply (createUsers) when the app's roles differ from the stored ones
};

/// "on-create" or "enforce".
std::string_view to_string(RolePolicy policy) noexcept;
/// Parses "on-create" / "enforce" (field "role_policy").
Result<RolePolicy> parse_role_policy(std::string_view text);

/// What the pipeline knows about the user after ensure-user. Plain value type.
struct UserRef {
  std::string workspace;
  std::string email;                      ///< as the app gave it
  std::string user_id;                    ///< empty when unknown (createUsers returns no id)
  std::optional<Fingerprint> attributes;  ///< stored attributes' fingerprint, when known
  std::optional<Fingerprint> roles;       ///< roles' fingerprint, when known
  bool created = false;                   ///< this run created the user
  bool attributes_written = false;        ///< this run's createUsers carried the desired attributes
};

/// A coalesced listUsers: whether this caller triggered the call or joined one, and what it
/// showed of this run's user. The listing streams into the directory as it arrives; nothing
/// holds all of its users.
struct DirectoryRefresh {
  bool called = false;  ///< this caller's listUsers went out
  bool joined = false;  ///< an in-flight listUsers was shared
  bool listed = false;  ///< a listing was taken (false when the minimum interval suppressed it)
  /// The listing shows this run's user. Without `user` this is a 64-bit digest match: a
  /// collision may say "shown" for a user who is missing, never the reverse.
  bool shows_user = false;
  /// This run's user as the listing shows it. Empty when the listing does not show the user,
  /// or (rarely, `shows_user` set) when the run joined after the user's record had gone by:
  /// the directory then holds what the listing said.
  std::optional<UserRecord> user;
};

/// How eagerly to refresh the directory.
enum class RefreshMode {
  if_due,  ///< skip when the workspace's last listing is younger than the given minimum interval
  force,   ///< refresh now (still joining one already in flight)
};

/// The default minimum interval between two listUsers of a workspace for RefreshMode::if_due
/// (the `directory` strategy's option).
inline constexpr std::chrono::seconds kDefaultMinRefreshInterval{10};

class PipelineContext;
/// Background work a strategy schedules (PipelineContext::schedule). Called once, on the
/// Onboarder's background strand, with a context for the scheduling run's user.
using BackgroundTask = std::function<boost::asio::awaitable<void>(PipelineContext& context)>;

/// One run of the pipeline as strategies see it. Created by the pipeline per run; not
/// thread-safe (a run is one coroutine). Vendor calls made through it are counted per stage,
/// reported to observers and tagged with their operation in errors.
class PipelineContext {
 public:
  struct Run;  ///< internal state (lib/embark/src/pipeline)
  explicit PipelineContext(Run& run) : run_(&run) {}

  /// The validated, normalized request (role presets resolved, display name folded in).
  const OnboardRequest& request() const noexcept;
  /// The effective workspace (request or config default).
  const std::string& workspace() const noexcept;
  /// The lower-cased email (the directory and token-cache key).
  const std::string& email_key() const noexcept;
  /// Fingerprints of the request's stored attributes and roles.
  Fingerprint attributes_fingerprint() const noexcept;
  Fingerprint roles_fingerprint() const noexcept;
  /// The Onboarder's config (strategies keep their own knobs in their own options).
  const OnboarderConfig& config() const noexcept;
  /// The config clock's now().
  std::chrono::system_clock::time_point now() const;

  /// This user's directory entry (UserDirectory::async_find). A failed backend read is reported
  /// to the observers and answered as a miss.
  boost::asio::awaitable<std::optional<DirectoryEntry>> find_entry();
  /// Records this user's entry (UserDirectory::async_put); call only after the vendor confirmed
  /// what it records. A failed backend write is reported to the observers and dropped.
  boost::asio::awaitable<void> put_entry(const DirectoryEntry& entry);
  /// Drops this user's entry (UserDirectory::async_erase); failures as for put_entry.
  boost::asio::awaitable<void> erase_entry();
  /// A cached token for `key` with more than `reuse_margin` left (TokenCache::async_find); a
  /// failed backend read is reported and answered as a miss.
  boost::asio::awaitable<std::optional<SessionToken>> find_token(const TokenKey& key,
                                                                 std::chrono::seconds reuse_margin);
  /// Files a token the vendor minted under `key` (TokenCache::async_put); a failed backend
  /// write is reported and dropped.
  boost::asio::awaitable<void> put_token(const TokenKey& key, const SessionToken& token);
  /// Attributes the set-attributes strategy wants written inside createUsers (nullopt: none).
  std::optional<AttributeMap> attributes_at_creation() const;
  /// The token-cache key of a token minted now for `user` with these session attributes: the
  /// stored attributes the vendor holds (as confirmed by this run or known to the directory),
  /// the session attributes and the app's roles. Nullopt when the stored attributes are not
  /// known: such a token must be neither reused nor cached.
  std::optional<TokenKey> token_key(const UserRef& user,
                                    const AttributeMap& session_attributes) const;

  /// listUsers for the workspace, coalesced across all concurrent runs, then loaded into the
  /// directory. RefreshMode::if_due answers an empty DirectoryRefresh (no call) while the
  /// workspace's last listing is younger than `min_interval` and did not show this user.
  boost::asio::awaitable<Result<DirectoryRefresh>> refresh_directory(
      RefreshMode mode, std::chrono::seconds min_interval = kDefaultMinRefreshInterval);
  /// createUsers for this user (roles / attributes as given, groups and welcome flag from the
  /// request). An "already exists" answer is returned as Error{already_exists}.
  boost::asio::awaitable<Result<void>> create_user(std::optional<std::vector<RoleAssignment>> roles,
                                                   std::optional<AttributeMap> attributes);
  /// setUserAttributes (full replacement).
  boost::asio::awaitable<Result<void>> set_user_attributes(std::string user_id,
                                                           AttributeMap attributes);
  /// impersonateUser for this user with these session attributes.
  boost::asio::awaitable<Result<SessionToken>> impersonate(AttributeMap session_attributes);
  /// Runs `task` in the background at `due` (wall clock; at once when past) with a context for
  /// this run's user and workspace: its vendor calls go through the same counted, observed path
  /// as a stage's. One pending task per `key`: while one is pending a new one is dropped, unless
  /// it is already due (it then replaces the pending one and runs now). Pending tasks are dropped
  /// when the Onboarder stops; a task runs only while the Onboarder lives.
  void schedule(std::string key, std::chrono::system_clock::time_point due, BackgroundTask task);
  /// Reports background work (what = e.g. "pre-mint") to the observers, with its error if any.
  void notify_background(std::string_view what, const Error* error) const;

  /// Vendor calls made so far by the current stage.
  int stage_vendor_calls() const noexcept;

 private:
  Run* run_;
};

/// Verdict of ensure-user.
struct EnsureUserVerdict {
  UserRef user;
  StageOutcome outcome = StageOutcome::skipped;
};

/// Verdict of set-attributes.
struct SetAttributesVerdict {
  StageOutcome outcome = StageOutcome::skipped;
};

/// Verdict of impersonate.
struct ImpersonateVerdict {
  SessionToken token;
  StageOutcome outcome = StageOutcome::called;
};

/// Stage 1: make sure the user exists; return what is known about them.
/// Implementations are shared by all runs and must be thread-safe.
class EnsureUserStrategy {
 public:
  virtual ~EnsureUserStrategy() = default;
  /// The registry name, e.g. "directory".
  virtual std::string_view name() const noexcept = 0;
  /// Checks the strategy's own options; called by Onboarder::create. Errors name the option
  /// (the Onboarder prefixes the stage, e.g. "impersonate.premint_lead"). Default: none to check.
  virtual Result<void> validate() const;
  virtual boost::asio::awaitable<Result<EnsureUserVerdict>> ensure(PipelineContext& context) = 0;
};

/// Stage 2: make the stored attributes what the app says. Thread-safe.
class SetAttributesStrategy {
 public:
  virtual ~SetAttributesStrategy() = default;
  virtual std::string_view name() const noexcept = 0;
  /// Checks the strategy's own options (as EnsureUserStrategy::validate).
  virtual Result<void> validate() const;
  /// Attributes to send inside createUsers when ensure-user creates the user (default: none).
  virtual std::optional<AttributeMap> attributes_at_creation(const PipelineContext& context) const;
  /// Attributes this strategy adds to the session attributes of impersonateUser (default: none;
  /// session-only passes the stored attributes this way). Request session attributes win.
  virtual AttributeMap session_contribution(const PipelineContext& context) const;
  /// Updates `user` (e.g. its attribute fingerprint) when it writes.
  virtual boost::asio::awaitable<Result<SetAttributesVerdict>> apply(PipelineContext& context,
                                                                     UserRef& user) = 0;
};

/// Stage 3: obtain a session JWT for the user. Thread-safe.
class ImpersonateStrategy {
 public:
  virtual ~ImpersonateStrategy() = default;
  virtual std::string_view name() const noexcept = 0;
  /// Checks the strategy's own options (as EnsureUserStrategy::validate).
  virtual Result<void> validate() const;
  virtual boost::asio::awaitable<Result<ImpersonateVerdict>> impersonate(
      PipelineContext& context, const UserRef& user, const AttributeMap& session_attributes) = 0;
};

}  // namespace embark
