// SampleServer in a build without the samples (EMBARK_SAMPLES=OFF or meson -Dsamples=false).
#include "demo_serve.hpp"

namespace embark::cli {

struct SampleServer::Impl {};

Result<std::unique_ptr<SampleServer>> SampleServer::start(const ServeOptions&) {
  return fail(ErrorCode::unimplemented,
              "this build has no sample embed server (configure with -DEMBARK_SAMPLES=ON, or meson "
              "-Dsamples=true)");
}

bool SampleServer::available() noexcept { return false; }

std::vector<SampleAccount> SampleServer::accounts() { return {}; }

SampleServer::SampleServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SampleServer::~SampleServer() = default;

std::string SampleServer::url() const { return {}; }
std::uint16_t SampleServer::port() const { return 0; }
void SampleServer::stop() {}

}  // namespace embark::cli
