// RFC 4180 CSV reading that keeps going past bad records and reports them by line number.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace embark::cli {

/// One record: its fields and the (1-based) line on which it starts.
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

/// A record that could not be read, and why.
struct CsvProblem {
  std::size_t line = 0;
  std::string message;
};

/// The readable records and the problems, each in file order.
struct CsvDocument {
  std::vector<CsvRecord> records;
  std::vector<CsvProblem> problems;
};

/// Parses RFC 4180 text: comma-separated fields, CRLF or LF line ends, fields in double quotes
/// may hold commas, line breaks and doubled quotes (""). Blank lines and a UTF-8 byte-order mark
/// are skipped. A malformed record (a quote inside an unquoted field, text after a closing quote,
/// an unterminated quote) is reported and skipped; the records around it are still returned.
/// Pure function; thread-safe.
CsvDocument parse_csv(std::string_view text);

}  // namespace embark::cli
