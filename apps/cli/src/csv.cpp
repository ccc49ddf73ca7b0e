#include "csv.hpp"

#include <fmt/format.h>

namespace embark::cli {
namespace {

class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  CsvDocument read() {
    CsvDocument doc;
    while (pos_ < text_.size()) {
      if (at_line_end()) {  // blank line
        consume_line_end();
        continue;
      }
      read_record(doc);
    }
    return doc;
  }

 private:
  bool at_line_end() const {
    return text_[pos_] == '\n' ||
           (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
  }
  void consume_line_end() {
    if (text_[pos_] == '\r') ++pos_;
    ++pos_;
    ++line_;
  }
  // After a malformed field the rest of the physical line belongs to the bad record.
  void skip_rest_of_line() {
    while (pos_ < text_.size() && !at_line_end()) ++pos_;
    if (pos_ < text_.size()) consume_line_end();
  }

  void read_record(CsvDocument& doc) {
    CsvRecord record{line_, {}};
    for (;;) {
      std::string field;
      const std::size_t field_number = record.fields.size() + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        const std::size_t opened_on = line_;
        ++pos_;
        bool closed = false;
        while (pos_ < text_.size()) {
          const char c = text_[pos_];
          if (c == '"') {
            if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
              field += '"';
              pos_ += 2;
              continue;
            }
            ++pos_;
            closed = true;
            break;
          }
          if (c == '\n') ++line_;
          field += c;
          ++pos_;
        }
        if (!closed) {
          doc.problems.push_back(
              {record.line, fmt::format("field {}: the quote opened on line {} is never closed",
                                        field_number, opened_on)});
          return;
        }
        if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
          doc.problems.push_back(
              {record.line, fmt::format("field {}: text after the closing quote", field_number)});
          skip_rest_of_line();
          return;
        }
      } else {
        while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
          if (text_[pos_] == '"') {
            doc.problems.push_back(
                {record.line,
                 fmt::format("field {}: a double quote inside an unquoted field (quote the whole "
                             "field and double the quote)",
                             field_number)});
            skip_rest_of_line();
            return;
          }
          field += text_[pos_++];
        }
      }
      record.fields.push_back(std::move(field));
      if (pos_ >= text_.size()) break;
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      consume_line_end();
      break;
    }
    doc.records.push_back(std::move(record));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

CsvDocument parse_csv(std::string_view text) { return CsvReader(text).read(); }

}  // namespace embark::cli
