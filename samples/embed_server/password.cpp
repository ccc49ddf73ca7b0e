#include "password.hpp"

#include <charconv>
#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "random_token.hpp"

namespace embark::sample {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr int kSaltBytes = 16;
constexpr int kHashBytes = 32;

std::string derive(std::string_view password, std::string_view salt, int iterations) {
  std::string out(kHashBytes, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(), kHashBytes,
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    throw std::runtime_error("PBKDF2 failed");
  }
  return out;
}

bool from_hex(std::string_view hex, std::string& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    if (ec != std::errc{} || p != hex.data() + i + 2) return false;
    out += static_cast<char>(value);
  }
  return true;
}

}  // namespace

std::string hash_password(std::string_view password, int iterations) {
  if (iterations < kPbkdf2MinIterations)
    throw std::invalid_argument("iterations: below the minimum");
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, kSaltBytes) != 1)
    throw std::runtime_error("hash_password: the CSPRNG failed");
  std::string salt_str(reinterpret_cast<const char*>(salt), kSaltBytes);
  std::string hash = derive(password, salt_str, iterations);
  std::string encoded = std::string(kScheme) + "$" + std::to_string(iterations) + "$" +
                        to_hex(salt_str) + "$" + to_hex(hash);
  OPENSSL_cleanse(hash.data(), hash.size());
  return encoded;
}

bool verify_password(std::string_view password, std::string_view encoded) {
  // scheme$iterations$salt$hash
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto pos = encoded.find('$', start);
    parts.push_back(encoded.substr(
        start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  if (parts.size() != 4 || parts[0] != kScheme) return false;
  int iterations = 0;
  auto [p, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc{} || p != parts[1].data() + parts[1].size()) return false;
  if (iterations < kPbkdf2MinIterations || iterations > 10'000'000) return false;
  std::string salt, expected;
  if (!from_hex(parts[2], salt) || !from_hex(parts[3], expected) || expected.size() != kHashBytes)
    return false;
  std::string actual = derive(password, salt, iterations);
  bool match = CRYPTO_memcmp(actual.data(), expected.data(), kHashBytes) == 0;
  OPENSSL_cleanse(actual.data(), actual.size());
  return match;
}

}  // namespace embark::sample
