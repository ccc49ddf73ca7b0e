// Router matching and form parsing of the sample server.
#include "router.hpp"

#include <doctest/doctest.h>

#include "form.hpp"
#include "run_sync.hpp"

using namespace embark::sample;
namespace asio = boost::asio;

namespace {

Handler answer(std::string text) {
  return [text](const Request& r) -> asio::awaitable<Response> {
    co_return make_response(r, http::status::ok, "text/plain", text);
  };
}

}  // namespace

TEST_CASE("exact routes, prefix routes, 404 and 405") {
  Router router;
  router.add(http::verb::get, "/login", answer("login page"));
  router.add(http::verb::post, "/login", answer("login post"));
  router.add(http::verb::post, "/logout", answer("logout"));
  router.add_prefix(http::verb::get, "/static/", answer("static"));
  router.add_prefix(http::verb::get, "/static/img/", answer("image"));

  CHECK(router.match(http::verb::get, "/login").handler);
  CHECK(router.match(http::verb::get, "/login?signed_out=1").handler);
  CHECK_FALSE(router.match(http::verb::get, "/login/extra").handler);
  CHECK(router.match(http::verb::get, "/nowhere").status == http::status::not_found);

  auto m = router.match(http::verb::get, "/logout");
  CHECK_FALSE(m.handler);
  CHECK(m.status == http::status::method_not_allowed);
  CHECK(m.allow == "POST");
  CHECK(router.match(http::verb::delete_, "/login").allow == "GET, POST");

  asio::io_context io;
  auto route = [&](http::verb v, std::string target) {
    return testing::run_sync(io, router.route(Request{v, target, 11}));
  };
  CHECK(route(http::verb::get, "/login").body() == "login page");
  CHECK(route(http::verb::post, "/login").body() == "login post");
  CHECK(route(http::verb::get, "/static/style.css").body() == "static");
  CHECK(route(http::verb::get, "/static/img/logo.png").body() == "image");
  auto not_found = route(http::verb::get, "/missing");
  CHECK(not_found.result() == http::status::not_found);
  auto not_allowed = route(http::verb::put, "/logout");
  CHECK(not_allowed.result() == http::status::method_not_allowed);
  CHECK(not_allowed[http::field::allow] == "POST");

  CHECK_THROWS_AS(router.add(http::verb::get, "/login", answer("again")), std::invalid_argument);
}

TEST_CASE("form bodies are decoded") {
  auto f = parse_form("email=alice%40acme.test&password=a+b%2Bc&csrf_token=t&email=second&flag");
  REQUIRE(f);
  CHECK(form_value(*f, "email") == "alice@acme.test");
  CHECK(form_value(*f, "password") == "a b+c");
  CHECK(form_value(*f, "csrf_token") == "t");
  CHECK(form_value(*f, "flag") == "");
  CHECK(form_value(*f, "absent") == "");
  CHECK_FALSE(parse_form("a=%4"));
  CHECK_FALSE(parse_form("a=%zz"));
  CHECK(parse_form("")->empty());
}
