#include "embark/secret.hpp"

#include <ostream>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace embark {

Secret::Secret(std::string value) : value_(std::move(value)) {}
Secret::Secret(const Secret& other) : value_(other.value_) {}
Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

Secret::~Secret() { wipe(); }

void Secret::wipe() noexcept {
  // Small-string storage survives a move, so cleanse whatever buffer is still held.
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

std::string Secret::fingerprint() const {
  if (value_.empty()) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(value_.data(), value_.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string Secret::redacted() const {
  return value_.empty() ? std::string("secret:<empty>") : "secret:" + fingerprint();
}

bool operator==(const Secret& a, const Secret& b) noexcept {
  if (a.value_.size() != b.value_.size()) return false;
  return CRYPTO_memcmp(a.value_.data(), b.value_.data(), a.value_.size()) == 0;
}

std::ostream& operator<<(std::ostream& os, const Secret& secret) { return os << secret.redacted(); }

}  // namespace embark
