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
}


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
    with open(src) as f:
        results = json.load(f)
    for stage in results.get("stages", []):
        stage.pop("timeseries", None)
    with open(dst, "w") as f:
        json.dump(results, f)


def stage_count(path):
    with open(path) as f:
        return len(json.load(f).get("stages", []))


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
    }[args.case]
    page = w(f"report-{args.case}.html")
    if args.case == "compare":
        run([args.llmbench, "compare", *[w(i) for i in inputs], "--html", page])
    else:
        run([args.llmbench, "report", *[w(i) for i in inputs], "--html", page])
    stages = stage_count(w(inputs[0]))
    # Spec: three bar charts. A sweep: throughput and latency (no SLO here),
    # then the three CDFs (and the three time series) of every stage: exactly
    # that many, so time-series charts without a time series fail too.
    charts = 3 if charts_per_stage == 0 else 2 + stages * charts_per_stage
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
    if args.screenshot:
        cmd += ["--screenshot", args.screenshot]
    return subprocess.run(cmd, timeout=180).returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case", choices=["results", "spec", "sweep", "legacy", "overlay", "compare", "timeseries", "warnings"])
    ap.add_argument("--llmbench", required=True, help="the built llmbench binary")
    ap.add_argument("--workdir", required=True, help="where results and reports are written")
    ap.add_argument("--screenshot", help="also write the page as a PNG here")
    args = ap.parse_args()
    if args.case == "results":
        return make_results(args)
    return render_and_check(args)


if __name__ == "__main__":
    sys.exit(main())
