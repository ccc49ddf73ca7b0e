// Progress of a long command: a redrawn bar on a terminal, plain lines otherwise.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>

namespace embark::cli {

/// Receives progress of a run of `total` units. Not thread-safe: call from one thread.
class Progress {
 public:
  virtual ~Progress() = default;
  /// The run starts; `what` names the units ("rows").
  virtual void start(std::size_t total, std::string what) = 0;
  /// `units` more are done, `failed` of them failed.
  virtual void advance(std::size_t units, std::size_t failed) = 0;
  /// The run is over (draws the final state).
  virtual void finish() = 0;
};

/// Ignores everything (for --json and tests).
class NoProgress final : public Progress {
 public:
  void start(std::size_t, std::string) override {}
  void advance(std::size_t, std::size_t) override {}
  void finish() override {}
};

/// A progress bar redrawn in place with '\r' (for a terminal).
std::unique_ptr<Progress> make_bar_progress(std::ostream& out, std::size_t width = 30);

/// Plain lines, one per tenth of the way and one at the end (for logs and pipes).
std::unique_ptr<Progress> make_line_progress(std::ostream& out);

}  // namespace embark::cli
