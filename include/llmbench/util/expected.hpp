#pragma once
// The one error convention of set-up code: a function that can fail returns
// Expected<T> — the value, or a one-line message saying what was wrong.
//
// C++23's std::expected in miniature (GCC 12's <expected> needs -std=c++23):
// the same names (has_value, value, error, operator*, Unexpected), so moving
// to the standard type later is a rename. The streaming path never uses it:
// there, failures are ErrorKind values in records (STYLE.md).
//
//   Expected<Target> parse_url(std::string_view url);
//   if (auto t = parse_url(s); !t) return Unexpected(t.error());
//
// The error type defaults to std::string (a message for the user); the
// command line uses Expected<T, Failure> where an exit code travels with it.
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace llmbench {

template <class E>
class Unexpected {
 public:
  explicit Unexpected(E e) : error_(std::move(e)) {}
  [[nodiscard]] const E& error() const& noexcept { return error_; }
  [[nodiscard]] E&& error() && noexcept { return std::move(error_); }

 private:
  E error_;
};
Unexpected(const char*) -> Unexpected<std::string>;

// Thrown by value() on an error: a bug in the caller, or a test that wants
// the message in its failure output.
class BadExpectedAccess : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {
template <class E>
std::string describe_error(const E& e) {
  if constexpr (std::is_convertible_v<const E&, std::string>) {
    return std::string(e);
  } else if constexpr (requires { e.message; }) {
    return std::string(e.message);
  } else {
    return "Expected holds an error";
  }
}
}  // namespace detail

template <class T, class E = std::string>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit, as std::expected
  template <class G>
  Expected(Unexpected<G> u) : v_(std::in_place_index<1>, E(std::move(u).error())) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] T& value() & { check(); return std::get<0>(v_); }
  [[nodiscard]] const T& value() const& { check(); return std::get<0>(v_); }
  [[nodiscard]] T&& value() && { check(); return std::get<0>(std::move(v_)); }
  // As std::expected: *e and e-> on an error, and error() on a value, are
  // the caller's bug (here std::get throws bad_variant_access).
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }

  [[nodiscard]] const E& error() const& { return std::get<1>(v_); }
  [[nodiscard]] E&& error() && { return std::get<1>(std::move(v_)); }

 private:
  void check() const {
    if (!has_value()) throw BadExpectedAccess(detail::describe_error(std::get<1>(v_)));
  }
  std::variant<T, E> v_;
};

// Success without a value: `Expected<void>` / `Status`.
template <class E>
class [[nodiscard]] Expected<void, E> {
 public:
  Expected() = default;
  template <class G>
  Expected(Unexpected<G> u) : error_(E(std::move(u).error())), ok_(false) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {
    if (!ok_) throw BadExpectedAccess(detail::describe_error(error_));
  }
  [[nodiscard]] const E& error() const& noexcept { return error_; }
  [[nodiscard]] E&& error() && noexcept { return std::move(error_); }

 private:
  E error_{};
  bool ok_ = true;
};

using Status = Expected<void>;

}  // namespace llmbench
