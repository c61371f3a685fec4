// llmbench HTML report: lays out the view model that llmbench computed
// (html_view_model.hpp) as tables and Chart.js charts. Every figure comes
// from C++; nothing here estimates or resamples. Text from the results only
// ever goes through textContent, never innerHTML.
//
// Charts are created after the whole page is in the DOM (so each canvas has
// its final size) with animations off, which makes Chart.js draw
// synchronously inside its constructor: when the last one returns, every
// chart is on screen and window.llmbenchReady tells tests/browser/ so.
'use strict';
(function () {
  const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#9c755f'];
  const pending = [];  // [canvas, config] until the page is laid out

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    Object.assign(e, props || {});
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  function num(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    return v.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }
  function alpha(hex, a) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
  }
  function swatch(file) {
    const s = el('span', {className: 'swatch'});
    s.style.background = file.color;
    return s;
  }
  function table(head, rows, numericFrom) {
    const cell = (tag, v, i) => el(tag, {className: i >= numericFrom ? 'num' : ''}, v);
    return el('table', {},
      el('thead', {}, el('tr', {}, ...head.map((h, i) => cell('th', h, i)))),
      el('tbody', {}, ...rows.map(r => el('tr', {className: r.className || ''},
        ...r.cells.map((v, i) => cell('td', v, i))))));
  }
  function chartBox(title, note, config, tall) {
    const canvas = el('canvas', {});
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', title);
    pending.push([canvas, config]);
    return el('div', {className: 'chart-box'}, el('h4', {}, title),
      note ? el('p', {className: 'note'}, note) : null,
      el('div', {className: 'chart-wrap' + (tall ? ' tall' : '')}, canvas));
  }
  function grid(cols, ...boxes) {
    const live = boxes.filter(b => b);
    return live.length ? el('div', {className: `grid cols-${cols}`}, ...live) : null;
  }
  function axis(title, extra) {
    return Object.assign({title: {display: true, text: title}}, extra || {});
  }
  // Ticks at the sweep's own values (1, 2, 4, 8 ...), not at 1, 2, 5, 10.
  function valueTicks(values) {
    return {afterBuildTicks: s => { s.ticks = values.map(v => ({value: v})); },
      ticks: {callback: v => Number(v).toLocaleString('en-US')}};
  }
  // Log-axis labels that never collide: powers of ten first, then 5s, 2s,
  // 3s and the rest, each only where it keeps its distance from the labels
  // already placed (Chart.js's own skipping assumes evenly spaced ticks).
  function pickLogLabels(values, min, max, length, gap) {
    const pos = v => Math.log10(v / min) / Math.log10(max / min) * length;
    const mantissa = v => v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
    const keep = [];
    for (const tier of [[1], [5], [2], [3], [1.5, 4, 6, 7, 8, 9]]) {
      values.forEach((v, i) => {
        // Chart.js leaves room at the far end only for the last tick's own
        // label, so a label there would be cut off.
        if (tier.some(k => Math.abs(mantissa(v) - k) < 1e-6) && pos(v) <= length - gap / 2 &&
            keep.every(j => Math.abs(pos(values[j]) - pos(v)) >= gap)) keep.push(i);
      });
    }
    return new Set(keep);
  }
  // A log axis: labels from pickLogLabels, grid lines faint between them.
  function logAxis(title, extra) {
    return axis(title, Object.assign({type: 'logarithmic', ticks: logTicks(),
      grid: {color: c => c.tick && c.tick.label ? 'rgba(0, 0, 0, 0.1)' : 'rgba(0, 0, 0, 0.04)'}}, extra || {}));
  }
  function logTicks() {
    return {maxRotation: 0, autoSkip: false, callback(v, i, ticks) {
      if (i === 0) {
        const horizontal = this.isHorizontal();
        this.llmbenchLabels = pickLogLabels(ticks.map(t => t.value), this.min, this.max,
          (horizontal ? this.maxWidth : this.maxHeight) || 300, horizontal ? 42 : 18);
      }
      return this.llmbenchLabels.has(i) ? (v >= 1 ? v.toLocaleString('en-US') : String(+v.toPrecision(2))) : '';
    }};
  }
  function logIfWide(values) {
    const lo = Math.min(...values), hi = Math.max(...values);
    return lo > 0 && hi / lo >= 8 ? 'logarithmic' : 'linear';
  }

  // Run dots and 95 % whiskers over each bar (dataset.runs[i], dataset.ci[i]).
  const runsPlugin = {
    id: 'llmbenchRuns',
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx, y = chart.scales.y;
      chart.data.datasets.forEach((ds, d) => {
        const meta = chart.getDatasetMeta(d);
        if (!ds.runs || meta.hidden) return;
        meta.data.forEach((bar, i) => {
          const [low, high] = ds.ci[i] || [null, null];
          const cap = bar.width * 0.18;
          ctx.save();
          ctx.strokeStyle = '#24292f';
          ctx.lineWidth = 1.5;
          if (low !== null && high !== null && high > low) {
            ctx.beginPath();
            for (const v of [low, high]) {
              ctx.moveTo(bar.x - cap, y.getPixelForValue(v));
              ctx.lineTo(bar.x + cap, y.getPixelForValue(v));
            }
            ctx.moveTo(bar.x, y.getPixelForValue(low));
            ctx.lineTo(bar.x, y.getPixelForValue(high));
            ctx.stroke();
          }
          const runs = ds.runs[i] || [];
          runs.forEach((v, k) => {
            const dx = runs.length > 1 ? (k / (runs.length - 1) - 0.5) * bar.width * 0.5 : 0;
            ctx.beginPath();
            ctx.arc(bar.x + dx, y.getPixelForValue(v), 3, 0, 2 * Math.PI);
            ctx.fillStyle = '#fff';
            ctx.fill();
            ctx.stroke();
          });
          ctx.restore();
        });
      });
    },
  };
  // "knee" written over the knee stage's point (dataset.knee is its index).
  const kneePlugin = {
    id: 'llmbenchKnee',
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx;
      chart.data.datasets.forEach((ds, d) => {
        const p = ds.knee >= 0 && chart.getDatasetMeta(d).data[ds.knee];
        if (!p || chart.getDatasetMeta(d).hidden) return;
        ctx.save();
        ctx.font = '600 12px system-ui, sans-serif';
        ctx.textAlign = 'center';
        // A white halo keeps the word readable where it crosses a line.
        ctx.strokeStyle = '#fff';
        ctx.lineWidth = 4;
        ctx.lineJoin = 'round';
        ctx.strokeText('knee', p.x, p.y - 13);
        ctx.fillStyle = '#24292f';
        ctx.fillText('knee', p.x, p.y - 13);
        ctx.restore();
      });
    },
  };

  // What was measured, on what, how: one column per file.
  function runsTable(files) {
    const rows = [['Mode', f => f.mode === 'spec' ? 'spec (one request at a time)' : 'load'],
      ['Date', f => f.header.date], ['Model', f => f.header.model],
      ['Server build', f => f.header.server_build || '–'],
      ['Slots', f => f.header.slots === null ? '–' : String(f.header.slots)],
      ['System', f => f.header.system], ['Config', f => f.header.config],
      ['llmbench', f => f.header.llmbench_version]];
    const head = el('tr', {}, el('th', {}, ''), ...files.map(f => el('th', {}, swatch(f), f.name,
      f.header.interrupted ? el('span', {className: 'badge'}, ' interrupted') : null)));
    const body = rows.map(([name, get]) => el('tr', {}, el('th', {scope: 'row'}, name),
      ...files.map(f => el('td', {}, get(f) || '–'))));
    return el('table', {className: 'runs'}, el('thead', {}, head), el('tbody', {}, ...body));
  }
  function summaryTable(files) {
    return table(['File', 'Mode', 'Succeeded', 'Failed', 'Req/s', 'Output tok/s', 'Overall avg tok/s'],
      files.map(f => ({cells: [f.name, f.mode, num(f.summary.requests_succeeded, 0),
        num(f.summary.requests_failed, 0), num(f.summary.request_throughput, 2),
        num(f.summary.output_tokens_per_second, 1), num(f.summary.overall_avg_tokens_per_second, 2)]})), 2);
  }

  // Spec mode: per-prompt bars, one colour per file.
  function union(lists) {
    const seen = [];
    for (const l of lists) for (const k of l) if (!seen.includes(k)) seen.push(k);
    return seen;
  }
  function promptBars(files, keys, metric, yTitle) {
    const find = (f, k) => f.prompts.find(p => p.key === k);
    let top = 0;
    const datasets = files.map(f => {
      const cells = keys.map(k => (find(f, k) || {})[metric] || {values: [], mean: null, low: null, high: null});
      for (const c of cells) top = Math.max(top, c.high || 0, ...c.values);
      return {label: f.name, data: cells.map(c => c.mean), runs: cells.map(c => c.values),
        ci: cells.map(c => [c.low, c.high]), backgroundColor: alpha(f.color, 0.55), borderColor: f.color,
        borderWidth: 1.5};
    });
    return {type: 'bar', data: {labels: keys.map(k => k.split('_')), datasets},
      options: {scales: {x: axis('prompt'), y: axis(yTitle, {beginAtZero: true, suggestedMax: top * 1.05})}},
      plugins: [runsPlugin]};
  }
  function specSection(files) {
    const keys = union(files.map(f => f.prompts.map(p => p.key)));
    const note = 'Bar: mean of the successful runs; dots: each run; whiskers: 95 % confidence interval ' +
      'of the mean (mean ± t·s/√n, Student\'s t).';
    const rows = [];
    for (const k of keys) for (const f of files) {
      const p = f.prompts.find(q => q.key === k);
      if (!p) continue;
      rows.push({cells: [k, f.name, `${p.ok}/${p.runs}`, num(p.tps.mean, 2),
        p.tps.low === null ? '–' : `${num(p.tps.low, 2)} – ${num(p.tps.high, 2)}`,
        p.cv === null ? '–' : `${num(p.cv * 100, 1)} %`, num(p.ttft_ms.mean, 1), num(p.decode_tps.mean, 2)]});
    }
    return [el('h2', {}, 'Spec mode: per prompt'), el('p', {className: 'note'}, note),
      grid(1, chartBox('Tokens per second per prompt (completion tokens / end-to-end time)', null,
        promptBars(files, keys, 'tps', 'tokens/s'), true)),
      grid(2, chartBox('Time to first token per prompt', null, promptBars(files, keys, 'ttft_ms', 'TTFT (ms)')),
        chartBox('Decode rate per prompt (tokens after the first)', null,
          promptBars(files, keys, 'decode_tps', 'decode tokens/s'))),
      table(['Prompt', 'File', 'OK/runs', 'Mean tok/s', '95 % CI', 'CV', 'TTFT mean ms', 'Decode tok/s'],
        rows, 2)];
  }

  // Load mode: the sweep's curves, then each stage's distributions.
  // A file's curve. The baseline (first file) is drawn wider and underneath,
  // so a later file with the same curve shows as a line inside it.
  function line(f, label, points, extra) {
    return Object.assign({label, data: points, borderColor: f.color, backgroundColor: f.color, showLine: true,
      borderWidth: f.index === 0 ? 4 : 2, order: -f.index, pointRadius: 3}, extra || {});
  }
  function kneeMarks(f) {
    const i = f.stages.findIndex(s => s.label === f.load.knee);
    return {knee: i, pointStyle: f.stages.map((s, k) => k === i ? 'triangle' : 'circle'),
      pointRadius: f.stages.map((s, k) => k === i ? 8 : 3)};
  }
  // Legend keys drawn as the line itself, in file order. Chart.js takes a
  // point-style key's dash and width from the first point, not the line.
  const lineLegend = {labels: {usePointStyle: true, pointStyleWidth: 30, sort: (a, b) => a.datasetIndex - b.datasetIndex,
    generateLabels: chart => Chart.defaults.plugins.legend.labels.generateLabels(chart).map(item => {
      const ds = chart.data.datasets[item.datasetIndex];
      return Object.assign(item, {pointStyle: 'line', lineDash: ds.borderDash || [], lineWidth: Math.min(ds.borderWidth, 3)});
    })}};
  function scatter(datasets, x, y) {
    // Headroom over the plot for the knee's label when the knee is the top point.
    return {type: 'scatter', data: {datasets}, options: {scales: {x, y}, plugins: {legend: lineLegend},
      layout: {padding: {top: 16}}}, plugins: [kneePlugin]};
  }
  // Throughput and latency against load, and goodput where there was an SLO.
  function sweepCharts(files, ax) {
    const xs = union(files.map(f => f.stages.map(s => s.x))).sort((a, b) => a - b);
    const xAxis = () => axis(ax === 'rate' ? 'offered rate (req/s)' : 'concurrency (streams)',
      Object.assign({type: logIfWide(xs)}, valueTicks(xs)));
    const pts = (f, get) => f.stages.map(s => ({x: s.x, y: get(s)}));
    const tput = scatter(files.map(f => line(f, f.name, pts(f, s => s.output_tokens_per_second), kneeMarks(f))),
      xAxis(), axis('output tokens/s', {beginAtZero: true}));
    const byTput = (f, get) => f.stages.map(s => ({x: s.output_tokens_per_second, y: get(s)}));
    const latency = scatter(files.flatMap(f => [
      line(f, `${f.name} · E2E p99`, byTput(f, s => s.e2e_p99), kneeMarks(f)),
      line(f, `${f.name} · TTFT p99`, byTput(f, s => s.ttft_p99), {borderDash: [6, 4], pointStyle: 'rect'})]),
      axis('output tokens/s', {beginAtZero: true, grace: '6%'}), logAxis('latency p99 (ms, log scale)'));
    const sloFiles = files.filter(f => f.load.slo);
    const goodput = sloFiles.length ? scatter(sloFiles.flatMap(f => [
      line(f, `${f.name} · goodput (within SLO)`, pts(f, s => s.goodput_rps), kneeMarks(f)),
      line(f, `${f.name} · all requests`, pts(f, s => s.request_throughput), {borderDash: [6, 4], pointRadius: 2})]),
      xAxis(), axis('requests/s', {beginAtZero: true})) : null;
    return [grid(goodput ? 3 : 2, chartBox(`Throughput against ${ax}`, null, tput),
      chartBox('Latency against throughput', null, latency),
      goodput ? chartBox(`Goodput against ${ax}`, null, goodput) : null),
    sloFiles.length && sloFiles.length < files.length ?
      el('p', {className: 'note'}, 'Goodput is drawn only for files run with --slo.') : null];
  }
  function sweepTable(files) {
    const rows = [];
    for (const f of files) for (const s of f.stages) {
      const knee = s.label === f.load.knee;
      rows.push({className: knee ? 'knee' : '', cells: [s.label + (knee ? ' (knee)' : ''), f.name,
        num(s.request_throughput, 2), num(s.output_tokens_per_second, 1), num(s.ttft_p50, 1), num(s.ttft_p99, 1),
        num(s.itl_p50, 2), num(s.itl_p99, 2), num(s.e2e_p50, 1), num(s.e2e_p99, 1), num(s.requests_failed, 0),
        f.load.slo ? `${num(s.goodput_share * 100, 1)} %` : '–']});
    }
    return table(['Stage', 'File', 'Req/s', 'Out tok/s', 'TTFT p50 ms', 'TTFT p99 ms', 'ITL p50 ms',
      'ITL p99 ms', 'E2E p50 ms', 'E2E p99 ms', 'Failed', 'Goodput'], rows, 2);
  }
  function sweepSection(files) {
    const ax = files[0].load.axis;
    const knees = files.map(f => `${f.name}: ${f.load.knee || 'not reached'}`).join('; ');
    return [el('h2', {}, `Load sweep over ${ax}`),
      el('p', {className: 'note'}, 'Knee (the smallest stage beyond which throughput grows < 5 % while p99 ' +
        `latency keeps growing): ${knees}.`),
      ...sweepCharts(files, ax), sweepTable(files)];
  }
  // An empirical CDF: a step at each bucket's upper edge (view model).
  function cdfChart(entries, metric, title, what) {
    const datasets = entries.filter(([, s]) => s.cdf[metric].x.length).map(([f, s]) =>
      line(f, f.name, s.cdf[metric].x.map((x, i) => ({x, y: s.cdf[metric].y[i]})), {pointRadius: 0, stepped: true}));
    if (!datasets.length) return null;
    // Bounds hug the data: Chart.js would widen a log axis to whole decades.
    const xs = datasets.flatMap(d => d.data.map(p => p.x));
    const bounds = {min: Math.min(...xs) / 1.15, max: Math.max(...xs) * 1.15};
    return chartBox(title, null, {type: 'scatter', data: {datasets}, options: {plugins: {legend: lineLegend},
      scales: {x: logAxis(`${title.split(' ')[0]} (ms, log scale)`, bounds),
        y: axis(`share of ${what}`, {min: 0, max: 1, ticks: {callback: v => `${Math.round(v * 100)} %`}})}}});
  }
  // Every time chart of a stage shares one x range (the run's clock), so the
  // server's and the host's series line up under the client's throughput.
  function timeBounds(entries) {
    const ts = entries.flatMap(([, s]) => [...(s.timeseries ? s.timeseries.t_s : []),
      ...(s.telemetry || []).flatMap(c => c.t_s)]);
    return ts.length ? {min: Math.min(...ts), max: Math.max(...ts)} : {};
  }
  function seriesChart(entries, key, title, yTitle, bounds) {
    const datasets = entries.map(([f, s]) => line(f, f.name, s.timeseries.t_s.map((t, i) =>
      ({x: t, y: s.timeseries[key][i]})), {pointRadius: 0}));
    return chartBox(title, null, {type: 'scatter', data: {datasets}, options: {plugins: {legend: lineLegend},
      scales: {x: axis('time since the run started (s)', bounds), y: axis(yTitle, {beginAtZero: true})}}});
  }
  // A ramp: latency against the load offered in each bucket (the plan's
  // rate or client count), and that load over time, so where the latency
  // turns up can be read off as a load.
  function rampCharts(entries, bounds) {
    const ramped = entries.filter(([, s]) => s.ramp && s.timeseries);
    if (!ramped.length) return null;
    const unit = ramped[0][1].ramp.load === 'rate' ? 'offered load (intended req/s)' : 'offered load (target clients)';
    const pts = (s, key) => s.timeseries.offered_load.map((x, i) => ({x, y: s.timeseries[key][i]}))
      .filter(p => p.x !== null && p.y !== null && p.y > 0);
    const datasets = ramped.flatMap(([f, s]) => [
      line(f, `${f.name} · E2E p99`, pts(s, 'e2e_p99_ms'), {pointRadius: 3, showLine: false}),
      line(f, `${f.name} · E2E p50`, pts(s, 'e2e_p50_ms'), {pointRadius: 3, showLine: false, pointStyle: 'rect',
        borderDash: [12, 3]}),
      line(f, `${f.name} · TTFT p99`, pts(s, 'ttft_p99_ms'), {pointRadius: 3, showLine: false, pointStyle: 'triangle',
        borderDash: [6, 4]}),
      line(f, `${f.name} · TTFT p50`, pts(s, 'ttft_p50_ms'), {pointRadius: 3, showLine: false, pointStyle: 'crossRot',
        borderDash: [2, 3]})]).filter(d => d.data.length);
    const latency = chartBox('Latency against offered load', 'One point per time-series bucket of the ramp.',
      {type: 'scatter', data: {datasets}, options: {plugins: {legend: lineLegend},
        scales: {x: axis(unit, {beginAtZero: true}), y: logAxis('latency (ms, log scale)')}}});
    latency.dataset.ramp = 'latency';
    const offered = seriesChart(ramped, 'offered_load', 'Offered load over time', unit, bounds);
    offered.dataset.ramp = 'offered';
    const what = ramped.map(([f, s]) => `${f.name}: ${s.ramp.load} ${s.ramp.from} to ` +
      `${s.ramp.to}, ${s.ramp.shape}`).join(' · ');
    return [el('p', {className: 'note'}, `Ramp: ${what}.`), grid(2, latency, offered)];
  }
  // The server's and the host's charts (telemetry), one per series any file has.
  function telemetryCharts(entries, bounds) {
    const keys = union(entries.map(([, s]) => (s.telemetry || []).map(c => c.key)));
    return keys.map(key => {
      const found = entries.map(([f, s]) => [f, (s.telemetry || []).find(c => c.key === key)]).filter(([, c]) => c);
      const first = found[0][1];
      const datasets = found.map(([f, c]) => line(f, f.name, c.t_s.map((t, i) => ({x: t, y: c.values[i]})),
        {pointRadius: 3}));
      const box = chartBox(first.title, null, {type: 'scatter', data: {datasets}, options: {
        plugins: {legend: lineLegend},
        scales: {x: axis('time since the run started (s)', bounds), y: axis(first.unit, {beginAtZero: true})}}});
      box.dataset.telemetry = key;
      return box;
    });
  }
  function stageSection(files, label) {
    const entries = files.map(f => [f, f.stages.find(s => s.label === label)]).filter(([, s]) => s);
    const withSeries = entries.filter(([, s]) => s.timeseries);
    const bounds = timeBounds(entries);
    const tele = telemetryCharts(entries, bounds);
    // Embeddings and rerank generate nothing (output tok/s null): their
    // throughput is requests completed, not a flat line of zero tokens.
    const generates = entries.some(([, s]) => s.output_tokens_per_second !== null &&
      s.output_tokens_per_second !== undefined);
    const facts = entries.map(([f, s]) => `${f.name}: ${num(s.requests_succeeded, 0)} ok, ` +
      `${num(s.requests_failed, 0)} failed, ${num(s.request_throughput, 2)} req/s` +
      (generates ? `, ${num(s.output_tokens_per_second, 1)} output tok/s` : '')).join(' · ');
    const rows = [];
    // The server's columns only where it sent timings (llama-server).
    const server = entries.some(([, s]) => s.prompts.some(p => p.with_timings > 0));
    for (const [f, s] of entries) for (const p of s.prompts) {
      const cells = [p.key, f.name, num(p.ok, 0), num(p.failed, 0), num(p.tps_per_request, 2),
        num(p.ttft_p50, 1), num(p.e2e_p50, 1)];
      if (server) cells.push(num(p.prefill_p50, 1), p.with_timings > 0 ? `${p.cache_hits}/${p.with_timings}` : '-',
        num(p.cached_p50, 0));
      rows.push({cells});
    }
    const warnings = entries.flatMap(([f, s]) => (s.warnings || []).map(w =>
      el('p', {className: 'warning'}, `WARNING (${f.name}): ${w}`)));
    return [el('h3', {}, `Stage ${label}`), el('p', {className: 'note'}, facts), ...warnings,
      grid(3, cdfChart(entries, 'ttft', 'TTFT distribution', 'requests'),
        cdfChart(entries, 'itl', 'ITL distribution', 'token gaps'),
        cdfChart(entries, 'e2e', 'E2E distribution', 'requests')),
      ...(rampCharts(entries, bounds) || []),
      withSeries.length ? grid(3,
        generates ? seriesChart(withSeries, 'output_tps', 'Throughput over time', 'output tokens/s', bounds)
          : seriesChart(withSeries, 'completed', 'Requests completed over time', 'requests/s', bounds),
        seriesChart(withSeries, 'in_flight', 'Requests in flight', 'requests in flight', bounds),
        seriesChart(withSeries, 'failed', 'Errors over time', 'failed requests/s', bounds))
        : el('p', {className: 'note'}, 'No per-second time series in this stage\'s results.'),
      tele.length ? el('h4', {}, 'The server and the host meanwhile (sampled telemetry)') : null,
      tele.length ? grid(3, ...tele) : null,
      table(['Prompt', 'File', 'OK', 'Failed', 'Tok/s per request', 'TTFT p50 ms', 'E2E p50 ms',
        ...(server ? ['Prefill p50 ms', 'Cache hits', 'Cached tokens p50'] : [])], rows, 2),
      ...modelTable(entries, generates)];
  }
  // A --model mix: each model's planned share beside what it got and how it fared.
  function modelTable(entries, generates) {
    const rows = [];
    for (const [f, s] of entries) for (const m of (s.models || [])) {
      rows.push({cells: [m.model, f.name, `${num(100 * m.weight, 1)}%`, num(m.requests, 0), num(m.ok, 0),
        num(m.failed, 0), ...(generates ? [num(m.ttft_p50, 1), num(m.ttft_p99, 1),
          num(m.output_tokens_per_second, 1)] : [num(m.e2e_p50, 1), num(m.request_throughput, 2)])]});
    }
    if (!rows.length) return [];
    const head = ['Model', 'File', 'Weight', 'Requests', 'OK', 'Failed',
      ...(generates ? ['TTFT p50 ms', 'TTFT p99 ms', 'Output tok/s'] : ['E2E p50 ms', 'Req/s'])];
    return [el('h4', {}, 'Per model (--model mix)'), table(head, rows, 2)];
  }
  function loadSection(files) {
    const out = [];
    const axes = union(files.map(f => f.load.axis ? [f.load.axis] : []));
    for (const ax of axes) out.push(...sweepSection(files.filter(f => f.load.axis === ax)));
    out.push(el('h2', {}, 'Load stages'), el('p', {className: 'note'}, 'Distributions from the saved ' +
      'histograms (each step is a bucket\'s upper edge, within 1/128 of the true value). ITL gaps of 0 ' +
      '(several events decoded from one read) are drawn at 0.001 ms.'));
    for (const label of union(files.map(f => f.stages.map(s => s.label)))) out.push(...stageSection(files, label));
    return out;
  }

  // `llmbench compare --html`: the verdicts and what changed, before the charts.
  function deltaRow(name, m) {
    const ci = m.ci_pct ? `[${num(m.ci_pct[0], 1)}, ${num(m.ci_pct[1], 1)}] %` : 'n/a';
    const verdict = el('span', {className: `verdict ${m.verdict}`}, m.verdict);
    return {cells: [name, num(m.base, 2), num(m.new, 2), `${m.delta_pct >= 0 ? '+' : ''}${num(m.delta_pct, 1)} %`, ci,
      m.p_value === null ? '–' : num(m.p_value, 3), verdict]};
  }
  function compareTable(c) {
    const rows = [];
    for (const [key, p] of Object.entries(c.prompts || {})) rows.push(deltaRow(`${key} tok/s`, p.tokens_per_second));
    if (c.overall) rows.push(Object.assign(deltaRow('Overall tok/s', c.overall), {className: 'overall'}));
    for (const s of c.stages || []) {
      for (const [k, m] of Object.entries(s)) if (m && m.verdict) rows.push(deltaRow(`${s.label} ${k}`, m));
    }
    return table(['figure', 'base', 'new', 'delta', `${Math.round((1 - c.alpha) * 100)} % CI`, 'p', 'verdict'], rows, 1);
  }
  function compareSection(vm) {
    const all = vm.compare.comparisons || [vm.compare];
    const out = [el('h2', {}, 'Compare')];
    for (const c of all) {
      out.push(el('h3', {}, `${c.base} → ${c.new}`));
      for (const w of c.warnings) out.push(el('p', {className: 'error'}, `Warning: ${w}`));
      if (c.incomparable_reason) out.push(el('p', {className: 'error'}, `Overall is incomparable: ${c.incomparable_reason}`));
      const changes = c.context_changes.map(x => el('li', {}, el('code', {}, x.field), `: ${x.base} → ${x.new}`));
      out.push(el('h4', {}, 'What changed'),
        changes.length ? el('ul', {className: 'changes'}, ...changes) : el('p', {}, 'Nothing in config, system or server.'),
        compareTable(c));
    }
    return out;
  }

  function setDefaults() {
    Chart.defaults.animation = false;
    Chart.defaults.responsive = true;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.font.family = 'system-ui, "DejaVu Sans", sans-serif';
    Chart.defaults.color = '#3d444d';
    Chart.defaults.plugins.legend.position = 'bottom';
    Chart.defaults.plugins.legend.labels.boxWidth = 14;
    Chart.defaults.plugins.legend.labels.usePointStyle = false;
  }
  function main() {
    const vm = JSON.parse(document.getElementById('llmbench-data').textContent);
    vm.files.forEach((f, i) => { f.index = i; f.color = PALETTE[i % PALETTE.length]; });
    setDefaults();
    const spec = vm.files.filter(f => f.mode === 'spec'), load = vm.files.filter(f => f.mode === 'load');
    const root = document.getElementById('llmbench-report');
    root.append(el('h1', {}, vm.compare ? 'llmbench compare' : 'llmbench report'),
      el('p', {className: 'sub'}, `${vm.files.map(f => f.name).join(', ')} · drawn by ${vm.generator}`),
      ...(vm.compare ? compareSection(vm) : []),
      el('h2', {}, 'Runs'), runsTable(vm.files), summaryTable(vm.files),
      ...[...(spec.length ? specSection(spec) : []), ...(load.length ? loadSection(load) : [])].filter(e => e));
    for (const [canvas, config] of pending) new Chart(canvas, config);
    window.llmbenchReady = true;
  }

  try {
    main();
  } catch (e) {
    window.llmbenchError = String(e && e.stack || e);
    document.body.prepend(el('p', {className: 'error'}, `This report could not be drawn: ${e}`));
    throw e;
  }
})();
