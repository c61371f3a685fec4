#pragma once
// Ramps (--ramp rate=A..B, --ramp concurrency=A..B): a stage whose offered
// load moves from A to B over its measured window, linearly or
// geometrically. Like every load mode, a ramp is only a schedule: the open
// loop's arrival times or the closed loop's client start times, decided
// before the run, so the one request path and the coordinated-omission
// rules stay those of the steady modes.
#include <cstdint>
#include <vector>

#include "llmbench/load/plan.hpp"

namespace llmbench {

// The offered load r(t) of a ramped stage, t in seconds from the stage's
// start: `from` through the warm-up, the ramp over the measured window,
// `to` through the cool-down. Its integral Λ(t) counts the expected
// arrivals of a rate ramp by t; a closed loop reads r(t) as its target
// client count.
class RampCurve {
 public:
  RampCurve(const RampPlan& ramp, double warmup_s, double duration_s) noexcept;
  [[nodiscard]] double value_at(double t_s) const noexcept;
  [[nodiscard]] double integral(double t_s) const noexcept;  // Λ(t), 0 at t = 0
  // The t at which Λ(t) = u (u >= 0): a unit-rate process mapped through it
  // has rate r(t). Within the cool-down, at `to` (infinite if `to` is 0).
  [[nodiscard]] double inverse_integral(double u) const noexcept;

 private:
  [[nodiscard]] double ramp_integral(double x_s) const noexcept;  // over [warmup, warmup + x]
  [[nodiscard]] double ramp_inverse(double v) const noexcept;     // x with ramp_integral(x) = v

  RampPlan ramp_;
  double warmup_s_;
  double duration_s_;
  double growth_per_s_;  // exponential: ln(to / from) / duration
};

// A rate ramp's intended send times, ns from the stage's start, up to
// warm-up + duration + cool-down. The arrival process keeps its meaning by
// time-rescaling: the gaps are drawn exactly as for a steady rate of 1/s
// (constant: 1; poisson: exponential; gamma: shape `burstiness`, mean 1) in
// "expected-arrival time" u, and each u is sent at Λ⁻¹(u). For Poisson this
// is the textbook construction of the non-homogeneous Poisson process of
// rate r(t); for constant it spaces arrivals 1/r(t) apart as the rate moves.
std::vector<std::int64_t> make_ramp_arrivals(Arrival kind, const RampPlan& ramp, double burstiness,
                                             std::uint64_t seed, double warmup_s, double duration_s,
                                             double cooldown_s);

// A concurrency ramp's client start times, ns from the stage's start, one
// per client that will run (max(from, to) of them, ascending): `from`
// clients at 0, then client k (k = from + 1, ..., to) when the curve
// crosses k. Clients only join: a falling concurrency ramp is refused by
// the command line.
std::vector<std::int64_t> ramp_client_starts(const RampPlan& ramp, double warmup_s, double duration_s);

// The offered load over [t0_s, t1_s) (seconds from the stage's start),
// averaged over the interval: intended arrivals per second for an open
// loop, target clients for a closed one (steady or ramped). -1 for stages
// without one (spec mode, a trace replay).
double offered_load(const StagePlan& stage, bool trace, double t0_s, double t1_s);

}  // namespace llmbench
