#include "table.hpp"

#include <algorithm>
#include <ostream>

namespace embark::cli {
namespace {

// Display width in code points, so that UTF-8 emails and names line up.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_number(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (std::string& cell : cells)
    std::replace_if(
        cell.begin(), cell.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  rows_.push_back(std::move(cells));
}

void Table::render(std::ostream& out) const {
  const std::size_t columns = headers_.size();
  std::vector<std::size_t> widths(columns);
  std::vector<bool> numeric(columns, !rows_.empty());
  for (std::size_t c = 0; c < columns; ++c) {
    widths[c] = width(headers_[c]);
    for (const auto& row : rows_) {
      widths[c] = std::max(widths[c], width(row[c]));
      if (!row[c].empty() && !is_number(row[c])) numeric[c] = false;
    }
  }
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string text;
    for (std::size_t c = 0; c < columns; ++c) {
      const std::size_t pad = widths[c] - width(cells[c]);
      const bool last = c + 1 == columns;
      if (c) text += "  ";
      if (numeric[c] && !header) text.append(pad, ' ');
      text += cells[c];
      if ((!numeric[c] || header) && !last) text.append(pad, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << '\n';
  };
  line(headers_, true);
  std::vector<std::string> rule;
  for (std::size_t c = 0; c < columns; ++c) rule.emplace_back(widths[c], '-');
  line(rule, true);
  for (const auto& row : rows_) line(row, false);
}

}  // namespace embark::cli
