#pragma once
// llama-server's GET /slots answer: one JSON object per slot.
//
// A never-used slot has only id, n_ctx, speculative, is_processing; a used one
// adds id_task, n_prompt_tokens, params and next_token, an array of one object
// holding n_decoded and n_remain (see the slots_*.http fixtures). Older builds
// said "state" (0 idle, 1 processing) instead of is_processing and gave
// next_token as an object; both shapes read. A slot's n_decoded is that of its
// current task, or of its last one once idle, so only busy slots' counts say
// anything about the present.
//
// Pure: parse_slots() reads the bytes it is given (copied into simdjson's
// padded buffer) and keeps nothing. An answer that is not a JSON array is
// nullopt; an element that is not an object is counted and skipped.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace llmbench::telemetry {

struct SlotState {
  std::int64_t id = -1;
  bool processing = false;
  std::optional<std::int64_t> n_ctx;
  std::optional<std::int64_t> id_task;
  std::optional<std::int64_t> n_prompt_tokens;
  std::optional<std::int64_t> n_decoded;  // tokens generated for its (last) task
  std::optional<std::int64_t> n_remain;   // tokens it may still generate; -1: no limit
};

struct SlotsSnapshot {
  std::vector<SlotState> slots;
  std::size_t bad_entries = 0;

  [[nodiscard]] std::size_t busy() const noexcept;
  // The sum of n_decoded over the slots processing now.
  [[nodiscard]] std::int64_t decoded_busy() const noexcept;
};

[[nodiscard]] std::optional<SlotsSnapshot> parse_slots(std::string_view json);

}  // namespace llmbench::telemetry
