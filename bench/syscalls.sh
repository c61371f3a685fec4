#!/usr/bin/env bash
# System calls and user-space instructions per streamed token: llmbench against
# the reference reader, side by side, in the same scenario against the same
# bench server.
#
# Both figures are counts, not times, so they hold on a busy machine where CPU
# seconds do not (bench/run.sh measures those):
#   - system calls: `perf stat -e raw_syscalls:sys_enter` (a kernel tracepoint,
#     no PMU needed) over the whole client process, with the per-call counts of
#     epoll_wait, epoll_ctl and recvmsg/recvfrom/read beside the total;
#   - instructions: callgrind's total (user space only: the kernel's work for a
#     system call is not in it), in a second run of the same scenario.
# Each count has a "fixed" run subtracted (one request of one token: start-up,
# GET /v1/models, writing the JSON file), so what is left is the streaming path.
# Under callgrind the client runs ~50x slower, so in the paced scenarios more
# tokens arrive per wake-up than natively: instructions per token there are a
# floor for both clients; the system-call figures come from native runs.
#
# usage: bench/syscalls.sh                       paced and batched, 64 and 512 streams (~5 min)
#        SMOKE=1 bench/syscalls.sh               one tiny scenario (a few seconds)
# environment:
#   SCENARIOS   list of MODE:STREAMS:K, MODE paced or unpaced (default
#               "paced:64:1 paced:512:1 paced:64:16 paced:512:16 unpaced:64:16 unpaced:512:16")
#   GAP_US      paced time per token (default 20000)
#   TOKENS      events per response (default 32 paced, 256 unpaced)
#   INSTR=0     skip the callgrind runs (system calls only)
#   LLMBENCH    the llmbench binary (default build/release/llmbench); LLMBENCH_ARGS extra flags
#   SKIP_BUILD=1, OUT_DIR as in bench/run.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build/release"
LLMBENCH=${LLMBENCH:-$BUILD/llmbench}
LLMBENCH_ARGS=${LLMBENCH_ARGS:-}
GAP_US=${GAP_US:-20000}
INSTR=${INSTR:-1}
if [[ ${SMOKE:-0} == 1 ]]; then
  SCENARIOS=${SCENARIOS:-paced:4:1}
  TOKENS=${TOKENS:-8}
  GAP_US=2000
else
  SCENARIOS=${SCENARIOS:-paced:64:1 paced:512:1 paced:64:16 paced:512:16 unpaced:64:16 unpaced:512:16}
fi
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/llmbench-syscalls.XXXXXX)}
mkdir -p "$OUT_DIR"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

SYSCALL_EVENTS=raw_syscalls:sys_enter,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl
SYSCALL_EVENTS+=,syscalls:sys_enter_recvmsg,syscalls:sys_enter_recvfrom,syscalls:sys_enter_read

# client TOOL STREAMS REQUESTS TOKENS OUT: the command line of one client run
client() {
  local tool=$1 streams=$2 requests=$3 tokens=$4 out=$5
  if [[ $tool == ref ]]; then
    echo "$BUILD/bench/llmbench_reference_reader --port $PORT --connections $streams --requests $requests --max-tokens $tokens"
  else
    # shellcheck disable=SC2086
    echo "$LLMBENCH --url http://127.0.0.1:$PORT --concurrency $streams --requests $requests --threads 1" \
      "--max-tokens $tokens -q --no-progress --output $out.json $LLMBENCH_ARGS"
  fi
}

tokens_of() {  # tokens_of TOOL BASE: content tokens the client saw
  if [[ $1 == ref ]]; then
    echo $(($(json_num "$2.out" events) - $(json_num "$2.out" done)))
  else
    jq '.summary.output_tokens // 0' "$2.json"
  fi
}

# measure NAME TOOL STREAMS REQUESTS TOKENS: one perf run and (INSTR=1) one
# callgrind run; prints "syscalls epoll_wait epoll_ctl reads instructions tokens"
measure() {
  local name=$1 tool=$2 streams=$3 requests=$4 tokens=$5 base="$OUT_DIR/$1.$2" cmd
  cmd=$(client "$tool" "$streams" "$requests" "$tokens" "$base")
  # shellcheck disable=SC2086
  "${CLIENT_PIN[@]}" perf stat -x, -o "$base.perf" -e "$SYSCALL_EVENTS" -- $cmd > "$base.out" 2> "$base.err" ||
    echo "syscalls.sh: $name $tool exited $? (see $base.err)" >&2
  local got
  got=$(tokens_of "$tool" "$base")
  local instr=0
  if [[ $INSTR == 1 ]]; then
    cmd=$(client "$tool" "$streams" "$requests" "$tokens" "$base.cg")
    # shellcheck disable=SC2086
    "${CLIENT_PIN[@]}" valgrind --tool=callgrind --callgrind-out-file="$base.callgrind" -- $cmd \
      > "$base.cg.out" 2> "$base.cg.err" || echo "syscalls.sh: $name $tool under callgrind exited $?" >&2
    instr=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p;s/^summary: *\([0-9]*\).*/\1/p' "$base.callgrind" | head -1)
  fi
  awk -F, -v instr="${instr:-0}" -v tok="$got" '
    $3 == "raw_syscalls:sys_enter" { all = $1 }
    $3 ~ /epoll_wait$/ { ew = $1 }
    $3 ~ /epoll_ctl$/ { ec = $1 }
    $3 ~ /recvmsg$|recvfrom$|sys_enter_read$/ { rd += $1 }
    END { print all + 0, ew + 0, ec + 0, rd + 0, instr, tok }' "$base.perf"
}

# row NAME MODE STREAMS K: one table row, each figure per token after the fixed run
row() {
  local name=$1 mode=$2 streams=$3 k=$4 tokens requests
  if [[ $mode == paced ]]; then
    tokens=${TOKENS:-32}
    start_server "$name" --tokens "$tokens" --gap-us "$GAP_US" --events-per-write "$k"
  else
    tokens=${TOKENS:-256}
    start_server "$name" --tokens "$tokens" --events-per-write "$k"
  fi
  requests=$((streams * 2))
  local r l
  r=$(measure "$name" ref "$streams" "$requests" "$tokens")
  l=$(measure "$name" llmbench "$streams" "$requests" "$tokens")
  stop_server
  awk -v name="$mode $streams×K$k" -v r="$r" -v l="$l" -v fr="$FIXED_REF" -v fl="$FIXED_LLM" 'BEGIN {
      split(r, a, " "); split(l, b, " "); split(fr, fa, " "); split(fl, fb, " ")
      ta = a[6] > 0 ? a[6] : 1; tb = b[6] > 0 ? b[6] : 1
      for (i = 1; i <= 5; i++) { pa[i] = (a[i] - fa[i]) / ta; pb[i] = (b[i] - fb[i]) / tb }
      printf "| %s | %d / %d | %.2f | %.2f | **%.2f** | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %.0f | %.0f | **%.2f** |\n",
        name, a[6], b[6], pa[1], pb[1], (pa[1] > 0 ? pb[1] / pa[1] : 0), pa[2], pa[3], pa[4], pb[2], pb[3], pb[4],
        pa[5], pb[5], (pa[5] > 0 ? pb[5] / pa[5] : 0)
    }'
}

main() {
  command -v jq > /dev/null || die "jq is needed (apt-get install jq)"
  command -v perf > /dev/null || die "perf is needed (apt-get install linux-perf)"
  perf stat -e raw_syscalls:sys_enter true > /dev/null 2>&1 || die "perf cannot count raw_syscalls:sys_enter here"
  if [[ $INSTR == 1 ]]; then command -v valgrind > /dev/null || die "valgrind is needed (or INSTR=0)"; fi
  if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$ROOT" && cmake --preset release && cmake --build --preset release -j2 --target llmbench \
      llmbench_bench_server llmbench_reference_reader) > "$OUT_DIR/build.log" 2>&1 ||
      { tail -20 "$OUT_DIR/build.log" >&2; die "the release build failed"; }
  fi
  start_server fixed --tokens 1
  FIXED_REF=$(measure fixed ref 1 1 1)
  FIXED_LLM=$(measure fixed llmbench 1 1 1)
  stop_server
  FIXED_REF="${FIXED_REF% *} 0"   # keep the counts, not the one token
  FIXED_LLM="${FIXED_LLM% *} 0"
  echo "per-run files: $OUT_DIR; fixed run (syscalls, instructions): ref ${FIXED_REF% 0}, llmbench ${FIXED_LLM% 0}" >&2
  echo "| scenario | tokens ref / llmbench | ref syscalls/tok | llmbench syscalls/tok | ratio | ref epoll_wait / epoll_ctl / read per tok | llmbench epoll_wait / epoll_ctl / read per tok | ref instr/tok | llmbench instr/tok | ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in $SCENARIOS; do
    IFS=: read -r mode streams k <<< "$s"
    [[ $mode =~ ^(paced|unpaced)$ ]] || die "unknown scenario '$s' (MODE:STREAMS:K, MODE paced or unpaced)"
    row "$mode-$streams-$k" "$mode" "$streams" "$k"
  done
}

main "$@"
