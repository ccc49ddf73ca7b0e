// A small LRU cache of prepared documents keyed by (document text, operation name).
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "graphql/engine.hpp"

namespace embark::emulator::graphql {

/// Remembers the outcome of prepare() for recently seen documents. Thread-safe (one mutex).
class DocumentCache {
 public:
  /// Keeps at most `capacity` entries; documents longer than `max_document_bytes` are not cached.
  explicit DocumentCache(std::size_t capacity = 256,
                         std::size_t max_document_bytes = std::size_t{64} * 1024);

  /// The cached result for (query, operation_name), marking it most recently used.
  std::optional<Prepared> find(std::string_view query, std::string_view operation_name);

  /// Stores a result, evicting the least recently used entry when full.
  void insert(std::string_view query, std::string_view operation_name, const Prepared& prepared);

  /// Number of entries (for tests).
  std::size_t size() const;

 private:
  static std::string make_key(std::string_view query, std::string_view operation_name);

  struct Entry {
    std::string key;
    Prepared prepared;
  };

  std::size_t capacity_;
  std::size_t max_document_bytes_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

}  // namespace embark::emulator::graphql
