#include "embark/fingerprint.hpp"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include <openssl/evp.h>

namespace embark {
namespace {

// SHA-256 over length-prefixed fields: unambiguous framing, so ("ab","c") != ("a","bc").
class Digest {
 public:
  Digest() : ctx_(EVP_MD_CTX_new()) {
    // An explicitly fetched digest skips OpenSSL 3's per-call implicit fetch.
    static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_DigestInit_ex(ctx_, kSha256, nullptr);
  }
  ~Digest() { EVP_MD_CTX_free(ctx_); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void field(std::string_view text) {
    const std::uint64_t n = text.size();
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
    EVP_DigestUpdate(ctx_, len, sizeof len);
    EVP_DigestUpdate(ctx_, text.data(), text.size());
  }

  Fingerprint finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, out, &len);
    Fingerprint fp = 0;
    for (int i = 0; i < 8; ++i) fp = (fp << 8) | out[i];
    return fp;
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

Fingerprint fingerprint(const AttributeMap& attributes) {
  Digest d;
  d.field("attributes");
  for (const auto& [key, value] : attributes) {
    d.field(key);
    d.field(value);
  }
  return d.finish();
}

Fingerprint fingerprint(std::span<const RoleAssignment> roles) {
  std::vector<RoleAssignment> sorted(roles.begin(), roles.end());
  for (auto& role : sorted) std::sort(role.scopes.begin(), role.scopes.end());
  std::sort(sorted.begin(), sorted.end(), [](const RoleAssignment& a, const RoleAssignment& b) {
    return std::tie(a.role_id, a.scopes) < std::tie(b.role_id, b.scopes);
  });
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  Digest d;
  d.field("roles");
  for (const auto& role : sorted) {
    d.field(role.role_id);
    d.field(std::to_string(role.scopes.size()));
    for (const auto& scope : role.scopes) d.field(scope);
  }
  return d.finish();
}

Fingerprint user_fingerprint(std::string_view workspace, std::string_view email) {
  Digest d;
  d.field("user");
  d.field(workspace);
  d.field(lower_email(email));
  return d.finish();
}

std::string to_hex(Fingerprint fp) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[fp & 0xf];
    fp >>= 4;
  }
  return out;
}

std::string lower_email(std::string_view email) {
  std::string out(email);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace embark
