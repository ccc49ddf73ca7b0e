// Memory per user of the in-memory UserDirectory
// (docs/architecture.md#user-directory-and-token-cache: a million users in ~100 MB). Fills the
// directory with N users (default 1,000,000) with realistic emails and UUID user ids, then prints
// bytes per user measured three ways: resident set growth, malloc's in-use growth (mallinfo2: heap
// + mmap) and the directory's own accounting of its capacity. Also times lookups.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "embark/directory.hpp"

#include <malloc.h>

namespace {

std::size_t rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

std::string uuid(std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    out[i] = kHex[rng() & 0xf];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t users = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  std::mt19937_64 rng(42);
  malloc_trim(0);
  const auto rss_before = rss_bytes();
  const auto heap_before = mallinfo2().uordblks + mallinfo2().hblkhd;

  auto directory = std::make_unique<embark::InMemoryUserDirectory>(
      embark::InMemoryDirectoryOptions{.max_entries = users + users / 10});
  const auto now = std::chrono::system_clock::now();
  std::size_t text_bytes = 0;
  const auto fill_start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < users; ++i) {
    embark::DirectoryEntry entry;
    entry.user_id = uuid(rng);
    entry.attributes = rng();
    entry.roles = rng();
    entry.seen = now;
    const std::string email =
        "user" + std::to_string(i) + ".name@customer-" + std::to_string(i % 997) + ".example.com";
    text_bytes += email.size() + entry.user_id.size();
    directory->put("workspace_123", email, entry);
  }
  const auto fill = std::chrono::steady_clock::now() - fill_start;

  const auto rss_after = rss_bytes();
  const auto heap_after = mallinfo2().uordblks + mallinfo2().hblkhd;

  const std::size_t lookups = 1'000'000;
  std::size_t hits = 0;
  const auto find_start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < lookups; ++i) {
    const auto k = (i * 7919) % users;
    const std::string email =
        "USER" + std::to_string(k) + ".name@customer-" + std::to_string(k % 997) + ".example.com";
    hits += directory->find("workspace_123", email).has_value();
  }
  const auto find = std::chrono::steady_clock::now() - find_start;

  const double n = static_cast<double>(users);
  std::printf("users                       %zu (size %zu, lookups hit %zu/%zu)\n", users,
              directory->size(), hits, lookups);
  std::printf("email+id text per user      %.1f bytes\n", static_cast<double>(text_bytes) / n);
  std::printf("RSS growth per user         %.1f bytes  (%.1f MB total)\n",
              static_cast<double>(rss_after - rss_before) / n,
              static_cast<double>(rss_after - rss_before) / 1e6);
  std::printf("heap in use per user        %.1f bytes  (mallinfo2: heap + mmap)\n",
              static_cast<double>(heap_after - heap_before) / n);
  std::printf("directory capacity per user %.1f bytes  (memory_bytes)\n",
              static_cast<double>(directory->memory_bytes()) / n);
  std::printf("fill                        %.0f ns/put\n",
              std::chrono::duration<double, std::nano>(fill).count() / n);
  std::printf(
      "find                        %.0f ns/lookup (incl. building the email string)\n",
      std::chrono::duration<double, std::nano>(find).count() / static_cast<double>(lookups));
  // Read by embark-bench (the process is gone when its driver could look).
  std::size_t peak_kb = 0;
  {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmHWM:", 0) == 0) peak_kb = std::stoull(line.substr(6));
  }
  std::printf("peak RSS                    %.1f MB\n", static_cast<double>(peak_kb) / 1024);
  return hits == lookups ? 0 : 1;
}
