#pragma once
// How a step of the command line fails: the exit code (exit_codes.hpp) and a
// one-line message for stderr.
#include <string>

#include "llmbench/util/expected.hpp"

namespace llmbench::cli {

struct Failure {
  int exit_code = 1;
  std::string message;
};

template <class T>
using Step = Expected<T, Failure>;

inline Unexpected<Failure> fail(int exit_code, std::string message) {
  return Unexpected(Failure{exit_code, std::move(message)});
}

}  // namespace llmbench::cli
