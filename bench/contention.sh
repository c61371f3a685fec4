#!/usr/bin/env bash
# Timestamps under contention: how wrong a client's TTFT and ITL get when its
# core is busy, with user-space and with kernel receive timestamps.
#
# The bench server paces its streams (TTFT_US before the first token, then a
# token every GAP_US, the streams' tokens spread evenly over one gap) and,
# with --stamp, measures what it really sent: TTFT from reading a request to
# writing its first token, ITL between a stream's writes. While a busy loop
# shares the client's core (taskset), three clients stream from it in turn:
# the minimal reference reader (user-space timestamps, nothing else to do),
# llmbench --timestamps user and llmbench --timestamps kernel. Each client's
# percentiles are set beside the server's: error = measured - true.
#
# Why it matters: a user-space timestamp is taken when the client gets to
# run, and a busy core makes it wait for the scheduler (up to a slice, a few
# ms); the kernel stamps the bytes when they arrive (on loopback in the
# sender's transmit path), whatever the client's core is doing.
#
# Resolution: llmbench's percentiles are bucket midpoints (within 0.8 %, so
# +-0.4 ms at 50 ms, +-0.08 ms at 10 ms); the server's and the reader's are
# bucket lower bounds (within 0.2 %). The error columns carry that much noise.
# Server on CPU 0, clients and the busy loop on CPU 1 (when there are two).
#
# usage: bench/contention.sh
# environment:
#   STREAMS    stream counts (default "64 256")
#   TOKENS     tokens per response (default 64)
#   TTFT_US    server delay before the first token (default 50000)
#   GAP_US     time per token (default 10000)
#   SPREAD_US  the streams' first tokens spread over this much (default GAP_US)
#   REPEATS    runs per cell; the table shows medians (default 3)
#   BUSY=0     no busy loop: the quiet baseline
#   SERVER_RT=0  the server at normal priority (default: SCHED_FIFO, see below)
#   SKIP_BUILD=1, LLMBENCH (default build/release/llmbench), OUT_DIR
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build/release"
LLMBENCH=${LLMBENCH:-$BUILD/llmbench}
STREAMS=${STREAMS:-"64 256"}
TOKENS=${TOKENS:-64}
TTFT_US=${TTFT_US:-50000}
GAP_US=${GAP_US:-10000}
SPREAD_US=${SPREAD_US:-$GAP_US}
REPEATS=${REPEATS:-3}
BUSY=${BUSY:-1}
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/llmbench-contention.XXXXXX)}
mkdir -p "$OUT_DIR"
RUNS="$OUT_DIR/runs.tsv"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# The truth must not itself be late: on a shared machine the server would
# wait behind other processes between stamping an event and writing it, and
# read requests late, and both would count as the clients' error. So it runs
# SCHED_FIFO (it needs a few % of its core; the kernel's RT throttling caps
# it). SERVER_RT=0 turns that off.
if [[ ${SERVER_RT:-1} == 1 ]] && chrt -f 10 true 2> /dev/null; then
  SERVER_PIN=(chrt -f 10 "${SERVER_PIN[@]}")
fi

BUSY_PID=""
start_busy() {  # a busy loop on the clients' core, for the length of one client run
  [[ $BUSY == 1 ]] || return 0
  "${CLIENT_PIN[@]}" bash -c 'while :; do :; done' &
  BUSY_PID=$!
}
stop_busy() {
  [[ -n $BUSY_PID ]] || return 0
  kill "$BUSY_PID" 2> /dev/null || true
  wait "$BUSY_PID" 2> /dev/null || true
  BUSY_PID=""
}
trap 'stop_busy; stop_server' EXIT

# measure CLIENT STREAMS REPEAT: one server, one client run under the busy
# loop; appends to runs.tsv, all in microseconds:
# client streams repeat ok true_ttft50 true_ttft99 true_itl50 true_itl99 ttft50 ttft99 itl50 itl99 first_lag50
measure() {
  local client=$1 n=$2 rep=$3 name="$1-$2-$3" base="$OUT_DIR/$1-$2-$3"
  start_server "$name" --tokens "$TOKENS" --ttft-us "$TTFT_US" --gap-us "$GAP_US" --ttft-spread-us "$SPREAD_US" --stamp
  start_busy
  if [[ $client == reference ]]; then
    "${CLIENT_PIN[@]}" "$BUILD/bench/llmbench_reference_reader" --port "$PORT" --connections "$n" --requests "$n" \
      --max-tokens "$TOKENS" --stamp --timeout 120 > "$base.out" 2> "$base.err" || true
  else
    "${CLIENT_PIN[@]}" "$LLMBENCH" --url "http://127.0.0.1:$PORT" --concurrency "$n" --requests "$n" --threads 1 \
      --max-tokens "$TOKENS" --timeout 120 --stamp-lag --timestamps "$client" -q --no-progress \
      --output "$base.json" > "$base.out" 2> "$base.err" || true
  fi
  stop_busy
  stop_server
  local truth="$OUT_DIR/$name.server.err" row
  if [[ $client == reference ]]; then
    row=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$(json_num "$base.out" requests)" \
      "$(json_num "$base.out" ttft_p50_us)" "$(json_num "$base.out" ttft_p99_us)" \
      "$(json_num "$base.out" itl_p50_us)" "$(json_num "$base.out" itl_p99_us)" "$(json_num "$base.out" first_lag_mean_us)" \
      "-" "-")
  else
    row=$(jq -r '.summary as $s | [$s.requests_succeeded, ($s.ttft_ms.p50, $s.ttft_ms.p99, $s.itl_ms.p50, $s.itl_ms.p99,
        $s.first_token_delivery_lag_ms.mean) * 1000, .measurement.timestamp_source,
        .measurement.kernel_stamped_reads] | @tsv' "$base.json" 2> /dev/null) ||
      row=$(printf '0\t-\t-\t-\t-\t-\t-\t-')
  fi
  IFS=$'\t' read -r ok ttft50 ttft99 itl50 itl99 first source kreads <<< "$row"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$client" "$n" "$rep" "${ok:-0}" \
    "$(json_num "$truth" true_ttft_p50_us)" "$(json_num "$truth" true_ttft_p99_us)" \
    "$(json_num "$truth" true_itl_p50_us)" "$(json_num "$truth" true_itl_p99_us)" \
    "$ttft50" "$ttft99" "$itl50" "$itl99" "$first" "$source" "$kreads" >> "$RUNS"
  [[ ${ok:-0} == "$n" ]] || echo "contention.sh: $name: ${ok:-0} of $n requests succeeded (see $base.err)" >&2
}

# One markdown row: medians over the repeats of each figure and of each error.
summarize() {  # summarize CLIENT STREAMS
  awk -F'\t' -v c="$1" -v n="$2" '
    function med(a, k,   i, j, t) {
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return k == 0 ? "nan" : (k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2)
    }
    $1 == c && $2 == n && $9 != "-" && $5 != "" {
      k++; ok[k] = $4
      tt50[k] = $5 / 1000; tt99[k] = $6 / 1000; ti50[k] = $7 / 1000; ti99[k] = $8 / 1000
      e50[k] = ($9 - $5) / 1000; e99[k] = ($10 - $6) / 1000; i50[k] = ($11 - $7) / 1000; i99[k] = ($12 - $8) / 1000
      fl[k] = $13 / 1000; src = $14
    }
    END {
      if (k == 0) { printf "| %d | %s | failed | | | | | | |\n", n, c; exit }
      label = c == "reference" ? "reference reader" : "llmbench --timestamps " c
      printf "| %d | %s | %d | %.2f / %.2f | **%+.2f** / %+.2f | %.2f / %.2f | %+.2f / **%+.2f** | %.2f | %s |\n",
        n, label, med(ok, k), med(tt50, k), med(tt99, k), med(e50, k), med(e99, k), med(ti50, k), med(ti99, k),
        med(i50, k), med(i99, k), med(fl, k), (c == "reference" ? "user" : src)
    }' "$RUNS"
}

# The targets, for the kernel rows: ITL p99 within 1 ms of the truth and
# TTFT p50 within 2 ms (medians of the errors over the repeats).
verdict() {  # verdict STREAMS
  awk -F'\t' -v n="$1" '
    function med(a, k,   i, j, t) {
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    function abs(x) { return x < 0 ? -x : x }
    $1 == "kernel" && $2 == n && $9 != "-" && $5 != "" { k++; i99[k] = ($12 - $8) / 1000; e50[k] = ($9 - $5) / 1000 }
    END {
      if (k == 0) { printf "%d streams, kernel timestamps: no run succeeded\n", n; exit }
      a = med(i99, k); b = med(e50, k)
      printf "%d streams, kernel timestamps: ITL p99 error %+.2f ms (target within 1 ms): %s; TTFT p50 error %+.2f ms (target within 2 ms): %s\n",
        n, a, abs(a) <= 1 ? "met" : "MISSED", b, abs(b) <= 2 ? "met" : "MISSED"
    }' "$RUNS"
}

main() {
  command -v jq > /dev/null || die "jq is needed (apt-get install jq)"
  if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$ROOT" && cmake --preset release && cmake --build --preset release -j2 \
      --target llmbench llmbench_bench_server llmbench_reference_reader) > "$OUT_DIR/build.log" 2>&1 ||
      { tail -20 "$OUT_DIR/build.log" >&2; die "the release build failed"; }
  fi
  for f in "$LLMBENCH" "$BUILD"/bench/llmbench_{bench_server,reference_reader}; do
    [[ -x $f ]] || die "$f is missing: build the release preset"
  done
  : > "$RUNS"
  echo "per-run files: $OUT_DIR; busy loop: $([[ $BUSY == 1 ]] && echo "on ${CLIENT_PIN[*]:-the same cores}" || echo off);" \
    "$REPEATS repeat(s); server: ${SERVER_PIN[*]:-as is}; clients: ${CLIENT_PIN[*]:-as is}; load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  printf 'server: TTFT %s ms, a token every %s ms, first tokens spread over %s ms, %s tokens a stream; busy loop on the clients'"'"' core: %s\n\n' \
    "$(awk -v x="$TTFT_US" 'BEGIN { print x / 1000 }')" "$(awk -v x="$GAP_US" 'BEGIN { print x / 1000 }')" \
    "$(awk -v x="$SPREAD_US" 'BEGIN { print x / 1000 }')" "$TOKENS" "$([[ $BUSY == 1 ]] && echo yes || echo no)"
  printf '| streams | client | ok | true TTFT p50 / p99 ms | TTFT error p50 / p99 ms | true ITL p50 / p99 ms | ITL error p50 / p99 ms | 1st-token lag mean ms | timestamps |\n'
  printf '|---:|---|---:|---:|---:|---:|---:|---:|---|\n'
  for n in $STREAMS; do
    for rep in $(seq "$REPEATS"); do
      for client in reference user kernel; do measure "$client" "$n" "$rep"; done
    done
    for client in reference user kernel; do summarize "$client" "$n"; done
  done
  echo
  for n in $STREAMS; do verdict "$n"; done
  echo "medians of $REPEATS run(s); runs: $RUNS" >&2
}

main "$@"
