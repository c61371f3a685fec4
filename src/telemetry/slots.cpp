#include "llmbench/telemetry/slots.hpp"

#include <simdjson.h>

namespace llmbench::telemetry {
namespace {

std::optional<std::int64_t> int_field(simdjson::dom::object o, std::string_view key) {
  std::int64_t v = 0;
  if (o[key].get_int64().get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

// next_token: an array of one object in current builds, an object before.
void read_next_token(simdjson::dom::object slot, SlotState& s) {
  simdjson::dom::element next;
  if (slot["next_token"].get(next) != simdjson::SUCCESS) return;
  simdjson::dom::object o;
  simdjson::dom::array a;
  if (next.get_array().get(a) == simdjson::SUCCESS) {
    simdjson::dom::element first;
    if (a.at(0).get(first) != simdjson::SUCCESS || first.get_object().get(o) != simdjson::SUCCESS) return;
  } else if (next.get_object().get(o) != simdjson::SUCCESS) {
    return;
  }
  s.n_decoded = int_field(o, "n_decoded");
  s.n_remain = int_field(o, "n_remain");
}

SlotState read_slot(simdjson::dom::object o) {
  SlotState s;
  s.id = int_field(o, "id").value_or(-1);
  bool processing = false;
  if (o["is_processing"].get_bool().get(processing) == simdjson::SUCCESS) {
    s.processing = processing;
  } else {
    s.processing = int_field(o, "state").value_or(0) != 0;
  }
  s.n_ctx = int_field(o, "n_ctx");
  s.id_task = int_field(o, "id_task");
  s.n_prompt_tokens = int_field(o, "n_prompt_tokens");
  read_next_token(o, s);
  return s;
}

}  // namespace

std::size_t SlotsSnapshot::busy() const noexcept {
  std::size_t n = 0;
  for (const SlotState& s : slots) n += s.processing ? 1 : 0;
  return n;
}

std::int64_t SlotsSnapshot::decoded_busy() const noexcept {
  std::int64_t n = 0;
  for (const SlotState& s : slots) {
    if (s.processing) n += s.n_decoded.value_or(0);
  }
  return n;
}

std::optional<SlotsSnapshot> parse_slots(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  if (parser.parse(json.data(), json.size(), true).get_array().get(list) != simdjson::SUCCESS) return std::nullopt;
  SlotsSnapshot out;
  for (simdjson::dom::element e : list) {
    simdjson::dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) {
      ++out.bad_entries;
      continue;
    }
    out.slots.push_back(read_slot(o));
  }
  return out;
}

}  // namespace llmbench::telemetry
