#include "internal/client/auth_decorator.hpp"

#include "embark/log.hpp"

namespace embark::internal {

void log_bearer_refused(std::string_view operation, const Secret& bearer) {
  logf(LogLevel::info, "auth", "{}: bearer {} refused, exchanging the access key again", operation,
       bearer.redacted());
}

}  // namespace embark::internal
