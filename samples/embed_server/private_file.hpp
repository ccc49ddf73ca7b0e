// Files that may hold secrets or trust anchors: unpredictable names, O_EXCL, mode 0600.
#pragma once

#include <filesystem>
#include <string_view>

namespace embark::sample {

/// Creates a new file in the system's temporary folder named "<prefix>-XXXXXX" (random suffix,
/// created with O_EXCL and mode 0600, so no other user can read it or plant it first), writes
/// `content` and returns its path. The caller removes it. Throws std::runtime_error naming the
/// folder; a half-written file is removed first. Thread-safe.
std::filesystem::path write_private_temp_file(std::string_view prefix, std::string_view content);

/// Replaces `path` with a file holding `content`, mode 0600: written to a fresh O_EXCL file with a
/// random name in the same folder, then renamed over `path` (a symlink at `path` is replaced, not
/// followed; a reader sees the old file or the whole new one). Throws std::runtime_error naming
/// `path`. Thread-safe.
void write_private_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace embark::sample
