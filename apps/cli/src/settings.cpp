#include "settings.hpp"

#ifdef EMBARK_HAS_REDIS
#include "embark/redis.hpp"
#endif

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include "text.hpp"

namespace embark::cli {
namespace {

constexpr std::string_view kKnownKeys[] = {
    "url",    "workspace_id", "ca_file", "access_key_file", "api_token_file", "embed_base_url",
    "timeout"};

Result<std::string> parse_value(std::string_view raw, const std::string& where) {
  raw = trim(raw);
  if (raw.empty() || raw.front() != '"') {
    // Bare value: an inline comment starts at " #".
    if (auto hash = raw.find(" #"); hash != std::string_view::npos) raw = trim(raw.substr(0, hash));
    if (!raw.empty() && raw.front() == '\'') {
      if (raw.size() < 2 || raw.back() != '\'')
        return invalid("config", where + ": unterminated '");
      return std::string(raw.substr(1, raw.size() - 2));
    }
    return std::string(raw);
  }
  std::string out;
  std::size_t i = 1;
  for (; i < raw.size() && raw[i] != '"'; ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    if (++i == raw.size()) break;
    switch (raw[i]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      default:
        return invalid("config", fmt::format("{}: unknown escape \\{}", where, raw[i]));
    }
  }
  if (i >= raw.size()) return invalid("config", where + ": unterminated \"");
  std::string_view rest = trim(raw.substr(i + 1));
  if (!rest.empty() && rest.front() != '#') {
    return invalid("config", fmt::format("{}: text after the closing quote", where));
  }
  return out;
}

std::string parent_folder(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

// A setting with its source, before secrets are read.
struct Pick {
  std::optional<std::string> value;
  std::string origin;
};

Pick pick(const std::optional<std::string>& flag, std::string_view flag_name, const EnvLookup& env,
          std::string_view env_name, const ConfigFile* file, std::string_view key, bool is_path) {
  if (flag) return {flag, fmt::format("flag --{}", flag_name)};
  if (!env_name.empty()) {
    if (auto v = env(env_name); v && !v->empty())
      return {v, fmt::format("environment {}", env_name)};
  }
  if (file) {
    if (auto it = file->values.find(key); it != file->values.end()) {
      std::string value = it->second.value;
      if (is_path && !value.empty() && value.front() != '/')
        value = parent_folder(file->path) + value;
      return {value, fmt::format("config file {}:{}", file->path, it->second.line)};
    }
  }
  return {};
}

Result<Secret> read_secret_file(const std::string& path, std::string_view field,
                                const FileReader& reader) {
  auto text = reader(path);
  if (!text) {
    return invalid(std::string(field), fmt::format("{}: {}", field, text.error().message()));
  }
  std::string_view value = *text;
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  if (value.empty())
    return invalid(std::string(field), fmt::format("{}: {} is empty", field, path));
  Secret secret{std::string(value)};
  std::fill(text->begin(), text->end(), '\0');
  return secret;
}

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid("file", fmt::format("cannot read {}", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return invalid("file", fmt::format("cannot read {}", path));
  return std::move(buffer).str();
}

Result<ConfigFile> parse_config_file(std::string_view text, std::string path) {
  ConfigFile file;
  file.path = std::move(path);
  std::size_t line_number = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = fmt::format("{}:{}", file.path, line_number);
    if (line.front() == '[') {
      return invalid("config", where + ": sections are not supported; write key = value lines");
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return invalid("config", where + ": expected key = value");
    std::string key = to_lower(trim(line.substr(0, eq)));
    for (char& c : key) {
      if (c == '-') c = '_';
    }
    if (key == "access_key" || key == "api_token") {
      return invalid(
          "config",
          fmt::format("{}: {} may not be written in a config file; use {}_file "
                      "= PATH or the environment variable WISDOM_{}",
                      where, key, key, to_lower(key) == "access_key" ? "ACCESS_KEY" : "API_TOKEN"));
    }
    bool known = false;
    for (std::string_view k : kKnownKeys) known = known || k == key;
    if (!known) {
      return invalid("config",
                     fmt::format("{}: unknown key '{}' (known: url, workspace_id, ca_file, "
                                 "access_key_file, api_token_file, embed_base_url, timeout)",
                                 where, key));
    }
    auto value = parse_value(line.substr(eq + 1), where);
    if (!value) return value.error();
    file.values.insert_or_assign(key, ConfigValue{std::move(*value), line_number});
  }
  return file;
}

Result<std::string> url_origin(std::string_view url, std::string_view field) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "https" && parsed->scheme() != "http") ||
      parsed->encoded_host().empty()) {
    return invalid(
        std::string(field),
        fmt::format("{} must be an http(s) URL such as https://acme.wisdom.ai/graphql", field));
  }
  return fmt::format("{}://{}", parsed->scheme(), parsed->encoded_authority());
}

Result<Settings> resolve_settings(const FlagSettings& flags, const EnvLookup& env,
                                  const FileReader& reader) {
  std::optional<ConfigFile> file;
  Pick config_path = pick(flags.config_file, "config", env, "EMBARK_CONFIG", nullptr, "", false);
  if (config_path.value) {
    auto text = reader(*config_path.value);
    if (!text) return invalid("config", fmt::format("config file: {}", text.error().message()));
    auto parsed = parse_config_file(*text, *config_path.value);
    if (!parsed) return parsed.error();
    file = std::move(*parsed);
  }
  const ConfigFile* f = file ? &*file : nullptr;

  Settings s;
  auto take = [&](std::string_view name, const Pick& p, std::string& into) {
    if (!p.value) return;
    into = *p.value;
    s.origin.insert_or_assign(std::string(name), p.origin);
  };
  take("url", pick(flags.url, "url", env, "WISDOM_URL", f, "url", false), s.url);
  take("workspace_id",
       pick(flags.workspace_id, "workspace", env, "WISDOM_WORKSPACE_ID", f, "workspace_id", false),
       s.workspace_id);
  take("ca_file", pick(flags.ca_file, "ca-file", env, "WISDOM_CA_FILE", f, "ca_file", true),
       s.ca_file);
  take("embed_base_url",
       pick(flags.embed_base_url, "embed-base-url", env, "", f, "embed_base_url", false),
       s.embed_base_url);

  if (!s.url.empty()) {
    auto origin = url_origin(s.url, "url");
    if (!origin) return origin.error();
    if (s.embed_base_url.empty()) {
      s.embed_base_url = *origin;
      s.origin.insert_or_assign("embed_base_url", "default (origin of url)");
    }
  }

  // Secrets: a file named by flag beats the value in the environment, which beats a file named
  // in the config file.
  auto secret = [&](std::string_view name, const std::optional<std::string>& flag_file,
                    std::string_view flag_name, std::string_view env_name,
                    std::string_view file_key) -> Result<void> {
    Secret* into = name == "access_key" ? &s.access_key : &s.api_token;
    if (flag_file) {
      auto v = read_secret_file(*flag_file, fmt::format("--{}", flag_name), reader);
      if (!v) return v.error();
      *into = std::move(*v);
      s.origin.insert_or_assign(std::string(name),
                                fmt::format("file {} (flag --{})", *flag_file, flag_name));
      return {};
    }
    if (auto v = env(env_name); v && !v->empty()) {
      *into = Secret{std::move(*v)};
      s.origin.insert_or_assign(std::string(name), fmt::format("environment {}", env_name));
      return {};
    }
    Pick p = pick(std::nullopt, "", env, "", f, file_key, true);
    if (p.value) {
      auto v = read_secret_file(*p.value, file_key, reader);
      if (!v) return v.error();
      *into = std::move(*v);
      s.origin.insert_or_assign(std::string(name), fmt::format("file {} ({})", *p.value, p.origin));
    }
    return {};
  };
  if (auto r = secret("access_key", flags.access_key_file, "access-key-file", "WISDOM_ACCESS_KEY",
                      "access_key_file");
      !r) {
    return r.error();
  }
  if (auto r = secret("api_token", flags.api_token_file, "api-token-file", "WISDOM_API_TOKEN",
                      "api_token_file");
      !r) {
    return r.error();
  }

  if (flags.timeout_seconds) {
    s.timeout = std::chrono::seconds(*flags.timeout_seconds);
    s.origin.insert_or_assign("timeout", "flag --timeout");
  } else if (f && f->values.contains("timeout")) {
    const ConfigValue& v = f->values.at("timeout");
    int seconds = 0;
    try {
      std::size_t used = 0;
      seconds = std::stoi(v.value, &used);
      if (used != v.value.size()) seconds = 0;
    } catch (const std::exception&) {
      seconds = 0;
    }
    if (seconds <= 0) {
      return invalid("timeout", fmt::format("{}:{}: timeout must be a positive number of seconds",
                                            f->path, v.line));
    }
    s.timeout = std::chrono::seconds(seconds);
    s.origin.insert_or_assign("timeout", fmt::format("config file {}:{}", f->path, v.line));
  } else {
    s.origin.insert_or_assign("timeout", "default");
  }
  if (s.timeout.count() <= 0)
    return invalid("timeout", "--timeout must be a positive number of seconds");

  // Shared state: the URL may carry a password, so it is never echoed (origin only).
  take("redis", pick(flags.redis, "redis", env, "EMBARK_REDIS_URL", nullptr, "", false),
       s.redis_url);
  if (!s.redis_url.empty()) {
#ifdef EMBARK_HAS_REDIS
    if (auto url = parse_redis_url(s.redis_url, "redis"); !url) return url.error();
    std::optional<Secret> hex;
    if (flags.redis_token_key_file) {
      auto v = read_secret_file(*flags.redis_token_key_file, "--redis-token-key-file", reader);
      if (!v) return v.error();
      hex = std::move(*v);
    } else if (auto v = env("EMBARK_REDIS_TOKEN_KEY"); v && !v->empty()) {
      hex = Secret(std::move(*v));
    }
    if (hex) {
      auto key = parse_token_key(hex->reveal(), "redis_token_key");
      if (!key) return key.error();
      s.redis_token_key = std::move(*key);
    }
#else
    return invalid("redis", "this build of embark has no Redis support (EMBARK_REDIS=OFF)");
#endif
  }
  return s;
}

}  // namespace embark::cli
