#include "llmbench/cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "llmbench/stats/request_figures.hpp"

namespace llmbench::cli {

namespace {

// Live progress on stderr: one updating line on a terminal, else a log line
// every few seconds. The line ends when the stage's observers are dropped.
class ProgressPrinter {
 public:
  // `tokens`: the endpoint generates tokens (not embeddings or rerank), so
  // the line shows output tok/s.
  ProgressPrinter(const StagePlan& stage, std::size_t index, std::size_t count, bool tokens)
      : tty_(::isatty(STDERR_FILENO) == 1), stage_(stage), index_(index), count_(count), tokens_(tokens) {}
  ~ProgressPrinter() {
    if (tty_ && printed_) std::fputs("\n", stderr);
  }
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;

  void operator()(const Progress& p) {
    const double total = stage_.warmup_s + stage_.duration_s + stage_.cooldown_s;
    const std::string when = stage_.duration_s > 0 ? fmt::format("{:.0f}/{:.0f} s", p.elapsed_s, total)
                                                   : fmt::format("{:.0f} s", p.elapsed_s);
    const std::string count =
        stage_.requests > 0 ? fmt::format("{}/{}", p.stage->phases.measured, stage_.requests) : fmt::format("{}", p.ended);
    const std::string rate = tokens_ ? fmt::format("  {:.0f} tok/s", p.output_tokens_per_second) : std::string();
    const std::string line = fmt::format("[{}/{} {}] {}  done {}  in flight {}{}  errors {}", index_ + 1, count_,
                                         stage_.label, when, count, p.in_flight, rate, p.errors);
    if (tty_) {
      std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
      printed_ = true;
    } else if (p.elapsed_s - last_log_s_ >= 5.0) {
      std::fprintf(stderr, "%s\n", line.c_str());
      last_log_s_ = p.elapsed_s;
    }
  }

 private:
  bool tty_;
  StagePlan stage_;
  std::size_t index_, count_;
  bool tokens_;
  bool printed_ = false;
  double last_log_s_ = -10;
};

// Spec mode's per-run lines, as the guide's script prints while it runs.
class RunPrinter {
 public:
  RunPrinter(const RunPlan& plan, int runs) : plan_(plan), runs_(runs), done_(plan.groups.size()) {}
  void operator()(const RequestRecord& r) {
    const std::uint16_t g = plan_.prompts[r.prompt].group;
    const std::string& key = plan_.groups[g].key;
    if (r.phase == Phase::warmup) {
      std::fprintf(stderr, "Warm-up (%s): %s\n", key.c_str(),
                   r.ok() ? "ok" : fmt::format("{}: {}", to_string(r.error), r.message()).c_str());
      return;
    }
    const int n = ++done_[g];
    if (r.ok()) {
      // A body that was not streamed has no first-token time: "n/a", not -1.
      const auto ttft = stats::ttft_ns(r);
      const std::string ttft_text = ttft ? fmt::format("{:.1f} ms", static_cast<double>(*ttft) / 1e6) : "n/a";
      const int max_tokens = plan_.prompts[r.prompt].max_tokens;
      const std::string cut = stats::truncated(r, max_tokens)
                                  ? fmt::format("  TRUNCATED at {} of {} tokens ({})", r.completion_tokens, max_tokens,
                                                r.context_truncated ? "truncated" : "finish_reason length")
                                  : "";
      std::fprintf(stderr, "  %-20s run %d/%d: %7.2f tok/s  (%u tokens in %.2f s, TTFT %s)%s\n", key.c_str(), n, runs_,
                   stats::tokens_per_second(r).value_or(0.0), r.completion_tokens, stats::duration_s(r),
                   ttft_text.c_str(), cut.c_str());
    } else {
      std::fprintf(stderr, "  %-20s run %d/%d: FAILED %s: %s\n", key.c_str(), n, runs_,
                   std::string(to_string(r.error)).c_str(), r.message().data());
    }
  }

 private:
  const RunPlan& plan_;
  int runs_;
  std::vector<int> done_;
};

}  // namespace

StageObserversFn progress_observers(const ParsedSettings& p, const RunPlan& plan) {
  const bool quiet = p.raw.verbosity < 0;
  const bool live = !quiet && !p.raw.no_progress;
  const int runs = p.raw.runs;
  return [quiet, live, runs, &plan](std::size_t index, const StagePlan& stage, std::size_t count) {
    Observers obs;
    obs.progress_interval = std::chrono::milliseconds(::isatty(STDERR_FILENO) ? 250 : 1000);
    if (quiet) return obs;
    if (stage.mode == LoadMode::spec) {
      auto printer = std::make_shared<RunPrinter>(plan, runs);
      obs.record = [printer](const RequestRecord& r) { (*printer)(r); };
    } else if (live) {
      auto printer = std::make_shared<ProgressPrinter>(stage, index, count, protocol::generates(plan.flavor));
      obs.progress = [printer](const Progress& pr) { (*printer)(pr); };
    }
    return obs;
  };
}

}  // namespace llmbench::cli
