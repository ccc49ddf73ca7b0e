// Carrying out a sync plan against the vendor with bounded concurrency, and its report.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "embark/connection.hpp"
#include "embark/error.hpp"

#include "progress.hpp"
#include "sync_plan.hpp"

namespace embark::cli {

/// What became of one CSV row.
enum class RowResult { created, updated, unchanged, failed, refused };

/// "created", "updated", "unchanged", "failed", "refused".
std::string_view to_string(RowResult result) noexcept;

/// One row's line in the report.
struct RowOutcome {
  std::size_t line = 0;
  std::string email;
  RowResult result = RowResult::unchanged;
  std::string message;  ///< why it failed or was refused; empty otherwise
};

/// The outcome of a whole sync, rows in line order.
struct SyncReport {
  std::vector<RowOutcome> rows;
  std::size_t calls = 0;  ///< vendor write calls made
  std::size_t failed_calls = 0;
  std::optional<Error> first_error;  ///< the first vendor failure, for the exit code

  /// Rows with this result.
  std::size_t count(RowResult result) const;
};

/// Execution settings.
struct RunOptions {
  std::size_t concurrency = 4;  ///< vendor calls in flight at most (>= 1)
  std::string workspace_id;
};

/// Makes the plan's calls, at most `concurrency` at a time. A failed call marks exactly the rows
/// it carried as failed (a createUsers batch is all-or-nothing at the vendor) and the others go on.
/// Rows in `unchanged` are reported unchanged. Must run on a single-threaded executor; the
/// connection must outlive the call.
boost::asio::awaitable<SyncReport> run_plan(WisdomConnection& connection, const SyncPlan& plan,
                                            RunOptions options, Progress& progress);

}  // namespace embark::cli
