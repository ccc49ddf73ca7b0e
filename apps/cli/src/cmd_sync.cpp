// `embark sync FILE.csv`: read rows, plan against listUsers, write what differs.
#include <ostream>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "commands.hpp"
#include "format.hpp"
#include "sync_plan.hpp"
#include "sync_run.hpp"
#include "table.hpp"

namespace embark::cli {
namespace {

namespace json = boost::json;

struct SyncArgs {
  std::string file;
  bool dry_run = false;
  bool enforce_roles = false;
  std::size_t concurrency = 4;
  std::size_t batch_size = 100;
  std::vector<std::string> scopes;
};

constexpr const char* kSyncFooter =
    R"TXT(CSV format (RFC 4180; quote fields that hold commas, quotes or line breaks):
  email,roles,attributes
  alice@example.com,viewer,tenant_id=t1;region=eu
  bob@example.com,"viewer:dom_1|dom_2;explorer",tenant_id=t2
  carol@example.com,,
The header names the columns (any order; only email is required). roles: `;`-separated role
presets (viewer, explorer, admin, data_admin, observer, basic_explorer, ...) or role UUIDs, each
optionally with `:SCOPE|SCOPE` (else the --scope values). attributes: `;`-separated KEY=VALUE,
the complete stored set. An empty cell leaves that part of an existing user alone.

Existing users are never sent createUsers (it would overwrite roles set by hand) unless
--enforce-roles. Rows with the same roles and attributes go out in one createUsers call.
Re-running after an interruption does only what is left. A bad row is reported with its line
number and the other rows go on; a failed call counts all its rows as failed.

Example:
  embark sync users.csv --dry-run
  embark sync users.csv --concurrency 8 --scope dom_1
)TXT";

void print_problems(Context& context, const std::vector<RowProblem>& problems) {
  for (const RowProblem& p : problems) {
    fmt::print(context.io().err, "embark: line {}: {}: {}\n", p.line, p.field, p.message);
  }
}

json::array problems_json(const std::vector<RowProblem>& problems) {
  json::array out;
  for (const RowProblem& p : problems) {
    out.push_back(json::object{{"line", p.line}, {"field", p.field}, {"message", p.message}});
  }
  return out;
}

std::string batch_details(const CreateBatch& batch) {
  std::string details;
  if (batch.roles_given) details = "roles " + format_roles(batch.roles);
  if (batch.attributes) {
    if (!details.empty()) details += ", ";
    details += "attributes " + format_attributes(*batch.attributes);
  }
  return details;
}

void print_plan(Context& context, const SyncPlan& plan, std::size_t refused) {
  Table table({"action", "line", "email", "call", "details"});
  std::size_t call = 0;
  for (const CreateBatch& batch : plan.creates) {
    ++call;
    for (std::size_t i = 0; i < batch.emails.size(); ++i) {
      table.add_row({"create", std::to_string(batch.lines[i]), batch.emails[i],
                     fmt::format("createUsers #{}", call), batch_details(batch)});
    }
  }
  for (const CreateBatch& batch : plan.role_updates) {
    ++call;
    for (std::size_t i = 0; i < batch.emails.size(); ++i) {
      table.add_row({"re-apply roles", std::to_string(batch.lines[i]), batch.emails[i],
                     fmt::format("createUsers #{}", call), batch_details(batch)});
    }
  }
  for (const AttributeUpdate& u : plan.attribute_updates) {
    table.add_row({"set attributes", std::to_string(u.line), u.email, "setUserAttributes",
                   format_attributes(u.attributes)});
  }
  for (const LeaveAlone& u : plan.unchanged) {
    table.add_row({"leave alone", std::to_string(u.line), u.email, "", ""});
  }
  table.render(context.io().out);
  fmt::print(context.io().out,
             "plan: {} to create, {} to update, {} left alone, {} refused; {} write call(s). "
             "Nothing was written (--dry-run).\n",
             plan.create_count(), plan.update_count(), plan.unchanged.size(), refused,
             plan.call_count());
}

json::object plan_json(const SyncPlan& plan) {
  json::array creates, role_updates, updates, unchanged;
  auto batch = [](const CreateBatch& b) {
    json::object o{{"emails", to_json_array(b.emails)}};
    json::array lines;
    for (std::size_t l : b.lines) lines.push_back(l);
    o["lines"] = std::move(lines);
    if (b.roles_given) o["roles"] = roles_json(b.roles);
    if (b.attributes) o["attributes"] = attributes_json(*b.attributes);
    return o;
  };
  for (const CreateBatch& b : plan.creates) creates.push_back(batch(b));
  for (const CreateBatch& b : plan.role_updates) role_updates.push_back(batch(b));
  for (const AttributeUpdate& u : plan.attribute_updates) {
    updates.push_back(json::object{{"line", u.line},
                                   {"email", u.email},
                                   {"user_id", u.user_id},
                                   {"attributes", attributes_json(u.attributes)}});
  }
  for (const LeaveAlone& u : plan.unchanged) {
    unchanged.push_back(json::object{{"line", u.line}, {"email", u.email}});
  }
  return {{"create_batches", std::move(creates)},
          {"role_updates", std::move(role_updates)},
          {"attribute_updates", std::move(updates)},
          {"unchanged", std::move(unchanged)},
          {"write_calls", plan.call_count()}};
}

ExitCode sync(Context& context, const SyncArgs& args) {
  auto text = context.io().reader(args.file);
  if (!text) {
    return context.report(
        Error(ErrorCode::invalid_input, text.error().message()).with_field("FILE"));
  }
  RowChecks checks = context.services().checks;
  checks.default_scopes = args.scopes;
  auto input = read_sync_rows(*text, checks);
  if (!input) return context.report(input.error(), args.file);
  print_problems(context, input->problems);

  ExitCode code = ExitCode::ok;
  Settings settings;
  auto connection = context.connect(code, &settings);
  if (!connection) return code;
  auto directory = context.run(connection->list_users({settings.workspace_id}));
  if (!directory) return context.report(directory.error(), "listUsers");
  const SyncPlan plan =
      plan_sync(*directory, input->rows,
                {.enforce_roles = args.enforce_roles, .max_batch_size = args.batch_size});
  const ExitCode input_code = input->problems.empty() ? ExitCode::ok : ExitCode::input_rejected;

  if (args.dry_run) {
    if (context.json()) {
      json::object out{{"dry_run", true},
                       {"plan", plan_json(plan)},
                       {"refused", problems_json(input->problems)}};
      context.io().out << json::serialize(out) << '\n';
    } else {
      print_plan(context, plan, input->problems.size());
    }
    return input_code;
  }

  std::unique_ptr<Progress> progress;
  if (context.io().err_is_terminal) {
    progress = make_bar_progress(context.io().err);
  } else {
    progress = make_line_progress(context.io().err);
  }
  SyncReport report = context.run(run_plan(
      *connection, plan, {.concurrency = args.concurrency, .workspace_id = settings.workspace_id},
      *progress));
  for (const RowProblem& p : input->problems) {
    report.rows.push_back(
        {p.line, "", RowResult::refused, fmt::format("{}: {}", p.field, p.message)});
  }
  std::stable_sort(report.rows.begin(), report.rows.end(),
                   [](const RowOutcome& a, const RowOutcome& b) { return a.line < b.line; });

  constexpr RowResult kResults[] = {RowResult::created, RowResult::updated, RowResult::unchanged,
                                    RowResult::failed, RowResult::refused};
  if (context.json()) {
    json::object summary;
    for (RowResult r : kResults) summary[to_string(r)] = report.count(r);
    summary["write_calls"] = report.calls;
    summary["failed_calls"] = report.failed_calls;
    json::array rows;
    for (const RowOutcome& r : report.rows) {
      json::object o{{"line", r.line}, {"email", r.email}, {"result", to_string(r.result)}};
      if (!r.message.empty()) o["message"] = r.message;
      rows.push_back(std::move(o));
    }
    context.io().out << json::serialize(json::object{{"dry_run", false},
                                                     {"summary", std::move(summary)},
                                                     {"rows", std::move(rows)}})
                     << '\n';
  } else {
    Table summary({"result", "rows"});
    for (RowResult r : kResults)
      summary.add_row({std::string(to_string(r)), std::to_string(report.count(r))});
    summary.render(context.io().out);
    fmt::print(context.io().out, "{} write call(s), {} failed\n", report.calls,
               report.failed_calls);
    for (const RowOutcome& r : report.rows) {
      if (r.result == RowResult::failed) {
        fmt::print(context.io().err, "embark: line {}: {} failed: {}\n", r.line, r.email,
                   r.message);
      }
    }
  }
  if (report.first_error) return exit_code_for(report.first_error->code());
  return input_code;
}

}  // namespace

void add_sync_command(CLI::App& app, Context& context) {
  auto args = std::make_shared<SyncArgs>();
  CLI::App* sync_cmd = app.add_subcommand(
      "sync", "create and update users from a CSV file (email,roles,attributes)");
  sync_cmd->add_option("FILE", args->file, "CSV file")->required()->type_name("FILE.csv");
  sync_cmd->add_flag("--dry-run", args->dry_run,
                     "print the plan (create / update / leave alone) without writing");
  sync_cmd->add_flag("--enforce-roles", args->enforce_roles,
                     "re-apply the file's roles to existing users whose roles differ");
  sync_cmd->add_option("--concurrency", args->concurrency, "vendor calls in flight at most")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  sync_cmd->add_option("--batch-size", args->batch_size, "most users per createUsers call")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  sync_cmd->add_option("--scope", args->scopes, "scope (domain id) for roles written without one")
      ->type_name("SCOPE");
  sync_cmd->footer(kSyncFooter);
  sync_cmd->callback(
      [&context, args] { context.action = [&context, args] { return sync(context, *args); }; });
}

}  // namespace embark::cli
