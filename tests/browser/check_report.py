#!/usr/bin/env python3
"""Opens an llmbench HTML report in headless Chromium and fails unless it
drew as a person would see it:

  - the page said it finished drawing (window.llmbenchReady) within the
    deadline, polled through Runtime.evaluate;
  - no console error, no uncaught exception, no error in the browser's log;
  - no request other than the page itself (the page must be self-contained);
  - exactly --charts charts, each with drawn pixels, and every dataset
    that has data drawn in its own colour inside the plot area;
  - every file named in --files appears in every chart's legend;
  - nothing wider than the 1,280 px window (no horizontal scrolling);
  - the page prints (Page.printToPDF gives a PDF).

Optional --screenshot writes the full page at 1,280 px wide (for docs/),
or its top --screenshot-height px.
Exit status: 0 pass, 1 fail, 77 Chromium is not installed (ctest's skip).
"""
import argparse
import base64
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # running the tests leaves the source tree as it was
from cdp import Chromium, find_chromium  # noqa: E402

WIDTH_PX = 1280
SKIP = 77

# Runs in the page: what every canvas shows. A dataset's pixels are those
# inside the chart area whose colour is the dataset's own line/bar colour
# (the canvas is transparent, so a drawn pixel keeps its exact RGB).
INSPECT = r"""
(() => {
  const rgb = c => { const x = document.createElement('canvas').getContext('2d');
    x.fillStyle = c; x.fillRect(0, 0, 1, 1); return Array.from(x.getImageData(0, 0, 1, 1).data).slice(0, 3); };
  const charts = Array.from(document.querySelectorAll('canvas')).map(canvas => {
    const chart = Chart.getChart(canvas);
    const ctx = canvas.getContext('2d');
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let drawn = 0;
    for (let i = 3; i < img.length; i += 4) if (img[i] > 0) drawn++;
    const out = {title: canvas.getAttribute('aria-label'), width: canvas.width, height: canvas.height,
                 drawn, chart: !!chart, legend: [], datasets: []};
    if (!chart) return out;
    out.legend = chart.legend && chart.options.plugins.legend.display !== false
      ? chart.legend.legendItems.map(i => i.text) : [];
    const r = window.devicePixelRatio || 1, a = chart.chartArea;
    chart.data.datasets.forEach(ds => {
      const want = rgb(ds.borderColor), points = ds.data.filter(v => v !== null).length;
      let own = 0;
      for (let y = Math.floor(a.top * r); y < Math.ceil(a.bottom * r); y++) {
        for (let x = Math.floor(a.left * r); x < Math.ceil(a.right * r); x++) {
          const i = (y * canvas.width + x) * 4;
          if (img[i + 3] > 0 && Math.abs(img[i] - want[0]) + Math.abs(img[i + 1] - want[1]) +
              Math.abs(img[i + 2] - want[2]) <= 12) own++;
        }
      }
      out.datasets.push({label: ds.label, points, own});
    });
    return out;
  });
  return {charts, scrollWidth: document.documentElement.scrollWidth,
          bodyText: document.body.innerText};
})()
"""


def wait_until_drawn(cdp, deadline_s):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        state = cdp.evaluate("JSON.stringify({ready: window.llmbenchReady === true, "
                             "error: window.llmbenchError || null})")
        state = json.loads(state)
        if state["ready"] or state["error"]:
            return state
        time.sleep(0.05)  # polling the page with a deadline, as the page has no way to call us
    return {"ready": False, "error": f"not drawn within {deadline_s} s"}


def page_problems(events, page_url):
    problems = []
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            problems.append(f"uncaught exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif m == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            problems.append("console error: " + " ".join(str(a.get("value", a.get("description")))
                                                         for a in p["args"]))
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            problems.append(f"browser log error: {p['entry']['text']}")
        elif m == "Network.requestWillBeSent" and p["request"]["url"] != page_url:
            problems.append(f"network request: {p['request']['url'][:200]}")
    return problems


def chart_problems(seen, files, expected_charts, texts=(), titles=()):
    problems = []
    charts = seen["charts"]
    for t in titles:
        if not any(c["title"] == t for c in charts):
            problems.append(f"no chart titled '{t}'")
    if expected_charts is not None and len(charts) != expected_charts:
        problems.append(f"{len(charts)} charts, expected {expected_charts}")
    for c in charts:
        name = c["title"]
        if not c["chart"]:
            problems.append(f"{name}: canvas without a chart")
            continue
        if c["drawn"] < c["width"] * c["height"] // 100:
            problems.append(f"{name}: only {c['drawn']} drawn pixels of {c['width']}x{c['height']}")
        for ds in c["datasets"]:
            if ds["points"] and ds["own"] < 20:
                problems.append(f"{name}: dataset '{ds['label']}' has {ds['points']} points "
                                f"but {ds['own']} pixels of its colour")
        for f in files:
            if not any(f in text for text in c["legend"]):
                problems.append(f"{name}: no legend entry for {f} (legend: {c['legend']})")
    if seen["scrollWidth"] > WIDTH_PX:
        problems.append(f"page is {seen['scrollWidth']} px wide, wider than {WIDTH_PX} px")
    for f in files:
        if f not in seen["bodyText"]:
            problems.append(f"{f} is not named on the page")
    for t in texts:
        if t not in seen["bodyText"]:
            problems.append(f"'{t}' is not on the page")
    return problems


def save_screenshot(cdp, path, max_height):
    height = cdp.send("Page.getLayoutMetrics")["cssContentSize"]["height"]
    if max_height:
        height = min(height, max_height)
    shot = cdp.send("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": WIDTH_PX, "height": height, "scale": 1}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def check(args):
    page = os.path.abspath(args.report)
    url = "file://" + page
    with Chromium(args.chromium, args.deadline) as browser:
        cdp = browser.cdp
        for domain in ("Runtime", "Log", "Network", "Page"):
            cdp.send(f"{domain}.enable")
        cdp.send("Emulation.setDeviceMetricsOverride",
                 {"width": WIDTH_PX, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        cdp.send("Page.navigate", {"url": url})
        state = wait_until_drawn(cdp, args.deadline)
        problems = [] if state["ready"] else [f"page not drawn: {state['error']}"]
        if state["ready"]:
            problems += chart_problems(cdp.evaluate(INSPECT), args.files, args.charts, args.text, args.titles)
            pdf = cdp.send("Page.printToPDF", {"landscape": True, "printBackground": True})["data"]
            if not base64.b64decode(pdf).startswith(b"%PDF"):
                problems.append("printing gave no PDF")
            if args.screenshot:
                save_screenshot(cdp, args.screenshot, args.screenshot_height)
        problems = page_problems(cdp.events, url) + problems
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report", help="the HTML file to open")
    ap.add_argument("--files", default="", help="comma-separated file labels every legend must show")
    ap.add_argument("--charts", type=int, help="how many charts the page must have")
    ap.add_argument("--text", action="append", default=[], help="text the drawn page must show (repeatable)")
    ap.add_argument("--titles", default="", help="comma-separated chart titles that must be drawn")
    ap.add_argument("--deadline", type=float, default=30.0, help="seconds to start Chromium and to draw")
    ap.add_argument("--screenshot", help="write a full-page PNG here")
    ap.add_argument("--screenshot-height", type=int, help="only the top of the page, this many px")
    ap.add_argument("--chromium", default=find_chromium())
    args = ap.parse_args()
    args.files = [f for f in args.files.split(",") if f]
    args.titles = [t for t in args.titles.split(",") if t]
    if not args.chromium:
        print("SKIP: chromium is not installed (Debian: apt-get install chromium)")
        return SKIP
    started = time.monotonic()
    problems = check(args)
    for p in problems:
        print(f"FAIL {args.report}: {p}")
    if not problems:
        print(f"ok {args.report}: drawn and checked in {time.monotonic() - started:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
