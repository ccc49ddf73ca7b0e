// Plain-text tables for the command's readable output.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace embark::cli {

/// Columns separated by two spaces, padded to the widest cell, a dashed line under the header.
/// Cells are shown as given (one line each; line breaks are shown as spaces). Not thread-safe.
class Table {
 public:
  /// A table with these column titles.
  explicit Table(std::vector<std::string> headers);
  /// Appends a row; missing cells are blank, extra cells are dropped.
  void add_row(std::vector<std::string> cells);
  /// Number of rows (without the header).
  std::size_t size() const noexcept { return rows_.size(); }
  /// Writes the table; numbers-only columns are right-aligned.
  void render(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace embark::cli
