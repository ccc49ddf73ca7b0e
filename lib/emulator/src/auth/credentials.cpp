#include "auth/credentials.hpp"

#include <openssl/rand.h>

#include "auth/base64url.hpp"

namespace embark::emulator {

Secret random_secret(std::string_view prefix) {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();  // no entropy: nothing safe to hand out
  return Secret(std::string(prefix) +
                base64url_encode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes)));
}

Credentials::Credentials(std::vector<AccessKey> access_keys, std::vector<Secret> api_tokens,
                         const std::string& default_workspace)
    : access_keys_(std::move(access_keys)), api_tokens_(std::move(api_tokens)) {
  if (access_keys_.empty())
    access_keys_.push_back(AccessKey{random_secret("wak_"), default_workspace});
  for (auto& k : access_keys_) {
    if (k.workspace.empty()) k.workspace = default_workspace;
  }
  if (api_tokens_.empty()) api_tokens_.push_back(random_secret("wat_"));
}

const AccessKey* Credentials::find_access_key(std::string_view candidate) const {
  const Secret probe{std::string(candidate)};
  for (const auto& k : access_keys_) {
    if (k.key == probe) return &k;
  }
  return nullptr;
}

bool Credentials::is_api_token(std::string_view candidate) const {
  const Secret probe{std::string(candidate)};
  for (const auto& t : api_tokens_) {
    if (t == probe) return true;
  }
  return false;
}

}  // namespace embark::emulator
