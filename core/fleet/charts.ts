/**
 * The report's charts, drawn by vega-lite + vega into SVG strings when the
 * report is written (no DOM, no network: data is inline, the renderer is
 * vega's headless `toSVG`). This module is the only one that imports them,
 * and `render_html.ts` imports it dynamically, so no other command loads
 * the charting libraries.
 *
 * @module
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { FleetStatusReport } from "./types.ts";
import { formatSeconds } from "./render_table.ts";

/** One chart: a title and its SVG (or why it could not be drawn). */
export interface Chart {
  id: string;
  title: string;
  svg: string;
}

const FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";
const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#eee" },
  legend: { labelFontSize: 11, titleFontSize: 12 },
};

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile({ ...spec, config: CONFIG } as TopLevelSpec).spec;
  // A loader that refuses every URL: the data is inline, and writing a
  // report must never fetch anything.
  const loader = vega.loader();
  loader.load = () => Promise.reject(new Error("fleet charts load no URL"));
  const view = new vega.View(vega.parse(compiled), { renderer: "none", loader });
  try {
    return safeSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * The SVG as vega wrote it (text escaped), refused if it carries anything
 * that could run or fetch: a script, a foreign object, an event handler or a
 * link.
 */
export function safeSvg(svg: string): string {
  if (/<script|<foreignObject|\son[a-z]+\s*=|href\s*=\s*["'](?!#)|<iframe|<image/i.test(svg)) {
    throw new Error("the chart's SVG carries active content");
  }
  return svg;
}

/**
 * The three charts of the HTML report: success over time per agent, a
 * calendar heatmap of prepared runs, the run-time distribution.
 *
 * @example
 * ```ts
 * const charts = await fleetCharts(report);
 * charts.map((c) => c.svg.startsWith("<svg")); // [true, true, true]
 * ```
 */
export async function fleetCharts(report: FleetStatusReport): Promise<Chart[]> {
  // Days for a window of up to three weeks, weeks (starting Monday, UTC) beyond.
  const weekly = Date.parse(report.window.end) - Date.parse(report.window.start) > 21 * 86_400_000;
  const bucket = (date: string) => {
    if (!weekly) return date;
    const t = Date.parse(date);
    const monday = t - ((new Date(t).getUTCDay() + 6) % 7) * 86_400_000;
    return new Date(monday).toISOString().slice(0, 10);
  };
  const closed = new Map<string, { date: string; agent: string; ok: number; all: number }>();
  for (const d of report.daily) {
    if (d.closed_ok + d.closed_failed === 0) continue;
    const date = bucket(d.date);
    const key = `${date}\u0000${d.agent}`;
    const e = closed.get(key) ?? { date, agent: d.agent, ok: 0, all: 0 };
    e.ok += d.closed_ok;
    e.all += d.closed_ok + d.closed_failed;
    closed.set(key, e);
  }
  const success = [...closed.values()].map((e) => ({
    date: e.date,
    agent: e.agent,
    rate: e.ok / e.all,
    closed: e.all,
  }));
  const perDay = new Map<string, { runs: number; missed: number }>();
  for (const d of report.daily) {
    const e = perDay.get(d.date) ?? { runs: 0, missed: 0 };
    e.runs += d.prepared;
    e.missed += d.missed;
    perDay.set(d.date, e);
  }
  // Every day of the window gets a cell, so an empty day shows as empty.
  const days: { date: string; runs: number; missed: number }[] = [];
  const first = Date.parse(report.window.start.slice(0, 10));
  const last = Date.parse(report.window.end);
  for (let t = first; t < last && days.length < 400; t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    days.push({ date, ...(perDay.get(date) ?? { runs: 0, missed: 0 }) });
  }
  const bins = report.durations.map((b, i) => ({
    agent: b.agent,
    order: i % 100,
    bin: b.upper_seconds === null ? "longer" : `≤ ${formatSeconds(b.upper_seconds)}`,
    runs: b.runs,
  }));
  const order = [
    ...new Set(
      [...report.durations].sort((a, b) =>
        (a.upper_seconds ?? Infinity) - (b.upper_seconds ?? Infinity)
      )
        .map((b) => (b.upper_seconds === null ? "longer" : `≤ ${formatSeconds(b.upper_seconds)}`)),
    ),
  ];
  const width = 640;
  return [
    {
      id: "success",
      title: `Success rate per ${weekly ? "week" : "day"}, by agent`,
      svg: await toSvg({
        width,
        height: 220,
        data: { values: success },
        mark: { type: "line", point: true },
        encoding: {
          x: {
            field: "date",
            type: "temporal",
            timeUnit: "utcyearmonthdate",
            title: weekly ? "week (UTC, from Monday)" : "day (UTC)",
          },
          y: {
            field: "rate",
            type: "quantitative",
            title: "success rate",
            scale: { domain: [0, 1] },
            axis: { format: "%" },
          },
          color: { field: "agent", type: "nominal", title: "agent" },
        },
      } as TopLevelSpec),
    },
    {
      id: "calendar",
      title: "Prepared runs per day",
      svg: await toSvg({
        data: { values: days },
        mark: { type: "rect", stroke: "#fff", strokeWidth: 2, cornerRadius: 2 },
        width: { step: 18 },
        height: { step: 18 },
        encoding: {
          x: {
            field: "date",
            type: "ordinal",
            timeUnit: "utcyearweek",
            title: "week",
            axis: { format: "%b %d", labelAngle: -45 },
          },
          y: { field: "date", type: "ordinal", timeUnit: "utcday", title: null },
          color: {
            field: "runs",
            type: "quantitative",
            aggregate: "sum",
            title: "runs",
            scale: { scheme: "greens" },
          },
        },
      } as TopLevelSpec),
    },
    {
      id: "durations",
      title: "Run time of closed runs",
      svg: await toSvg({
        width,
        height: 220,
        data: { values: bins },
        mark: "bar",
        encoding: {
          x: {
            field: "bin",
            type: "ordinal",
            sort: order,
            title: "run time",
            axis: { labelAngle: -40 },
          },
          y: { field: "runs", type: "quantitative", aggregate: "sum", title: "runs" },
          color: { field: "agent", type: "nominal", title: "agent" },
        },
      } as TopLevelSpec),
    },
  ];
}
