#pragma once
// `--export vllm FILE`: a load run's stages in the result JSON of vLLM's
// `bench serve` (benchmark_serving.py --save-result), so dashboards that read
// those files read llmbench runs. Formatting only: every figure is one the
// results JSON already holds (docs/metrics.md maps the names).
#include <string>
#include <string_view>

#include "llmbench/util/expected.hpp"

namespace llmbench::report {

// From the results JSON text (render_json). One stage: one object; several
// (a sweep, --repeat): an array of objects, each with llmbench's "label".
// A spec-mode file (no stages) is an error.
Expected<std::string> render_vllm_export(std::string_view results_json);

}  // namespace llmbench::report
