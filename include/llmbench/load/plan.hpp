#pragma once
// RunPlan: everything the engine needs, decided before the first request.
//
// The command line and config files produce a RunPlan; the engine never looks
// at flags. Load modes are schedules over one request path (STYLE.md, oha's
// warning): spec mode is a closed loop of one client running a fixed list of
// tickets; load mode a closed loop of C clients or an open loop of arrivals.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmbench/http/read_timestamps.hpp"
#include "llmbench/http/request.hpp"
#include "llmbench/http/url.hpp"
#include "llmbench/protocol/api.hpp"
#include "llmbench/stats/client_limits.hpp"
#include "llmbench/stats/slo.hpp"

namespace llmbench {

// One prompt as sent: the request bytes are serialised once, here.
struct PromptItem {
  std::string key;        // "memory_sequential", "dataset:12", "synthetic:3"
  std::string text;       // what the user sees in reports
  int max_tokens = 0;
  bool ignore_eos = false;  // the request asks for exactly max_tokens
  std::string request;    // the complete HTTP request, headers and body
  std::uint32_t input_tokens_hint = 0;  // from /tokenize calibration, 0 if unknown
  std::uint16_t group = 0;  // statistics are kept per group: a built-in key, or one for a whole dataset
  // A session turn's request (plan.session set): where its history goes
  // (load/session.hpp finds these once, when the plan is made).
  std::uint32_t history_at = 0;    // byte offset in `request`: chat, after `"messages":[`; else inside "prompt"
  std::uint32_t own_begin = 0;     // this turn's own messages (chat) or prompt text (others), escapes kept
  std::uint32_t own_end = 0;
  std::uint32_t length_begin = 0;  // the Content-Length header's digits
  std::uint32_t length_end = 0;
  std::uint16_t model = 0;  // index into RunPlan::models (a --model mix); 0 without one
};

// One model of a weighted mix (--model a=0.7,b=0.3): its share of the
// requests, normalised so that the mix's weights add up to 1.
struct ModelShare {
  std::string name;
  double weight = 1.0;
};

// A statistics group: a built-in prompt key, "dataset" or "synthetic".
struct PromptGroup {
  std::string key;
  std::string text;  // the prompt for a built-in key; a description otherwise
  int max_tokens = 0;
};

enum class LoadMode : std::uint8_t { spec, closed, open };
enum class Arrival : std::uint8_t { constant, poisson, gamma };
enum class RampShape : std::uint8_t { linear, exponential };

// A load that changes over the measured window (--ramp): the open loop's
// rate or the closed loop's client count goes from `from` to `to` over
// duration_s (load/ramp.hpp). Warm-up runs at `from`, cool-down at `to`.
struct RampPlan {
  double from = 0;
  double to = 0;
  RampShape shape = RampShape::linear;
};

struct StagePlan {
  std::string label;            // "spec", "concurrency=4", "rate=2.5"
  LoadMode mode = LoadMode::spec;
  // spec: per prompt, `warmup_requests` tickets then `runs`, one at a time.
  int runs = 5;
  int warmup_requests = 1;
  // closed loop
  int concurrency = 1;
  // open loop
  double rate_rps = 0;
  int max_concurrency = 0;      // 0: unbounded
  // bounds of the measured window (0: unbounded; at least one must be set in load modes)
  std::uint64_t requests = 0;
  double duration_s = 0;
  double warmup_s = 0;
  double cooldown_s = 0;
  // --ramp: open loop, rate_rps is the larger end (it sizes the workers);
  // closed loop, concurrency is the larger end (every client there will be).
  std::optional<RampPlan> ramp;
};

// This process's part of a run spread over several (--shard I/N): see
// load/shard.hpp for how a stage is divided.
struct ShardPlan {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
};

// A trace replay (--trace): the arrivals come from a file instead of a rate.
struct TracePlan {
  std::string file;             // as given on the command line
  std::string format;           // "mooncake" or "azure"
  std::size_t rows_in_file = 0;
  double speed = 1.0;           // --trace-speed: 2 replays twice as fast
  double window_start_s = 0;    // --trace-window, seconds of the trace from its first arrival
  double window_end_s = -1;     // -1: to the trace's end
  // Every replayed arrival (row i of the window sends prompt i), ns from the
  // stage's start: the window's start is 0, times divided by the speed.
  std::vector<std::int64_t> at_ns;
};

// Multi-turn sessions (--turns): a session sends its conversation's turns in
// order on one client, each carrying the history so far: the earlier turns
// and the replies the server actually sent (load/session.hpp).
struct SessionPlan {
  // Each conversation's turns, as prompt indices in order. Tickets pick a
  // conversation; the turns' prompts carry their statistics group.
  std::vector<std::vector<std::uint32_t>> conversations;
  double think_mean_s = 0;     // --think-time: between a reply's end and the next turn
  double think_stddev_s = 0;
  std::uint32_t max_history_tokens = 0;  // 0: unbounded; else the oldest turns are dropped
  std::uint16_t max_turns = 0;            // the longest conversation
};

struct RunPlan {
  http::Target target;
  protocol::ApiFlavor flavor = protocol::ApiFlavor::chat;
  std::string model;
  bool stream = true;
  std::optional<bool> cache_prompt;  // sent in every request when set (--cache-prompt)
  bool continuous_usage = false;     // streamed requests ask for usage in every event
  bool erase_slots = false;     // spec: the slots are emptied before each measured run (--erase-slots)
  double timeout_s = 30;        // per request, connect to last byte
  double idle_timeout_s = 0;    // between bytes; 0: only the overall timeout
  std::size_t max_event_bytes = 1u << 20;
  bool keepalive = true;
  bool stamp_lag = false;       // record delivery lag from the events' "stamp_ns"
  // Each read's time: the kernel's receive stamp where the socket gives one
  // (--timestamps kernel), or the clock read after the read (user).
  http::ReadTimestamps timestamps = http::ReadTimestamps::kernel;
  int threads = 1;              // worker threads; 0: chosen per stage from its load (engine.cpp)
  std::uint64_t seed = 1;
  Arrival arrival = Arrival::poisson;
  double burstiness = 1.0;      // gamma shape
  std::vector<PromptItem> prompts;
  std::vector<PromptGroup> groups;
  std::vector<StagePlan> stages;
  bool auto_sweep = false;      // after stages 0 and 1, rate stages between their throughputs
  double timeseries_interval_s = 1.0;  // the time series' bucket width
  int repeat = 1;               // --repeat: every load stage this many times, for run-to-run intervals
  double abort_after_s = 5;     // stop a stage whose requests have all failed to connect for this long (0: never)
  double max_error_rate = 0;    // stop a stage once more than this share of its requests failed (0: never)
  stats::Slo slo;
  stats::ClientLimits client_limits;  // when the client itself is the bottleneck (--client-limits)
  ShardPlan shard;
  std::optional<TracePlan> trace;  // --trace: the open loop's arrivals are the trace's
  std::optional<SessionPlan> session;  // --turns: tickets begin sessions
  // --start-at: the agreed instant on the steady clock (now_ns()'s scale) at
  // which stage 0 starts in every shard; -1: at once.
  std::int64_t start_at_ns = -1;
  // Credential values (the API key, secret-looking --header values): any
  // text llmbench keeps from a server has them redacted.
  std::vector<std::string> secrets;
  // --model a=0.7,b=0.3: the mix, two models or more (load/model_mix.hpp);
  // empty for one model, which is `model`. Each prompt is sent to one of
  // them (PromptItem::model), and every figure is also kept per model.
  std::vector<ModelShare> models;
};

}  // namespace llmbench
