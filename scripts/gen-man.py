#!/usr/bin/env python3
"""Writes docs/llmbench.1 from the binary's own --help texts.

Usage: python3 scripts/gen-man.py build/release/llmbench > docs/llmbench.1

The options come from `llmbench --help` and each subcommand's --help, so the
page lists every flag the binary has; the prose sections are written here.
tests/package/man_page_test.sh checks that no long flag of --help is missing.
"""
import re
import subprocess
import sys

SUBCOMMANDS = [
    ("merge", "merge FILE... [--output FILE] [--allow-missing]",
     "Files with a shard object (runs with --shard or --start-at) are one sharded run and become one result in a "
     "single run's layout: histograms added bucket by bucket, counters summed, accounting checked, throughput over "
     "the common measured window, time series on one wall-clock axis. Different settings or seeds, different "
     "--start-at instants, a shard given twice or a missing shard are refused with one line (exit 2). Plain results "
     "files get their histograms combined exactly."),
    ("compare", "compare BASE NEW [NEW2...] [--format terminal|markdown|json] [--fail-if-slower PCT] [--html FILE]",
     "Says, figure by figure, whether NEW is faster, slower, the same or inconclusive than BASE, with the 95 % "
     "interval of the difference, and what else changed between the runs (settings, system, the server's /props); "
     "--fail-if-slower exits with 5 when the overall verdict is slower by more than PCT %, or when a prompt that "
     "succeeded in BASE failed every run in NEW."),
    ("report", "report FILE... --html FILE",
     "Draws saved results as one self-contained HTML page of charts; several files are overlaid, the first as baseline."),
    ("depth", "depth [--depths LIST] [--pp N] [--tg N] [--concurrency LIST] [--runs N] [--output FILE] [TARGET OPTIONS]",
     "llama-bench's prefill/decode-at-depth table over HTTP, with concurrency: for each concurrency and depth, each "
     "client fills its slot with a prefix of that many tokens, then all send it with pp new tokens and generate tg; "
     "pp and tg tokens/s come from the server's timings (mean and std over runs and clients), beside the tokens it "
     "evaluated and took from its cache and the client's E2E. The target options (--url, --mock, --endpoint, "
     "--header, --timeout ...) go beside it."),
    ("selftest", "selftest [--streams LIST]",
     "Measures llmbench's own timing error on this machine against the built-in server."),
    ("mock-server", "mock-server [OPTIONS]",
     "Runs the built-in llama-server imitation in the foreground (loopback by default)."),
]


def esc(text):
    return text.replace("\\", "\\e").replace("-", "\\-")


def options(help_text):
    """(group, [(flags, help)]) in --help order."""
    groups, group, last = [], None, None
    for line in help_text.splitlines():
        if re.match(r"^[A-Z][A-Za-z -]*:$", line) and not line.startswith("Usage"):
            group = (line[:-1], [])
            groups.append(group)
            continue
        m = re.match(r"^  (-\S.*?)(?:\s{2,}(.*))?$", line)
        if m and group is not None:
            last = [m.group(1).strip(), m.group(2) or ""]
            group[1].append(last)
        elif last is not None and re.match(r"^ {20,}\S", line):
            last[1] = (last[1] + " " + line.strip()).strip()
        elif not line.strip():
            last = None
    return [g for g in groups if g[1] and g[0] not in ("Examples", "Positionals")]


def section(groups):
    out = []
    for name, opts in groups:
        out.append(".SS " + esc(name))
        for flags, text in opts:
            out.append(".TP\n.B " + esc(flags))
            out.append(esc(text) if text else "")
    return "\n".join(out)


def main():
    exe = sys.argv[1]
    run = lambda *a: subprocess.run([exe, *a], capture_output=True, text=True).stdout
    version = run("--version").strip().split()[-1]
    page = [
        f'.TH LLMBENCH 1 "" "llmbench {version}" "User Commands"',
        ".SH NAME",
        "llmbench \\- benchmark and load generator for OpenAI\\-compatible LLM inference servers",
        ".SH SYNOPSIS",
        ".B llmbench\n[\\fIOPTIONS\\fR]",
        *[f".br\n.B llmbench\n{esc(s[1])}" for s in SUBCOMMANDS],
        ".SH DESCRIPTION",
        "In spec mode llmbench runs the llama.cpp benchmark guide's six prompts a number of times each, one request at "
        "a time, and prints tokens/s, TTFT and consistency per prompt. In load mode (\\-\\-concurrency, \\-\\-rate, "
        "\\-\\-sweep, \\-\\-requests or \\-\\-duration) it runs many concurrent streams, closed loop or open loop, and "
        "reports latency distributions and throughput over an exact measured window. \\-\\-mock benchmarks the "
        "built\\-in llama\\-server imitation on 127.0.0.1.",
        ".PP",
        "One load can be spread over several processes or machines: each runs with \\-\\-shard I/N (or the index from "
        "JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or SLURM_PROCID) and a common \\-\\-start\\-at, and "
        "\\fBllmbench merge\\fR makes one result of their files.",
        ".SH OPTIONS",
        section(options(run("--help"))),
        ".SH SUBCOMMANDS",
    ]
    for name, synopsis, text in SUBCOMMANDS:
        page += [f".SS {esc(name)}", f".B llmbench {esc(synopsis)}", ".PP", esc(text), section(options(run(name, "--help")))]
    page += [
        ".SH ENVIRONMENT",
        ".TP\n.B OPENAI_API_KEY\nSent as a bearer token when set (see \\-\\-api\\-key\\-env).",
        ".TP\n.B JOB_COMPLETION_INDEX\nThe shard index in a Kubernetes Indexed Job, with \\-\\-shards N.",
        ".TP\n.B SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN\nThe shard in a Slurm job array.",
        ".TP\n.B SLURM_PROCID, SLURM_NTASKS\nThe shard in a Slurm job step of several tasks.",
        ".SH EXIT STATUS",
        "0 finished, at least one request succeeded; 1 internal error or the results could not be written; 2 bad flag, "
        "config file, dataset or prompt key (nothing sent), or files merge refuses; 3 server unreachable or not ready; "
        "4 no request succeeded (results still written); 5 compare \\-\\-fail\\-if\\-slower tripped; 6 \\-\\-strict: "
        "the client was the bottleneck in some stage; 7 a stage stopped by \\-\\-max\\-error\\-rate; 130/143 "
        "interrupted by SIGINT/SIGTERM (results so far written).",
        ".SH EXAMPLES",
        ".nf",
        "llmbench \\-\\-port 8001 \\-\\-runs 5 \\-\\-output results.json",
        "llmbench \\-\\-mock \\-\\-rate 20 \\-\\-duration 10",
        "llmbench \\-\\-config /usr/share/doc/llmbench/bench_configs/mock\\-sweep.json",
        "llmbench \\-\\-rate 40 \\-\\-duration 60 \\-\\-shard 0/4 \\-\\-start\\-at 2026\\-01\\-02T15:04:05Z \\-\\-output shard\\-0.json",
        "llmbench merge shard\\-*.json \\-\\-output run.json",
        ".fi",
        ".SH FILES",
        "Example scenario files are installed under /usr/share/doc/llmbench/bench_configs/.",
    ]
    print("\n".join(page))


main()
