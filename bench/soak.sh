#!/usr/bin/env bash
# Bounded soak: 1,000 streams for SOAK_SECONDS (default 600) against the
# built-in server (in its own process) injecting a mix of faults on every
# 20th request. Samples llmbench's open file descriptors and RSS every
# 10 s, then checks that both stayed flat and that every request is
# accounted for. Loopback only; the server is stopped at the end.
#
#   bash bench/soak.sh                 # about 10 minutes
#   SOAK_SECONDS=60 bash bench/soak.sh # a quick one
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL=${SOAK_SECONDS:-600}
STREAMS=${SOAK_STREAMS:-1000}
BIN=${LLMBENCH:-build/release/llmbench}
FAULTS=${SOAK_FAULTS:-reset_midstream,http_500,close_no_done,bad_json_event,stall_midstream,error_event,http_429}
if [ ! -x "$BIN" ]; then
  cmake --preset release >/dev/null && cmake --build --preset release --target llmbench -j"$(nproc)"
fi
work=$(mktemp -d /tmp/llmbench-soak.XXXXXX)
server_pid=""
client_pid=""
cleanup() {
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

"$BIN" mock-server --host 127.0.0.1 --port 0 --slots "$STREAMS" --decode-tps 50 \
  --fault "$FAULTS" --fault-every 20 --fault-after-tokens 5 >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q listening "$work/server.out" && break
  sleep 0.1  # waiting for another process to print its port: nothing to wait on but its output
done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.out" | head -1)
[ -n "$port" ] || { echo "soak: the server did not start" >&2; cat "$work/server.out" >&2; exit 1; }

"$BIN" --url "http://127.0.0.1:$port" --concurrency "$STREAMS" --duration "$SECONDS_TOTAL" \
  --warmup-seconds 10 --cooldown-seconds 5 --max-tokens 64 --timeout 10 --idle-timeout 3 \
  --no-progress -q --output "$work/soak.json" >"$work/report.txt" 2>"$work/client.err" &
client_pid=$!

printf '%8s %8s %10s\n' "t (s)" "fds" "RSS (MiB)" | tee "$work/samples.txt"
t=0
while kill -0 "$client_pid" 2>/dev/null; do
  fds=$(ls /proc/$client_pid/fd 2>/dev/null | wc -l || echo 0)
  rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$client_pid/status 2>/dev/null || echo 0)
  printf '%8d %8d %10s\n' "$t" "$fds" "$rss" | tee -a "$work/samples.txt"
  sleep 10  # the sampling period
  t=$((t + 10))
done
wait "$client_pid" || true
client_pid=""
cat "$work/report.txt"
python3 - "$work/soak.json" "$work/samples.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
st = d["stages"][0]
s = st["summary"]
ph = st["phases"]
accounted = ph["warmup"] + ph["measured"] + ph["cooldown"]
print(f"scheduled {st['requests_scheduled']}, accounted {accounted} "
      f"(measured: {s['requests_succeeded']} ok, {s['requests_failed']} failed, {s['requests_cancelled']} cancelled)")
print("errors:", {k: v for k, v in s["errors"].items() if v})
rows = [l.split() for l in open(sys.argv[2]).read().splitlines()[1:] if l.strip()]
steady = [r for r in rows if int(r[0]) >= 30]  # after start-up
ok = st["requests_scheduled"] == accounted
if len(steady) >= 2:
    fds = [int(r[1]) for r in steady]; rss = [float(r[2]) for r in steady]
    print(f"steady state: fds {min(fds)}..{max(fds)}, RSS {min(rss):.1f}..{max(rss):.1f} MiB")
    ok = ok and max(rss) <= rss[0] * 1.25 + 4 and max(fds) <= fds[0] + 50
sys.exit(0 if ok else 1)
PY
echo "soak: passed (files in $work)"
