// 256-bit unsigned arithmetic for the histogram's exact moments (wide_uint.hpp).
#include "wide_uint.hpp"

#include <cmath>

namespace llmbench::stats::wide {

Wide widen(const detail::Uint192& x) noexcept { return {x.limb[0], x.limb[1], x.limb[2], 0}; }
Wide widen(std::uint64_t x) noexcept { return {x, 0, 0, 0}; }

Wide mul(const Wide& a, const Wide& b) noexcept {
  Wide r{};
  for (std::size_t i = 0; i < r.size(); ++i) {
    detail::uint128 carry = 0;
    for (std::size_t j = 0; i + j < r.size(); ++j) {
      carry += static_cast<detail::uint128>(a[i]) * b[j] + r[i + j];
      r[i + j] = static_cast<std::uint64_t>(carry);
      carry >>= 64;
    }
  }
  return r;
}

bool less(const Wide& a, const Wide& b) noexcept {
  for (std::size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return false;
}

Wide sub(const Wide& a, const Wide& b) noexcept {
  Wide r{};
  std::uint64_t borrow = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const std::uint64_t d = a[i] - b[i];
    r[i] = d - borrow;
    borrow = (a[i] < b[i] || d < borrow) ? 1 : 0;
  }
  return r;
}

long double to_long_double(const Wide& x) noexcept {
  long double r = 0;
  for (std::size_t i = x.size(); i-- > 0;) r = std::ldexp(r, 64) + static_cast<long double>(x[i]);
  return r;
}

}  // namespace llmbench::stats::wide
