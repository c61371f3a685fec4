// 256-bit unsigned arithmetic for the histogram's exact moments: wide enough
// for n * sumsq (< 2^254) and sum^2 (< 2^254), so the variance numerator is
// exact. Private to stats/ (histogram.cpp, histogram_codec.cpp).
#pragma once

#include <array>
#include <cstdint>

#include "llmbench/stats/histogram.hpp"

namespace llmbench::stats::wide {

// Little-endian 64-bit limbs.
using Wide = std::array<std::uint64_t, 4>;

Wide widen(const detail::Uint192& x) noexcept;
Wide widen(std::uint64_t x) noexcept;
// a * b modulo 2^256 (callers keep products below 2^256).
Wide mul(const Wide& a, const Wide& b) noexcept;
bool less(const Wide& a, const Wide& b) noexcept;
// a - b, for a >= b.
Wide sub(const Wide& a, const Wide& b) noexcept;
long double to_long_double(const Wide& x) noexcept;

}  // namespace llmbench::stats::wide
