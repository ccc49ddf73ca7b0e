// embark::Secret: holds an access key, bearer token or JWT and never formats its value.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace embark {

/// A secret string. Formatting (fmt, iostreams, to_string) shows only a short fingerprint such as
/// `secret:3f9a1c2e`; the value is reachable only through reveal(). The memory is wiped on
/// destruction and reassignment. Copyable value type; thread-compatible.
class Secret {
 public:
  Secret() = default;
  /// Takes ownership of a secret value.
  explicit Secret(std::string value);
  Secret(const Secret& other);
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  /// The secret value itself. Call only where the value must leave the process (a request body).
  std::string_view reveal() const noexcept { return value_; }
  /// Whether no value is held.
  bool empty() const noexcept { return value_.empty(); }
  /// First 8 hex digits of the value's SHA-256, safe for logs ("" when empty).
  std::string fingerprint() const;
  /// The redacted form: "secret:<fingerprint>" or "secret:<empty>".
  std::string redacted() const;

  /// Constant-time comparison of the values.
  friend bool operator==(const Secret& a, const Secret& b) noexcept;

 private:
  void wipe() noexcept;
  std::string value_;
};

/// Writes the redacted form, never the value.
std::ostream& operator<<(std::ostream& os, const Secret& secret);

}  // namespace embark

/// fmt prints the redacted form, never the value.
template <>
struct fmt::formatter<embark::Secret> : fmt::formatter<std::string_view> {
  auto format(const embark::Secret& s, fmt::format_context& ctx) const -> decltype(ctx.out()) {
    return fmt::formatter<std::string_view>::format(s.redacted(), ctx);
  }
};
