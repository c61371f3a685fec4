#pragma once
// --erase-slots: llama-server's prompt cache emptied before each measured
// spec run, so every run evaluates its whole prompt (cold prefill) and runs
// of one prompt do not differ by what the cache happened to hold. Outside
// the measured path: blocking control-plane requests, between runs.
#include <cstdint>
#include <string>

#include "llmbench/cli/failure.hpp"
#include "llmbench/cli/probe.hpp"
#include "llmbench/cli/target.hpp"
#include "llmbench/report/run_report.hpp"

namespace llmbench::cli {

class SlotEraser {
 public:
  // Learns the slot count from /props (total_slots) and erases every slot
  // once: a server that refuses (llama-server without --slot-save-path
  // answers 501), is unreachable, or reports no slot count is a one-line
  // error (exit 2), before anything is measured.
  static Step<SlotEraser> start(const TargetSetup& t, const ServerInfo& server);

  // Before a measured run: every slot. A failure is counted (the first one's
  // reason kept and logged) and the run goes on.
  void erase_all();

  [[nodiscard]] const report::SlotErasure& counts() const noexcept { return counts_; }

 private:
  SlotEraser(const TargetSetup& t, int slots) : t_(&t), slots_(slots) {}
  // One POST /slots/{id}?action=erase; "" when the server answered 200,
  // else why not, in one line.
  [[nodiscard]] std::string erase(int slot) const;

  const TargetSetup* t_;
  int slots_;
  report::SlotErasure counts_;
};

}  // namespace llmbench::cli
