// Embed URLs and the refresh endpoint's body.
#include "embark/embed.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <doctest/doctest.h>

#include "embark/session.hpp"
#include "embark/token_endpoint.hpp"

#include "pipeline/result_printer.hpp"

using namespace embark;

namespace {

std::string token_param(const std::string& url) {
  auto u = boost::urls::parse_uri(url).value();
  auto it = u.params().find("token");
  REQUIRE(it != u.params().end());
  return std::string((*it).value);
}

}  // namespace

TEST_CASE("every documented embed form") {
  const Secret token("abc.def.ghi");
  struct Case {
    EmbedTarget target;
    const char* expected;
  };
  const Case cases[] = {
      {EmbedTarget::dashboard("42"),
       "https://acme.wisdom.ai/embed/dashboards/42?token=abc.def.ghi"},
      {EmbedTarget::chat(), "https://acme.wisdom.ai/embed/chat?token=abc.def.ghi"},
      {EmbedTarget::chat("c-1"), "https://acme.wisdom.ai/embed/chat/c-1?token=abc.def.ghi"},
      {{EmbedKind::legacy_chat, ""}, "https://acme.wisdom.ai/chat/embed?token=abc.def.ghi"},
      {{EmbedKind::legacy_chat, "c-2"}, "https://acme.wisdom.ai/chat/embed/c-2?token=abc.def.ghi"},
      {{EmbedKind::legacy_dashboard, "sales-7"},
       "https://acme.wisdom.ai/dashboards/embed/sales-7?token=abc.def.ghi"},
      {{EmbedKind::story, "q3-9"}, "https://acme.wisdom.ai/stories/embed/q3-9?token=abc.def.ghi"},
  };
  for (const auto& c : cases) {
    auto url = build_embed_url("https://acme.wisdom.ai", c.target, token);
    REQUIRE(url);
    CHECK(url->reveal() == c.expected);
  }
  CHECK(build_embed_url("https://acme.wisdom.ai/", EmbedTarget::dashboard("1"), token)
            .value()
            .reveal() == "https://acme.wisdom.ai/embed/dashboards/1?token=abc.def.ghi");
  CHECK(build_embed_url("http://127.0.0.1:8443/tenant/", EmbedTarget::dashboard("1"), token)
            .value()
            .reveal() == "http://127.0.0.1:8443/tenant/embed/dashboards/1?token=abc.def.ghi");
}

TEST_CASE("the token and ids are percent-encoded and decode back exactly") {
  const std::string raw = "eyJ+a/b=c&d=e f%g#h?";
  auto url =
      build_embed_url("https://acme.wisdom.ai", EmbedTarget::dashboard("a/b c"), Secret(raw));
  REQUIRE(url);
  const std::string text(url->reveal());
  CHECK(text.find("/embed/dashboards/a%2Fb%20c?") != std::string::npos);
  const auto query = text.substr(text.find('?') + 1);
  CHECK(query == "token=eyJ%2Ba%2Fb%3Dc%26d%3De%20f%25g%23h%3F");
  CHECK(token_param(text) == raw);
}

TEST_CASE("embed errors name the field") {
  const Secret token("t");
  CHECK(build_embed_url("acme.wisdom.ai", EmbedTarget::dashboard("1"), token).error().field() ==
        "embed_base_url");
  CHECK(build_embed_url("ftp://acme", EmbedTarget::dashboard("1"), token).error().field() ==
        "embed_base_url");
  CHECK(build_embed_url("https://acme?x=1", EmbedTarget::dashboard("1"), token).error().field() ==
        "embed_base_url");
  CHECK(build_embed_url("https://acme", EmbedTarget::dashboard(""), token).error().field() ==
        "embed.id");
  CHECK(build_embed_url("https://acme", {EmbedKind::story, "a\nb"}, token).error().field() ==
        "embed.id");
  CHECK(build_embed_url("https://acme", {}, token).error().field() == "embed");
}

TEST_CASE("embed targets parse from and print to their spelling") {
  for (const char* spec : {"none", "dashboard:42", "chat", "chat:c1", "legacy-chat",
                           "legacy-chat:c2", "legacy-dashboard:sales-1", "story:s9"}) {
    auto target = parse_embed_target(spec);
    REQUIRE_MESSAGE(target, spec);
    CHECK(to_string(*target) == spec);
  }
  CHECK(parse_embed_target("dashboard").error().field() == "embed.id");
  CHECK(parse_embed_target("movie:1").error().field() == "embed");
}

TEST_CASE("refresh_response_body") {
  SessionToken token;
  token.jwt = Secret("a\"b.c");
  token.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'003'600));
  const auto body = boost::json::parse(refresh_response_body(token)).as_object();
  CHECK(body.at("token").as_string() == "a\"b.c");
  CHECK(body.at("expiresAt").as_string() == "2027-01-15T09:00:00Z");
  CHECK(body.size() == 2);
}

TEST_CASE("token endpoint answers: token body, or an error code without details") {
  Session session;
  session.jwt = Secret("jwt-value");
  session.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'003'600));
  auto ok = token_endpoint_response(Result<Session>(session));
  CHECK(ok.status == 200);
  CHECK(ok.cache_control == "no-store");
  CHECK(boost::json::parse(ok.body).as_object().at("token").as_string() == "jwt-value");
  auto not_found =
      token_endpoint_response(Result<Session>(Error(ErrorCode::not_found, "User not found")));
  CHECK(not_found.status == 404);
  CHECK(not_found.body == R"({"error":"not_found"})");
  CHECK(token_endpoint_response(Result<Session>(Error(ErrorCode::server_error, "x"))).status ==
        502);
  CHECK(token_endpoint_response(Result<Session>(Error(ErrorCode::invalid_input, "x"))).status ==
        400);
}
