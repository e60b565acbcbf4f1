/**
 * The fleet status as one self-contained HTML page: inline CSS, the charts
 * as inline SVG drawn when the page is written, no script and no URL that a
 * browser would fetch. Every text is HTML-escaped, so a repo slug cannot
 * inject markup.
 *
 * @module
 */
import type { FleetCounts, FleetRow, FleetStatusReport } from "./types.ts";
import { formatSeconds } from "./render_table.ts";

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml(`<script>"x"</script>`); // "&lt;script&gt;&quot;x&quot;&lt;/script&gt;"
 * ```
 */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2329;background:#fafbfc}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#57606a;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:96px}
.card b{display:block;font-size:22px}.card span{color:#57606a;font-size:12px}
.card.bad b{color:#cf222e}.card.warn b{color:#9a6700}
table{border-collapse:collapse;background:#fff;border:1px solid #d0d7de;font-variant-numeric:tabular-nums}
th,td{padding:5px 9px;border-bottom:1px solid #eaeef2;text-align:right;white-space:nowrap}
th{background:#f6f8fa;font-weight:600;position:sticky;top:0}
td.t,th.t{text-align:left}
tr.missed td{background:#ffebe9}tr.failed td{background:#fff8c5}tr.open td{background:#fbefff}
.badge{display:inline-block;border-radius:10px;padding:0 7px;font-size:12px;background:#eaeef2}
tr.missed .badge{background:#cf222e;color:#fff}tr.failed .badge{background:#bf8700;color:#fff}
tr.open .badge{background:#8250df;color:#fff}tr.ok .badge{background:#1a7f37;color:#fff}
figure{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px;margin:0 0 16px;display:inline-block;vertical-align:top}
figcaption{font-weight:600;margin-bottom:6px}.note{color:#57606a;font-size:12px}
`;

function pct(x: number | null): string {
  return x === null ? "–" : `${Math.round(x * 100)}%`;
}

function quality(c: FleetCounts): string {
  const q = c.quality;
  if (q.mean === null) return "–";
  const arrow = q.trend === "up"
    ? " ↑"
    : q.trend === "down"
    ? " ↓"
    : q.trend === "flat"
    ? " →"
    : "";
  return `${q.mean.toFixed(2)}${arrow}`;
}

function lastRun(c: FleetCounts): string {
  return c.last_run === null
    ? "never"
    : `${c.last_run.at.slice(0, 16).replace("T", " ")} ${c.last_run.outcome}`;
}

function countCells(c: FleetCounts): string {
  return [
    c.expected,
    c.prepared,
    c.closed_ok,
    c.closed_failed,
    c.open,
    c.missed,
  ].map((n) => `<td>${n}</td>`).join("") +
    `<td>${pct(c.success_rate)}</td><td>${escapeHtml(formatSeconds(c.time_p50_seconds))}</td>` +
    `<td>${escapeHtml(formatSeconds(c.time_p90_seconds))}</td><td>${
      escapeHtml(quality(c))
    }</td><td class="t">${escapeHtml(lastRun(c))}</td>`;
}

function row(r: FleetRow): string {
  return `<tr class="${r.status}" data-repo="${escapeHtml(r.repo)}"><td class="t">${
    escapeHtml(r.repo)
  }</td><td class="t">${
    escapeHtml(r.agent)
  }</td><td class="t"><span class="badge">${r.status}</span></td>${countCells(r)}</tr>`;
}

/** A chart as the page shows it. */
export interface HtmlChart {
  id: string;
  title: string;
  svg: string;
}

/**
 * The page. `charts` are SVG strings from `charts.ts` (trusted: drawn by
 * vega from escaped data and checked by `safeSvg`); `chartsProblem` is shown
 * instead when they could not be drawn.
 */
export function renderFleetHtml(
  report: FleetStatusReport,
  charts: HtmlChart[],
  chartsProblem?: string,
): string {
  const t = report.total;
  const w = report.window;
  const card = (n: number | string, label: string, cls = "") =>
    `<div class="card ${cls}"><b>${escapeHtml(String(n))}</b><span>${
      escapeHtml(label)
    }</span></div>`;
  const cards = [
    card(t.expected, "expected"),
    card(t.prepared, "prepared"),
    card(t.closed_ok, "closed ok"),
    card(t.closed_failed, "closed failed", t.closed_failed > 0 ? "warn" : ""),
    card(t.open, "open", t.open > 0 ? "warn" : ""),
    card(t.missed, "missed", t.missed > 0 ? "bad" : ""),
    card(pct(t.success_rate), "success rate"),
    card(formatSeconds(t.time_p50_seconds), "time p50"),
  ].join("");
  const head =
    `<tr><th class="t">repo</th><th class="t">agent</th><th class="t">status</th><th>expected</th><th>prepared</th><th>closed ok</th><th>closed failed</th><th>open</th><th>missed</th><th>success</th><th>p50</th><th>p90</th><th>quality</th><th class="t">last run</th></tr>`;
  const total =
    `<tr class="total"><td class="t"><b>fleet</b></td><td class="t"></td><td class="t"></td>${
      countCells(t)
    }</tr>`;
  const figures = chartsProblem
    ? `<p class="note">charts could not be drawn: ${escapeHtml(chartsProblem)}</p>`
    : charts.map((c) =>
      `<figure id="chart-${escapeHtml(c.id)}"><figcaption>${
        escapeHtml(c.title)
      }</figcaption>${c.svg}</figure>`
    ).join("\n");
  const unscheduled = report.unscheduled.pairs.length === 0
    ? ""
    : `<h2>Events for runs the schedule does not list (${report.unscheduled.events})</h2>
<table><tr><th class="t">repo</th><th class="t">agent</th><th>events</th></tr>${
      report.unscheduled.pairs.map((p) =>
        `<tr><td class="t">${escapeHtml(p.repo)}</td><td class="t">${
          escapeHtml(p.agent)
        }</td><td>${p.events}</td></tr>`
      ).join("")
    }</table>`;
  const skipped = report.skipped.length === 0
    ? ""
    : `<h2>Repos without expected runs (${report.skipped.length})</h2>
<table><tr><th class="t">repo</th><th class="t">reason</th></tr>${
      report.skipped.slice(0, 500).map((s) =>
        `<tr><td class="t">${escapeHtml(s.repo)}</td><td class="t">${
          escapeHtml(s.reason)
        }</td></tr>`
      ).join("")
    }</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kaizen fleet status ${escapeHtml(w.start.slice(0, 10))} – ${
    escapeHtml(w.end.slice(0, 10))
  }</title>
<style>${CSS}</style></head><body>
<h1>kaizen fleet status</h1>
<p class="sub">${escapeHtml(w.start)} – ${escapeHtml(w.end)} · grace ${
    escapeHtml(formatSeconds(w.grace_seconds))
  } · made for ${
    escapeHtml(w.now)
  } · ${report.rows.length} scheduled runs · ${report.source.events} events from stream ${
    escapeHtml(report.source.stream ?? "–")
  }</p>
<div class="cards">${cards}</div>
<h2>Charts</h2>
${figures}
<h2>Scheduled runs</h2>
<table id="rows">${head}${total}${report.rows.map(row).join("")}</table>
${unscheduled}
${skipped}
<p class="note">Missed: a firing never prepared within the grace. Open: prepared, not closed within the grace. See docs/fleet.md.</p>
</body></html>
`;
}
