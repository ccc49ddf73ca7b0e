#include "embark/connection.hpp"

namespace embark::detail {

Error unimplemented_operation(const char* operation) {
  return Error(ErrorCode::unimplemented, "this connection does not implement the operation")
      .with_operation(operation);
}

}  // namespace embark::detail
