#include "embark/client.hpp"

#include <atomic>
#include <future>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include "client/test_support.hpp"
#include "internal/client/connection_factory.hpp"
#include "internal/graphql/operations.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using embark::ErrorCode;
using embark::WisdomClient;
using embark::internal::ConnectionParts;
using embark::internal::make_connection_stack;
using embark::test::FakeTransport;
using embark::test::jwt_expiring;
using embark::test::ok_json;
using embark::test::status_response;
using namespace std::chrono_literals;

namespace {

constexpr const char* kAccessKey = "AK-4f1d9c2b7e-permanent";

embark::ClientOptions options(bool with_api_token = false) {
  embark::ClientOptions o;
  o.endpoint = "https://acme.wisdom.ai/graphql";
  o.access_key = embark::Secret(kAccessKey);
  if (with_api_token) o.api_token = embark::Secret("api-token-xyz");
  o.retry.initial_backoff = 1ms;
  o.retry.max_backoff = 2ms;
  o.call_deadline = 20s;
  return o;
}

struct Fixture {
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  embark::internal::ConnectionStack stack;
  std::optional<WisdomClient> client;

  explicit Fixture(embark::ClientOptions o = options(true), ConnectionParts parts = {}) {
    parts.transport = transport;
    stack = make_connection_stack(o, std::move(parts));
    client.emplace(stack.connection);
  }
};

json::object request_json(const embark::test::SeenRequest& seen) {
  return json::parse(seen.body).as_object();
}

std::string token_response(std::string_view field, const std::string& jwt) {
  return R"({"data":{")" + std::string(field) + R"(":")" + jwt + R"("}})";
}

const std::string kOkStatus(std::string_view field) {
  return R"({"data":{")" + std::string(field) +
         R"(":{"status":{"code":"OK","message":"Operation completed successfully"}}}})";
}

}  // namespace

TEST_CASE("listUsers into a sink: users handed over, nothing collected, no byte cap") {
  struct Counting final : embark::UserSink {
    int restarts = 0;
    std::vector<std::string> emails;
    void restart() override {
      ++restarts;
      emails.clear();
    }
    void add(const embark::UserRecord& user) override { emails.push_back(user.email); }
  };
  const std::string answer =
      R"({"data":{"listUsers":[{"id":"u1","email":"a@x.com"},{"id":"u2","email":"b@x.com"}]}})";
  Fixture f;
  f.transport->push(ok_json(answer));
  f.transport->push(ok_json(answer));
  auto sink = std::make_shared<Counting>();
  embark::ListUsersRequest streamed{"ws1", sink};
  auto users = f.client->list_users(streamed);
  REQUIRE(users.has_value());
  CHECK(users->empty());
  CHECK(sink->restarts == 1);
  CHECK(sink->emails == std::vector<std::string>{"a@x.com", "b@x.com"});
  auto collected = f.client->list_users({"ws1"});
  REQUIRE(collected.has_value());
  CHECK(collected->size() == 2);
  const auto seen = f.transport->seen();
  REQUIRE(seen.size() >= 2);
  // The streamed answer is not capped by max_response_bytes; the collected one is.
  CHECK(seen[seen.size() - 2].max_response_bytes == embark::internal::HttpRequest::kUnbounded);
  CHECK(seen.back().max_response_bytes != embark::internal::HttpRequest::kUnbounded);
}

TEST_CASE("every operation sends its documented document and variables") {
  Fixture f;
  const auto exp = std::chrono::system_clock::now() + 37min;
  const std::string jwt = jwt_expiring(exp, "alice");
  f.transport->push(ok_json(
      R"({"data":{"listUsers":[{"id":"u1","email":"a@x.com","userAttributes":[],"roleAssignments":[]}]}})"));
  f.transport->push(ok_json(kOkStatus("createUsers")));
  f.transport->push(ok_json(kOkStatus("setUserAttributes")));
  f.transport->push(ok_json(kOkStatus("deleteUsersFromWorkspace")));
  f.transport->push(ok_json(token_response("impersonateUser", jwt)));
  f.transport->push(ok_json(token_response("impersonateUser", jwt)));
  f.transport->push(ok_json(token_response("exchangeAccessToken", jwt)));

  auto users = f.client->list_users({"ws1"});
  REQUIRE(users.has_value());
  REQUIRE(users->size() == 1);
  CHECK(users->at(0).email == "a@x.com");

  embark::CreateUsersRequest create;
  create.emails = {"a@x.com"};
  create.workspace_id = "ws1";
  create.roles =
      std::vector<embark::RoleAssignment>{{"00000000-0000-0000-0000-000000000003", {"d1"}}};
  create.attributes = embark::AttributeMap{{"region", "eu"}};
  REQUIRE(f.client->create_users(create).has_value());
  REQUIRE(f.client->set_user_attributes({"u1", {{"region", "us"}}}).has_value());
  REQUIRE(f.client->delete_users_from_workspace({{"u1"}, "ws1"}).has_value());
  auto token = f.client->impersonate_user({"a@x.com", {{"tenant", "t1"}}, false});
  REQUIRE(token.has_value());
  CHECK(token->jwt.reveal() == jwt);
  CHECK(std::chrono::abs(token->expires_at - exp) < 1s);
  REQUIRE(f.client->impersonate_user({"a@x.com", {}, true}).has_value());
  REQUIRE(f.client->exchange_access_token().has_value());

  auto seen = f.transport->seen();
  REQUIRE(seen.size() == 7);
  using namespace embark::internal;
  auto list = request_json(seen[0]);
  CHECK(list.at("query").as_string() == ListUsersOperation::kDocument);
  CHECK(list.at("variables").at("workspaceId").as_string() == "ws1");
  CHECK(seen[0].streamed);
  CHECK(seen[0].bearer.has_value());
  CHECK(seen[0].bearer->reveal() == "api-token-xyz");

  auto cu = request_json(seen[1]);
  CHECK(cu.at("query").as_string() == CreateUsersOperation::kDocument);
  const auto& input = cu.at("variables").at("input");
  CHECK(input.at("workspaceID").as_string() == "ws1");
  CHECK(input.at("emails").at(0).as_string() == "a@x.com");
  CHECK(input.at("roleAssignments").at(0).at("roleId").as_string() ==
        "00000000-0000-0000-0000-000000000003");
  CHECK(input.at("userAttributes").at(0).at("key").as_string() == "region");
  CHECK(input.at("sendWelcomeEmail").as_bool() == false);

  auto sa = request_json(seen[2]);
  CHECK(sa.at("variables").at("input").at("userId").as_string() == "u1");
  CHECK(sa.at("variables").at("input").at("userAttributes").at(0).at("value").as_string() == "us");

  auto del = request_json(seen[3]);
  CHECK(del.at("query").as_string() == DeleteUsersOperation::kDocument);
  CHECK(del.at("variables").at("input").at("ids").at(0).as_string() == "u1");
  CHECK_FALSE(seen[3].idempotent);

  auto imp = request_json(seen[4]);
  CHECK(imp.at("query").as_string() == ImpersonateOperation::kMutationDocument);
  CHECK(imp.at("variables").at("accessToken").as_string() == kAccessKey);
  CHECK(imp.at("variables").at("attributes").at(0).at("key").as_string() == "tenant");
  CHECK_FALSE(seen[4].bearer.has_value());  // public operation: no Authorization header

  auto old = request_json(seen[5]);
  CHECK(old.at("query").as_string() == ImpersonateOperation::kQueryDocument);
  CHECK_FALSE(old.at("variables").as_object().contains("attributes"));

  auto ex = request_json(seen[6]);
  CHECK(ex.at("query").as_string() == ExchangeOperation::kDocument);
  CHECK_FALSE(seen[6].bearer.has_value());
}

TEST_CASE("ClientOptions::workspace_id is the workspace of requests that name none") {
  auto o = options(true);
  o.workspace_id = "ws-default";
  Fixture f(o);
  f.transport->push(ok_json(R"({"data":{"listUsers":[]}})"));
  f.transport->push(ok_json(kOkStatus("createUsers")));
  f.transport->push(ok_json(kOkStatus("deleteUsersFromWorkspace")));
  f.transport->push(ok_json(R"({"data":{"listUsers":[]}})"));
  f.transport->push(ok_json(kOkStatus("createUsers")));
  REQUIRE(f.client->list_users({}).has_value());
  embark::CreateUsersRequest create;
  create.emails = {"a@x.com"};
  REQUIRE(f.client->create_users(create).has_value());
  REQUIRE(f.client->delete_users_from_workspace({{"u1"}, ""}).has_value());
  // A request naming its workspace keeps it.
  REQUIRE(f.client->list_users({"ws2"}).has_value());
  create.workspace_id = "ws2";
  REQUIRE(f.client->create_users(create).has_value());

  auto seen = f.transport->seen();
  REQUIRE(seen.size() == 5);
  CHECK(request_json(seen[0]).at("variables").at("workspaceId").as_string() == "ws-default");
  CHECK(request_json(seen[1]).at("variables").at("input").at("workspaceID").as_string() ==
        "ws-default");
  CHECK(request_json(seen[2]).at("variables").at("input").at("workspaceID").as_string() ==
        "ws-default");
  CHECK(request_json(seen[3]).at("variables").at("workspaceId").as_string() == "ws2");
  CHECK(request_json(seen[4]).at("variables").at("input").at("workspaceID").as_string() == "ws2");
}

TEST_CASE("bad input is refused before anything is sent, naming the field") {
  Fixture f;
  auto r = f.client->impersonate_user({"", {}, false});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::invalid_input);
  CHECK(r.error().field() == "email");
  auto reserved = f.client->impersonate_user({"a@x.com", {{"impersonated_user_id", "u9"}}, false});
  CHECK(reserved.error().field() == "session_attributes.impersonated_user_id");
  CHECK(f.client->create_users({}).error().field() == "emails");
  CHECK(f.client->set_user_attributes({}).error().field() == "user_id");
  CHECK(f.client->delete_users_from_workspace({{"u1", ""}, ""}).error().field() == "user_ids[1]");
  CHECK(f.transport->seen().empty());
}

TEST_CASE("an impersonation token without exp is a protocol error") {
  Fixture f;
  f.transport->push(ok_json(
      token_response("impersonateUser", embark::test::jwt_with_payload(R"({"sub":"u1"})"))));
  auto r = f.client->impersonate_user({"a@x.com", {}, false});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::protocol);
  CHECK(r.error().operation() == "impersonateUser");
}

TEST_CASE("transient failures are retried through the stack, HTTP-200 errors are not") {
  Fixture f;
  f.transport->push(status_response(503, "busy"));
  f.transport->push(embark::Error(ErrorCode::connect, "connection reset by peer"));
  f.transport->push(ok_json(kOkStatus("setUserAttributes")));
  CHECK(f.client->set_user_attributes({"u1", {}}).has_value());
  CHECK(f.transport->seen().size() == 3);

  f.transport->push(ok_json(R"({"errors":[{"message":"Internal error"}],"data":null})"));
  f.transport->push(ok_json(kOkStatus("setUserAttributes")));
  auto r = f.client->set_user_attributes({"u1", {}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::server_error);
  CHECK(f.transport->seen().size() == 4);
}

TEST_CASE("the access key is exchanged once for 50 concurrent calls") {
  auto o = options(false);
  Fixture f(o);
  std::atomic<int> exchanges{0};
  const std::string bearer = jwt_expiring(std::chrono::system_clock::now() + 1h, "bearer");
  f.transport->set_responder([&](const embark::internal::HttpRequest& request)
                                 -> embark::Result<embark::internal::HttpResponse> {
    auto body = json::parse(request.body).as_object();
    if (body.at("query").as_string() == embark::internal::ExchangeOperation::kDocument) {
      ++exchanges;
      return ok_json(token_response("exchangeAccessToken", bearer));
    }
    if (!request.bearer || request.bearer->reveal() != bearer) {
      return ok_json(R"({"errors":[{"message":"Unauthorized"}],"data":null})");
    }
    return ok_json(kOkStatus("setUserAttributes"));
  });
  // Answers take 20 ms, so all 50 calls need the token while the first exchange is in flight.
  f.transport->delay = 20ms;
  asio::thread_pool pool(4);
  std::optional<WisdomClient> pooled;
  SUBCASE("on the client's own I/O thread") { pooled = *f.client; }
  SUBCASE("on a four-thread pool") { pooled.emplace(f.stack.connection, pool.get_executor()); }
  std::vector<std::future<embark::Result<void>>> futures;
  for (int i = 0; i < 50; ++i) {
    futures.push_back(
        pooled->async_set_user_attributes({"u" + std::to_string(i), {}}, asio::use_future));
  }
  int ok = 0;
  for (auto& fut : futures) ok += fut.get().has_value() ? 1 : 0;
  CHECK(ok == 50);
  CHECK(exchanges.load() == 1);
  CHECK(f.stack.bearer->exchanges() == 1);
  // Cached afterwards.
  REQUIRE(f.client->set_user_attributes({"u1", {}}).has_value());
  CHECK(exchanges.load() == 1);
}

TEST_CASE("bearer tokens are renewed before they expire, by their own exp") {
  auto wall =
      std::make_shared<std::chrono::system_clock::time_point>(std::chrono::system_clock::now());
  ConnectionParts parts;
  parts.wall_clock = [wall] { return *wall; };
  Fixture f(options(false), parts);
  int exchanges = 0;
  f.transport->set_responder([&](const embark::internal::HttpRequest& request)
                                 -> embark::Result<embark::internal::HttpResponse> {
    if (json::parse(request.body).at("query").as_string() ==
        embark::internal::ExchangeOperation::kDocument) {
      ++exchanges;
      // A 10-minute token: renewed 60 s before its end.
      return ok_json(token_response("exchangeAccessToken",
                                    jwt_expiring(*wall + 10min, std::to_string(exchanges))));
    }
    return ok_json(kOkStatus("setUserAttributes"));
  });
  REQUIRE(f.client->set_user_attributes({"u1", {}}).has_value());
  *wall += 8min;
  REQUIRE(f.client->set_user_attributes({"u1", {}}).has_value());
  CHECK(exchanges == 1);
  *wall += 1min + 30s;  // inside the margin
  REQUIRE(f.client->set_user_attributes({"u1", {}}).has_value());
  CHECK(exchanges == 2);
}

TEST_CASE("a refused exchanged bearer triggers exactly one re-exchange and retry") {
  Fixture f(options(false));
  int exchanges = 0;
  int refusals_left = 1;
  f.transport->set_responder([&](const embark::internal::HttpRequest& request)
                                 -> embark::Result<embark::internal::HttpResponse> {
    if (json::parse(request.body).at("query").as_string() ==
        embark::internal::ExchangeOperation::kDocument) {
      ++exchanges;
      return ok_json(token_response(
          "exchangeAccessToken",
          jwt_expiring(std::chrono::system_clock::now() + 1h, std::to_string(exchanges))));
    }
    if (refusals_left > 0) {
      --refusals_left;
      return status_response(401, R"({"errors":[{"message":"Unauthorized"}]})");
    }
    return ok_json(kOkStatus("createUsers"));
  });
  embark::CreateUsersRequest create;
  create.emails = {"a@x.com"};
  REQUIRE(f.client->create_users(create).has_value());
  CHECK(exchanges == 2);

  // Refused every time: one re-exchange, then the error.
  refusals_left = 100;
  auto r = f.client->create_users(create);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::unauthenticated);
  CHECK(exchanges == 3);
}

TEST_CASE("a configured api token is never exchanged or replaced") {
  Fixture f(options(true));
  f.transport->push(ok_json(R"({"errors":[{"message":"Unauthorized"}],"data":null})"));
  auto r = f.client->list_users();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::unauthenticated);
  CHECK(f.transport->seen().size() == 1);
}

TEST_CASE("async forms: callback, use_awaitable, use_future") {
  Fixture f;
  const std::string jwt = jwt_expiring(std::chrono::system_clock::now() + 1h);
  f.transport->set_responder(
      [&](const embark::internal::HttpRequest&) -> embark::Result<embark::internal::HttpResponse> {
        return ok_json(token_response("impersonateUser", jwt));
      });

  std::promise<embark::Result<embark::SessionToken>> promise;
  f.client->async_impersonate_user(
      {"a@x.com", {}, false},
      [&](embark::Result<embark::SessionToken> r) { promise.set_value(std::move(r)); });
  auto from_callback = promise.get_future().get();
  REQUIRE(from_callback.has_value());
  CHECK(from_callback->jwt.reveal() == jwt);

  asio::io_context user_io;
  std::optional<embark::Result<embark::SessionToken>> from_coroutine;
  asio::co_spawn(
      user_io,
      [&]() -> asio::awaitable<void> {
        // A named request: GCC 12 destroys braced temporaries inside co_await expressions twice.
        embark::ImpersonateRequest request{"a@x.com", {}, false};
        from_coroutine =
            co_await f.client->async_impersonate_user(std::move(request), asio::use_awaitable);
      },
      asio::detached);
  user_io.run();
  REQUIRE(from_coroutine.has_value());
  CHECK(from_coroutine->has_value());

  auto fut = f.client->async_impersonate_user({"a@x.com", {}, false}, asio::use_future);
  CHECK(fut.get().has_value());
}

TEST_CASE("the handler runs on its associated executor, which the call keeps busy until then") {
  Fixture f;
  f.transport->set_responder(
      [](const embark::internal::HttpRequest&) -> embark::Result<embark::internal::HttpResponse> {
        return ok_json(R"({"data":{"listUsers":[]}})");
      });
  asio::io_context user_io;
  std::optional<embark::Result<std::vector<embark::UserRecord>>> result;
  bool on_user_io = false;
  f.client->async_list_users({}, asio::bind_executor(user_io, [&](auto r) {
                               on_user_io = user_io.get_executor().running_in_this_thread();
                               result = std::move(r);
                             }));
  // Nothing else is queued on user_io: run() returns before the answer unless the call holds
  // work on the handler's executor.
  user_io.run();
  REQUIRE(result.has_value());
  CHECK(result->has_value());
  CHECK(on_user_io);
}

TEST_CASE(
    "a blocking call on the client's own I/O thread returns Error{internal} instead of hanging") {
  Fixture f;
  f.transport->set_responder(
      [](const embark::internal::HttpRequest&) -> embark::Result<embark::internal::HttpResponse> {
        return ok_json(R"({"data":{"listUsers":[]}})");
      });
  std::promise<embark::Result<std::vector<embark::UserRecord>>> inner;
  auto client = *f.client;
  f.client->async_list_users({}, [&, client](auto) { inner.set_value(client.list_users()); });
  auto r = inner.get_future().get();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::internal);
  CHECK(r.error().message().find("async_list_users") != std::string::npos);
  CHECK(r.error().operation() == "listUsers");
}

namespace {

// Never answers until cancelled.
class HangingTransport final : public embark::internal::HttpTransport {
 public:
  std::atomic<int> started{0};
  asio::awaitable<embark::Result<embark::internal::HttpResponse>> send(
      embark::internal::HttpRequest) override {
    ++started;
    asio::steady_timer timer(co_await asio::this_coro::executor, 1h);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return embark::Error(ErrorCode::cancelled, "send cancelled");
  }
};

}  // namespace

TEST_CASE("cancellation through a cancellation slot gives Error{cancelled}") {
  auto transport = std::make_shared<HangingTransport>();
  ConnectionParts parts;
  parts.transport = transport;
  auto stack = make_connection_stack(options(true), parts);
  WisdomClient client(stack.connection);
  asio::cancellation_signal signal;
  std::promise<embark::Result<std::vector<embark::UserRecord>>> promise;
  client.async_list_users({}, asio::bind_cancellation_slot(
                                  signal.slot(), [&](auto r) { promise.set_value(std::move(r)); }));
  // Emit from the client's thread once the request is in flight.
  auto ex = client.get_executor();
  while (transport->started.load() == 0) std::this_thread::yield();
  asio::post(ex, [&] { signal.emit(asio::cancellation_type::terminal); });
  auto fut = promise.get_future();
  REQUIRE(fut.wait_for(30s) == std::future_status::ready);
  auto r = fut.get();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::cancelled);
}

TEST_CASE("the call deadline bounds a call whose transport never answers") {
  auto transport = std::make_shared<HangingTransport>();
  ConnectionParts parts;
  parts.transport = transport;
  auto o = options(true);
  o.call_deadline = 150ms;
  auto stack = make_connection_stack(o, parts);
  WisdomClient client(stack.connection);
  const auto start = std::chrono::steady_clock::now();
  auto r = client.impersonate_user({"a@x.com", {}, false});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::deadline_exceeded);
  CHECK(r.error().operation() == "impersonateUser");
  CHECK(std::chrono::steady_clock::now() - start < 20s);
}
