#!/usr/bin/env bash
# Client CPU per streamed token: llmbench against the reference reader, side by side.
#
# Both clients stream from the same minimal server (llmbench_bench_server), one
# after the other (A B A B ...), pinned to one core while the server has the
# other. Each run's user+sys CPU, peak RSS and wall time come from wait4()
# (llmbench_rusage_run); tokens come from each tool's own output: the reader's
# content events (events - one stop event per request), llmbench's
# summary.output_tokens (the server's usage.completion_tokens).
#
# Whole-process CPU includes start-up: loading, GET /v1/models and /props,
# writing the JSON file. A "fixed" row measures it (one request of one token)
# and the "net" columns subtract it, leaving what the streaming path costs.
#
# usage: bench/run.sh                         the full grid, 5 pairs (5-7 min of runs here)
#        PAIRS=1 SCENARIOS=quick bench/run.sh  a smoke run (< 1 min)
# environment:
#   PAIRS           A/B pairs per scenario (default 5)
#   SCENARIOS       full | quick | a list "MODE:STREAMS:K ..." with MODE unpaced, paced, lag or
#                   ttft, e.g. SCENARIOS="unpaced:64:1 paced:512:16 lag:1000:1 ttft:512:1".
#                   lag: paced streams whose starts the server spreads over one gap
#                   (--ttft-spread-us), so tokens arrive evenly: the delivery-lag target.
#                   ttft: every stream starts at once and gets one response; the
#                   first token's delivery lag (mean) is the TTFT error.
#   GAP_US          paced time per token (default 20000; K events leave every K*GAP_US)
#   UNPACED_TOKENS  events per response, unpaced (default 256; fewer when streams * 256 > the target)
#   PACED_TOKENS    events per response, paced and ttft (default 32: 0.64 s of tokens at the default gap)
#   LAG_TOKENS      events per response, lag (default 256: 5 s at the default gap)
#   TOKENS_K1       unpaced tokens per run at K=1 (default 131072; at least one request per stream)
#   TOKENS_K16      unpaced tokens per run at K=16 (default 524288)
#   LLMBENCH        the llmbench binary to measure (default build/release/llmbench), e.g. a copy
#                   pinned while the tree changes, or another build to compare
#   SKIP_BUILD=1    use build/release as it is
#   FULL_BUILD=1    build the whole release preset (tests too), not only the four targets run here
#   OUT_DIR         where per-run files go (default: a new directory under /tmp)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build/release"
LLMBENCH=${LLMBENCH:-$BUILD/llmbench}
PAIRS=${PAIRS:-5}
SCENARIOS=${SCENARIOS:-full}
GAP_US=${GAP_US:-20000}
UNPACED_TOKENS=${UNPACED_TOKENS:-256}
PACED_TOKENS=${PACED_TOKENS:-32}
LAG_TOKENS=${LAG_TOKENS:-256}
if [[ $SCENARIOS == quick ]]; then
  TOKENS_K1=${TOKENS_K1:-32768}
  TOKENS_K16=${TOKENS_K16:-131072}
  SCENARIO_LIST="unpaced:64:1 unpaced:64:16 paced:64:1"
elif [[ $SCENARIOS == full ]]; then
  TOKENS_K1=${TOKENS_K1:-131072}
  TOKENS_K16=${TOKENS_K16:-524288}
  SCENARIO_LIST=""
  for mode in unpaced paced; do
    for streams in 1 64 512 2000; do
      for k in 1 16; do SCENARIO_LIST+="$mode:$streams:$k "; done
    done
  done
else
  TOKENS_K1=${TOKENS_K1:-131072}
  TOKENS_K16=${TOKENS_K16:-524288}
  SCENARIO_LIST=$SCENARIOS
fi
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/llmbench-bench.XXXXXX)}
mkdir -p "$OUT_DIR"
RUNS="$OUT_DIR/runs.tsv"
RUN_TIMEOUT_S=300
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

build() {
  [[ ${SKIP_BUILD:-0} == 1 ]] && return
  # Only what the benchmark runs, by default: on a shared two-core machine the
  # test suite alone takes minutes, and a test that does not compile elsewhere
  # in the tree must not stop the measurement. FULL_BUILD=1 builds everything.
  local targets=(--target llmbench llmbench_bench_server llmbench_reference_reader llmbench_rusage_run)
  [[ ${FULL_BUILD:-0} == 1 ]] && targets=()
  echo "building the release preset ${targets[*]} (log: $OUT_DIR/build.log)" >&2
  (cd "$ROOT" && cmake --preset release && cmake --build --preset release -j2 "${targets[@]}") > "$OUT_DIR/build.log" 2>&1 ||
    { tail -20 "$OUT_DIR/build.log" >&2; die "the release build failed"; }
}

# measure NAME TOOL PAIR STREAMS REQUESTS TOKENS STAMP: one run, one row of runs.tsv:
# name tool pair user_s sys_s rss_kb wall_s tokens requests_ok lag_p50_us lag_p99_us exit_code reads
# first_lag_mean_us
measure() {
  local name=$1 tool=$2 pair=$3 streams=$4 requests=$5 tokens=$6 stamp=$7
  local base="$OUT_DIR/$name.$tool.$pair" rc=0 got_tokens=0 ok=0 lag50=- lag99=- reads=- first=-
  if [[ $tool == ref ]]; then
    local extra=()
    [[ $stamp == 1 ]] && extra=(--stamp)
    "${CLIENT_PIN[@]}" "$BUILD/bench/llmbench_rusage_run" -o "$base.rusage" -t "$RUN_TIMEOUT_S" \
      "$BUILD/bench/llmbench_reference_reader" --port "$PORT" --connections "$streams" --requests "$requests" \
      --max-tokens "$tokens" "${extra[@]}" > "$base.out" 2> "$base.err" || rc=$?
    ok=$(json_num "$base.out" requests)
    got_tokens=$(($(json_num "$base.out" events) - $(json_num "$base.out" done)))
    lag50=$(json_num "$base.out" lag_p50_us)
    lag99=$(json_num "$base.out" lag_p99_us)
    first=$(json_num "$base.out" first_lag_mean_us)
    reads=$(json_num "$base.out" reads)
  else
    local extra=()
    [[ $stamp == 1 ]] && extra=(--stamp-lag)
    "${CLIENT_PIN[@]}" "$BUILD/bench/llmbench_rusage_run" -o "$base.rusage" -t "$RUN_TIMEOUT_S" \
      "$LLMBENCH" --url "http://127.0.0.1:$PORT" --concurrency "$streams" --requests "$requests" \
      --threads 1 --max-tokens "$tokens" -q --no-progress "${extra[@]}" --output "$base.json" > "$base.out" 2> "$base.err" || rc=$?
    ok=$(jq '.summary.requests_succeeded // 0' "$base.json" 2> /dev/null || echo 0)
    got_tokens=$(jq '.summary.output_tokens // 0' "$base.json" 2> /dev/null || echo 0)
    if [[ $stamp == 1 ]]; then
      lag50=$(jq '.summary.delivery_lag_ms.p50 * 1000 | round' "$base.json" 2> /dev/null || echo -)
      lag99=$(jq '.summary.delivery_lag_ms.p99 * 1000 | round' "$base.json" 2> /dev/null || echo -)
      first=$(jq '.summary.first_token_delivery_lag_ms.mean * 1000' "$base.json" 2> /dev/null || echo -)
    fi
  fi
  [[ $ok == "$requests" ]] || echo "run.sh: $name $tool pair $pair: $ok of $requests requests succeeded (exit $rc)" >&2
  read -r user sys rss wall _ < "$base.rusage"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$tool" "$pair" "$user" "$sys" "$rss" "$wall" \
    "$got_tokens" "$ok" "${lag50:--}" "${lag99:--}" "$rc" "${reads:--}" "${first:--}" >> "$RUNS"
}

run_pairs() {  # run_pairs NAME STREAMS REQUESTS TOKENS STAMP
  for pair in $(seq "$PAIRS"); do
    measure "$1" ref "$pair" "$2" "$3" "$4" "$5"
    measure "$1" llmbench "$pair" "$2" "$3" "$4" "$5"
  done
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# column NAME TOOL EXPR: the median over pairs of an awk expression of one row
column() {
  awk -F'\t' -v n="$1" -v t="$2" -v fixed="${4:-0}" "\$1 == n && \$2 == t { print $3 }" "$RUNS" | median
}

FIXED_REF=0
FIXED_LLMBENCH=0
fixed_cost() {
  start_server fixed --tokens 1
  run_pairs fixed 1 1 1 0
  stop_server
  FIXED_REF=$(column fixed ref '$4 + $5')
  FIXED_LLMBENCH=$(column fixed llmbench '$4 + $5')
}

run_scenario() {  # run_scenario MODE STREAMS K: starts its server, runs the pairs, prints its row
  local mode=$1 streams=$2 k=$3 name="$1-$2-$3" tokens requests stamp server_args
  if [[ $mode == unpaced ]]; then
    # Every stream gets at least one request; past 512 streams the responses
    # get shorter instead, so that a run stays near its token target.
    local target=$TOKENS_K1
    [[ $k -gt 1 ]] && target=$TOKENS_K16
    tokens=$((target / streams))
    ((tokens > UNPACED_TOKENS)) && tokens=$UNPACED_TOKENS
    ((tokens > 16)) && tokens=$((tokens / 16 * 16))
    ((tokens < k)) && tokens=$k
    requests=$(((target + tokens - 1) / tokens))
    ((requests < streams)) && requests=$streams
    stamp=0
    server_args=(--tokens "$tokens" --events-per-write "$k")
  elif [[ $mode == ttft ]]; then
    # Every stream starts at once and streams one response: how late the
    # first tokens, which the server sends as fast as it can, are stamped.
    tokens=$PACED_TOKENS
    requests=$streams
    stamp=1
    server_args=(--tokens "$tokens" --gap-us "$GAP_US" --events-per-write "$k" --stamp)
  else
    # Paced runs last as long as their responses: two per stream (the second
    # reuses the connection), four for one stream so that it streams 128 tokens.
    # lag: the server spreads the streams' first tokens over one gap, so
    # that tokens arrive evenly instead of all streams' at once.
    # lag: one long response per stream (LAG_TOKENS), so that the start-up,
    # when every connection opens at once, is under 1 % of the events.
    tokens=$PACED_TOKENS
    requests=$((streams * 2))
    ((streams == 1)) && requests=4
    if [[ $mode == lag ]]; then
      tokens=$LAG_TOKENS
      requests=$streams
    fi
    stamp=1
    server_args=(--tokens "$tokens" --gap-us "$GAP_US" --events-per-write "$k" --stamp)
    [[ $mode == lag ]] && server_args+=(--ttft-spread-us "$((GAP_US * k))")
  fi
  start_server "$name" "${server_args[@]}"
  run_pairs "$name" "$streams" "$requests" "$tokens" "$stamp"
  stop_server
  summarize "$name" "$mode" "$streams" "$k" "$tokens" "$requests"
}

summarize() {  # one markdown row from runs.tsv and the server's counters
  local name=$1 mode=$2 streams=$3 k=$4 tokens=$5 requests=$6
  local per_tok='($4 + $5) * 1e6 / ($8 > 0 ? $8 : 1)'
  local net_tok='($4 + $5 - fixed) * 1e6 / ($8 > 0 ? $8 : 1)'
  local ref llm ref_net llm_net srv_cpu srv_events
  ref=$(column "$name" ref "$per_tok")
  llm=$(column "$name" llmbench "$per_tok")
  ref_net=$(column "$name" ref "$net_tok" "$FIXED_REF")
  llm_net=$(column "$name" llmbench "$net_tok" "$FIXED_LLMBENCH")
  srv_cpu=$(awk -F'[:,}]' '{ for (i = 1; i < NF; i++) { if ($i ~ /"user_s"|"sys_s"/) s += $(i + 1) } } END { print s }' \
    "$OUT_DIR/$name.server.err")
  srv_events=$(json_num "$OUT_DIR/$name.server.err" events)
  awk -v mode="$mode" -v c="$streams" -v k="$k" -v n="$tokens" -v r="$requests" -v ref="$ref" -v llm="$llm" \
    -v refn="$ref_net" -v llmn="$llm_net" \
    -v rw="$(column "$name" ref '$7')" -v lw="$(column "$name" llmbench '$7')" \
    -v rr="$(column "$name" ref '$6 / 1024')" -v lr="$(column "$name" llmbench '$6 / 1024')" \
    -v l50="$(column "$name" ref '$10')" -v l99="$(column "$name" ref '$11')" \
    -v m50="$(column "$name" llmbench '$10')" -v m99="$(column "$name" llmbench '$11')" \
    -v f1="$(column "$name" ref '$14')" -v f2="$(column "$name" llmbench '$14')" \
    -v srv="$srv_events" -v srvcpu="$srv_cpu" 'BEGIN {
      stamped = (mode != "unpaced")
      lag = stamped ? sprintf("%d / %d", l50, l99) : "-"
      mlag = stamped ? sprintf("%d / %d", m50, m99) : "-"
      first = stamped ? sprintf("%.2f / %.2f", f1 / 1000, f2 / 1000) : "-"
      printf "| %s | %d | %d | %d | %d | %.3f | %.3f | **%.2f** | %.3f | %.3f | %.2f | %.2f | %.2f | %.1f | %.1f | %s | %s | %s | %.2f |\n",
        mode, c, k, n, r, ref, llm, (ref > 0 ? llm / ref : 0), refn, llmn, (refn > 0 ? llmn / refn : 0),
        rw, lw, rr, lr, lag, mlag, first, (srvcpu > 0 ? srv / srvcpu / 1e6 : 0)
    }' | tee -a "$OUT_DIR/table.md"
}

# User and system CPU per token, summed over the pairs, and how many events
# the reference reader got per read(): where the time goes, in two numbers.
split_table() {
  printf '\n| scenario | ref user µs/tok | ref sys µs/tok | llmbench user µs/tok | llmbench sys µs/tok | user ratio | sys ratio | ref events/read |\n'
  printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
  awk -F'\t' '$1 != "fixed" {
      k = $1; if (!(k in seen)) { seen[k] = 1; order[++n] = k }
      u[k, $2] += $4; s[k, $2] += $5; t[k, $2] += $8
      if ($2 == "ref" && $13 != "-") { reads[k] += $13 }
    } END {
      for (i = 1; i <= n; i++) {
        k = order[i]
        ru = u[k, "ref"] * 1e6 / t[k, "ref"]; rs = s[k, "ref"] * 1e6 / t[k, "ref"]
        lu = u[k, "llmbench"] * 1e6 / t[k, "llmbench"]; ls = s[k, "llmbench"] * 1e6 / t[k, "llmbench"]
        printf "| %s | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f | %.1f |\n", k, ru, rs, lu, ls,
          (ru > 0 ? lu / ru : 0), (rs > 0 ? ls / rs : 0), (reads[k] > 0 ? t[k, "ref"] / reads[k] : 0)
      }
    }' "$RUNS"
}

main() {
  command -v jq > /dev/null || die "jq is needed (apt-get install jq)"
  build
  for f in "$LLMBENCH" "$BUILD"/bench/llmbench_{bench_server,reference_reader,rusage_run}; do
    [[ -x $f ]] || die "$f is missing: build the release preset"
  done
  : > "$RUNS"
  : > "$OUT_DIR/table.md"
  echo "per-run files: $OUT_DIR; $PAIRS pair(s); pinning: ${SERVER_PIN[*]:-none} (server) ${CLIENT_PIN[*]:-none} (clients)" >&2
  fixed_cost
  printf 'fixed cost per run (1 request, 1 token; median CPU): reference %.2f ms, llmbench %.2f ms\n\n' \
    "$(awk -v x="$FIXED_REF" 'BEGIN { print x * 1000 }')" "$(awk -v x="$FIXED_LLMBENCH" 'BEGIN { print x * 1000 }')" |
    tee -a "$OUT_DIR/table.md"
  {
    echo "| mode | streams | K | tokens/req | requests | ref µs/tok | llmbench µs/tok | ratio | ref net µs/tok | llmbench net µs/tok | net ratio | ref wall s | llmbench wall s | ref RSS MiB | llmbench RSS MiB | ref lag p50/p99 µs | llmbench lag p50/p99 µs | 1st-token lag mean ms ref / llmbench | server Mev/CPU-s |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  } | tee -a "$OUT_DIR/table.md"
  local started_s=$SECONDS
  for s in $SCENARIO_LIST; do
    IFS=: read -r mode streams k <<< "$s"
    [[ $mode =~ ^(unpaced|paced|lag|ttft)$ ]] || die "unknown scenario '$s' (MODE:STREAMS:K, MODE unpaced, paced, lag or ttft)"
    run_scenario "$mode" "$streams" "$k"
  done
  split_table | tee -a "$OUT_DIR/table.md"
  echo >&2
  echo "medians of $PAIRS pair(s); $((SECONDS - started_s)) s of scenarios; table: $OUT_DIR/table.md; runs: $RUNS" >&2
}

main "$@"
