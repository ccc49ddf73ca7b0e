// Lets doctest print embark::Result values in failed assertions (value or error.to_string()).
#pragma once

#include <doctest/doctest.h>

#include "embark/result.hpp"

namespace doctest {

template <class T>
struct StringMaker<boost::system::result<T, embark::Error>> {
  static String convert(const boost::system::result<T, embark::Error>& r) {
    return r ? String("ok") : String(("error: " + r.error().to_string()).c_str());
  }
};

}  // namespace doctest
