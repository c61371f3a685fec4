#include "llmbench/cli/model_settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace llmbench::cli {

namespace {

// A model index travels in PromptItem::model (16 bits); no router serves
// anywhere near this many.
constexpr std::size_t kMaxModels = 256;

Expected<double> parse_weight(std::string_view text, std::string_view all, std::string_view name) {
  double w = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), w);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(w) || w <= 0) {
    return Unexpected(fmt::format("--model '{}': the weight of {} ('{}') must be a positive number", all, name, text));
  }
  return w;
}

Status check_item(std::string_view name, std::string_view all, const std::vector<ModelShare>& before) {
  if (name.empty()) return Unexpected(fmt::format("--model '{}': a model name is empty", all));
  if (std::any_of(before.begin(), before.end(), [&](const ModelShare& m) { return m.name == name; })) {
    return Unexpected(fmt::format("--model '{}': {} is given twice", all, name));
  }
  return {};
}

}  // namespace

Expected<std::vector<ModelShare>> parse_model_mix(std::string_view text) {
  std::vector<ModelShare> out;
  if (text.find_first_of(",=") == std::string_view::npos) return out;
  std::size_t weighted = 0;
  std::string_view rest = text;
  for (bool more = true; more;) {
    const std::size_t comma = rest.find(',');
    more = comma != std::string_view::npos;
    const std::string_view item = rest.substr(0, comma);
    rest.remove_prefix(more ? comma + 1 : rest.size());
    const std::size_t eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    if (Status st = check_item(name, text, out); !st) return Unexpected(st.error());
    ModelShare m{std::string(name), 1.0};
    if (eq != std::string_view::npos) {
      auto w = parse_weight(item.substr(eq + 1), text, name);
      if (!w) return Unexpected(w.error());
      m.weight = *w;
      ++weighted;
    }
    out.push_back(std::move(m));
  }
  if (weighted != 0 && weighted != out.size()) {
    return Unexpected(fmt::format("--model '{}': give every model a weight (a=0.7,b=0.3) or none (a,b: equal shares)", text));
  }
  if (out.size() > kMaxModels) return Unexpected(fmt::format("--model: {} models, at most {}", out.size(), kMaxModels));
  double sum = 0;
  for (const ModelShare& m : out) sum += m.weight;
  if (!(sum > 0) || !std::isfinite(sum)) return Unexpected(fmt::format("--model '{}': the weights must add up to more than 0", text));
  for (ModelShare& m : out) m.weight /= sum;
  return out;
}

}  // namespace llmbench::cli
