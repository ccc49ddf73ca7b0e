#include "sync_run.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace embark::cli {
namespace {

namespace asio = boost::asio;

// One vendor call of the plan and the rows (line, email) it carries.
struct Task {
  enum Kind { create, reapply_roles, set_attributes } kind;
  std::size_t index;
  std::vector<std::pair<std::size_t, std::string>> rows;
};

struct RunState {
  std::vector<Task> tasks;
  std::size_t next = 0;
  std::size_t live_workers = 0;
  std::map<std::size_t, RowOutcome> rows;  // by line
  SyncReport report;
};

CreateUsersRequest batch_request(const CreateBatch& batch, const std::string& workspace) {
  CreateUsersRequest request;
  request.emails = batch.emails;
  request.workspace_id = workspace;
  if (batch.roles_given) request.roles = batch.roles;
  request.attributes = batch.attributes;
  return request;
}

// Requests are named locals: GCC 12 mishandles temporaries inside co_await expressions.
asio::awaitable<Result<void>> run_task(WisdomConnection& connection, const SyncPlan& plan,
                                       const Task& task, const std::string& workspace) {
  switch (task.kind) {
    case Task::create: {
      CreateUsersRequest request = batch_request(plan.creates[task.index], workspace);
      co_return co_await connection.create_users(std::move(request));
    }
    case Task::reapply_roles: {
      CreateUsersRequest request = batch_request(plan.role_updates[task.index], workspace);
      co_return co_await connection.create_users(std::move(request));
    }
    case Task::set_attributes: {
      const AttributeUpdate& u = plan.attribute_updates[task.index];
      SetUserAttributesRequest request{u.user_id, u.attributes};
      co_return co_await connection.set_user_attributes(std::move(request));
    }
  }
  co_return fail(ErrorCode::internal, "unknown task");
}

void record(RunState& state, const Task& task, const Result<void>& result) {
  ++state.report.calls;
  if (!result) {
    ++state.report.failed_calls;
    if (!state.report.first_error) state.report.first_error = result.error();
  }
  for (const auto& [line, email] : task.rows) {
    RowOutcome& row = state.rows[line];
    row.line = line;
    row.email = email;
    if (!result) {
      row.result = RowResult::failed;
      row.message = result.error().to_string();
    } else if (row.result != RowResult::failed) {
      row.result = task.kind == Task::create ? RowResult::created : RowResult::updated;
    }
  }
}

asio::awaitable<void> worker(WisdomConnection& connection, const SyncPlan& plan, RunState& state,
                             const RunOptions& options, Progress& progress) {
  while (state.next < state.tasks.size()) {
    const Task& task = state.tasks[state.next++];
    Result<void> result = fail(ErrorCode::internal, "the call did not complete");
    try {
      result = co_await run_task(connection, plan, task, options.workspace_id);
    } catch (const std::exception& e) {
      result = fail(ErrorCode::internal, e.what());
    }
    record(state, task, result);
    progress.advance(task.rows.size(), result ? 0 : task.rows.size());
  }
}

}  // namespace

std::string_view to_string(RowResult result) noexcept {
  switch (result) {
    case RowResult::created:
      return "created";
    case RowResult::updated:
      return "updated";
    case RowResult::unchanged:
      return "unchanged";
    case RowResult::failed:
      return "failed";
    case RowResult::refused:
      return "refused";
  }
  return "unknown";
}

std::size_t SyncReport::count(RowResult result) const {
  return static_cast<std::size_t>(std::count_if(
      rows.begin(), rows.end(), [&](const RowOutcome& r) { return r.result == result; }));
}

asio::awaitable<SyncReport> run_plan(WisdomConnection& connection, const SyncPlan& plan,
                                     RunOptions options, Progress& progress) {
  RunState state;
  auto add_batches = [&](const std::vector<CreateBatch>& batches, Task::Kind kind) {
    for (std::size_t i = 0; i < batches.size(); ++i) {
      Task task{kind, i, {}};
      for (std::size_t k = 0; k < batches[i].emails.size(); ++k) {
        task.rows.emplace_back(batches[i].lines[k], batches[i].emails[k]);
      }
      state.tasks.push_back(std::move(task));
    }
  };
  add_batches(plan.creates, Task::create);
  add_batches(plan.role_updates, Task::reapply_roles);
  for (std::size_t i = 0; i < plan.attribute_updates.size(); ++i) {
    const AttributeUpdate& u = plan.attribute_updates[i];
    state.tasks.push_back({Task::set_attributes, i, {{u.line, u.email}}});
  }
  for (const LeaveAlone& row : plan.unchanged) {
    state.rows[row.line] = {row.line, row.email, RowResult::unchanged, {}};
  }

  std::size_t units = 0;
  for (const Task& t : state.tasks) units += t.rows.size();
  progress.start(units, "user writes");

  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
  state.live_workers = std::min(std::max<std::size_t>(1, options.concurrency), state.tasks.size());
  for (std::size_t w = 0, n = state.live_workers; w < n; ++w) {
    asio::co_spawn(executor, worker(connection, plan, state, options, progress),
                   [&state, &all_done](std::exception_ptr) {
                     if (--state.live_workers == 0) all_done.cancel();
                   });
  }
  if (state.live_workers > 0) {
    boost::system::error_code ec;
    co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  progress.finish();

  for (auto& [line, row] : state.rows) state.report.rows.push_back(std::move(row));
  co_return std::move(state.report);
}

}  // namespace embark::cli
