#include "private_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace embark::sample {
namespace {

namespace fs = std::filesystem;

// mkstemp: O_CREAT|O_EXCL, mode 0600, a random suffix; O_CLOEXEC so children never inherit it.
fs::path create_unique(const fs::path& folder, std::string_view prefix, int& fd) {
  std::string pattern = (folder / (std::string(prefix) + "-XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error("cannot create a file in " + folder.string() + ": " +
                             std::strerror(errno));
  }
  return fs::path(name.data());
}

void write_all(int fd, std::string_view content, const fs::path& path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      ::close(fd);
      std::error_code ignored;
      fs::remove(path, ignored);
      throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(saved));
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0) {
    std::error_code ignored;
    fs::remove(path, ignored);
    throw std::runtime_error("cannot write " + path.string());
  }
}

}  // namespace

fs::path write_private_temp_file(std::string_view prefix, std::string_view content) {
  int fd = -1;
  fs::path path = create_unique(fs::temp_directory_path(), prefix, fd);
  write_all(fd, content, path);
  return path;
}

void write_private_file_atomically(const fs::path& path, std::string_view content) {
  fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  int fd = -1;
  fs::path tmp = create_unique(folder, "." + path.filename().string(), fd);
  write_all(fd, content, tmp);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error("cannot write " + path.string());
  }
}

}  // namespace embark::sample
