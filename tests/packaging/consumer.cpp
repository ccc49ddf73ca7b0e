// A tiny program a user of embark might write: it only needs the installed headers and library.
#include <cstdio>
#include <string>

#include <embark/error.hpp>
#include <embark/result.hpp>
#include <embark/secret.hpp>

static embark::Result<int> parse_port(const std::string& text) {
  if (text.empty()) return embark::fail(embark::ErrorCode::invalid_input, "port is empty");
  return std::stoi(text);
}

int main() {
  embark::Secret key{"consumer-secret-value"};
  auto ok = parse_port("8443");
  auto bad = parse_port("");
  if (!ok || *ok != 8443 || bad || bad.error().code() != embark::ErrorCode::invalid_input) return 1;
  if (key.redacted().find("consumer-secret-value") != std::string::npos) return 1;
  std::printf("embark consumer ok: %s\n", key.redacted().c_str());
  return 0;
}
