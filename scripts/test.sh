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
# Compiler cache for the four configurations below; paths relative to the
# checkout so that another clone of the same sources hits the same entries.
if command -v ccache >/dev/null; then
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-20G}"
fi
step() { printf '\n==> %s\n' "$*" >&2; }

step "release build + all tests"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
ctest --preset release -j"$jobs"

# Each on its own line: a failure inside an && list does not stop a set -e
# script, and the two once failed here unseen. 77: skipped (not root).
step "packages and Slurm: .deb built, installed, run, removed (~25 s); a 4-task Slurm array merged (~12 s)"
bash tests/package/deb_test.sh build/release || [ $? -eq 77 ]
bash scripts/slurm-test.sh build/release/llmbench || [ $? -eq 77 ]

step "benchmark scripts (smoke: tiny sizes, checks they run and print every row, not the figures)"
smoke=$(mktemp -d /tmp/llmbench-bench-smoke.XXXXXX)
SKIP_BUILD=1 PAIRS=1 SCENARIOS="unpaced:4:1 paced:4:1 lag:8:1 ttft:8:1" TOKENS_K1=2048 PACED_TOKENS=4 \
  LAG_TOKENS=8 GAP_US=2000 OUT_DIR="$smoke/run" bash bench/run.sh > "$smoke/run.md"
[ "$(grep -cE '^\| (unpaced|paced|lag|ttft) \|' "$smoke/run.md")" -eq 4 ] ||
  { cat "$smoke/run.md" >&2; echo "bench/run.sh printed no row for some scenario" >&2; exit 1; }
SKIP_BUILD=1 STREAMS="20 40" RATE=200 DURATION=1 OUT_DIR="$smoke/scale" bash bench/scale.sh > "$smoke/scale.md"
[ "$(grep -cE '^\| (llmbench|reference|200) \|' "$smoke/scale.md")" -eq 5 ] && ! grep -q failed "$smoke/scale.md" ||
  { cat "$smoke/scale.md" >&2; echo "bench/scale.sh printed a failed or missing row" >&2; exit 1; }
SKIP_BUILD=1 STREAMS=4 TOKENS=4 TTFT_US=2000 GAP_US=2000 REPEATS=1 OUT_DIR="$smoke/contention" \
  bash bench/contention.sh > "$smoke/contention.md"
[ "$(grep -cE '^\| 4 \| (reference reader|llmbench --timestamps (user|kernel)) \| 4 \|' "$smoke/contention.md")" -eq 3 ] ||
  { cat "$smoke/contention.md" >&2; echo "bench/contention.sh printed a failed or missing row" >&2; exit 1; }
SKIP_BUILD=1 STREAMS="20" RATE=200 DURATION=1 NOSTREAM=1 OUT_DIR="$smoke/scale-nostream" bash bench/scale.sh > "$smoke/scale-nostream.md"
grep -qE '^\| 200 \| .*no stream' "$smoke/scale-nostream.md" ||
  { cat "$smoke/scale-nostream.md" >&2; echo "bench/scale.sh NOSTREAM=1 printed no non-streaming open-loop row" >&2; exit 1; }
SKIP_BUILD=1 PROMPT_BYTES=4000 TOKENS=64 STREAMS=4 OUT_DIR="$smoke/longctx" bash bench/longctx.sh > "$smoke/longctx.md"
[ "$(grep -cE '^\| (short|long) \| [0-9]+ \| 4 \| 64 \| 4 \|' "$smoke/longctx.md")" -eq 2 ] && grep -q '^long / short: output tok/s' "$smoke/longctx.md" ||
  { cat "$smoke/longctx.md" >&2; echo "bench/longctx.sh printed a failed or missing row" >&2; exit 1; }
rm -rf "$smoke"

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
