#pragma once
// When a stage stops early, before its schedule is over: the server has been
// unreachable for --abort-after seconds (every request since then failed to
// connect), or more than --max-error-rate of the stage's requests failed.
// Pure: the aggregator feeds it every record and asks it on every turn of
// its loop (a dead server produces few records once clients back off, so the
// clock, not a record, must trigger the stop).
#include <cstdint>
#include <optional>
#include <string>

#include "llmbench/record/record.hpp"

namespace llmbench {

enum class StopKind : std::uint8_t { unreachable, error_rate };

struct StopReason {
  StopKind kind = StopKind::unreachable;
  std::string message;  // one line, for the terminal and the results
};

struct StopLimits {
  double abort_after_s = 5;     // 0: never
  double max_error_rate = 0;    // 0: never; else a share in (0, 1]
  std::uint64_t min_requests_for_rate = 20;
};

class StopRules {
 public:
  StopRules(StopLimits limits, std::string origin, std::int64_t run_start_ns)
      : limits_(limits), origin_(std::move(origin)), run_start_ns_(run_start_ns) {}

  void on_record(const RequestRecord& r) noexcept;
  // The first rule broken by `now_ns`, if any.
  [[nodiscard]] std::optional<StopReason> check(std::int64_t now_ns) const;

 private:
  StopLimits limits_;
  std::string origin_;
  std::int64_t run_start_ns_;
  // The end of the first connect failure since the last record that was not
  // one (a response, or another kind of failure); -1: none pending.
  std::int64_t unreachable_since_ns_ = -1;
  std::uint64_t ended_ = 0;
  std::uint64_t failed_ = 0;
};

}  // namespace llmbench
