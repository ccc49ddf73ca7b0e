// libFuzzer target: the sample server's form-body and Cookie-header parsers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cookies.hpp"
#include "form.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto fields = embark::sample::parse_form(text)) {
    for (const auto& [name, value] : *fields) {
      if (embark::sample::form_value(*fields, name) != value) __builtin_trap();
    }
  }
  for (std::string_view name : {"sample_session", "sample_login_csrf", "a", ""}) {
    if (auto value = embark::sample::find_cookie(text, name)) {
      if (value->size() > size) __builtin_trap();
    }
  }
  return 0;
}
