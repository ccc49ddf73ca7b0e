// Embedding helpers: iframe URLs for the documented embed paths, and the refresh endpoint's body.
#pragma once

#include <string>
#include <string_view>

#include "embark/model.hpp"
#include "embark/result.hpp"
#include "embark/secret.hpp"

namespace embark {

/// Which embedded page to open (docs/vendor-api.md#embed-urls).
enum class EmbedKind {
  none,              ///< no URL is built
  dashboard,         ///< /embed/dashboards/{id}            (current)
  chat,              ///< /embed/chat[/{id}]                (current; id optional)
  legacy_chat,       ///< /chat/embed[/{id}]                (older tenants; id optional)
  legacy_dashboard,  ///< /dashboards/embed/{id}            (older tenants)
  story,             ///< /stories/embed/{id}               (legacy, still accepted)
};

/// An embed target: a kind and, where the path takes one, an id. Plain value type.
struct EmbedTarget {
  EmbedKind kind = EmbedKind::none;
  std::string id;  ///< dashboard / conversation / story id; empty allowed only for the chat kinds

  /// A current-form dashboard.
  static EmbedTarget dashboard(std::string id) { return {EmbedKind::dashboard, std::move(id)}; }
  /// A current-form chat, optionally a given conversation.
  static EmbedTarget chat(std::string id = {}) { return {EmbedKind::chat, std::move(id)}; }
  friend bool operator==(const EmbedTarget&, const EmbedTarget&) = default;
};

/// Parses the CLI/config spelling: "none", "dashboard:ID", "chat", "chat:ID", "legacy-chat",
/// "legacy-chat:ID", "legacy-dashboard:ID", "story:ID". Errors name field "embed".
Result<EmbedTarget> parse_embed_target(std::string_view spec);

/// The spelling parse_embed_target accepts ("dashboard:42").
std::string to_string(const EmbedTarget& target);

/// Checks a target without a token: id required and free of control characters; errors name
/// field "embed.id".
Result<void> validate_embed_target(const EmbedTarget& target);

/// Builds `{base_url}{path}?token={percent-encoded JWT}` with Boost.URL. `base_url` is the
/// tenant origin ("https://acme.wisdom.ai", an optional path prefix is kept); ids are encoded as
/// path segments. Fails with invalid_input (field "embed_base_url" or "embed.id").
/// The result carries the token, so it is a Secret: `reveal()` it only to hand it to the browser.
Result<Secret> build_embed_url(std::string_view base_url, const EmbedTarget& target,
                               const Secret& token);

/// The JSON body the app's token-refresh endpoint answers to the bridge script:
/// `{"token":"<jwt>","expiresAt":"2026-11-27T10:00:00Z"}` (RFC 3339, UTC, whole seconds).
std::string refresh_response_body(const SessionToken& token);

}  // namespace embark
