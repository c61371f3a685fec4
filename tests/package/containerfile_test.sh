#!/usr/bin/env bash
# The Containerfile's runtime stage installs exactly the Debian packages that
# own the shared libraries `ldd` lists for the built binary (less those every
# debian:12 image has: libc6, libgcc-s1, libstdc++6), plus ca-certificates
# for https:// targets. No container engine is needed (none is here).
#   bash tests/package/containerfile_test.sh CONTAINERFILE BINARY
set -euo pipefail
containerfile=$1
exe=$2
base="libc6 libgcc-s1 libstdc++6"
declared=$(grep -E '^# runtime-packages:' "$containerfile" | sed 's/^# runtime-packages://' | tr ' ' '\n' | grep -v '^$' | sort -u)
installed=$(awk '/^FROM debian:12$/ {rt=1} rt' "$containerfile" | tr -s ' \\\n' '\n' |
  awk '/^install$/ {on=1; next} on && /^&&$/ {on=0} on && !/^-/' | sort -u)
[ "$declared" = "$installed" ] || { echo "the runtime-packages comment ($declared) and apt-get install ($installed) differ"; exit 1; }
needed=$(ldd "$exe" | awk '/=> \// {print $3}' | while read -r lib; do
  dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib"
done | cut -d: -f1 | sort -u)
[ -n "$needed" ] || { echo "ldd $exe found no libraries"; exit 1; }
want=$( (for p in $needed; do grep -qx "$p" <<<"$(tr ' ' '\n' <<<"$base")" || echo "$p"; done; echo ca-certificates) | sort -u)
if [ "$want" != "$installed" ]; then
  echo "runtime stage installs: $(echo $installed)"
  echo "ldd $exe needs:         $(echo $want)"
  exit 1
fi
echo "runtime packages match ldd: $(echo $installed)"
