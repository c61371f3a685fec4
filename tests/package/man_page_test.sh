#!/usr/bin/env bash
# Every long flag that `llmbench --help` and each subcommand's --help show
# must appear in docs/llmbench.1 (regenerate it with scripts/gen-man.py).
set -euo pipefail
exe=$1
page=$2
text=$(sed 's/\\-/-/g' "$page")
missing=0
checked=0
for cmd in "" merge compare report selftest mock-server; do
  # shellcheck disable=SC2086
  flags=$("$exe" $cmd --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
  for f in $flags; do
    checked=$((checked + 1))
    if ! grep -qF -- "$f" <<<"$text"; then
      echo "missing from $page: ${cmd:-llmbench} $f"
      missing=$((missing + 1))
    fi
  done
done
[ "$checked" -gt 60 ] || { echo "only $checked flags found in --help: the check itself is broken"; exit 1; }
echo "$checked flags checked, $missing missing"
[ "$missing" -eq 0 ]
