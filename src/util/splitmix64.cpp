#include "llmbench/util/splitmix64.hpp"

#include <cmath>

namespace llmbench {

double SplitMix64::normal() noexcept {
  const double u1 = uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double SplitMix64::exponential(double mean) noexcept { return -std::log(uniform()) * mean; }

// Marsaglia & Tsang (2000). Shapes below 1 use the boost
// gamma(k) = gamma(k+1) * U^(1/k).
double SplitMix64::gamma(double shape, double scale) noexcept {
  if (shape < 1.0) {
    const double g = gamma(shape + 1.0, 1.0);
    return g * std::pow(uniform(), 1.0 / shape) * scale;
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0;
    double v = 0;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v * scale;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v * scale;
  }
}

}  // namespace llmbench
