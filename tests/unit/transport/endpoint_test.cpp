#include "internal/transport/endpoint.hpp"

#include <doctest/doctest.h>

using embark::ErrorCode;
using embark::TransportOptions;
using embark::internal::parse_endpoint;

TEST_CASE("endpoint: https URL with default port and path") {
  auto endpoint = parse_endpoint("https://acme.wisdom.ai/graphql", TransportOptions{});
  REQUIRE(endpoint.has_value());
  CHECK(endpoint->tls);
  CHECK(endpoint->host == "acme.wisdom.ai");
  CHECK(endpoint->port == "443");
  CHECK(endpoint->target == "/graphql");
  CHECK(endpoint->host_header == "acme.wisdom.ai");
  CHECK_FALSE(endpoint->loopback);
  CHECK_FALSE(endpoint->ip_literal);
}

TEST_CASE("endpoint: explicit port, query and IPv6 literal") {
  auto endpoint = parse_endpoint("https://[::1]:8443/api/graphql?x=1", TransportOptions{});
  REQUIRE(endpoint.has_value());
  CHECK(endpoint->host == "::1");
  CHECK(endpoint->port == "8443");
  CHECK(endpoint->target == "/api/graphql?x=1");
  CHECK(endpoint->host_header == "[::1]:8443");
  CHECK(endpoint->loopback);
  CHECK(endpoint->ip_literal);
}

TEST_CASE("endpoint: empty path becomes /") {
  auto endpoint = parse_endpoint("https://example.com", TransportOptions{});
  REQUIRE(endpoint.has_value());
  CHECK(endpoint->target == "/");
}

TEST_CASE("endpoint: plain http only to loopback unless allowed") {
  TransportOptions options;
  for (const char* url :
       {"http://127.0.0.1:8080/graphql", "http://127.9.9.9/graphql", "http://localhost/graphql",
        "http://LOCALHOST:1/x", "http://[::1]/graphql"}) {
    CAPTURE(url);
    auto endpoint = parse_endpoint(url, options);
    REQUIRE(endpoint.has_value());
    CHECK_FALSE(endpoint->tls);
    CHECK(endpoint->loopback);
  }
  auto refused = parse_endpoint("http://example.com/graphql", options);
  REQUIRE(refused.has_error());
  CHECK(refused.error().code() == ErrorCode::invalid_input);
  CHECK(refused.error().field() == "endpoint");
  CHECK(parse_endpoint("http://10.0.0.1/graphql", options).has_error());
  CHECK(parse_endpoint("http://localhost.example.com/graphql", options).has_error());

  options.allow_insecure_http = true;
  auto allowed = parse_endpoint("http://example.com/graphql", options);
  REQUIRE(allowed.has_value());
  CHECK(allowed->port == "80");
}

TEST_CASE("endpoint: malformed URLs are refused naming the field, without echoing credentials") {
  for (const char* url :
       {"", "acme.wisdom.ai/graphql", "ftp://acme.wisdom.ai/", "https:///graphql",
        "https://user:hunter2@acme.wisdom.ai/graphql", "https://acme.wisdom.ai/graphql#frag",
        "https://acme.wisdom.ai:0/graphql", "https://acme wisdom.ai/"}) {
    CAPTURE(url);
    auto endpoint = parse_endpoint(url, TransportOptions{});
    REQUIRE(endpoint.has_error());
    CHECK(endpoint.error().code() == ErrorCode::invalid_input);
    CHECK(endpoint.error().field() == "endpoint");
    CHECK(endpoint.error().to_string().find("hunter2") == std::string::npos);
  }
}
