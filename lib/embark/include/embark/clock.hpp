// Clock: the injectable wall clock of the pipeline and its caches.
#pragma once

#include <chrono>
#include <functional>

namespace embark {

/// Returns "now" on the wall clock (token expiries are wall-clock times). Must be thread-safe.
using Clock = std::function<std::chrono::system_clock::time_point()>;

/// The real clock (std::chrono::system_clock::now).
Clock system_clock();

}  // namespace embark
