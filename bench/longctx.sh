#!/usr/bin/env bash
# Long context: does a huge prompt or a long answer cost llmbench more than
# its tokens? Issue 16's target: a 100,000-token prompt (about 400 KB of body)
# and a 32,000-token streamed answer at 64 streams, without extra copies of
# the body per request and without a fall in throughput.
#
# Against the bench server (unpaced: it writes as fast as the client reads,
# so the client's own cost sets the pace), llmbench runs the same load twice,
# once with a short prompt and once with a PROMPT_BYTES one, and prints for
# each: output tokens/s, CPU per token, peak RSS, and the ratio long / short.
# The request bytes are built once per prompt (PromptItem::request) and
# written from there; peak RSS shows whether anything is copied per request
# (64 copies of 400 KB would be 25 MiB).
#
# Server pinned to CPU 0, client to CPU 1 (when there are two). Loopback only;
# every run is bounded by its request count.
#
# usage: bench/longctx.sh
# environment: PROMPT_BYTES (400000), TOKENS (32000), STREAMS (64),
#              EVENTS_PER_WRITE (16), SKIP_BUILD=1, LLMBENCH, OUT_DIR
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build/release"
LLMBENCH=${LLMBENCH:-$BUILD/llmbench}
PROMPT_BYTES=${PROMPT_BYTES:-400000}
TOKENS=${TOKENS:-32000}
STREAMS=${STREAMS:-64}
EVENTS_PER_WRITE=${EVENTS_PER_WRITE:-16}
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/llmbench-longctx.XXXXXX)}
mkdir -p "$OUT_DIR"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

command -v jq > /dev/null || die "jq is needed (apt-get install jq)"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  (cd "$ROOT" && cmake --preset release && cmake --build --preset release -j2 \
    --target llmbench llmbench_bench_server llmbench_rusage_run) > "$OUT_DIR/build.log" 2>&1 ||
    { tail -20 "$OUT_DIR/build.log" >&2; die "the release build failed"; }
fi

# Two one-row datasets: a short prompt, and PROMPT_BYTES of words.
printf '{"prompt": "Write a long story."}\n' > "$OUT_DIR/short.jsonl"
awk -v n="$PROMPT_BYTES" 'BEGIN {
  printf "{\"prompt\": \""
  w = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
  for (i = 0; i < n; i += length(w)) printf "%s", w
  printf "\"}\n"
}' > "$OUT_DIR/long.jsonl"

echo "per-run files: $OUT_DIR" >&2
printf '| prompt | body KiB | streams | tokens/stream | ok | output tok/s | CPU s | CPU µs/token | peak RSS MiB | wall s |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
declare -A tps cpu_tok rss_mib
for kind in short long; do
  start_server "$kind" --tokens "$TOKENS" --events-per-write "$EVENTS_PER_WRITE"
  "${CLIENT_PIN[@]}" "$BUILD/bench/llmbench_rusage_run" -o "$OUT_DIR/$kind.rusage" -t 600 \
    "$LLMBENCH" --url "http://127.0.0.1:$PORT" --dataset "$OUT_DIR/$kind.jsonl" --concurrency "$STREAMS" \
    --requests "$STREAMS" --threads 1 --max-tokens "$TOKENS" --timeout 300 -q --no-progress \
    --output "$OUT_DIR/$kind.json" > /dev/null 2> "$OUT_DIR/$kind.err" || true
  stop_server
  read -r user sys rss wall _ < "$OUT_DIR/$kind.rusage"
  body_kib=$(($(stat -c %s "$OUT_DIR/$kind.jsonl") / 1024))
  line=$(jq -r --arg kind "$kind" --arg body "$body_kib" --arg streams "$STREAMS" --arg tokens "$TOKENS" \
    --arg cpu "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" --arg rss "$rss" --arg wall "$wall" '
    .stages[0].summary as $s |
    ($cpu | tonumber) as $c | ($s.output_tokens) as $n |
    "| \($kind) | \($body) | \($streams) | \($tokens) | \($s.requests_succeeded) | \($s.output_tokens_per_second | round) | \($c * 100 | round / 100) | \(if $n > 0 then ($c * 1e6 / $n * 100 | round / 100) else "-" end) | \($rss | tonumber / 1024 | . * 10 | round / 10) | \($wall | tonumber * 100 | round / 100) |"' \
    "$OUT_DIR/$kind.json" 2> /dev/null) || line="| $kind | failed: see $OUT_DIR/$kind.err | | | | | | | | |"
  echo "$line"
  tps[$kind]=$(echo "$line" | awk -F'|' '{ gsub(/ /, "", $7); print $7 }')
  cpu_tok[$kind]=$(echo "$line" | awk -F'|' '{ gsub(/ /, "", $9); print $9 }')
  rss_mib[$kind]=$(echo "$line" | awk -F'|' '{ gsub(/ /, "", $10); print $10 }')
done
awk -v ts="${tps[short]}" -v tl="${tps[long]}" -v cs="${cpu_tok[short]}" -v cl="${cpu_tok[long]}" \
  -v rs="${rss_mib[short]}" -v rl="${rss_mib[long]}" 'BEGIN {
  if (ts + 0 > 0 && cs + 0 > 0) printf "\nlong / short: output tok/s %.3f, CPU per token %.3f, peak RSS +%.1f MiB\n", tl / ts, cl / cs, rl - rs
  else print "\nlong / short: a run failed, no ratio"
}'
