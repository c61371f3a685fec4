#!/usr/bin/env python3
"""ctest driver for the HTML report in a real browser.

`results` makes results files with the built llmbench against its built-in
server (spec mode at two speeds, and a short concurrency sweep); every other
case renders a report from them with `llmbench report ... --html` and opens it
with check_report.py:

  spec        one spec-mode file
  sweep       the sweep, with the time series every load stage now writes
  legacy      the sweep with its time series removed (a file from an older
              llmbench): those charts must be absent, without error
  overlay     two spec files overlaid, one colour and legend entry each
  compare     `llmbench compare spec-slow.json spec.json --html`: the verdict
              table and "what changed" above the overlaid charts
  timeseries  the sweep with a synthetic time series added to each stage, in
              the shape the run will write (stages[].timeseries), so the
              time-series charts are drawn and checked before any run
              produces one
  telemetry   8 clients on 4 slots with the built-in server's /metrics on:
              the server's and the host's charts (queue depth, busy slots,
              CPU busy, huge pages in use) drawn beside the client's
  ramp        a concurrency ramp from 1 to 8 clients on 4 slots: latency
              drawn against the offered load, and the offered load over time
  embeddings  a load run of --endpoint embeddings: no TTFT or ITL charts, and
              requests completed over time instead of zero output tokens
  sessions    3-turn sessions (--turns): a row per turn with the server's
              prefill, cache hits and cached tokens
  models      a --model mix on the built-in server's router: the per-model
              table with each model's weight

Exit status: 0 pass, 1 fail, 77 Chromium is not installed (skip).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77

RUNS = {
    "spec.json": ["--mock", "--mock-decode-tps", "2000", "--runs", "3"],
    "spec-slow.json": ["--mock", "--mock-decode-tps", "1000", "--runs", "3"],
    "sweep.json": ["--mock", "--mock-decode-tps", "500", "--sweep", "concurrency=1,2,4", "--duration", "1"],
    "ramp.json": ["--mock", "--mock-slots", "4", "--mock-decode-tps", "500", "--ramp", "concurrency=1..8",
                  "--duration", "2", "--timeseries-interval", "0.25", "--max-tokens", "16"],
    "embeddings.json": ["--mock", "--endpoint", "embeddings", "--concurrency", "4", "--duration", "2",
                        "--timeseries-interval", "0.25"],
    "sessions.json": ["--mock", "--mock-slots", "2", "--mock-decode-tps", "500", "--input-tokens", "40",
                      "--output-tokens", "8", "--turns", "3", "--concurrency", "2", "--duration", "2",
                      "--timeseries-interval", "0.25"],
    "models.json": ["--mock", "--mock-models", "alpha,beta", "--model", "alpha=0.7,beta=0.3", "--concurrency", "4",
                    "--duration", "1", "--max-tokens", "8"],
    "telemetry.json": ["--mock", "--mock-metrics", "--mock-slots", "4", "--mock-decode-tps", "100",
                       "--concurrency", "8", "--duration", "4", "--max-tokens", "48", "--metrics-interval", "0.25"],
}

# The telemetry charts the page must draw for a stage, by the view model's
# rules (html_view_telemetry.cpp): a series with a point in the stage's span;
# a counter's rate needs two; huge pages need total and free read together.
TELEMETRY_CHARTS = [
    ("Server queue depth", [("server.requests_waiting", {})], 1),
    ("Busy slots", [("slots.busy", {}), ("server.requests_running", {})], 1),
    ("Server generation rate", [("server.generation_tokens_total", {})], 2),
    ("KV cache used", [("server.kv_usage_ratio", {})], 1),
    ("Host CPU busy", [("host.cpu_busy_ratio", {"cpu": "all"})], 1),
    ("CPU clock", [("host.cpufreq_mean_mhz", {})], 1),
    ("Huge pages in use", [("host.hugepages_total", {})], 1),
]


def telemetry_titles(results, stage):
    series = (results.get("telemetry") or {}).get("series", [])
    lo = stage["start_s"]
    hi = lo + stage["elapsed_s"]
    titles = []
    for title, candidates, need in TELEMETRY_CHARTS:
        for name, labels in candidates:
            s = next((s for s in series if s["name"] == name and s["labels"] == labels), None)
            if s and sum(1 for t, _ in s["points"] if lo <= t <= hi) >= need:
                titles.append(title)
                break
    return titles


def run(cmd):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    if done.returncode != 0:
        print(done.stdout)
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited with {done.returncode}")
    return done.stdout


def make_results(args):
    os.makedirs(args.workdir, exist_ok=True)
    for name, flags in RUNS.items():
        run([args.llmbench, *flags, "-q", "--no-progress", "--output", os.path.join(args.workdir, name)])
    print(f"ok: {', '.join(RUNS)} in {args.workdir}")
    return 0


def add_synthetic_timeseries(src, dst):
    """One bucket per 0.25 s of each stage's measured window, with figures
    derived from the stage's own totals (a ramp up, then steady)."""
    with open(src) as f:
        results = json.load(f)
    for stage in results["stages"]:
        s = stage["summary"]
        window = s["measured_window_s"]
        n = max(2, int(window / 0.25))
        buckets = []
        for i in range(n):
            ramp = min(1.0, (i + 1) / 3)
            buckets.append({"t_s": round(i * window / n, 3), "output_tokens": s["output_tokens"] / n * ramp,
                            "requests_started": 1, "requests_completed": 1, "requests_failed": int(i % 3 == 2),
                            "in_flight": stage.get("concurrency", 1) * ramp, "ttft_p50_ms": s["ttft_ms"]["p50"]})
        stage["timeseries"] = buckets
    with open(dst, "w") as f:
        json.dump(results, f)


def add_warnings(src, dst):
    """Stage 1 judged unsteady and limited by the client, as a run on a
    loaded machine would save it."""
    with open(src) as f:
        results = json.load(f)
    stage = results["stages"][0]
    stage["steady"] = {"judged": True, "steady": False, "change_pct": -23.5}
    stage["client_limited"] = True
    stage["client_limited_reasons"] = [{"rule": "read_lag", "measured": 2.5, "limit": 1.0,
                                        "message": "reads were late: read lag p99 2.50 ms > 1.00 ms"}]
    with open(dst, "w") as f:
        json.dump(results, f)


def strip_timeseries(src, dst):
    """A file from an older llmbench: no time series, no telemetry."""
    with open(src) as f:
        results = json.load(f)
    results.pop("telemetry", None)
    for stage in results.get("stages", []):
        stage.pop("timeseries", None)
    with open(dst, "w") as f:
        json.dump(results, f)


def expected_titles(path):
    """Per stage, the telemetry charts the file's series call for."""
    with open(path) as f:
        results = json.load(f)
    return [telemetry_titles(results, s) for s in results.get("stages", [])]


def render_and_check(args):
    w = lambda name: os.path.join(args.workdir, name)
    if args.case == "timeseries":
        add_synthetic_timeseries(w("sweep.json"), w("sweep-timeseries.json"))
    if args.case == "legacy":
        strip_timeseries(w("sweep.json"), w("sweep-legacy.json"))
    if args.case == "warnings":
        add_warnings(w("sweep.json"), w("sweep-warnings.json"))
    inputs, charts_per_stage = {
        "spec": (["spec.json"], 0),
        "sweep": (["sweep.json"], 6),
        "legacy": (["sweep-legacy.json"], 3),
        "overlay": (["spec.json", "spec-slow.json"], 0),
        "compare": (["spec-slow.json", "spec.json"], 0),
        "timeseries": (["sweep-timeseries.json"], 6),
        "warnings": (["sweep-warnings.json"], 6),
        "telemetry": (["telemetry.json"], 6),
        "ramp": (["ramp.json"], 8),
        # No TTFT or ITL: the E2E distribution and the three time series.
        "embeddings": (["embeddings.json"], 4),
        "sessions": (["sessions.json"], 6),
        "models": (["models.json"], 6),
    }[args.case]
    page = w(f"report-{args.case}.html")
    if args.case == "compare":
        run([args.llmbench, "compare", *[w(i) for i in inputs], "--html", page])
    else:
        run([args.llmbench, "report", *[w(i) for i in inputs], "--html", page])
    titles = expected_titles(w(inputs[0]))
    stages = len(titles)
    # Spec: three bar charts. A sweep: throughput and latency (no SLO here),
    # then the three CDFs (and the three time series) of every stage, and the
    # telemetry charts its series call for: exactly that many, so time-series
    # charts without a time series fail too.
    sweep = 2 if stages > 1 else 0
    charts = 3 if charts_per_stage == 0 else sweep + sum(charts_per_stage + len(t) for t in titles)
    cmd = [sys.executable, os.path.join(HERE, "check_report.py"), page, "--files", ",".join(inputs),
           "--charts", str(charts)]
    if args.case == "warnings":
        cmd += ["--text", "WARNING (sweep-warnings.json): not steady: output tok/s changed -23.5%",
                "--text", "the client was the bottleneck", "--text", "read lag p99 2.50 ms",
                "--text", "more --threads"]
    if args.case == "compare":
        # 1,000 vs 2,000 tok/s: the verdict, the changed setting, the table.
        cmd += ["--text", "What changed", "--text", "config.mock_decode_tps: 1000.0 → 2000.0",
                "--text", "Overall tok/s", "--text", "faster"]
    if args.case == "ramp":
        cmd += ["--titles", "Latency against offered load,Offered load over time",
                "--text", "Ramp: ramp.json: concurrency 1 to 8, linear."]
    if args.case == "embeddings":
        # Requests completed per second, not a flat line of zero output tokens.
        cmd += ["--titles", "E2E distribution,Requests completed over time,Requests in flight",
                "--text", "embeddings.json: "]
    if args.case == "sessions":
        cmd += ["--text", "Cache hits", "--text", "Cached tokens p50", "--text", "turn 3"]
    if args.case == "models":
        cmd += ["--text", "Per model (--model mix)", "--text", "70.0%", "--text", "beta"]
    if args.case == "telemetry":
        need = ["Server queue depth", "Busy slots", "Server generation rate", "Host CPU busy", "Huge pages in use"]
        missing = [t for t in need if t not in titles[0]]
        if missing:
            print(f"FAIL: the run recorded no series for {missing}")
            return 1
        cmd += ["--titles", ",".join(need)]
    if args.screenshot:
        cmd += ["--screenshot", args.screenshot]
    return subprocess.run(cmd, timeout=180).returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case", choices=["results", "spec", "sweep", "legacy", "overlay", "compare", "timeseries", "warnings", "telemetry", "ramp",
                                       "embeddings", "sessions", "models"])
    ap.add_argument("--llmbench", required=True, help="the built llmbench binary")
    ap.add_argument("--workdir", required=True, help="where results and reports are written")
    ap.add_argument("--screenshot", help="also write the page as a PNG here")
    args = ap.parse_args()
    if args.case == "results":
        return make_results(args)
    return render_and_check(args)


if __name__ == "__main__":
    sys.exit(main())
