#!/usr/bin/env bash
# Installs the Debian 12 packages llmbench builds and tests with, if missing.
# Sourced by scripts/demo.sh and scripts/test.sh; safe to run again.
set -euo pipefail

LLMBENCH_PACKAGES=(
  build-essential cmake pkg-config python3 ca-certificates openssl
  libasio-dev node-llhttp libsimdjson-dev libspdlog-dev libfmt-dev
  libgtest-dev libcli11-dev libssl-dev libjs-chart.js
)
# The full test suite also builds the fuzzers with clang and its runtimes,
# runs the benchmark scripts (jq reads results; taskset pins server and client)
# and opens the HTML reports in headless Chromium (tests/browser/).
# ccache: the suite builds four configurations; a second run recompiles only
# what changed.
LLMBENCH_TEST_PACKAGES=(clang libclang-rt-14-dev jq util-linux chromium ccache)

llmbench_install_missing() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; return 1; }
    sudo="sudo"
  fi
  echo "Installing missing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
