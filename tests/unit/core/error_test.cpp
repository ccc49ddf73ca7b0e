#include "embark/error.hpp"

#include <set>

#include <doctest/doctest.h>

#include "embark/result.hpp"

using embark::Error;
using embark::ErrorCode;

TEST_CASE("every error code has a distinct stable name and maps through the category") {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(ErrorCode::internal); ++i) {
    auto code = static_cast<ErrorCode>(i);
    auto name = embark::to_string(code);
    CHECK(name != "unknown");
    CHECK(names.insert(name).second);
    boost::system::error_code ec = code;  // implicit via is_error_code_enum
    CHECK(ec.category().name() == std::string("embark"));
    CHECK(ec.message() == name);
    CHECK(ec.value() == i);
  }
  CHECK(names.size() == 16);
}

TEST_CASE("transient codes are retryable by default, others are not") {
  CHECK(Error(ErrorCode::timeout, "t").retryable());
  CHECK(Error(ErrorCode::connect, "c").retryable());
  CHECK(Error(ErrorCode::rate_limited, "r").retryable());
  CHECK_FALSE(Error(ErrorCode::invalid_input, "i").retryable());
  CHECK_FALSE(Error(ErrorCode::unauthenticated, "u").retryable());
  CHECK_FALSE(Error(ErrorCode::already_exists, "a").retryable());
  CHECK(Error(ErrorCode::server_error, "s").with_retryable(true).retryable());
}

TEST_CASE("to_string names the code, message and context fields") {
  auto e = Error(ErrorCode::invalid_input, "email has no @")
               .with_field("email")
               .with_stage("ensure-user", "directory")
               .with_operation("createUsers")
               .with_http_status(200);
  CHECK(e.to_string() ==
        "invalid_input: email has no @ [stage=ensure-user strategy=directory operation=createUsers "
        "field=email http=200]");
  CHECK(Error(ErrorCode::timeout, "slow").to_string() == "timeout: slow");
}

TEST_CASE("graphql messages and retry-after are kept") {
  auto e = Error(ErrorCode::rate_limited, "429")
               .with_graphql_message("first")
               .with_graphql_message("second")
               .with_retry_after(std::chrono::seconds(2));
  REQUIRE(e.graphql_messages().size() == 2);
  CHECK(e.graphql_messages()[1] == "second");
  REQUIRE(e.retry_after());
  CHECK(*e.retry_after() == std::chrono::milliseconds(2000));
}

TEST_CASE("Result carries a value or an Error and value() throws embark::Exception") {
  embark::Result<int> ok = 42;
  REQUIRE(ok.has_value());
  CHECK(*ok == 42);

  embark::Result<int> bad = embark::fail(ErrorCode::not_found, "no such user");
  REQUIRE(bad.has_error());
  CHECK(bad.error().code() == ErrorCode::not_found);
  CHECK_THROWS_AS(bad.value(), embark::Exception);
  try {
    (void)bad.value();
  } catch (const embark::Exception& ex) {
    CHECK(ex.error().code() == ErrorCode::not_found);
    CHECK(std::string(ex.what()).find("no such user") != std::string::npos);
  }

  embark::Result<void> v;
  CHECK(v.has_value());
  embark::Result<void> verr = embark::fail(ErrorCode::cancelled, "stop");
  CHECK(verr.error().code() == ErrorCode::cancelled);
}
