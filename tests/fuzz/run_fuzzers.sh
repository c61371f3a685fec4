#!/usr/bin/env bash
# Builds the libFuzzer targets (the "fuzz" preset, clang) and runs each for a
# bounded time on seeds derived from the captured llama-server responses.
#
#   bash tests/fuzz/run_fuzzers.sh [SECONDS]     (default 30 per fuzzer)
#
# Every file under tests/fuzz/regressions/<fuzzer>/ is replayed first. Exits 1
# if any input crashes; the crashing inputs are kept in build/fuzz/artifacts/
# (copy them into regressions/<fuzzer>/ once fixed). The seed corpora live in
# a temporary directory: nothing large is kept in the tree.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-30}"
jobs="${LLMBENCH_FUZZ_JOBS:-2}"
fuzzers=(fuzz_response_parser fuzz_sse_framer fuzz_event_decoder fuzz_prometheus fuzz_proc_text fuzz_rx_timestamp fuzz_trace)
fixtures="tests/fixtures/llama-server"
[ -d "$fixtures" ] || fixtures="/work/shared/fixtures/llama-server"
bin_dir="build/fuzz/tests/fuzz"
artifacts="$PWD/build/fuzz/artifacts"
started=$SECONDS

if ! command -v clang++ >/dev/null; then
  echo "run_fuzzers.sh: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$jobs"

work="$(mktemp -d "${TMPDIR:-/tmp}/llmbench-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Seeds. The fuzzers read an options byte and a cut count before the payload
# (see fuzz_input.hpp); "\0\0" means "options 0, no cuts", and the cut
# variants give libFuzzer a head start on chunk boundaries.
#   response parser: each whole captured response
#   SSE framer:      each streamed body with its chunked framing removed
#   event decoder:   the first and last events of each stream, each JSON body
#   Prometheus text: each captured /metrics body, and a few lines in the shape
#                    of vLLM, SGLang, TGI and of the format's corners
#   /proc text:      this machine's own /proc files (the options byte picks
#                    the parser) and the captured /slots bodies
seed() {  # seed DIR NAME PREFIX(printf format) < payload
  { printf "$3"; cat; } >"$1/$2"
}
mkdir -p "$work/fuzz_response_parser" "$work/fuzz_sse_framer" "$work/fuzz_event_decoder" "$work/fuzz_rx_timestamp" \
  "$work/bodies"
for f in "$fixtures"/*.http; do
  name="$(basename "$f" .http)"
  seed "$work/fuzz_response_parser" "$name" '\000\000' <"$f"
  seed "$work/fuzz_response_parser" "$name.cut" '\000\003\100\000\000\001\300\002' <"$f"
  # The body, de-chunked; ".sse" or ".json" after its Content-Type.
  OUT="$work/bodies/$name" perl -0777 -ne '
    my ($head, $body) = split /\r\n\r\n/, $_, 2;
    $body //= "";
    if ($head =~ /^transfer-encoding:\s*chunked/im) {
      my $out = "";
      while ($body =~ s/\A([0-9a-fA-F]+)[^\r\n]*\r\n//) {
        my $n = hex $1;
        last if $n == 0;
        $out .= substr($body, 0, $n, "");
        $body =~ s/\A\r\n//;
      }
      $body = $out;
    }
    my $kind = $head =~ /^content-type:\s*text\/event-stream/im ? "sse" : "json";
    open my $o, ">", "$ENV{OUT}.$kind" or die; print $o $body;
  ' "$f"
done
for b in "$work"/bodies/*.sse; do
  name="$(basename "$b")"
  seed "$work/fuzz_sse_framer" "$name" '\077\000' <"$b"            # 1 MiB limit
  seed "$work/fuzz_sse_framer" "$name.cut" '\177\002\140\000\001\001' <"$b"  # padded, 2 cuts
  seed "$work/fuzz_sse_framer" "$name.small" '\040\000' <"$b"      # 256-byte limit
  # Its events: the first four and the last four.
  OUT="$work/fuzz_event_decoder/$name" perl -0777 -ne '
    my @ev = grep { length } map { s/\Adata: ?//r } split /\n\n/, $_;
    my %pick = map { $_ => 1 } (0 .. 3, $#ev - 3 .. $#ev);
    for my $i (sort { $a <=> $b } grep { $_ >= 0 && $_ <= $#ev } keys %pick) {
      open my $o, ">", "$ENV{OUT}.$i" or die; print $o "\0\0", $ev[$i];
    }
    # Two neighbours, cut between them: the first makes the stream template
    # that the second is decoded through (and spliced into).
    for my $i (1 .. 3) {
      next if $i + 1 > $#ev;
      open my $o, ">", "$ENV{OUT}.pair$i" or die;
      print $o "\0\1", pack("v", length $ev[$i]), $ev[$i], $ev[$i + 1];
    }
  ' "$b"
done
for b in "$work"/bodies/*.json; do
  [ -s "$b" ] && seed "$work/fuzz_event_decoder" "$(basename "$b")" '\000\000' <"$b"
done
printf '\000\000[DONE]' >"$work/fuzz_event_decoder/done"
# The bodies of the endpoints that generate nothing (embeddings, rerank).
printf '\000\000{"model":"m","object":"list","usage":{"prompt_tokens":5,"total_tokens":5},"data":[{"embedding":[0.5,-0.25],"index":0,"object":"embedding"}]}' \
  >"$work/fuzz_event_decoder/embeddings"
printf '\000\000{"model":"m","object":"list","usage":{"prompt_tokens":9,"total_tokens":9},"results":[{"index":1,"relevance_score":2.5},{"index":0,"relevance_score":-1}]}' \
  >"$work/fuzz_event_decoder/rerank"
# Receive timestamps: one SCM_TIMESTAMPING message as the kernel writes it
# (cmsg_len 64, SOL_SOCKET 1, SO_TIMESTAMPING 37, software stamp 1.7e9 s + 5 ns),
# and the same behind an IP_TOS message.
ts_msg='\100\0\0\0\0\0\0\0\001\0\0\0\045\0\0\0\0\361\123\145\0\0\0\0\005\0\0\0\0\0\0\0'
ts_msg+='\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
printf "$ts_msg" >"$work/fuzz_rx_timestamp/scm_timestamping"
printf '\021\0\0\0\0\0\0\0\0\0\0\0\001\0\0\0\020\0\0\0\0\0\0\0'"$ts_msg" >"$work/fuzz_rx_timestamp/tos_then_stamp"

# Options bit 0 makes fuzz_prometheus also check that CRLF reads like LF.
mkdir -p "$work/fuzz_prometheus"
for f in "$fixtures"/metrics*.http "$fixtures"/metrics_b9928_body.txt; do
  [ -f "$f" ] || continue
  name="$(basename "$f")"
  perl -0777 -pe 's/\A.*?\r\n\r\n//s' "$f" | seed "$work/fuzz_prometheus" "$name" '\000\000'
  perl -0777 -pe 's/\A.*?\r\n\r\n//s' "$f" | seed "$work/fuzz_prometheus" "$name.crlf" '\001\000'
done
cat >"$work/prom_vllm" <<'PROM'
# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.5
# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{engine="0",model_name="m"} 30000.0
vllm:generation_tokens_total{engine="1",model_name="m"} 2.5e+04
# TYPE vllm:iteration_tokens_total histogram
vllm:iteration_tokens_total_bucket{engine="0",le="1.0",model_name="m"} 3.0
vllm:iteration_tokens_total_bucket{engine="0",le="+Inf",model_name="m"} 3.0
vllm:iteration_tokens_total_sum{engine="0",model_name="m"} 0.0
vllm:iteration_tokens_total_count{engine="0",model_name="m"} 3.0
PROM
cat >"$work/prom_sglang_tgi" <<'PROM'
# TYPE sglang:num_running_reqs gauge
sglang:num_running_reqs{model_name="m"} 12.0
sglang:token_usage{model_name="m"} 0.28
# TYPE tgi_batch_inference_count counter
tgi_batch_inference_count{method="prefill"} 120
tgi_batch_inference_count{method="decode"} 9000
# TYPE tgi_request_generated_tokens histogram
tgi_request_generated_tokens_bucket{le="+Inf"} 100
tgi_request_generated_tokens_sum 25600
tgi_request_generated_tokens{quantile="0.5"} 200
PROM
cat >"$work/prom_corners" <<'PROM'
# HELP esc back\\slash and\nnewline
# TYPE q summary
q{quantile="0.99",path="C:\\x\"y\"\n"} NaN 1700000000000
q_sum -Inf
q_count +Inf -5
b { x = "1" , y="", } 1E-3
# a comment
a{x="\t"} 1
# TYPE q gauge
bad line
PROM
for f in prom_vllm prom_sglang_tgi prom_corners; do
  seed "$work/fuzz_prometheus" "$f" '\000\000' <"$work/$f"
  seed "$work/fuzz_prometheus" "$f.crlf" '\001\000' <"$work/$f"
done

# fuzz_proc_text: options byte n picks the parser (see the target). /proc/stat
# goes in twice, a moment apart, cut between the two samples.
mkdir -p "$work/fuzz_proc_text"
proc_seed() {  # proc_seed OPTION NAME FILE
  [ -r "$3" ] && seed "$work/fuzz_proc_text" "$2" "\\$(printf '%03o' "$1")\\000" <"$3" || true
}
a="$(cat /proc/stat)"; sleep 0.2; b="$(cat /proc/stat)"
A="$a" B="$b" perl -e 'print "\0\1", pack("v", length($ENV{A}) + 1), "$ENV{A}\n$ENV{B}\n"' \
  >"$work/fuzz_proc_text/proc_stat"
printf '\001\000%s\n%s\n' 2400000 1200000 >"$work/fuzz_proc_text/cpufreq"
proc_seed 2 meminfo /proc/meminfo
proc_seed 3 loadavg /proc/loadavg
printf '\004\000acpitz\t41000\nx86_pkg_temp\t-500\n' >"$work/fuzz_proc_text/thermal"
proc_seed 5 pid_stat /proc/self/stat
proc_seed 6 pid_status /proc/self/status
proc_seed 7 smaps_rollup /proc/self/smaps_rollup
proc_seed 8 net_tcp /proc/net/tcp
proc_seed 8 net_tcp6 /proc/net/tcp6
printf '\011\000socket:[12345]' >"$work/fuzz_proc_text/socket_link"
proc_seed 10 numa_maps /proc/self/numa_maps
printf '\012\000%s\n' '7f4680000000 default file=/dev/hugepages/m huge dirty=1536 N0=1024 N1=512 kernelpagesize_kB=2048' \
  >"$work/fuzz_proc_text/numa_huge"
for f in "$fixtures"/slots_*.http "$fixtures"/props.http; do
  perl -0777 -pe 's/\A.*?\r\n\r\n//s' "$f" | seed "$work/fuzz_proc_text" "$(basename "$f")" '\013\000'
done

# fuzz_trace: the shipped example traces; the Azure rows also without their
# header behind option 1, which puts it back.
mkdir -p "$work/fuzz_trace"
seed "$work/fuzz_trace" mooncake '\000\000' <bench_configs/trace-mooncake.jsonl
seed "$work/fuzz_trace" azure '\000\000' <bench_configs/trace-azure.csv
tail -n +2 bench_configs/trace-azure.csv | seed "$work/fuzz_trace" azure_rows '\001\000'
# the row (75 bytes, cut \113 after it), then a window for it
printf '\000\001\113\000{"timestamp": 1, "input_length": 3, "output_length": 1, "hash_ids": [4]}\n0.5:9' \
  >"$work/fuzz_trace/window"

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
for fuzzer in "${fuzzers[@]}"; do
  bin="$bin_dir/$fuzzer"
  regressions="tests/fuzz/regressions/$fuzzer"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    if ! "$bin" -rss_limit_mb=2048 "$regressions"/* >"$work/$fuzzer.replay.log" 2>&1; then
      echo "FAIL $fuzzer: a regression input crashes again" >&2
      tail -n 40 "$work/$fuzzer.replay.log" >&2
      failed+=("$fuzzer (regressions)")
      continue
    fi
    echo "ok   $fuzzer: $(ls "$regressions" | wc -l) regression inputs replayed"
  fi
  mkdir -p "$artifacts/$fuzzer"
  if "$bin" "$work/$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
       -print_final_stats=1 -artifact_prefix="$artifacts/$fuzzer/" >"$work/$fuzzer.log" 2>&1; then
    echo "ok   $fuzzer: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/$fuzzer.log" |
      grep -o '[0-9]*$') runs in ${seconds}s, $(grep -o 'cov: [0-9]*' "$work/$fuzzer.log" | tail -n1)"
  else
    echo "FAIL $fuzzer (inputs in $artifacts/$fuzzer/):" >&2
    tail -n 60 "$work/$fuzzer.log" >&2
    failed+=("$fuzzer")
  fi
done

echo "fuzzing took $((SECONDS - started))s"
if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzzers failed: ${failed[*]}" >&2
  exit 1
fi
