#include "llmbench/http/response_parser.hpp"

#include <cctype>

namespace llmbench::http::detail {

namespace {
constexpr std::string_view kContentType = "content-type";
constexpr std::string_view kRetryAfter = "retry-after";

char lower(char c) noexcept {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}
}  // namespace

// llhttp may split a field or value across calls (and reads), so both are
// accumulated until the value completes. Only two headers are kept; the rest
// cost a bounded copy of their name.
void HeaderCapture::on_field(const char* at, std::size_t n) noexcept {
  if (in_value) {
    in_value = false;
    field_len = 0;
    field_too_long = false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (field_len == field.size()) {
      field_too_long = true;
      return;
    }
    field[field_len++] = lower(at[i]);
  }
}

void HeaderCapture::on_value(const char* at, std::size_t n) noexcept {
  if (!in_value) {
    in_value = true;
    const std::string_view name(field.data(), field_len);
    current = field_too_long       ? Field::other
              : name == kContentType ? Field::content_type
              : name == kRetryAfter  ? Field::retry_after
                                     : Field::other;
    if (current == Field::content_type) content_type_len = 0;
    if (current == Field::retry_after) retry_after_len = 0;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (current == Field::content_type && content_type_len < content_type.size()) {
      content_type[content_type_len++] = lower(at[i]);
    } else if (current == Field::retry_after && retry_after_len < retry_after.size()) {
      retry_after[retry_after_len++] = at[i];
    }
  }
}

void HeaderCapture::on_value_complete() noexcept {
  // A header with an empty value never calls on_value; close the field anyway.
  in_value = true;
}

std::uint32_t HeaderCapture::retry_after_seconds() const noexcept {
  // Only the delta-seconds form; an HTTP-date is rare from inference servers
  // and reads as 0 ("unspecified").
  std::uint64_t v = 0;
  if (retry_after_len == 0) return 0;
  for (std::size_t i = 0; i < retry_after_len; ++i) {
    const char c = retry_after[i];
    if (c == ' ' || c == '\t') continue;
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > 86400) return 86400;
  }
  return static_cast<std::uint32_t>(v);
}

}  // namespace llmbench::http::detail
