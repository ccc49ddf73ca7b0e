#include "redis/crypto.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "embark/redis.hpp"

namespace embark::redis {
namespace {

constexpr char kVersion = 1;
constexpr int kNonce = 12;
constexpr int kTag = 16;

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string seal(const Secret& key, std::string_view aad, std::string_view plain) {
  if (key.reveal().size() != 32) throw std::invalid_argument("token key must be 32 bytes");
  std::string out(1 + kNonce + plain.size() + kTag, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  o[0] = kVersion;
  if (RAND_bytes(o + 1, kNonce) != 1) throw std::runtime_error("no random bytes for a nonce");
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key.reveal()), o + 1) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o + 1 + kNonce, &len, bytes(plain),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + 1 + kNonce + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, o + 1 + kNonce + plain.size()) !=
          1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  return out;
}

std::optional<Secret> open(const Secret& key, std::string_view aad, std::string_view sealed) {
  if (key.reveal().size() != 32 || sealed.size() < 1 + kNonce + kTag || sealed[0] != kVersion)
    return std::nullopt;
  const auto* in = bytes(sealed);
  const std::size_t n = sealed.size() - 1 - kNonce - kTag;
  std::string plain(n, '\0');
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::string tag(sealed.substr(1 + kNonce + n));
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key.reveal()), in + 1) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                        in + 1 + kNonce, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) !=
          1) {
    return std::nullopt;
  }
  return Secret(std::move(plain));
}

}  // namespace embark::redis

namespace embark {

Result<Secret> parse_token_key(std::string_view hex, std::string_view field) {
  auto invalid = [&](std::string message) {
    Error e(ErrorCode::invalid_input, std::move(message));
    e.with_field(std::string(field));
    return e;
  };
  if (hex.size() != 64) {
    return invalid("must be 64 hex digits (32 bytes), e.g. from `openssl rand -hex 32`; got " +
                   std::to_string(hex.size()) + " characters");
  }
  std::string key(32, '\0');
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = digit(hex[2 * i]);
    const int lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return invalid("must be 64 hex digits (0-9, a-f)");
    key[i] = static_cast<char>(hi * 16 + lo);
  }
  return Secret(std::move(key));
}

}  // namespace embark
