#include "graphql/suggestions.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace embark::emulator::graphql {
namespace {

constexpr std::size_t kMaxSuggestions = 5;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::size_t> distance(std::string_view a, std::string_view b, std::size_t threshold) {
  if (a == b) return 0;
  std::string la = lower(a);
  std::string lb = lower(b);
  if (la == lb) return 1;
  if (la.size() < lb.size()) std::swap(la, lb);
  std::size_t n = la.size();
  std::size_t m = lb.size();
  if (n - m > threshold) return std::nullopt;
  std::vector<std::vector<std::size_t>> rows(3, std::vector<std::size_t>(m + 1));
  for (std::size_t j = 0; j <= m; ++j) rows[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    auto& up = rows[(i - 1) % 3];
    auto& cur = rows[i % 3];
    cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = la[i - 1] == lb[j - 1] ? 0 : 1;
      std::size_t best = std::min({up[j] + 1, cur[j - 1] + 1, up[j - 1] + cost});
      if (i > 1 && j > 1 && la[i - 1] == lb[j - 2] && la[i - 2] == lb[j - 1]) {
        best = std::min(best, rows[(i - 2) % 3][j - 2] + 1);
      }
      cur[j] = best;
      row_min = std::min(row_min, best);
    }
    if (row_min > threshold) return std::nullopt;
  }
  std::size_t d = rows[n % 3][m];
  if (d > threshold) return std::nullopt;
  return d;
}

}  // namespace

std::vector<std::string> suggestion_list(std::string_view input,
                                         const std::vector<std::string>& options) {
  std::size_t threshold = input.size() * 4 / 10 + 1;
  std::vector<std::pair<std::size_t, std::string>> found;
  for (const auto& option : options) {
    if (auto d = distance(input, option, threshold)) found.emplace_back(*d, option);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  out.reserve(found.size());
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

std::string did_you_mean(const std::vector<std::string>& suggestions,
                         std::string_view sub_message) {
  if (suggestions.empty()) return {};
  auto q = [](const std::string& s) { return "\"" + s + "\""; };
  std::string out = " Did you mean ";
  if (!sub_message.empty()) out += std::string(sub_message) + " ";
  if (suggestions.size() == 1) return out + q(suggestions[0]) + "?";
  if (suggestions.size() == 2) return out + q(suggestions[0]) + " or " + q(suggestions[1]) + "?";
  std::size_t n = std::min(suggestions.size(), kMaxSuggestions);
  for (std::size_t i = 0; i + 1 < n; ++i) out += q(suggestions[i]) + ", ";
  return out + "or " + q(suggestions[n - 1]) + "?";
}

}  // namespace embark::emulator::graphql
