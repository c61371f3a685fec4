#pragma once
// Service-level objectives for goodput (--slo): a request is "good" when it
// succeeded and met every bound. 0 means "no bound".
namespace llmbench::stats {

struct Slo {
  double ttft_ms = 0;
  double tpot_ms = 0;
  double e2e_ms = 0;
  [[nodiscard]] bool any() const noexcept { return ttft_ms > 0 || tpot_ms > 0 || e2e_ms > 0; }
};

}  // namespace llmbench::stats
