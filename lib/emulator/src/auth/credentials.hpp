// The secrets the emulator accepts: access keys (for impersonateUser / exchangeAccessToken) and
// static API bearer tokens (with iam:write).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "embark/emulator/options.hpp"
#include "embark/secret.hpp"

namespace embark::emulator {

/// A random opaque secret: `prefix` + 43 base64url characters (256 bits).
Secret random_secret(std::string_view prefix);

/// Configured credentials. Immutable after construction; thread-safe. Comparisons are
/// constant-time per candidate.
class Credentials {
 public:
  /// Keeps the given keys/tokens; generates one of each when a list is empty.
  Credentials(std::vector<AccessKey> access_keys, std::vector<Secret> api_tokens,
              const std::string& default_workspace);

  /// The access key equal to `candidate`, or null.
  const AccessKey* find_access_key(std::string_view candidate) const;
  /// Whether `candidate` is a configured API token.
  bool is_api_token(std::string_view candidate) const;

  const AccessKey& first_access_key() const { return access_keys_.front(); }
  const Secret& first_api_token() const { return api_tokens_.front(); }

 private:
  std::vector<AccessKey> access_keys_;
  std::vector<Secret> api_tokens_;
};

}  // namespace embark::emulator
