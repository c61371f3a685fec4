#include "llmbench/load/stop_rules.hpp"

#include <fmt/format.h>

#include "llmbench/util/clock.hpp"

namespace llmbench {

void StopRules::on_record(const RequestRecord& r) noexcept {
  // Requests cancelled at the end of a phase say nothing about the server.
  if (r.error == ErrorKind::cancelled) return;
  ++ended_;
  if (!r.ok()) ++failed_;
  if (r.error == ErrorKind::connect) {
    if (unreachable_since_ns_ < 0) unreachable_since_ns_ = r.end_ns;
  } else {
    unreachable_since_ns_ = -1;
  }
}

std::optional<StopReason> StopRules::check(std::int64_t now_ns) const {
  if (limits_.abort_after_s > 0 && unreachable_since_ns_ >= 0 &&
      now_ns - unreachable_since_ns_ >= seconds_to_ns(limits_.abort_after_s)) {
    return StopReason{StopKind::unreachable,
                      fmt::format("server at {} unreachable since t={:.1f} s; stopping", origin_,
                                  static_cast<double>(unreachable_since_ns_ - run_start_ns_) / 1e9)};
  }
  if (limits_.max_error_rate > 0 && ended_ >= limits_.min_requests_for_rate) {
    const double rate = static_cast<double>(failed_) / static_cast<double>(ended_);
    if (rate > limits_.max_error_rate) {
      return StopReason{StopKind::error_rate,
                        fmt::format("{} of {} requests failed ({:.1f}%), more than --max-error-rate {:g}; stopping",
                                    failed_, ended_, rate * 100, limits_.max_error_rate)};
    }
  }
  return std::nullopt;
}

}  // namespace llmbench
