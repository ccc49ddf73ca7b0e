#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "embark/token_cache.hpp"

namespace embark {
namespace {

struct KeyHash {
  std::size_t operator()(const TokenKey& k) const noexcept {
    std::size_t h = std::hash<std::string>{}(k.workspace);
    h = h * 31 + std::hash<std::string>{}(k.email);
    h = h * 31 + static_cast<std::size_t>(k.session_attributes);
    h = h * 31 + static_cast<std::size_t>(k.entitlements);
    return h;
  }
};

}  // namespace

struct InMemoryTokenCache::State {
  InMemoryTokenCacheOptions options;
  mutable std::mutex mutex;
  std::unordered_map<TokenKey, SessionToken, KeyHash> tokens;

  // Full: drop expired tokens; if none expired, the one expiring soonest (least useful).
  void make_room(std::chrono::system_clock::time_point now) {
    for (auto it = tokens.begin(); it != tokens.end();) {
      it = it->second.expires_at <= now ? tokens.erase(it) : std::next(it);
    }
    if (tokens.size() < options.max_entries) return;
    auto soonest = std::min_element(tokens.begin(), tokens.end(), [](const auto& a, const auto& b) {
      return a.second.expires_at < b.second.expires_at;
    });
    if (soonest != tokens.end()) tokens.erase(soonest);
  }
};

InMemoryTokenCache::InMemoryTokenCache(InMemoryTokenCacheOptions options)
    : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  if (state_->options.max_entries == 0) state_->options.max_entries = 1;
  if (!state_->options.clock) state_->options.clock = system_clock();
}

InMemoryTokenCache::~InMemoryTokenCache() = default;

std::optional<SessionToken> InMemoryTokenCache::find(const TokenKey& key,
                                                     std::chrono::system_clock::time_point now,
                                                     std::chrono::seconds margin) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->tokens.find(key);
  if (it == state_->tokens.end()) return std::nullopt;
  if (it->second.expires_at <= now) {
    state_->tokens.erase(it);
    return std::nullopt;
  }
  if (it->second.expires_at - now <= margin) return std::nullopt;
  return it->second;
}

void InMemoryTokenCache::put(const TokenKey& key, const SessionToken& token) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->tokens.find(key);
  if (it != state_->tokens.end()) {
    // Never replace a token with one that expires sooner (a late background mint).
    if (token.expires_at >= it->second.expires_at) it->second = token;
    return;
  }
  if (state_->tokens.size() >= state_->options.max_entries)
    state_->make_room(state_->options.clock());
  state_->tokens.emplace(key, token);
}

void InMemoryTokenCache::erase(const TokenKey& key) {
  std::lock_guard lock(state_->mutex);
  state_->tokens.erase(key);
}

void InMemoryTokenCache::erase_user(std::string_view workspace, std::string_view email) {
  std::lock_guard lock(state_->mutex);
  std::erase_if(state_->tokens, [&](const auto& item) {
    return item.first.workspace == workspace && item.first.email == email;
  });
}

std::size_t InMemoryTokenCache::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->tokens.size();
}

// The default async members: the synchronous call, its exception (if any) as an error value.
boost::asio::awaitable<Result<std::optional<SessionToken>>> TokenCache::async_find(
    const TokenKey& key, std::chrono::system_clock::time_point now, std::chrono::seconds margin) {
  try {
    co_return find(key, now, margin);
  } catch (const std::exception& e) {
    co_return Error(ErrorCode::internal, std::string("token cache read failed: ") + e.what());
  }
}

boost::asio::awaitable<Result<void>> TokenCache::async_put(const TokenKey& key,
                                                           const SessionToken& token) {
  try {
    put(key, token);
    co_return Result<void>{};
  } catch (const std::exception& e) {
    co_return Error(ErrorCode::internal, std::string("token cache write failed: ") + e.what());
  }
}

boost::asio::awaitable<Result<void>> TokenCache::async_erase(const TokenKey& key) {
  try {
    erase(key);
    co_return Result<void>{};
  } catch (const std::exception& e) {
    co_return Error(ErrorCode::internal, std::string("token cache write failed: ") + e.what());
  }
}

boost::asio::awaitable<Result<void>> TokenCache::async_erase_user(std::string_view workspace,
                                                                  std::string_view email) {
  try {
    erase_user(workspace, email);
    co_return Result<void>{};
  } catch (const std::exception& e) {
    co_return Error(ErrorCode::internal, std::string("token cache write failed: ") + e.what());
  }
}

}  // namespace embark
