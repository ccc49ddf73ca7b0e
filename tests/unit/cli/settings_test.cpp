#include "settings.hpp"

#include <map>

#include <doctest/doctest.h>
#include <fmt/format.h>

using namespace embark;
using namespace embark::cli;

namespace {

struct World {
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> files;
  EnvLookup lookup() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = env.find(std::string(name));
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
  }
  FileReader reader() const {
    return [this](const std::string& path) -> Result<std::string> {
      auto it = files.find(path);
      if (it == files.end()) return Error(ErrorCode::invalid_input, "cannot read " + path);
      return it->second;
    };
  }
};

constexpr const char* kKey = "ak_test_0123456789abcdef";

}  // namespace

TEST_CASE("config file: key = value lines, comments, quoted strings") {
  auto file = parse_config_file(
      "# embark settings\n"
      "url = https://acme.wisdom.ai/graphql   # inline comment\n"
      "workspace-id = \"ws \\\"one\\\"\"\n"
      "  ca_file='certs/ca.pem'\r\n"
      "\n"
      "timeout = 12\n",
      "/etc/embark.conf");
  REQUIRE(file.has_value());
  CHECK(file->values.at("url").value == "https://acme.wisdom.ai/graphql");
  CHECK(file->values.at("workspace_id").value == "ws \"one\"");
  CHECK(file->values.at("ca_file").value == "certs/ca.pem");
  CHECK(file->values.at("timeout").line == 6);
}

TEST_CASE("config file: errors name the file and line") {
  auto unknown = parse_config_file("url = x\nbogus = 1\n", "a.conf");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().message().find("a.conf:2: unknown key 'bogus'") != std::string::npos);
  auto secret = parse_config_file("access_key = ak_live_123\n", "a.conf");
  REQUIRE_FALSE(secret.has_value());
  CHECK(secret.error().message().find("access_key_file") != std::string::npos);
  CHECK(secret.error().message().find("ak_live_123") == std::string::npos);
  CHECK(parse_config_file("[wisdom]\n", "a.conf").error().message().find("a.conf:1: sections") !=
        std::string::npos);
  CHECK(parse_config_file("url\n", "a.conf").error().message().find("expected key = value") !=
        std::string::npos);
  CHECK(parse_config_file("url = \"open\n", "a.conf").error().message().find("unterminated") !=
        std::string::npos);
}

TEST_CASE("settings: flags beat the environment, which beats the config file") {
  World w;
  w.files["/cfg/embark.conf"] =
      "url = https://file.example/graphql\nworkspace_id = ws-file\nca_file = ca.pem\n"
      "access_key_file = key.txt\ntimeout = 7\n";
  w.files["/cfg/key.txt"] = "ak_from_file\n";
  FlagSettings flags;
  flags.config_file = "/cfg/embark.conf";

  auto only_file = resolve_settings(flags, w.lookup(), w.reader());
  REQUIRE(only_file.has_value());
  CHECK(only_file->url == "https://file.example/graphql");
  CHECK(only_file->ca_file == "/cfg/ca.pem");  // relative to the config file's folder
  CHECK(only_file->access_key.reveal() == "ak_from_file");
  CHECK(only_file->timeout == std::chrono::seconds(7));
  CHECK(only_file->embed_base_url == "https://file.example");
  CHECK(only_file->origin.at("url") == "config file /cfg/embark.conf:1");

  w.env["WISDOM_URL"] = "https://env.example:8443/graphql";
  w.env["WISDOM_ACCESS_KEY"] = kKey;
  w.env["WISDOM_WORKSPACE_ID"] = "ws-env";
  auto with_env = resolve_settings(flags, w.lookup(), w.reader());
  REQUIRE(with_env.has_value());
  CHECK(with_env->url == "https://env.example:8443/graphql");
  CHECK(with_env->embed_base_url == "https://env.example:8443");
  CHECK(with_env->workspace_id == "ws-env");
  CHECK(with_env->access_key.reveal() == kKey);
  CHECK(with_env->origin.at("access_key") == "environment WISDOM_ACCESS_KEY");

  w.files["/run/key"] = "ak_from_flag_file";
  flags.url = "https://flag.example/graphql";
  flags.access_key_file = "/run/key";
  flags.timeout_seconds = 3;
  auto with_flags = resolve_settings(flags, w.lookup(), w.reader());
  REQUIRE(with_flags.has_value());
  CHECK(with_flags->url == "https://flag.example/graphql");
  CHECK(with_flags->access_key.reveal() == "ak_from_flag_file");
  CHECK(with_flags->timeout == std::chrono::seconds(3));
  CHECK(with_flags->workspace_id == "ws-env");
  for (const auto& [name, origin] : with_flags->origin) {
    CHECK(origin.find("ak_from") == std::string::npos);
  }
}

TEST_CASE("settings: defaults and errors") {
  World w;
  auto none = resolve_settings({}, w.lookup(), w.reader());
  REQUIRE(none.has_value());
  CHECK(none->url.empty());
  CHECK(none->access_key.empty());
  CHECK(none->timeout == std::chrono::seconds(30));

  FlagSettings missing_key;
  missing_key.access_key_file = "/nope";
  auto e1 = resolve_settings(missing_key, w.lookup(), w.reader());
  REQUIRE_FALSE(e1.has_value());
  CHECK(e1.error().field() == "--access-key-file");
  CHECK(e1.error().message().find("/nope") != std::string::npos);

  w.files["/empty"] = "\n";
  missing_key.access_key_file = "/empty";
  CHECK(resolve_settings(missing_key, w.lookup(), w.reader()).error().message().find("is empty") !=
        std::string::npos);

  FlagSettings bad_url;
  bad_url.url = "ftp://x";
  CHECK(resolve_settings(bad_url, w.lookup(), w.reader()).error().field() == "url");

  w.env["EMBARK_CONFIG"] = "/missing.conf";
  auto e2 = resolve_settings({}, w.lookup(), w.reader());
  REQUIRE_FALSE(e2.has_value());
  CHECK(e2.error().message().find("/missing.conf") != std::string::npos);
}
