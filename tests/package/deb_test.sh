#!/usr/bin/env bash
# Builds the .deb with CPack (Depends from dpkg-shlibdeps), installs it with
# apt-get as a user would, runs the installed llmbench (--version, its man
# page, and a short load run against its built-in server on 127.0.0.1), and
# removes the package again. Needs root and a release build.
#   bash tests/package/deb_test.sh [build/release]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Absolute: cpack runs from the output directory below.
build=$(cd "${1:-$root/build/release}" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "deb_test: needs root (apt-get install)"; exit 77; }
command -v dpkg-shlibdeps >/dev/null || apt-get install -y -qq dpkg-dev >/dev/null
out=$(mktemp -d)
installed=0
cleanup() {
  if [ "$installed" -eq 1 ]; then apt-get remove -y -qq llmbench >/dev/null 2>&1 || true; fi
  rm -rf "$out"
}
trap cleanup EXIT

cmake --build "$build" --target llmbench -j2 >/dev/null
time (cd "$out" && cpack --config "$build/CPackConfig.cmake" -B "$out" >/dev/null)
deb=$(ls "$out"/llmbench_*.deb)
echo "== $(basename "$deb")"
dpkg-deb --field "$deb" Package Version Architecture Depends
dpkg-deb --contents "$deb" | awk '{print $6}' | grep -E 'bin/llmbench$|man1/llmbench.1|bench_configs/mock-sweep.json$'
grep -q 'libssl' <(dpkg-deb --field "$deb" Depends) || { echo "deb_test: Depends lacks libssl"; exit 1; }

time apt-get install -y -qq "$deb" >/dev/null
installed=1
bin=$(command -v llmbench)
[ "$bin" = /usr/bin/llmbench ] || { echo "deb_test: llmbench installed at '$bin', expected /usr/bin/llmbench"; exit 1; }
echo "== $bin --version"
"$bin" --version
man -w llmbench >/dev/null 2>&1 || [ -f /usr/share/man/man1/llmbench.1.gz ] || [ -f /usr/share/man/man1/llmbench.1 ] ||
  { echo "deb_test: man page not installed"; exit 1; }
echo "== $bin --mock --rate 20 --arrival constant --duration 1 --max-tokens 8 --mock-decode-tps 1000"
(cd "$out" && "$bin" --mock --rate 20 --arrival constant --duration 1 --max-tokens 8 --mock-decode-tps 1000 --no-progress \
  --output mock.json | grep -E 'Stage|Requests|Throughput')
grep -q '"requests_succeeded": 20' "$out/mock.json" || { echo "deb_test: the installed binary's run did not succeed"; exit 1; }

apt-get remove -y -qq llmbench >/dev/null
installed=0
[ ! -e /usr/bin/llmbench ] || { echo "deb_test: /usr/bin/llmbench left after removal"; exit 1; }
echo "deb_test: built, installed, ran and removed"
