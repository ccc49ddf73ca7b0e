// Where the command finds the vendor and its credentials: flags > environment > config file >
// defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "embark/result.hpp"
#include "embark/secret.hpp"

namespace embark::cli {

/// The resolved settings. Copyable value type; secrets stay in embark::Secret.
struct Settings {
  std::string url;             ///< GraphQL endpoint; empty = none configured
  Secret access_key;           ///< for impersonateUser / exchangeAccessToken
  Secret api_token;            ///< bearer token for management calls; empty = exchange the key
  std::string workspace_id;    ///< empty = the vendor's default workspace
  std::string ca_file;         ///< PEM trust store; empty (and no ca_pem) = system CAs
  std::string ca_pem;          ///< CA certificates in memory (the demo's emulator), with ca_file
  std::string embed_base_url;  ///< origin of embed pages; empty = derived from url
  std::chrono::seconds timeout{30};
  /// Shared state (redis:// or unix:// URL, already checked); empty = in-memory caches.
  std::string redis_url;
  /// AES-256-GCM key for tokens in Redis (32 bytes); empty = tokens not shared.
  Secret redis_token_key;
  /// For each setting that has a value, where it came from ("flag --url", "environment
  /// WISDOM_URL", "config file app.conf:3", "default"). Never holds a secret's value.
  std::map<std::string, std::string, std::less<>> origin;
};

/// Values given as flags (nullopt = not given).
struct FlagSettings {
  std::optional<std::string> config_file;
  std::optional<std::string> url;
  std::optional<std::string> workspace_id;
  std::optional<std::string> ca_file;
  std::optional<std::string> access_key_file;
  std::optional<std::string> api_token_file;
  std::optional<std::string> embed_base_url;
  std::optional<int> timeout_seconds;
  std::optional<std::string> redis;
  std::optional<std::string> redis_token_key_file;
};

/// One `key = value` of a config file and its line.
struct ConfigValue {
  std::string value;
  std::size_t line = 0;
};

/// A parsed config file (keys with '-' written as '_').
struct ConfigFile {
  std::string path;
  std::map<std::string, ConfigValue, std::less<>> values;
};

/// Reads an environment variable (nullopt when unset). Injected so tests need no real environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
/// Reads a whole file. Injected for the same reason.
using FileReader = std::function<Result<std::string>(const std::string& path)>;

/// The process environment.
EnvLookup process_environment();
/// Reads files from disk; errors name the path (never the content).
Result<std::string> read_file(const std::string& path);

/// Parses `key = value` lines: `#` comments, blank lines, bare values or TOML basic strings
/// ("..." with \" \\ \n \t escapes). Known keys: url, workspace_id, ca_file, access_key_file,
/// api_token_file, embed_base_url, timeout. Secret values themselves (access_key, api_token) are
/// refused. Errors are invalid_input and name "<path>:<line>". Pure function.
Result<ConfigFile> parse_config_file(std::string_view text, std::string path);

/// Merges the sources: flags, then WISDOM_URL / WISDOM_ACCESS_KEY / WISDOM_API_TOKEN /
/// WISDOM_WORKSPACE_ID / WISDOM_CA_FILE / EMBARK_REDIS_URL / EMBARK_REDIS_TOKEN_KEY, then the
/// config file (--config or EMBARK_CONFIG), then defaults. Relative paths in a config file are
/// taken relative to its folder. Errors (unreadable files, bad values) are invalid_input and name
/// the setting.
Result<Settings> resolve_settings(const FlagSettings& flags, const EnvLookup& env,
                                  const FileReader& reader = read_file);

/// The origin (`scheme://host[:port]`) of a URL, or invalid_input naming `field`.
Result<std::string> url_origin(std::string_view url, std::string_view field = "url");

}  // namespace embark::cli
