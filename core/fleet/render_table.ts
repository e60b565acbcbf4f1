/**
 * The fleet status as a table for people: the fleet total on top, then one
 * line per (repo, agent), missed and failing rows first. Colour (red for
 * missed, yellow for failed, magenta for open) only when the caller says the
 * output is a terminal without `NO_COLOR`.
 *
 * @module
 */
import { renderTable } from "../text/table.ts";
import { printable } from "../text/printable.ts";
import type { FleetCounts, FleetStatusReport, RowStatus } from "./types.ts";

/**
 * `95s`, `19m`, `2h05m`: a run time for a table cell.
 *
 * @example
 * ```ts
 * formatSeconds(1140); // "19m"
 * ```
 */
export function formatSeconds(s: number | null): string {
  if (s === null) return "-";
  if (s < 120) return `${Math.round(s)}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

const ARROW = { up: "↑", down: "↓", flat: "→" } as const;

function cells(c: FleetCounts): string[] {
  const q = c.quality;
  return [
    String(c.expected),
    String(c.prepared),
    String(c.closed_ok),
    String(c.closed_failed),
    String(c.open),
    String(c.missed),
    c.success_rate === null ? "-" : `${Math.round(c.success_rate * 100)}%`,
    formatSeconds(c.time_p50_seconds),
    formatSeconds(c.time_p90_seconds),
    q.mean === null ? "-" : `${q.mean.toFixed(2)}${q.trend ? ` ${ARROW[q.trend]}` : ""}`,
    c.last_run === null
      ? "never"
      : `${c.last_run.at.slice(0, 16).replace("T", " ")} ${c.last_run.outcome}`,
  ];
}

const COLOR: Record<RowStatus, string | undefined> = {
  missed: "31",
  failed: "33",
  open: "35",
  ok: undefined,
};

/**
 * The table, with a heading line naming the window.
 *
 * @example
 * ```ts
 * stdout(renderFleetTable(report, { color: false }));
 * ```
 */
export function renderFleetTable(report: FleetStatusReport, opts: { color: boolean }): string {
  const header = [
    "REPO",
    "AGENT",
    "EXPECTED",
    "PREPARED",
    "OK",
    "FAILED",
    "OPEN",
    "MISSED",
    "SUCCESS",
    "P50",
    "P90",
    "QUALITY",
    "LAST RUN",
  ];
  const rows = [
    ["(fleet)", "", ...cells(report.total)],
    ...report.rows.map((r) => [printable(r.repo, 60), printable(r.agent, 40), ...cells(r)]),
  ];
  const lines = renderTable(header, rows).split("\n");
  if (opts.color) {
    // Line 0 is the header, 1 the total; rows follow in order.
    report.rows.forEach((r, i) => {
      const code = COLOR[r.status];
      if (code) lines[i + 2] = `\x1b[${code}m${lines[i + 2]}\x1b[0m`;
    });
    lines[1] = `\x1b[1m${lines[1]}\x1b[0m`;
  }
  const w = report.window;
  const out = [
    `fleet status ${w.start} .. ${w.end} (grace ${
      formatSeconds(w.grace_seconds)
    }, ${report.rows.length} scheduled runs, ${report.source.events} events)\n`,
    lines.join("\n"),
  ];
  if (report.rows.length === 0) out.push("no scheduled runs in the roster\n");
  if (report.unscheduled.events > 0) {
    const shown = report.unscheduled.pairs.slice(0, 5).map((p) =>
      `${printable(p.repo, 60)}/${printable(p.agent, 40)}`
    );
    out.push(
      `\n${report.unscheduled.events} event(s) for runs the schedule does not list: ${
        shown.join(", ")
      }${report.unscheduled.pairs.length > 5 ? ", ..." : ""}\n`,
    );
  }
  if (report.skipped.length > 0) {
    out.push(`skipped ${report.skipped.length} repo(s) (see --format json)\n`);
  }
  return out.join("");
}
