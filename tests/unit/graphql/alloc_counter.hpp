// Counts live heap bytes of the whole test program (operator new/delete are replaced in
// alloc_counter.cpp), so that a test can measure the peak memory of one piece of work.
#pragma once

#include <cstddef>

namespace embark::test {

/// Bytes currently allocated through operator new.
std::size_t live_heap_bytes() noexcept;
/// Highest live_heap_bytes() since the last reset_peak_heap_bytes().
std::size_t peak_heap_bytes() noexcept;
/// Starts a new peak measurement from the current live bytes.
void reset_peak_heap_bytes() noexcept;

}  // namespace embark::test
