#include "sync_run.hpp"

#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include "fake_connection.hpp"

using namespace embark;
using namespace embark::cli;

namespace {

SyncReport run(test::FakeConnection& fake, const SyncPlan& plan, std::size_t concurrency,
               Progress& progress) {
  boost::asio::io_context io;
  std::optional<SyncReport> report;
  boost::asio::co_spawn(
      io, run_plan(fake, plan, {.concurrency = concurrency, .workspace_id = ""}, progress),
      [&](std::exception_ptr e, SyncReport r) {
        REQUIRE_FALSE(e);
        report = std::move(r);
      });
  io.run();
  REQUIRE(report);
  return std::move(*report);
}

SyncRow row(std::size_t line, std::string email, AttributeMap attributes) {
  SyncRow r;
  r.line = line;
  r.email = std::move(email);
  r.attributes = std::move(attributes);
  return r;
}

}  // namespace

TEST_CASE("run: concurrency is bounded and every call is made") {
  test::FakeConnection fake;
  std::vector<SyncRow> rows;
  for (int i = 0; i < 10; ++i)
    fake.add("id" + std::to_string(i), "u" + std::to_string(i) + "@x.io");
  for (int i = 0; i < 10; ++i)
    rows.push_back(row(i + 2, "u" + std::to_string(i) + "@x.io", {{"t", std::to_string(i)}}));
  SyncPlan plan = plan_sync(fake.users, rows);
  REQUIRE(plan.attribute_updates.size() == 10);
  NoProgress quiet;
  SyncReport report = run(fake, plan, 3, quiet);
  CHECK(fake.calls["setUserAttributes"] == 10);
  CHECK(fake.max_in_flight == 3);
  CHECK(report.count(RowResult::updated) == 10);
  CHECK(report.calls == 10);
  CHECK(fake.find("u7@x.io")->attributes.at("t") == "7");
}

TEST_CASE(
    "run: a failed batch fails exactly its rows, the rest goes on, a re-run does what is left") {
  test::FakeConnection fake;
  fake.add("id-x", "existing@x.io", {{"t", "old"}});
  std::vector<SyncRow> rows{row(2, "a@x.io", {{"t", "1"}}), row(3, "b@x.io", {{"t", "2"}}),
                            row(4, "c@x.io", {{"t", "1"}}), row(5, "existing@x.io", {{"t", "new"}}),
                            row(6, "d@x.io", {{"t", "3"}})};
  fake.fail_create_for = {"b@x.io"};
  SyncPlan plan = plan_sync(fake.users, rows);
  std::ostringstream lines;
  auto progress = make_line_progress(lines);
  SyncReport report = run(fake, plan, 2, *progress);
  CHECK(report.count(RowResult::created) == 3);  // a, c (one batch) and d
  CHECK(report.count(RowResult::updated) == 1);
  CHECK(report.count(RowResult::failed) == 1);
  CHECK(report.failed_calls == 1);
  REQUIRE(report.first_error);
  CHECK(report.first_error->code() == ErrorCode::server_error);
  CHECK(fake.find("b@x.io") == nullptr);  // nothing half-written
  REQUIRE(report.rows.size() == 5);
  CHECK(report.rows[1].line == 3);
  CHECK(report.rows[1].result == RowResult::failed);
  CHECK(report.rows[1].message.find("injected failure") != std::string::npos);
  CHECK(lines.str().find("progress: 5/5 user writes, 1 failed") != std::string::npos);

  fake.fail_create_for.clear();
  SyncPlan rest = plan_sync(fake.users, rows);
  CHECK(rest.create_count() == 1);
  CHECK(rest.creates[0].emails == std::vector<std::string>{"b@x.io"});
  CHECK(rest.attribute_updates.empty());
  CHECK(rest.unchanged.size() == 4);
}

TEST_CASE("progress: a bar on a terminal is redrawn in place") {
  std::ostringstream out;
  auto bar = make_bar_progress(out, 10);
  bar->start(4, "rows");
  bar->advance(2, 0);
  bar->advance(2, 1);
  bar->finish();
  const std::string s = out.str();
  CHECK(s.find("\r[#####.....] 2/4 rows") != std::string::npos);
  CHECK(s.find("\r[##########] 4/4 rows, 1 failed\n") != std::string::npos);
  CHECK(s.find('\n') == s.size() - 1);
}

TEST_CASE("progress: plain lines at most once per tenth") {
  std::ostringstream out;
  auto lines = make_line_progress(out);
  lines->start(100, "rows");
  for (int i = 0; i < 100; ++i) lines->advance(1, 0);
  lines->finish();
  const std::string s = out.str();
  CHECK(std::count(s.begin(), s.end(), '\n') == 10);  // 10%..90% and the final line
  CHECK(s.find("progress: 100/100 rows\n") != std::string::npos);
}
