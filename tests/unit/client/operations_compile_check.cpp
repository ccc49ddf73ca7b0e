// Built only by compile_checks.cmake (the unit_compile_checks test), never linked. EMBARK_CASE 0
// is the complete set of operations and must compile; every other case leaves one piece of a
// vendor operation out and must fail to compile with the static_assert that names the piece.
#include <memory>
#include <tuple>

#include "internal/client/connection_factory.hpp"

namespace embark::internal {
namespace {

#if EMBARK_CASE == 0
// The real connection: every operation of AllOperations.
using Checked = LayeredConnectionOf<AllOperations>::Type;
#elif EMBARK_CASE == 1
// A WisdomConnection virtual (impersonate_user) whose descriptor is not in the list.
using Checked = LayeredConnectionOf<
    std::tuple<ListUsersOperation, CreateUsersOperation, SetUserAttributesOperation,
               DeleteUsersOperation, ExchangeOperation> >::Type;
#elif EMBARK_CASE == 2
// A descriptor in the list without its Override mixin.
struct ScratchOperation {
  static constexpr std::string_view kName = "scratch";
};
using Checked = LayeredConnectionOf<std::tuple<
    ListUsersOperation, CreateUsersOperation, SetUserAttributesOperation, DeleteUsersOperation,
    ImpersonateOperation, ExchangeOperation, ScratchOperation> >::Type;
#else
#error "unknown EMBARK_CASE"
#endif

}  // namespace

// Instantiates the whole class (members, vtable), as make_connection_stack does.
std::shared_ptr<WisdomConnection> make_checked(std::shared_ptr<CallLayer> top) {
  return std::make_shared<Checked>(std::move(top), std::chrono::milliseconds(1),
                                   &std::chrono::steady_clock::now);
}

}  // namespace embark::internal
