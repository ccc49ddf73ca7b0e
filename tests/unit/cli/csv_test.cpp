#include "csv.hpp"

#include <doctest/doctest.h>

using embark::cli::parse_csv;

TEST_CASE("csv: plain records, CRLF and LF, blank lines and a BOM") {
  auto doc = parse_csv(
      "\xEF\xBB\xBF"
      "a,b,c\r\n1,2,3\n\n4,,6\n");
  REQUIRE(doc.problems.empty());
  REQUIRE(doc.records.size() == 3);
  CHECK(doc.records[0].fields == std::vector<std::string>{"a", "b", "c"});
  CHECK(doc.records[1].line == 2);
  CHECK(doc.records[2].line == 4);
  CHECK(doc.records[2].fields == std::vector<std::string>{"4", "", "6"});
}

TEST_CASE("csv: quoted fields hold commas, doubled quotes and line breaks") {
  auto doc = parse_csv("x,\"a,b\",\"say \"\"hi\"\"\"\n\"two\nlines\",z,\"\"\nlast,1,2");
  REQUIRE(doc.problems.empty());
  REQUIRE(doc.records.size() == 3);
  CHECK(doc.records[0].fields == std::vector<std::string>{"x", "a,b", "say \"hi\""});
  CHECK(doc.records[1].fields == std::vector<std::string>{"two\nlines", "z", ""});
  CHECK(doc.records[1].line == 2);
  CHECK(doc.records[2].line == 4);  // the quoted line break moved the count on
  CHECK(doc.records[2].fields == std::vector<std::string>{"last", "1", "2"});
}

TEST_CASE("csv: a trailing comma gives an empty last field") {
  auto doc = parse_csv("a,\nb,");
  REQUIRE(doc.records.size() == 2);
  CHECK(doc.records[1].fields == std::vector<std::string>{"b", ""});
}

TEST_CASE("csv: malformed records are reported by line and the others are kept") {
  auto doc =
      parse_csv("h1,h2\nok,1\nbad\"quote,2\n\"closed\"junk,3\nfine,4\n\"never closed,5\nlost,6\n");
  REQUIRE(doc.records.size() == 3);
  CHECK(doc.records[1].fields[0] == "ok");
  CHECK(doc.records[2].fields[0] == "fine");
  CHECK(doc.records[2].line == 5);
  REQUIRE(doc.problems.size() == 3);
  CHECK(doc.problems[0].line == 3);
  CHECK(doc.problems[0].message.find("double quote inside an unquoted field") != std::string::npos);
  CHECK(doc.problems[1].line == 4);
  CHECK(doc.problems[1].message.find("after the closing quote") != std::string::npos);
  CHECK(doc.problems[2].line == 6);
  CHECK(doc.problems[2].message.find("never closed") != std::string::npos);
}
