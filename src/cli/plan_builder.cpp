#include "llmbench/cli/plan_builder.hpp"
#include "llmbench/cli/session_plan.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "llmbench/cli/exit_codes.hpp"
#include "llmbench/load/dataset.hpp"
#include "llmbench/load/model_mix.hpp"
#include "llmbench/load/prompts.hpp"
#include "llmbench/load/sweep.hpp"
#include "llmbench/load/synthetic.hpp"
#include "llmbench/load/trace.hpp"
#include "llmbench/protocol/control_plane.hpp"
#include "llmbench/util/realtime_offset.hpp"

namespace llmbench::cli {

PromptItem make_item(const RunPlan& plan, PromptSpec spec, const http::HeaderList& headers, std::uint16_t model) {
  protocol::GenerationRequest g;
  g.flavor = plan.flavor;
  g.model = plan.models.empty() ? plan.model : plan.models[model].name;
  // llama.cpp's /completion is sent without a model, except to a router,
  // which picks the model by it.
  g.model_in_native = !plan.models.empty();
  g.tools_json = spec.tools_json;
  g.tool_choice_json = spec.tool_choice_json;
  g.messages = std::move(spec.messages);
  g.prompt = spec.text;
  g.max_tokens = spec.max_tokens;
  g.stream = plan.stream;
  g.ignore_eos = spec.ignore_eos;
  g.cache_prompt = plan.cache_prompt;
  g.continuous_usage = plan.continuous_usage;
  PromptItem item;
  item.key = std::move(spec.key);
  item.text = std::move(spec.text);
  item.max_tokens = spec.max_tokens;
  item.ignore_eos = spec.ignore_eos;
  item.group = spec.group;
  item.model = model;
  item.input_tokens_hint = spec.input_tokens_hint;
  item.request = http::build_request("POST", plan.target, protocol::default_path(plan.flavor), headers,
                                     protocol::build_body(g), plan.stream ? "text/event-stream" : "application/json");
  return item;
}


namespace {

constexpr std::size_t kSyntheticPrompts = 256;
constexpr int kDefaultLoadMaxTokens = 256;
// A prompt as sent: one item, or with a mix one per model, consecutive
// (prompt b for model m at b x models + m), laid out by lay_out_model_mix.
void add_item(RunPlan& plan, const PromptSpec& spec, const http::HeaderList& headers) {
  if (plan.models.empty()) {
    plan.prompts.push_back(make_item(plan, spec, headers));
    return;
  }
  for (std::size_t m = 0; m < plan.models.size(); ++m) {
    plan.prompts.push_back(make_item(plan, spec, headers, static_cast<std::uint16_t>(m)));
  }
}

Status add_dataset_prompts(const Settings& s, const http::HeaderList& headers, RunPlan& plan) {
  auto entries = load_dataset(s.dataset);
  if (!entries) return Unexpected(entries.error());
  plan.groups.push_back(PromptGroup{"dataset", s.dataset, s.max_tokens});
  for (std::size_t i = 0; i < entries->size(); ++i) {
    DatasetEntry& e = (*entries)[i];
    int mt = s.max_tokens > 0 ? s.max_tokens : e.max_tokens;
    if (mt <= 0) mt = e.reference_output_chars > 0 ? std::max(1, static_cast<int>(e.reference_output_chars / 4)) : kDefaultLoadMaxTokens;
    PromptSpec spec{"dataset:" + std::to_string(i), e.prompt, std::move(e.messages), mt, s.ignore_eos, 0};
    spec.tools_json = std::move(e.tools_json);
    spec.tool_choice_json = std::move(e.tool_choice_json);
    add_item(plan, spec, headers);
  }
  return {};
}

// One line on how exact the synthetic lengths are (the README's "Synthetic
// prompts" says what is counted).
void report_synthetic_lengths(const std::vector<SyntheticPrompt>& prompts, protocol::ApiFlavor flavor) {
  std::size_t measured = 0, exact = 0, within_one = 0;
  for (const SyntheticPrompt& sp : prompts) {
    if (!sp.measured) continue;
    ++measured;
    const std::uint32_t off = sp.input_tokens > sp.target_tokens ? sp.input_tokens - sp.target_tokens
                                                                 : sp.target_tokens - sp.input_tokens;
    exact += off == 0;
    within_one += off <= 1;
  }
  if (measured == 0) return;  // the counter's warning said they are estimates
  spdlog::info("synthetic prompts: {} of {} at their drawn length exactly as the server counts them ({}), {} within 1 "
               "token",
               exact, prompts.size(), flavor == protocol::ApiFlavor::chat ? "chat template and BOS included" : "BOS included",
               within_one);
}

void add_synthetic_prompts(const ParsedSettings& p, const TargetSetup& t, RunPlan& plan) {
  const Settings& s = p.raw;
  const TokenCounter counter = server_token_counter(t, p.flavor);
  const auto prompts =
      make_synthetic_prompts(*p.input_tokens, p.output_tokens, kSyntheticPrompts, s.seed, counter, p.prefix);
  report_synthetic_lengths(prompts, p.flavor);
  // With shared prefixes, a statistics group per prefix: prefill, TTFT and
  // cache hits per group are what a shared system prompt does to a server.
  const auto first_group = static_cast<std::uint16_t>(plan.groups.size());
  if (p.prefix.tokens == 0) {
    plan.groups.push_back(PromptGroup{"synthetic", "synthetic prompts, input tokens " + s.input_tokens, 0});
  } else {
    for (std::uint32_t g = 0; g < p.prefix.groups; ++g) {
      plan.groups.push_back(PromptGroup{"prefix " + std::to_string(g),
                                        "synthetic prompts, shared prefix " + std::to_string(g) + " of " +
                                            std::to_string(p.prefix.tokens) + " tokens, then input tokens " +
                                            s.input_tokens,
                                        0});
    }
  }
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const DatasetEntry& e = prompts[i].entry;
    const int mt = s.max_tokens > 0 ? s.max_tokens : (e.max_tokens > 0 ? e.max_tokens : kDefaultLoadMaxTokens);
    add_item(plan,
             {"synthetic:" + std::to_string(i), e.prompt, {}, mt, s.ignore_eos || p.output_tokens.has_value(),
              static_cast<std::uint16_t>(first_group + prompts[i].prefix_group), prompts[i].input_tokens},
             t.headers);
  }
}

// One prompt per replayed trace row, in arrival order (arrival i sends
// prompt i): the row's input length of synthetic text (shared blocks for
// shared hash ids) and exactly its output length (ignore_eos). With
// /tokenize, each row is fitted to its input length as the server counts
// it (up to kMaxFittedTraceRows rows; a few counts each); otherwise, or for
// a longer trace, its length comes from one calibration on a sample.
void add_trace_prompts(const ParsedSettings& p, const TargetSetup& t, RunPlan& plan) {
  const TraceReplay& tr = *p.trace;
  const TokenCounter counter = server_token_counter(t, p.flavor);
  const double words_per_token = calibrate_words_per_token(p.raw.seed, counter);
  plan.groups.push_back(PromptGroup{"trace", "trace " + tr.file + " (" + std::string(to_string(tr.format)) + ")", 0});
  bool fit = tr.rows.size() <= kMaxFittedTraceRows;
  std::size_t exact = 0;
  for (std::size_t i = 0; i < tr.rows.size(); ++i) {
    const TraceRow& row = tr.rows[i];
    std::string text;
    std::uint32_t hint = row.input_tokens;
    if (fit) {
      FittedText f = fitted_trace_prompt(row, i, p.raw.seed, words_per_token, counter);
      fit = f.count.has_value();
      if (fit) {
        text = std::move(f.text);
        hint = *f.count;
        exact += hint == row.input_tokens;
      }
    }
    if (text.empty()) text = trace_prompt_text(row, i, p.raw.seed, words_per_token);
    add_item(plan, {"trace:" + std::to_string(i), std::move(text), {}, static_cast<int>(row.output_tokens), true, 0, hint},
             t.headers);
  }
  if (tr.rows.size() > kMaxFittedTraceRows) {
    spdlog::info("trace prompts: {} rows, more than the {} fitted one by one: input lengths are calibrated estimates",
                 tr.rows.size(), kMaxFittedTraceRows);
  } else if (fit) {
    spdlog::info("trace prompts: {} of {} rows at their input length exactly as the server counts them", exact,
                 tr.rows.size());
  }
}

TracePlan trace_plan(const TraceReplay& tr) {
  TracePlan out;
  out.file = tr.file;
  out.format = std::string(to_string(tr.format));
  out.rows_in_file = tr.rows_in_file;
  out.speed = tr.speed;
  out.window_start_s = tr.window.start_s;
  out.window_end_s = tr.window.end_s.value_or(-1);
  out.at_ns.reserve(tr.rows.size());
  for (const TraceRow& r : tr.rows) out.at_ns.push_back(r.at_ns);
  return out;
}

// A replay is one open-loop stage over the trace's arrivals, all measured.
// Its nominal rate (rows over their span) only sizes the worker threads.
StagePlan trace_stage(const TraceReplay& tr, int max_concurrency) {
  StagePlan st;
  st.label = "trace";
  st.mode = LoadMode::open;
  st.max_concurrency = max_concurrency;
  st.requests = tr.rows.size();
  const double span_s = static_cast<double>(tr.rows.back().at_ns) / 1e9;
  st.rate_rps = span_s > 0 ? static_cast<double>(tr.rows.size()) / span_s : static_cast<double>(tr.rows.size());
  return st;
}

void add_builtin_prompts(const Settings& s, const http::HeaderList& headers, RunPlan& plan) {
  std::vector<const BuiltinPrompt*> chosen;
  if (s.prompts.empty()) {
    for (const BuiltinPrompt& bp : builtin_prompts()) chosen.push_back(&bp);
  } else {
    for (const std::string& key : s.prompts) chosen.push_back(find_builtin_prompt(key));
  }
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const BuiltinPrompt& bp = *chosen[i];
    const int mt = s.max_tokens > 0 ? s.max_tokens : bp.max_tokens;
    plan.groups.push_back(PromptGroup{std::string(bp.key), std::string(bp.text), mt});
    add_item(plan, {std::string(bp.key), std::string(bp.text), {}, mt, s.ignore_eos, static_cast<std::uint16_t>(i)},
             headers);
  }
}

// The stages known before the run (an automatic sweep adds its rates after
// its second stage: see load/sweep.hpp).
std::vector<StagePlan> plan_stages(const ParsedSettings& p) {
  const Settings& s = p.raw;
  if (!p.load_mode) {
    StagePlan st;
    st.label = "spec";
    st.mode = LoadMode::spec;
    st.runs = s.runs;
    st.warmup_requests = s.warmup;
    return {st};
  }
  if (p.trace) return {trace_stage(*p.trace, s.max_concurrency)};
  if (p.ramp) return {ramp_stage(*p.ramp, s)};
  if (!p.config_stages.empty()) return p.config_stages;
  const StageBounds b{s.requests, s.duration_s, s.warmup_s, s.cooldown_s, s.max_concurrency};
  std::vector<StagePlan> stages;
  switch (p.sweep.kind) {
    case SweepSpec::Kind::concurrency:
      for (const double c : p.sweep.values) stages.push_back(closed_stage(b, static_cast<int>(c)));
      break;
    case SweepSpec::Kind::rate:
      for (const double r : p.sweep.values) stages.push_back(open_stage(b, r));
      break;
    case SweepSpec::Kind::automatic:
      stages = auto_sweep_stages(b, s.concurrency > 1 ? s.concurrency : 64);
      break;
    case SweepSpec::Kind::none:
      stages.push_back(s.rate > 0 ? open_stage(b, s.rate) : closed_stage(b, std::max(1, s.concurrency)));
      break;
  }
  return stages;
}

RunPlan plan_settings(const ParsedSettings& p, const TargetSetup& t, const ServerInfo& server) {
  const Settings& s = p.raw;
  RunPlan plan;
  plan.target = t.target;
  plan.model = server.model;
  if (p.models.size() > 1) plan.models = p.models;
  plan.flavor = p.flavor;
  plan.stream = s.stream && protocol::generates(p.flavor);  // embeddings and rerank answer with one body
  plan.cache_prompt = p.cache_prompt;
  // Hosted APIs (https) may refuse a field they do not know; local servers
  // (llama-server, vLLM, SGLang) take or ignore it.
  plan.continuous_usage = p.continuous_usage.value_or(!t.target.tls);
  plan.erase_slots = s.erase_slots;
  plan.timeout_s = s.timeout_s;
  plan.idle_timeout_s = s.idle_timeout_s;
  plan.max_event_bytes = static_cast<std::size_t>(s.max_event_bytes);
  plan.stamp_lag = s.stamp_lag;
  plan.timestamps = p.timestamps;
  plan.keepalive = s.keepalive;
  plan.threads = s.threads;  // 0: the engine chooses per stage (engine.cpp, auto_workers)
  plan.seed = s.seed;
  plan.arrival = p.arrival;
  plan.burstiness = s.burstiness;
  plan.slo = p.slo;
  plan.client_limits = p.client_limits;
  plan.secrets = t.secrets;
  plan.timeseries_interval_s = s.timeseries_interval_s;
  plan.repeat = s.repeat;
  plan.abort_after_s = s.abort_after_s;
  plan.max_error_rate = s.max_error_rate;
  plan.stages = plan_stages(p);
  plan.auto_sweep = p.sweep.kind == SweepSpec::Kind::automatic;
  plan.shard = p.scale.shard;
  if (p.trace) plan.trace = trace_plan(*p.trace);
  if (p.scale.start_at_unix_ns) {
    // The agreed wall-clock instant, on this process's steady clock.
    plan.start_at_ns = *p.scale.start_at_unix_ns - sample_realtime_offset(RealtimeOffset::kSampleTries).offset_ns;
  }
  return plan;
}

}  // namespace

// Counts a request's whole prompt as the server processes it: for chat, the
// text rendered by the server's POST /apply-template (the chat template's own
// tokens), then POST /tokenize with the BOS the server adds. Without
// /apply-template (another server, an old llama-server) it warns once and
// counts the text alone. After /tokenize's first failure it stops asking and
// warns once that lengths are estimates.
TokenCounter server_token_counter(const TargetSetup& t, protocol::ApiFlavor flavor) {
  auto last_answer = std::make_shared<std::string>();
  auto templated = std::make_shared<bool>(flavor == protocol::ApiFlavor::chat);
  const TokenCounter ask = [&t, last_answer, templated](const std::string& text) -> std::optional<std::uint32_t> {
    std::string prompt = text;
    if (*templated) {
      const http::FetchResult a =
          http::fetch(t.target, "POST", "/apply-template", protocol::apply_template_body(text), t.fetch);
      std::optional<std::string> rendered;
      if (a.ok && a.status == 200) rendered = protocol::applied_prompt(a.body);
      if (rendered) {
        prompt = std::move(*rendered);
      } else {
        *templated = false;
        spdlog::warn("POST /apply-template failed ({}): synthetic prompt lengths do not count the chat template's "
                     "own tokens",
                     a.ok ? "HTTP " + std::to_string(a.status) : a.error);
      }
    }
    const http::FetchResult r =
        http::fetch(t.target, "POST", "/tokenize", protocol::tokenize_body(prompt, /*add_special=*/true), t.fetch);
    *last_answer = r.ok ? "HTTP " + std::to_string(r.status) : r.error;
    if (!r.ok || r.status != 200) return std::nullopt;
    return protocol::token_count(r.body);
  };
  return stop_after_first_failure(ask, [last_answer] {
    spdlog::warn("POST /tokenize failed ({}): synthetic prompt lengths are estimates (about one token a word)",
                 *last_answer);
  });
}

Step<RunPlan> build_plan(const ParsedSettings& p, const TargetSetup& t, const ServerInfo& server) {
  RunPlan plan = plan_settings(p, t, server);
  if (p.session && !p.raw.dataset.empty()) {
    if (Status st = add_dataset_sessions(p, t, plan); !st) return fail(kExitUsage, st.error());
  } else if (p.session) {
    add_synthetic_sessions(p, t, plan);
  } else if (!p.raw.dataset.empty()) {
    if (Status st = add_dataset_prompts(p.raw, t.headers, plan); !st) return fail(kExitUsage, st.error());
  } else if (p.trace) {
    add_trace_prompts(p, t, plan);
  } else if (p.input_tokens) {
    add_synthetic_prompts(p, t, plan);
  } else {
    add_builtin_prompts(p.raw, t.headers, plan);
  }
  // A trace's arrival i sends row i; other prompts are sent round robin, so
  // a mix lays them out over whole rounds.
  const std::size_t base = plan.models.empty() ? 0 : plan.prompts.size() / plan.models.size();
  lay_out_model_mix(plan, p.trace ? base : mix_slots(base));
  return plan;
}

}  // namespace llmbench::cli
