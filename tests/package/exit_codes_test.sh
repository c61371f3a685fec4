#!/usr/bin/env bash
# Every exit code in include/llmbench/cli/exit_codes.hpp is explained where a
# user looks for it: the --help epilogue, the README's table and the man page.
set -euo pipefail
exe=$1
root=$2
codes=$(grep -oE 'kExit[A-Za-z]+ *= *[0-9]+' "$root/include/llmbench/cli/exit_codes.hpp" | grep -oE '[0-9]+$')
[ "$(wc -w <<<"$codes")" -ge 8 ] || { echo "found only: $codes: the check itself is broken"; exit 1; }
help=$("$exe" --help | sed -n '/^Exit codes/,$p')
readme=$(sed -n '/^### Exit codes/,/^## /p' "$root/README.md")
man=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH EXAMPLES/p' "$root/docs/llmbench.1")
missing=0
for c in $codes; do
  grep -qE "(^|[ ,;/])$c( |/)" <<<"$help" || { echo "llmbench --help does not explain exit code $c"; missing=1; }
  grep -qE "^\| ($c|[0-9]+ / $c|$c / [0-9]+) \|" <<<"$readme" || { echo "README's exit code table lacks $c"; missing=1; }
  grep -qE "(^|[ ,;/])$c( |/)" <<<"$man" || { echo "docs/llmbench.1 EXIT STATUS lacks $c"; missing=1; }
done
[ "$missing" -eq 0 ] && echo "exit codes $(tr '\n' ' ' <<<"$codes")explained in --help, README and man page"
