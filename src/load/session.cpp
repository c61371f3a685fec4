#include "llmbench/load/session.hpp"

#include <charconv>

namespace llmbench {

namespace {

constexpr std::string_view kLengthHeader = "\r\nContent-Length: ";
constexpr std::string_view kMessages = "\"messages\":[";
constexpr std::string_view kPrompt = "\"prompt\":\"";

// The end of the JSON string whose body starts at `i` (its closing quote).
std::size_t string_end(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
  return i < s.size() ? i : std::string_view::npos;
}

// The closing bracket of the array whose elements start at `i`.
std::size_t array_end(std::string_view s, std::size_t i) noexcept {
  int depth = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      i = string_end(s, i + 1);
      if (i == std::string_view::npos) return i;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (depth == 0) return c == ']' ? i : std::string_view::npos;
      --depth;
    }
    ++i;
  }
  return std::string_view::npos;
}

// A reply's bytes go into a JSON string as they came; a raw control
// character (invalid JSON a lenient server might send) becomes a space.
void append_reply(std::string& out, std::string_view reply) {
  const std::size_t at = out.size();
  out.append(reply);
  for (std::size_t i = at; i < out.size(); ++i) {
    if (static_cast<unsigned char>(out[i]) < 0x20) out[i] = ' ';
  }
}

std::string_view own_part(const PromptItem& item) noexcept {
  return std::string_view(item.request).substr(item.own_begin, item.own_end - item.own_begin);
}

}  // namespace

bool locate_session_splice(PromptItem& item, protocol::ApiFlavor flavor) {
  const std::string_view r = item.request;
  const std::size_t body = r.find("\r\n\r\n");
  const std::size_t length = r.find(kLengthHeader);
  if (body == std::string_view::npos || length == std::string_view::npos || length > body) return false;
  const std::size_t digits = length + kLengthHeader.size();
  const std::size_t digits_end = r.find("\r\n", digits);
  const bool chat = flavor == protocol::ApiFlavor::chat;
  const std::size_t key = r.find(chat ? kMessages : kPrompt, body);
  if (key == std::string_view::npos || !protocol::generates(flavor)) return false;
  const std::size_t begin = key + (chat ? kMessages : kPrompt).size();
  const std::size_t end = chat ? array_end(r, begin) : string_end(r, begin);
  if (end == std::string_view::npos || end == begin) return false;
  item.length_begin = static_cast<std::uint32_t>(digits);
  item.length_end = static_cast<std::uint32_t>(digits_end);
  item.history_at = static_cast<std::uint32_t>(begin);
  item.own_begin = static_cast<std::uint32_t>(begin);
  item.own_end = static_cast<std::uint32_t>(end);
  return true;
}

std::uint32_t own_tokens(const PromptItem& item) noexcept {
  if (item.input_tokens_hint > 0) return item.input_tokens_hint;
  return static_cast<std::uint32_t>((item.own_end - item.own_begin) / 4 + 1);
}

void SessionHistory::reset() noexcept {
  kept_.clear();
  reply_.clear();
  dropped_ = 0;
}

void SessionHistory::commit(std::uint32_t prompt, std::uint32_t tokens, std::uint32_t max_history_tokens) {
  // Copied, not moved: the capture buffer keeps its capacity, so a reply no
  // longer than the longest so far is captured without allocating.
  kept_.push_back(Exchange{prompt, tokens, reply_});
  reply_.clear();
  if (max_history_tokens == 0) return;
  std::uint64_t total = 0;
  for (const Exchange& e : kept_) total += e.tokens;
  std::size_t drop = 0;
  while (drop < kept_.size() && total > max_history_tokens) total -= kept_[drop++].tokens;
  if (drop == 0) return;
  kept_.erase(kept_.begin(), kept_.begin() + static_cast<std::ptrdiff_t>(drop));
  dropped_ += drop;
}

void SessionHistory::build(const RunPlan& plan, std::uint32_t prompt, std::string& out) {
  const PromptItem& item = plan.prompts[prompt];
  const bool chat = plan.flavor == protocol::ApiFlavor::chat;
  history_.clear();
  for (const Exchange& e : kept_) {
    history_.append(own_part(plan.prompts[e.prompt]));
    history_.append(chat ? R"(,{"role":"assistant","content":")" : R"(\n\n)");
    append_reply(history_, e.reply);
    history_.append(chat ? R"("},)" : R"(\n\n)");
  }
  const std::string_view r = item.request;
  const std::size_t body = r.find("\r\n\r\n") + 4;
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, r.size() - body + history_.size());
  out.clear();
  out.append(r.substr(0, item.length_begin));
  out.append(digits, end);
  out.append(r.substr(item.length_end, item.history_at - item.length_end));
  out.append(history_);
  out.append(r.substr(item.history_at));
}

}  // namespace llmbench
