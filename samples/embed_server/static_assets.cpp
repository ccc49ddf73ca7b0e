#include "static_assets.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace embark::sample {

StaticAssets::StaticAssets(const std::filesystem::path& dir,
                           std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    std::filesystem::path path = dir / std::string(name);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("static asset '" + path.string() + "' cannot be read");
    std::ostringstream body;
    body << in.rdbuf();
    add(std::string(name), {content_type_for(name), body.str()});
  }
}

void StaticAssets::add(std::string name, StaticAsset asset) {
  files_.insert_or_assign(std::move(name), std::move(asset));
}

const StaticAsset* StaticAssets::find(std::string_view name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

std::string StaticAssets::content_type_for(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js") || name.ends_with(".mjs")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".png")) return "image/png";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace embark::sample
