#include "http/response_head.hpp"

namespace embark::emulator {

// Beast's buffer-sequence machinery cost more CPU per impersonateUser answer than anything but
// the signature; one string built in one pass does the same.
std::string response_head(const Response& res) {
  std::string head;
  head.reserve(160);
  const unsigned version = res.version();
  const unsigned code = res.result_int();
  const char start[] = {'H',
                        'T',
                        'T',
                        'P',
                        '/',
                        static_cast<char>('0' + version / 10),
                        '.',
                        static_cast<char>('0' + version % 10),
                        ' ',
                        static_cast<char>('0' + code / 100),
                        static_cast<char>('0' + (code / 10) % 10),
                        static_cast<char>('0' + code % 10),
                        ' '};
  head.append(start, sizeof start);
  const auto reason = res.reason();
  if (reason.empty()) {
    const auto obsolete = http::obsolete_reason(res.result());
    head.append(obsolete.data(), obsolete.size());
  } else {
    head.append(reason.data(), reason.size());
  }
  head += "\r\n";
  for (const auto& field : res) {
    const auto name = field.name_string();
    const auto value = field.value();
    head.append(name.data(), name.size());
    head += ": ";
    head.append(value.data(), value.size());
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

}  // namespace embark::emulator
