#include "llmbench/report/run_report.hpp"

#include <algorithm>
#include <cmath>

#include "llmbench/stats/running_stats.hpp"
#include "llmbench/stats/summary.hpp"

namespace llmbench::report {

double run_duration_s(const RequestRecord& r) {
  if (r.sent_ns < 0 || r.end_ns < r.sent_ns) return 0.0;
  return static_cast<double>(r.end_ns - r.sent_ns) / 1e9;
}

double run_tokens_per_second(const RequestRecord& r) {
  const double d = run_duration_s(r);
  return r.ok() && d > 0 ? static_cast<double>(r.completion_tokens) / d : 0.0;
}

double run_ttft_ms(const RequestRecord& r) {
  if (r.first_token_ns < 0 || r.sent_ns < 0) return -1.0;
  return static_cast<double>(r.first_token_ns - r.sent_ns) / 1e6;
}

double run_decode_tokens_per_second(const RequestRecord& r) {
  if (r.last_token_ns <= r.first_token_ns || r.first_token_ns < 0) return -1.0;
  const std::uint32_t n = r.content_events > 1 ? r.content_events : r.completion_tokens;
  if (n < 2) return -1.0;
  return static_cast<double>(n - 1) * 1e9 / static_cast<double>(r.last_token_ns - r.first_token_ns);
}

SpecStats spec_stats(const PromptResult& p) {
  SpecStats s;
  s.runs = p.records.size();
  stats::RunningStats tps, decode;
  std::vector<double> rates, ttfts;
  for (const RequestRecord& r : p.records) {
    if (!r.ok()) continue;
    ++s.succeeded;
    const double rate = run_tokens_per_second(r);
    tps.record(rate);
    rates.push_back(rate);
    if (const double d = run_decode_tokens_per_second(r); d >= 0) decode.record(d);
    if (const double t = run_ttft_ms(r); t >= 0) ttfts.push_back(t);
  }
  // Cancelled runs (an interrupted run) were never measured: not in the rate.
  const auto cancelled = static_cast<std::size_t>(
      std::count_if(p.records.begin(), p.records.end(), [](const RequestRecord& r) { return r.error == ErrorKind::cancelled; }));
  const std::size_t attempted = s.runs - cancelled;
  s.success_rate = attempted == 0 ? 0.0 : static_cast<double>(s.succeeded) / static_cast<double>(attempted);
  s.avg_tps = tps.mean();
  s.std_tps = tps.sample_std();
  s.cv = s.avg_tps > 0 ? s.std_tps / s.avg_tps : 0.0;
  s.min_tps = tps.min();
  s.max_tps = tps.max();
  s.median_tps = stats::median(rates);
  s.avg_decode_tps = decode.mean();
  if (!ttfts.empty()) {
    stats::RunningStats t;
    for (const double v : ttfts) t.record(v);
    s.ttft_ms.count = ttfts.size();
    s.ttft_ms.mean = t.mean();
    s.ttft_ms.min = t.min();
    s.ttft_ms.max = t.max();
    s.ttft_ms.p50 = stats::exact_percentile(ttfts, 50);
    s.ttft_ms.p90 = stats::exact_percentile(ttfts, 90);
    s.ttft_ms.p99 = stats::exact_percentile(ttfts, 99);
  }
  return s;
}

std::string_view cv_verdict(double cv) {
  if (cv < 0.05) return "excellent";
  if (cv <= 0.10) return "acceptable";
  return "suggests system instability";
}

double overall_avg_tokens_per_second(const RunReport& rep, const StageResult& stage) {
  (void)rep;
  double sum = 0;
  int n = 0;
  for (const PromptResult& p : stage.prompts) {
    if (stage.plan.mode == LoadMode::spec) {
      const SpecStats s = spec_stats(p);
      if (s.succeeded == 0) continue;
      sum += s.avg_tps;
    } else {
      if (p.measured.tps.empty()) continue;
      sum += p.measured.tps.mean();
    }
    ++n;
  }
  return n == 0 ? 0.0 : sum / n;
}

int find_knee(const std::vector<StageResult>& stages) {
  const std::size_t n = stages.size();
  if (n < 2) return -1;
  const auto tput = [&](std::size_t i) { return stages[i].overall.output_tokens_per_second(); };
  const auto p99 = [&](std::size_t i, bool ttft) {
    const auto& h = ttft ? stages[i].overall.ttft_ns : stages[i].overall.e2e_ns;
    return h.percentile(99);
  };
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (tput(i) <= 0) continue;
    bool flat = true, growing = true;
    for (std::size_t j = i + 1; j < n; ++j) {
      if (tput(j) >= tput(i) * 1.05) flat = false;
      if (!(p99(j, false) > p99(j - 1, false) || p99(j, true) > p99(j - 1, true))) growing = false;
    }
    if (flat && growing) return static_cast<int>(i);
  }
  return -1;
}

std::string display_model(const std::string& model_id) {
  const auto slash = model_id.find_last_of("/\\");
  return slash == std::string::npos ? model_id : model_id.substr(slash + 1);
}

}  // namespace llmbench::report
