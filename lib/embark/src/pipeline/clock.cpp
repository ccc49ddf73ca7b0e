#include "embark/clock.hpp"

namespace embark {

Clock system_clock() {
  return [] { return std::chrono::system_clock::now(); };
}

}  // namespace embark
