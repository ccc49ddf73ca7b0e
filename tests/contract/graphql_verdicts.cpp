// Prints the emulator engine's verdict on every document of the contract corpus, one line each:
// <file>\t<valid|invalid>\t<first error message> (the format of verdicts.mjs).
// Usage: graphql_verdicts SCHEMA.graphql CORPUS_DIR
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "graphql/parser.hpp"
#include "graphql/schema.hpp"
#include "graphql/validator.hpp"

namespace gql = embark::emulator::graphql;

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string one_line(std::string s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (ws) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: graphql_verdicts SCHEMA CORPUS_DIR\n";
    return 2;
  }
  std::string error;
  auto schema = gql::parse_schema(read_file(argv[1]), error);
  if (!schema) {
    std::cerr << "schema: " << error << "\n";
    return 2;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(argv[2])) {
    if (entry.path().extension() == ".graphql") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return a.filename().string() < b.filename().string();
  });
  for (const auto& file : files) {
    std::string text = read_file(file);
    gql::GraphqlError syntax;
    std::vector<gql::GraphqlError> errors;
    if (auto doc = gql::parse_document(text, syntax)) {
      errors = gql::validate(*schema, *doc);
    } else {
      errors.push_back(syntax);
    }
    std::cout << file.filename().string() << '\t' << (errors.empty() ? "valid" : "invalid") << '\t'
              << (errors.empty() ? std::string() : one_line(errors.front().message)) << '\n';
  }
  return 0;
}
