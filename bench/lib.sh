# Shared by bench/run.sh and bench/scale.sh: pinning, the bench server's
# life cycle, and reading a number out of a one-line JSON object.
# Needs BUILD (the release build directory) and OUT_DIR set by the caller.

SERVER_PIN=()
CLIENT_PIN=()
if [[ $(nproc) -ge 2 ]] && command -v taskset > /dev/null; then
  SERVER_PIN=(taskset -c 0)
  CLIENT_PIN=(taskset -c 1)
fi

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

SERVER_PID=""
PORT=""
start_server() {  # start_server NAME ARGS...
  local name=$1
  shift
  "${SERVER_PIN[@]}" "$BUILD/bench/llmbench_bench_server" "$@" > "$OUT_DIR/$name.server.out" 2> "$OUT_DIR/$name.server.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$OUT_DIR/$name.server.out")
    [[ -n $PORT ]] && return
    sleep 0.05
  done
  die "the bench server did not start (see $OUT_DIR/$name.server.err)"
}

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill -INT "$SERVER_PID" 2> /dev/null || true
  wait "$SERVER_PID" 2> /dev/null || true
  SERVER_PID=""
}
trap stop_server EXIT

json_num() {  # json_num FILE KEY: a top-level number from a one-line JSON object
  sed -n "s/.*\"$2\":\([0-9.e+-]*\|null\).*/\1/p" "$1"
}

