#!/usr/bin/env bash
# Quick-start command 2: install what is missing, build, and run the whole test
# suite: unit and end-to-end tests (release, warnings as errors), the same
# under ASan+UBSan, the threaded parts under TSan, and each fuzzer for a
# bounded time. .ci/run calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
llmbench_install_missing "${LLMBENCH_PACKAGES[@]}" "${LLMBENCH_TEST_PACKAGES[@]}"
jobs=$(nproc)
step() { printf '\n==> %s\n' "$*" >&2; }

step "release build + all tests"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
ctest --preset release -j"$jobs"

step "ASan + UBSan build + all tests"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
ctest --preset asan -j"$jobs"

step "TSan build + ring, aggregator and engine tests"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j"$jobs" --target llmbench_concurrency_tests
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --preset tsan -j"$jobs" -L tsan --no-tests=error

if [ -f tests/fuzz/run_fuzzers.sh ]; then
  step "fuzzers (bounded)"
  bash tests/fuzz/run_fuzzers.sh "${LLMBENCH_FUZZ_SECONDS:-30}"
fi
step "all tests passed"
