// The embed pages (/embed/dashboards/{id}, /embed/chat[/{id}], ...) and their refresh script.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "embark/model.hpp"

namespace embark::emulator {

/// What an embed URL points at.
struct EmbedRoute {
  std::string kind;  ///< "dashboard", "chat", "story" or "search"
  std::string id;    ///< may be empty for chat and search
};

/// Matches the documented embed paths; nullopt for anything else (or a malformed id).
std::optional<EmbedRoute> match_embed_path(std::string_view path);

/// The session a valid token stands for, as the page shows it.
struct EmbedSession {
  std::string user_id;
  std::string email;
  std::string workspace;
  AttributeMap attributes;  ///< effective attributes from the token
  std::int64_t iat = 0;
  std::int64_t exp = 0;
  std::string fingerprint;  ///< short fingerprint of the token (never the token)
};

/// JSON of POST /embed/session and of the page's initial state.
boost::json::object session_json(const EmbedSession& session);

/// The page for a route; `session` is empty when the page must read `wisdom.jwt` from storage.
std::string render_embed_page(const EmbedRoute& route, const std::optional<EmbedSession>& session);

/// The error page (served with HTTP 401): an element with id `embed-error` holding `message`.
std::string render_embed_error(std::string_view message);

/// The script at /embed/embed.js: storage, rendering and the postMessage refresh protocol.
std::string_view embed_script();

/// Content-Security-Policy of embed pages (embeddable by any origin, script only from self).
std::string_view embed_csp();

}  // namespace embark::emulator
