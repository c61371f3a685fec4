#include "llmbench/stats/confidence.hpp"

#include <array>
#include <cmath>
#include <limits>

namespace llmbench::stats {

namespace {
// t(0.975, df) for df = 1..30, four decimals.
constexpr std::array<double, 30> kSmallDf{
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010,  2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796,  2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423};

struct Knot {
  double df;
  double t;
};
// Beyond 30 the quantile is close to linear in 1/df; infinity is 1/df = 0.
constexpr std::array<Knot, 5> kLargeDf{{{30, 2.0423}, {40, 2.0211}, {60, 2.0003}, {120, 1.9799},
                                        {std::numeric_limits<double>::infinity(), 1.9600}}};
}  // namespace

double t_critical_95(std::uint64_t df) noexcept {
  if (df == 0) return std::numeric_limits<double>::quiet_NaN();
  if (df <= kSmallDf.size()) return kSmallDf[df - 1];
  const double inv = 1.0 / static_cast<double>(df);
  for (std::size_t i = 1; i < kLargeDf.size(); ++i) {
    const Knot a = kLargeDf[i - 1], b = kLargeDf[i];
    if (static_cast<double>(df) > b.df) continue;
    const double ia = 1.0 / a.df, ib = 1.0 / b.df;  // 1/inf == 0
    return a.t + (b.t - a.t) * (ia - inv) / (ia - ib);
  }
  return kLargeDf.back().t;
}

MeanInterval mean_interval_95(const std::vector<double>& samples) noexcept {
  MeanInterval r;
  double sum = 0;
  for (const double v : samples) {
    if (std::isnan(v)) continue;
    sum += v;
    ++r.n;
  }
  if (r.n == 0) return r;
  const double n = static_cast<double>(r.n);
  r.mean = r.low = r.high = sum / n;
  if (r.n < 2) return r;
  double squares = 0;
  for (const double v : samples) {
    if (!std::isnan(v)) squares += (v - r.mean) * (v - r.mean);
  }
  const double half = t_critical_95(r.n - 1) * std::sqrt(squares / (n - 1)) / std::sqrt(n);
  r.low = r.mean - half;
  r.high = r.mean + half;
  return r;
}

}  // namespace llmbench::stats
