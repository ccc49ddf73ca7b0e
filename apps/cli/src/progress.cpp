#include "progress.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace embark::cli {
namespace {

class Counter : public Progress {
 public:
  void start(std::size_t total, std::string what) override {
    total_ = total;
    what_ = std::move(what);
    done_ = failed_ = 0;
    started();
  }
  void advance(std::size_t units, std::size_t failed) override {
    done_ = std::min(total_, done_ + units);
    failed_ += failed;
    changed();
  }

 protected:
  virtual void started() {}
  virtual void changed() = 0;
  std::string failed_note() const { return failed_ ? fmt::format(", {} failed", failed_) : ""; }

  std::size_t total_ = 0, done_ = 0, failed_ = 0;
  std::string what_;
};

class BarProgress final : public Counter {
 public:
  BarProgress(std::ostream& out, std::size_t width)
      : out_(out), width_(std::max<std::size_t>(width, 5)) {}
  void finish() override {
    draw();
    out_ << '\n' << std::flush;
  }

 private:
  void started() override { draw(); }
  void changed() override { draw(); }
  void draw() {
    const std::size_t filled = total_ ? done_ * width_ / total_ : width_;
    fmt::print(out_, "\r[{}{}] {}/{} {}{}", std::string(filled, '#'),
               std::string(width_ - filled, '.'), done_, total_, what_, failed_note());
    out_ << std::flush;
  }
  std::ostream& out_;
  std::size_t width_;
};

class LineProgress final : public Counter {
 public:
  explicit LineProgress(std::ostream& out) : out_(out) {}
  void finish() override {
    if (done_ != last_printed_ || total_ == 0) print();
  }

 private:
  void changed() override {
    const std::size_t tenth = total_ ? done_ * 10 / total_ : 10;
    if (tenth > last_tenth_ && done_ < total_) {
      last_tenth_ = tenth;
      print();
    }
  }
  void print() {
    last_printed_ = done_;
    fmt::print(out_, "progress: {}/{} {}{}\n", done_, total_, what_, failed_note());
    out_ << std::flush;
  }
  std::ostream& out_;
  std::size_t last_tenth_ = 0;
  std::size_t last_printed_ = static_cast<std::size_t>(-1);
};

}  // namespace

std::unique_ptr<Progress> make_bar_progress(std::ostream& out, std::size_t width) {
  return std::make_unique<BarProgress>(out, width);
}

std::unique_ptr<Progress> make_line_progress(std::ostream& out) {
  return std::make_unique<LineProgress>(out);
}

}  // namespace embark::cli
