#include "llmbench/load/ramp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "llmbench/util/clock.hpp"
#include "llmbench/util/splitmix64.hpp"

namespace llmbench {

RampCurve::RampCurve(const RampPlan& ramp, double warmup_s, double duration_s) noexcept
    : ramp_(ramp), warmup_s_(std::max(0.0, warmup_s)), duration_s_(std::max(0.0, duration_s)), growth_per_s_(0) {
  if (ramp_.shape == RampShape::exponential && ramp_.from > 0 && ramp_.to > 0 && duration_s_ > 0) {
    growth_per_s_ = std::log(ramp_.to / ramp_.from) / duration_s_;
  }
}

double RampCurve::value_at(double t_s) const noexcept {
  if (t_s < warmup_s_) return ramp_.from;
  const double x = t_s - warmup_s_;
  if (x >= duration_s_) return ramp_.to;
  if (ramp_.shape == RampShape::exponential) return ramp_.from * std::exp(growth_per_s_ * x);
  return ramp_.from + (ramp_.to - ramp_.from) * x / duration_s_;
}

// Linear: r = A + kx, so the integral is Ax + kx²/2. Exponential: r = A e^{gx},
// the integral A (e^{gx} - 1) / g (expm1 keeps it exact as g goes to 0).
double RampCurve::ramp_integral(double x) const noexcept {
  x = std::clamp(x, 0.0, duration_s_);
  const double a = ramp_.from;
  if (ramp_.shape == RampShape::exponential) {
    return growth_per_s_ == 0 ? a * x : a * std::expm1(growth_per_s_ * x) / growth_per_s_;
  }
  const double k = duration_s_ > 0 ? (ramp_.to - a) / duration_s_ : 0;
  return a * x + k * x * x / 2;
}

// The inverse of ramp_integral. Linear: the root of kx²/2 + Ax - v = 0
// written as 2v / (A + sqrt(A² + 2kv)), which has no cancellation when k is
// small or negative and still holds for A = 0 (x = sqrt(2v / k)).
double RampCurve::ramp_inverse(double v) const noexcept {
  if (v <= 0) return 0;
  const double a = ramp_.from;
  if (ramp_.shape == RampShape::exponential) {
    return growth_per_s_ == 0 ? v / a : std::log1p(growth_per_s_ * v / a) / growth_per_s_;
  }
  const double k = duration_s_ > 0 ? (ramp_.to - a) / duration_s_ : 0;
  const double root = std::sqrt(std::max(0.0, a * a + 2 * k * v));
  return a + root > 0 ? std::min(duration_s_, 2 * v / (a + root)) : duration_s_;
}

double RampCurve::integral(double t_s) const noexcept {
  if (t_s <= 0) return 0;
  if (t_s <= warmup_s_) return ramp_.from * t_s;
  const double before = ramp_.from * warmup_s_;
  if (t_s <= warmup_s_ + duration_s_) return before + ramp_integral(t_s - warmup_s_);
  return before + ramp_integral(duration_s_) + ramp_.to * (t_s - warmup_s_ - duration_s_);
}

double RampCurve::inverse_integral(double u) const noexcept {
  if (u <= 0) return ramp_.from > 0 ? 0 : warmup_s_;
  const double warm = ramp_.from * warmup_s_;
  if (u <= warm) return u / ramp_.from;
  const double v = u - warm;
  const double whole = ramp_integral(duration_s_);
  if (v <= whole) return warmup_s_ + ramp_inverse(v);
  if (!(ramp_.to > 0)) return std::numeric_limits<double>::infinity();
  return warmup_s_ + duration_s_ + (v - whole) / ramp_.to;
}

std::vector<std::int64_t> make_ramp_arrivals(Arrival kind, const RampPlan& ramp, double burstiness,
                                             std::uint64_t seed, double warmup_s, double duration_s,
                                             double cooldown_s) {
  std::vector<std::int64_t> out;
  const RampCurve curve(ramp, warmup_s, duration_s);
  const double until_s = warmup_s + duration_s + cooldown_s;
  out.reserve(static_cast<std::size_t>(std::min(curve.integral(until_s) + 16, 5e7)));
  SplitMix64 rng(seed);
  double u = 0;  // expected arrivals so far: the time of a unit-rate process
  for (std::uint64_t i = 0;; ++i) {
    if (i > 0) {
      switch (kind) {
        case Arrival::constant: u = static_cast<double>(i); break;
        case Arrival::poisson: u += rng.exponential(1.0); break;
        case Arrival::gamma: u += rng.gamma(burstiness, 1.0 / burstiness); break;
      }
    }
    const double t_s = curve.inverse_integral(u);
    if (!(t_s < until_s)) break;
    out.push_back(seconds_to_ns(t_s));
  }
  return out;
}

std::vector<std::int64_t> ramp_client_starts(const RampPlan& ramp, double warmup_s, double duration_s) {
  const auto from = static_cast<int>(std::lround(ramp.from));
  const auto to = static_cast<int>(std::lround(ramp.to));
  std::vector<std::int64_t> out;
  for (int k = 1; k <= std::max(from, to); ++k) {
    double x = 0;
    if (k > from && to > from) {
      x = ramp.shape == RampShape::exponential && from > 0
              ? duration_s * std::log(static_cast<double>(k) / from) / std::log(static_cast<double>(to) / from)
              : duration_s * (k - from) / (to - from);
    }
    out.push_back(seconds_to_ns(k > from ? warmup_s + x : 0.0));
  }
  return out;
}

namespace {

// The closed loop's stepped client count averaged over [t0, t1): each
// client counts for the part of the interval after its start.
double mean_clients(const std::vector<std::int64_t>& starts_ns, double t0_s, double t1_s) {
  double sum = 0;
  for (const std::int64_t s : starts_ns) {
    const double from = std::max(t0_s, static_cast<double>(s) / 1e9);
    if (from < t1_s) sum += t1_s - from;
  }
  return sum / (t1_s - t0_s);
}

}  // namespace

double offered_load(const StagePlan& stage, bool trace, double t0_s, double t1_s) {
  if (stage.mode == LoadMode::spec || trace || !(t1_s > t0_s)) return -1;
  if (!stage.ramp) return stage.mode == LoadMode::open ? stage.rate_rps : stage.concurrency;
  if (stage.mode == LoadMode::closed) {
    return mean_clients(ramp_client_starts(*stage.ramp, stage.warmup_s, stage.duration_s), t0_s, t1_s);
  }
  const RampCurve curve(*stage.ramp, stage.warmup_s, stage.duration_s);
  return (curve.integral(t1_s) - curve.integral(t0_s)) / (t1_s - t0_s);
}

}  // namespace llmbench
