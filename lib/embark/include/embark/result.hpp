// embark::Result<T>: a value or an embark::Error (see docs/adr/2026-11-27-error-model.md).
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include "embark/error.hpp"

namespace embark {

/// A T or an Error. `value()` throws embark::Exception on error; prefer checking `has_value()`.
template <class T>
using Result = boost::system::result<T, Error>;

/// Called by Result<T>::value() on an error (found by argument-dependent lookup).
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& loc);

/// Shorthand for a failed Result: `return fail(ErrorCode::not_found, "no such user");`
inline Error fail(ErrorCode code, std::string message) { return Error(code, std::move(message)); }

}  // namespace embark
