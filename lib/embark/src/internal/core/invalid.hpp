// invalid(): the Error{invalid_input} naming a field, shared by the parts that validate input.
#pragma once

#include <string>
#include <utility>

#include "embark/error.hpp"

namespace embark::internal {

/// Error{invalid_input} with `message`, naming `field`.
inline Error invalid(std::string field, std::string message) {
  return Error(ErrorCode::invalid_input, std::move(message)).with_field(std::move(field));
}

}  // namespace embark::internal
