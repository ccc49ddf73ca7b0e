// Who is calling, as the resolvers see it (the engine's opaque per-request context).
#pragma once

#include <string>

namespace embark::emulator {

/// The authenticated principal of a request's bearer token.
struct Caller {
  enum class Kind {
    anonymous,  ///< no Authorization header
    invalid,    ///< a header was sent but the token is not valid
    api_token,  ///< a configured API token (iam:write)
    exchanged,  ///< a JWT from exchangeAccessToken (iam:write)
    user,       ///< an impersonation JWT: acts as that user, no iam:write
  };
  Kind kind = Kind::anonymous;
  bool iam_write = false;
  std::string user_id;    ///< for Kind::user
  std::string workspace;  ///< the workspace the credential belongs to
};

/// Per-request state shared between the request handler and the resolvers.
struct RequestContext {
  Caller caller;
  bool unauthorized = false;  ///< a resolver refused a credential (answered as "Unauthorized")
};

}  // namespace embark::emulator
