#include "embark/fingerprint.hpp"

#include <algorithm>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <openssl/evp.h>

#include "internal/sha256.hpp"

namespace embark {
namespace internal {

// One EVP context per thread, re-initialised per digest: EVP_MD_CTX_new/free (two allocations
// and a cleanse) cost more than hashing a short field list.
void sha256(std::span<const std::string_view> parts, unsigned char (&out)[32]) {
  // An explicitly fetched digest skips OpenSSL 3's per-call implicit fetch.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context context;
  EVP_DigestInit_ex2(context.ctx, kSha256, nullptr);
  for (auto part : parts) EVP_DigestUpdate(context.ctx, part.data(), part.size());
  unsigned int len = 0;
  EVP_DigestFinal_ex(context.ctx, out, &len);
}

}  // namespace internal

namespace {

// SHA-256 over length-prefixed fields: unambiguous framing, so ("ab","c") != ("a","bc"). The
// framed fields are gathered in one buffer and hashed at once (one EVP update, not two a field).
class Digest {
 public:
  void field(std::string_view text) {
    const std::uint64_t n = text.size();
    char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>(n >> (8 * i));
    buffer_.append(len, sizeof len);
    buffer_.append(text);
  }

  Fingerprint finish() {
    unsigned char out[32];
    const std::string_view whole(buffer_);
    internal::sha256(std::span(&whole, 1), out);
    buffer_.clear();
    Fingerprint fp = 0;
    for (int i = 0; i < 8; ++i) fp = (fp << 8) | out[i];
    return fp;
  }

 private:
  // Reused per thread: no allocation once it has grown to the usual request size.
  static std::string& thread_buffer() {
    thread_local std::string buffer;
    buffer.clear();
    return buffer;
  }
  std::string& buffer_ = thread_buffer();
};

Fingerprint attributes_digest(const AttributeMap& attributes) {
  Digest d;
  d.field("attributes");
  for (const auto& [key, value] : attributes) {
    d.field(key);
    d.field(value);
  }
  return d.finish();
}

}  // namespace

Fingerprint fingerprint(const AttributeMap& attributes) {
  // Most logins send no session attributes and many no attributes: the empty set's digest is
  // computed once.
  static const Fingerprint kEmpty = attributes_digest({});
  return attributes.empty() ? kEmpty : attributes_digest(attributes);
}

Fingerprint fingerprint(std::span<const RoleAssignment> roles) {
  static const Fingerprint kNoRoles = [] {
    Digest d;
    d.field("roles");
    return d.finish();
  }();
  if (roles.empty()) return kNoRoles;
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
