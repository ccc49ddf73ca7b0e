// StaticAssets: the few files the pages load (stylesheet, scripts), read once at start-up.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace embark::sample {

/// One static file held in memory.
struct StaticAsset {
  std::string content_type;
  std::string body;
};

/// A fixed set of files (no path from a request ever reaches the file system). Immutable after
/// construction, so lookups are thread-safe.
class StaticAssets {
 public:
  StaticAssets() = default;
  /// Reads each of `names` from `dir`; throws std::runtime_error naming a file that cannot be read.
  StaticAssets(const std::filesystem::path& dir, std::initializer_list<std::string_view> names);

  /// Adds or replaces a file held in memory (tests, generated files).
  void add(std::string name, StaticAsset asset);
  /// The file called `name`, or nullptr.
  const StaticAsset* find(std::string_view name) const;

  /// Content type for a file name by extension (.css, .js, .png, .svg; otherwise octet-stream).
  static std::string content_type_for(std::string_view name);

 private:
  std::map<std::string, StaticAsset, std::less<>> files_;
};

}  // namespace embark::sample
