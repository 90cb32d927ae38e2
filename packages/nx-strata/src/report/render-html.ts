import type { OutputKind } from '../config/output-path';
import { formatBytes, formatDuration } from './render-text';
import type { ReportSummary } from './summarize-history';

/** What the page's script draws; kept small and explicit so a test can check each series. */
export interface ChartData {
  /** Last real build per layer (rows) and platform (series), in seconds. */
  time: { categories: string[]; series: Array<{ name: string; values: Array<number | null> }> };
  /** Hit rate of each recent run, in percent. */
  hitRate: { runs: string[]; values: number[] };
  /** Image (or binary) size per layer and platform, in MB. */
  size: { categories: string[]; series: Array<{ name: string; values: Array<number | null> }> };
}

export function chartData(summary: ReportSummary, recentRuns = 30): ChartData {
  const platforms = [...new Set(summary.targets.map((target) => target.platform))].sort();
  const label = (target: ReportSummary['targets'][number]) => `${target.project} ${target.name}`;
  const grid = (value: (target: ReportSummary['targets'][number]) => number | null | undefined) => {
    const categories = [...new Set(summary.targets.filter((target) => value(target) != null).map(label))];
    return {
      categories,
      series: platforms.map((platform) => ({
        name: platform,
        values: categories.map((category) => {
          const found = summary.targets.find((target) => label(target) === category && target.platform === platform);
          const figure = found ? value(found) : undefined;
          return figure == null ? null : figure;
        }),
      })),
    };
  };
  const runs = summary.perRun.slice(-recentRuns);
  return {
    time: grid((target) => (target.lastBuildMs === undefined ? undefined : round(target.lastBuildMs / 1000))),
    hitRate: { runs: runs.map((run) => run.startedAt), values: runs.map((run) => round(run.hitRate * 100)) },
    size: grid((target) => (target.sizeBytes === null ? undefined : round(target.sizeBytes / 1e6))),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * A self-contained page: the figures as tables, and three charts (time per layer and platform, hit rate over recent
 * runs, sizes) drawn as SVG by an inline script from embedded JSON. No network, no external file. When the charts are
 * drawn the body gets `data-report-ready="true"`.
 */
const HTML_TITLE = '<title>nx-strata build report</title>';

/** An HTML report `--html` may replace: one with its title near the top. */
export const REPORT_HTML: OutputKind = { what: 'HTML report of nx-strata', isOwn: (head) => head.includes(HTML_TITLE) };

export function renderHtml(summary: ReportSummary, generatedAt: string): string {
  const data = JSON.stringify(chartData(summary)).replace(/</g, '\\u003c');
  const rows = (cells: string[][]) => cells.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('');
  const { outcomes } = summary;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${HTML_TITLE}
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d1f23; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; } td, th { padding: .2rem .8rem; border-bottom: 1px solid #e3e5e8; text-align: right; }
td:first-child, th:first-child, table.slowest td:nth-child(-n+3), table.slowest th:nth-child(-n+3) { text-align: left; }
.figures { display: flex; gap: 2rem; flex-wrap: wrap; } .figure b { display: block; font-size: 1.6rem; }
svg { max-width: 100%; } .legend span { margin-right: 1rem; } .legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; }
</style>
</head>
<body>
<h1>nx-strata build report</h1>
<p>${summary.runs} runs, ${summary.tasks} layer and binary tasks; generated ${escapeHtml(generatedAt)}.</p>
<div class="figures">
<div class="figure" id="hit-rate"><b>${Math.round(summary.hitRate * 100)}%</b>hit rate</div>
<div class="figure" id="time-spent"><b>${formatDuration(summary.timeSpentMs)}</b>time spent</div>
<div class="figure" id="time-saved"><b>${formatDuration(summary.timeSavedMs)}</b>time saved by hits</div>
<div class="figure"><b>${outcomes.built}</b>built</div>
<div class="figure"><b>${outcomes['local-cache'] + outcomes['remote-cache'] + outcomes['registry-hit']}</b>hits (${outcomes['local-cache']} local, ${outcomes['remote-cache']} remote, ${outcomes['registry-hit']} registry)</div>
</div>
<h2>Time per layer and platform (last real build, s)</h2>
<div id="chart-time"></div>
<h2>Hit rate over recent runs (%)</h2>
<div id="chart-hit-rate"></div>
<h2>Image sizes (MB)</h2>
<div id="chart-size"></div>
<h2>Slowest</h2>
<table class="slowest"><tr><th>project</th><th>layer / binary</th><th>platform</th><th>last build</th><th>size</th><th>layers</th></tr>${rows(summary.slowest.map((target) => [target.project, target.name, target.platform, formatDuration(target.lastBuildMs!), formatBytes(target.sizeBytes), target.layerCount === null ? '—' : String(target.layerCount)]))}</table>
<h2>By platform</h2>
<table><tr><th>platform</th><th>tasks</th><th>built</th><th>hits</th><th>hit rate</th><th>time spent</th><th>time saved</th></tr>${rows(summary.byPlatform.map((group) => [group.name, String(group.tasks), String(group.built), String(group.hits), `${Math.round(group.hitRate * 100)}%`, formatDuration(group.timeSpentMs), formatDuration(group.timeSavedMs)]))}</table>
${summary.verification.recentStops.length ? `<h2>Publishes stopped by a failed check</h2>\n<table class="slowest" id="stopped-publishes"><tr><th>publish</th><th>stopped by</th><th>run</th></tr>${rows(summary.verification.recentStops.map((stop) => [`${stop.project}:${stop.target}`, stop.stoppedBy.join(', '), `${stop.startedAt} ${stop.command}`]))}</table>` : ''}
<script type="application/json" id="report-data">${data}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#2f6fdf', '#e0782d', '#2e9d5b', '#9b51c4', '#c4414f', '#7a8291'];
  function el(name, attributes, parent) {
    var node = document.createElementNS(NS, name);
    for (var key in attributes) node.setAttribute(key, attributes[key]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function legend(container, names) {
    var box = document.createElement('div');
    box.className = 'legend';
    names.forEach(function (name, index) {
      var item = document.createElement('span');
      item.innerHTML = '<i style="background:' + COLORS[index % COLORS.length] + '"></i>';
      item.appendChild(document.createTextNode(name));
      box.appendChild(item);
    });
    container.appendChild(box);
  }
  function bars(id, chart) {
    var container = document.getElementById(id);
    var max = 0;
    chart.series.forEach(function (series) { series.values.forEach(function (value) { if (value !== null && value > max) max = value; }); });
    var rowHeight = 14 * Math.max(chart.series.length, 1) + 10, labelWidth = 220, width = 760;
    var svg = el('svg', { width: width, height: rowHeight * chart.categories.length + 10, 'data-chart': id }, container);
    chart.categories.forEach(function (category, row) {
      var text = el('text', { x: 0, y: row * rowHeight + 14, 'font-size': 12 }, svg);
      text.textContent = category;
    });
    chart.series.forEach(function (series, index) {
      var group = el('g', { 'class': 'series', 'data-series': series.name, fill: COLORS[index % COLORS.length] }, svg);
      series.values.forEach(function (value, row) {
        if (value === null) return;
        var length = max > 0 ? Math.max(1, (value / max) * (width - labelWidth - 60)) : 1;
        var bar = el('rect', { x: labelWidth, y: row * rowHeight + 4 + index * 14, width: length, height: 12, 'data-category': chart.categories[row], 'data-value': value }, group);
        el('title', {}, bar).textContent = series.name + ': ' + value;
        var label = el('text', { x: labelWidth + length + 4, y: row * rowHeight + 14 + index * 14, 'font-size': 11, fill: '#555' }, group);
        label.textContent = String(value);
      });
    });
    legend(container, chart.series.map(function (series) { return series.name; }));
  }
  function line(id, chart) {
    var container = document.getElementById(id);
    var width = 760, height = 200, pad = 30;
    var svg = el('svg', { width: width, height: height, 'data-chart': id }, container);
    [0, 50, 100].forEach(function (tick) {
      var y = height - pad - (tick / 100) * (height - 2 * pad);
      el('line', { x1: pad, y1: y, x2: width - 10, y2: y, stroke: tick === 0 ? '#999' : '#e3e5e8' }, svg);
      el('text', { x: 0, y: y + 4, 'font-size': 11, fill: '#555' }, svg).textContent = tick + '%';
    });
    el('text', { x: pad, y: height - 8, 'font-size': 11, fill: '#555' }, svg).textContent = 'oldest';
    el('text', { x: width - 50, y: height - 8, 'font-size': 11, fill: '#555' }, svg).textContent = 'newest';
    var group = el('g', { 'class': 'series', 'data-series': 'hit rate', fill: COLORS[0], stroke: COLORS[0] }, svg);
    var step = chart.values.length > 1 ? (width - pad - 20) / (chart.values.length - 1) : 0;
    var points = chart.values.map(function (value, index) { return [pad + index * step, height - pad - (value / 100) * (height - 2 * pad)]; });
    el('polyline', { points: points.map(function (point) { return point.join(','); }).join(' '), fill: 'none', 'stroke-width': 2 }, group);
    points.forEach(function (point, index) {
      var dot = el('circle', { cx: point[0], cy: point[1], r: 3, 'data-run': chart.runs[index], 'data-value': chart.values[index] }, group);
      el('title', {}, dot).textContent = chart.runs[index] + ': ' + chart.values[index] + '%';
    });
  }
  bars('chart-time', data.time);
  line('chart-hit-rate', data.hitRate);
  bars('chart-size', data.size);
  document.body.setAttribute('data-report-ready', 'true');
})();
</script>
</body>
</html>
`;
}
