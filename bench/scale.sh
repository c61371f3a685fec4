#!/usr/bin/env bash
# Scale and schedule accuracy, the targets a per-token ratio cannot show:
#
#  1. Streams in flight from one process: llmbench (one thread) and the
#     reference reader hold 2,000 and then 10,000 paced streams (16 tokens,
#     one every 200 ms, starts spread over 200 ms by the server, stamped):
#     peak RSS, growth per extra stream between the two, delivery lag.
#  2. Open loop: llmbench sends RATE requests/s (constant arrivals, default
#     5,000) for DURATION seconds (default 10) of 4-token responses: the
#     achieved rate against the target, and the schedule lag (intended send ->
#     picked up by the request path). NOSTREAM=1: one JSON answer per request
#     (llmbench --no-stream), the non-streaming open loop.
#
# Server pinned to CPU 0, clients to CPU 1 (when there are two). Loopback only;
# every run is bounded by its request count or duration.
#
# usage: bench/scale.sh
# environment: RATE (5000), DURATION (10), STREAMS ("2000 10000"), NOSTREAM=1, SKIP_BUILD=1,
#              LLMBENCH (default build/release/llmbench), OUT_DIR
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build/release"
LLMBENCH=${LLMBENCH:-$BUILD/llmbench}
RATE=${RATE:-5000}
DURATION=${DURATION:-10}
STREAMS=${STREAMS:-"2000 10000"}
STREAM_FLAG=()
[[ ${NOSTREAM:-0} == 1 ]] && STREAM_FLAG=(--no-stream)
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/llmbench-scale.XXXXXX)}
mkdir -p "$OUT_DIR"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

command -v jq > /dev/null || die "jq is needed (apt-get install jq)"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  (cd "$ROOT" && cmake --preset release && cmake --build --preset release -j2 \
    --target llmbench llmbench_bench_server llmbench_reference_reader llmbench_rusage_run) > "$OUT_DIR/build.log" 2>&1 ||
    { tail -20 "$OUT_DIR/build.log" >&2; die "the release build failed"; }
fi
needed_fds=$(($(echo "$STREAMS" | tr ' ' '\n' | sort -n | tail -1) + 64))
[[ $(ulimit -n) -ge $needed_fds ]] || ulimit -n "$needed_fds" 2> /dev/null ||
  die "needs $needed_fds open files (ulimit -n is $(ulimit -n))"

echo "per-run files: $OUT_DIR" >&2
printf '| client | streams | ok | peak RSS MiB | KiB per extra stream | lag p50 / p99 µs | CPU s | wall s |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
prev_n="" prev_rss=""
for n in $STREAMS; do
  start_server "streams-$n" --tokens 16 --gap-us 200000 --ttft-spread-us 200000 --stamp
  "${CLIENT_PIN[@]}" "$BUILD/bench/llmbench_rusage_run" -o "$OUT_DIR/llmbench-$n.rusage" -t 300 \
    "$LLMBENCH" --url "http://127.0.0.1:$PORT" --concurrency "$n" --requests "$n" --threads 1 --max-tokens 16 \
    --timeout 120 --stamp-lag -q --no-progress --output "$OUT_DIR/llmbench-$n.json" > /dev/null 2> "$OUT_DIR/llmbench-$n.err" || true
  "${CLIENT_PIN[@]}" "$BUILD/bench/llmbench_rusage_run" -o "$OUT_DIR/ref-$n.rusage" -t 300 \
    "$BUILD/bench/llmbench_reference_reader" --port "$PORT" --connections "$n" --requests "$n" --max-tokens 16 \
    --stamp > "$OUT_DIR/ref-$n.out" 2> "$OUT_DIR/ref-$n.err" || true
  stop_server
  read -r user sys rss wall _ < "$OUT_DIR/llmbench-$n.rusage"
  growth="-"
  [[ -n $prev_n ]] && growth=$(awk -v a="$prev_rss" -v b="$rss" -v m="$prev_n" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / (n - m) }')
  jq -r --arg rss "$rss" --arg growth "$growth" --arg cpu "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
    --arg wall "$wall" --arg n "$n" \
    '"| llmbench | \($n) | \(.summary.requests_succeeded) | \($rss | tonumber / 1024 | . * 10 | round / 10) | \($growth) | \(.summary.delivery_lag_ms.p50 * 1000 | round) / \(.summary.delivery_lag_ms.p99 * 1000 | round) | \($cpu | tonumber * 100 | round / 100) | \($wall | tonumber * 100 | round / 100) |"' \
    "$OUT_DIR/llmbench-$n.json" 2> /dev/null || echo "| llmbench | $n | failed: see $OUT_DIR/llmbench-$n.err | | | | | |"
  prev_n=$n prev_rss=$rss
  read -r user sys rss wall _ < "$OUT_DIR/ref-$n.rusage"
  awk -v n="$n" -v ok="$(json_num "$OUT_DIR/ref-$n.out" requests)" -v rss="$rss" -v u="$user" -v s="$sys" -v w="$wall" \
    -v l50="$(json_num "$OUT_DIR/ref-$n.out" lag_p50_us)" -v l99="$(json_num "$OUT_DIR/ref-$n.out" lag_p99_us)" \
    'BEGIN { printf "| reference | %d | %s | %.1f | - | %s / %s | %.2f | %.2f |\n", n, ok, rss / 1024, l50, l99, u + s, w }'
done

printf '\n| target req/s | seconds | scheduled | achieved req/s | off by | schedule lag p50 / p99 / max ms | TTFT p50 / p99 ms | connections | CPU s |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
start_server open --tokens 4
"${CLIENT_PIN[@]}" "$BUILD/bench/llmbench_rusage_run" -o "$OUT_DIR/open.rusage" -t 300 \
  "$LLMBENCH" --url "http://127.0.0.1:$PORT" --rate "$RATE" --arrival constant --duration "$DURATION" --threads 1 \
  --max-tokens 4 "${STREAM_FLAG[@]}" -q --no-progress --output "$OUT_DIR/open.json" > /dev/null 2> "$OUT_DIR/open.err" || true
stop_server
read -r user sys rss wall _ < "$OUT_DIR/open.rusage"
# Achieved rate: requests sent over the stage's elapsed time, which also holds
# the last responses' tail (so a client that fell behind shows as slower).
jq -r --arg rate "$RATE" --arg cpu "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" '
  .stages[0] as $st | $st.summary as $s | ($st.requests_scheduled / $st.elapsed_s) as $got |
  "| \($rate) | \($st.duration_s) | \($st.requests_scheduled) | \($got * 10 | round / 10) | \((($got / ($rate | tonumber)) - 1) * 10000 | round / 100) % | \($s.schedule_lag_ms.p50 * 1000 | round / 1000) / \($s.schedule_lag_ms.p99 * 1000 | round / 1000) / \($s.schedule_lag_ms.max * 1000 | round / 1000) | \(if ($s.ttft_ms.count // 0) == 0 then "- / - (no stream)" else "\($s.ttft_ms.p50 * 100 | round / 100) / \($s.ttft_ms.p99 * 100 | round / 100)" end) | \($st.connections_opened) | \($cpu | tonumber * 100 | round / 100) |"' \
  "$OUT_DIR/open.json" 2> /dev/null || echo "| $RATE | failed: see $OUT_DIR/open.err |"
