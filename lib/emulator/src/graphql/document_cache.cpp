#include "graphql/document_cache.hpp"

namespace embark::emulator::graphql {

DocumentCache::DocumentCache(std::size_t capacity, std::size_t max_document_bytes)
    : capacity_(capacity), max_document_bytes_(max_document_bytes) {}

// The length prefix keeps ("a", "bX") and ("ab", "X") apart.
std::string DocumentCache::make_key(std::string_view query, std::string_view operation_name) {
  std::string key = std::to_string(operation_name.size());
  key += ':';
  key.append(operation_name);
  key.append(query);
  return key;
}

std::optional<Prepared> DocumentCache::find(std::string_view query,
                                            std::string_view operation_name) {
  if (capacity_ == 0 || query.size() > max_document_bytes_) return std::nullopt;
  std::string key = make_key(query, operation_name);
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, it->second);
  return it->second->prepared;
}

void DocumentCache::insert(std::string_view query, std::string_view operation_name,
                           const Prepared& prepared) {
  if (capacity_ == 0 || query.size() > max_document_bytes_) return;
  std::string key = make_key(query, operation_name);
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) {
    entries_.splice(entries_.begin(), entries_, it->second);
    return;
  }
  entries_.push_front(Entry{std::move(key), prepared});
  index_.emplace(entries_.front().key, entries_.begin());
  if (entries_.size() > capacity_) {
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
}

std::size_t DocumentCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace embark::emulator::graphql
