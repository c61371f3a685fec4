// vLLM `bench serve` result fields from a load run. See report/vllm_export.hpp.
#include "llmbench/report/vllm_export.hpp"

#include <simdjson.h>

#include <array>

#include "llmbench/report/json_writer.hpp"

namespace llmbench::report {

namespace {

using simdjson::dom::element;

double number_at(const element& e, std::string_view pointer) {
  double v = 0;
  if (e.at_pointer(pointer).get(v)) return 0.0;
  return v;
}

// vLLM's four latency families and ours: its TPOT is our TPOT (per request,
// excluding the first token), its ITL our ITL, its E2EL our E2E.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kLatencies{
    {{"ttft", "ttft_ms"}, {"tpot", "tpot_ms"}, {"itl", "itl_ms"}, {"e2el", "e2e_ms"}}};

void write_stage(JsonWriter& w, const element& stage) {
  const double window_s = number_at(stage, "/summary/measured_window_s");
  const double input = number_at(stage, "/summary/input_tokens");
  const double output_tps = number_at(stage, "/summary/output_tokens_per_second");
  std::string_view label;
  if (stage["label"].get(label)) label = "";
  w.begin_object();
  w.field("label", label);
  w.field("duration", window_s);
  w.field("completed", static_cast<std::uint64_t>(number_at(stage, "/summary/requests_succeeded")));
  w.field("failed", static_cast<std::uint64_t>(number_at(stage, "/summary/requests_failed")));
  w.field("total_input_tokens", static_cast<std::uint64_t>(input));
  w.field("total_output_tokens", static_cast<std::uint64_t>(number_at(stage, "/summary/output_tokens")));
  w.field("request_throughput", number_at(stage, "/summary/request_throughput"));
  w.key("request_goodput");
  double goodput = 0;
  if (stage.at_pointer("/summary/goodput/requests_per_second").get(goodput)) w.null();
  else w.value(goodput);
  w.field("output_throughput", output_tps);
  // The stage's own input tokens/s where the file has it: in a window cut
  // short, the prompt tokens of requests that ended after the cut are not
  // the window's, and the total does not say which those were.
  double input_tps = 0;
  if (stage.at_pointer("/summary/input_tokens_per_second").get(input_tps)) {
    input_tps = window_s > 0 ? input / window_s : 0.0;  // a file from before the field
  }
  w.field("total_token_throughput", output_tps + input_tps);
  w.field("max_concurrency", static_cast<std::uint64_t>(number_at(stage, "/concurrency")));
  for (const auto& [vllm, ours] : kLatencies) {
    const std::string base = "/summary/" + std::string(ours) + "/";
    w.field("mean_" + std::string(vllm) + "_ms", number_at(stage, base + "mean"));
    w.field("median_" + std::string(vllm) + "_ms", number_at(stage, base + "p50"));
    w.field("std_" + std::string(vllm) + "_ms", number_at(stage, base + "std"));
    for (const std::string_view p : {"p90", "p95", "p99"}) {
      w.field(std::string(p) + "_" + std::string(vllm) + "_ms", number_at(stage, base + std::string(p)));
    }
  }
  w.end_object();
}

}  // namespace

Expected<std::string> render_vllm_export(std::string_view results_json) {
  simdjson::dom::parser parser;
  element root;
  if (const auto err = parser.parse(results_json.data(), results_json.size()).get(root); err) {
    return Unexpected(std::string("results: ") + simdjson::error_message(err));
  }
  simdjson::dom::array stages;
  if (root["stages"].get(stages) || stages.size() == 0) {
    return Unexpected("--export vllm: this run has no load stages (vLLM's bench serve fields describe load runs)");
  }
  JsonWriter w;
  if (stages.size() > 1) w.begin_array();
  for (const element s : stages) write_stage(w, s);
  if (stages.size() > 1) w.end_array();
  std::string out = w.take();
  out += '\n';
  return out;
}

}  // namespace llmbench::report
