#!/usr/bin/env bash
# Quick-start command 1: install what is missing, build, and run the guide's
# benchmark against the built-in llama.cpp-compatible server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
llmbench_install_missing "${LLMBENCH_PACKAGES[@]}"
cmake --preset release >/dev/null
cmake --build --preset release --target llmbench -j"$(nproc)"
# The built-in server decodes 200 tokens/s per slot here so the demo takes
# about half a minute; drop the flag for its default of 50.
exec ./build/release/llmbench --mock --mock-decode-tps 200 --runs 3 --output build/demo-results.json "$@"
