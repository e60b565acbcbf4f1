import {
  type ExecutionRecord,
  executionsPath,
  readMetrics,
  renderMarkdownTable,
  type SectionPlugin,
  summaryPath,
} from "../../plugin.ts";

export { executionsPath, summaryPath };

const RECENT_RUNS = 5;

/**
 * How earlier runs of this agent went: the summary as a table, plus the latest
 * runs. The summary is the one derivation every reader uses (`readMetrics`:
 * the running state plus the log's new bytes, or the whole log streamed), so
 * the bundle shows what `kaizen metrics show` shows, and the latest runs are
 * read from the log's tail however long it is. Only when there is no log is
 * `summary.json` shown as stored (a pilot's hand-written summary). The table
 * is rendered by the pipeline from the summary after it has been redacted
 * value by value, so a secret never reaches a table cell.
 */
export const metricsSection: SectionPlugin = {
  id: "metrics",
  title: "Metrics",
  order: 300,
  priority: 20,
  summaryFields: ["has_metrics"],
  async collect(ctx) {
    const rel = summaryPath(ctx.agent);
    const log = executionsPath(ctx.agent);
    const reading = await readMetrics(ctx.files.root, ctx.agent, {
      now: ctx.now,
      listed: true,
      latest: RECENT_RUNS,
      deadline: ctx.files.deadline,
    });
    if (!reading.ok) {
      ctx.warn(reading.message);
      return { status: "warning", content: `_Metrics not read: ${reading.message}._`, source: log };
    }
    for (const n of reading.notices) ctx.warn(n);
    if (!reading.exists) {
      return {
        status: "missing",
        content:
          `_No metrics yet (\`${rel}\` does not exist): no run of this agent has been recorded._`,
        source: rel,
      };
    }
    const hasLog = reading.hasLog;
    let data: Record<string, unknown>;
    if (hasLog) {
      // A newer writer's own keys, when its summary is current, show after ours.
      data = { ...reading.summary, ...reading.extra };
    } else if (reading.storedOnly) {
      data = reading.storedOnly;
    } else if (reading.notices.length > 0) {
      // summary.json refused by the safe reader (warned above), and there is no log.
      return { status: "warning", content: `_${reading.notices[0]}._`, source: rel };
    } else {
      // summary.json exists but cannot be read as one, and there is no log.
      const problem = reading.storedProblem ?? "not readable";
      ctx.warn(`${rel} is ${problem}; metrics left out`);
      return {
        status: "warning",
        content: `_\`${rel}\` is ${problem}; metrics left out._`,
        source: rel,
      };
    }
    const recent = recentRuns(reading.records, reading.summary.runs, log);
    return {
      content: "", // rendered from the redacted data by `render`
      source: rel,
      data,
      render: (d) =>
        [summaryTable(isRecord(d) ? d : {}), ...(recent ? ["", recent] : [])].join("\n"),
      summary: { has_metrics: true },
    };
  },
};

const LABELS: Record<string, string> = {
  runs: "Runs",
  successes: "Successes",
  failures: "Failures",
  success_rate: "Success rate",
  avg_time_seconds: "Average time",
  time_p50_seconds: "Median time",
  time_p90_seconds: "90th percentile time",
  avg_quality: "Average quality",
  last_run_at: "Last run",
  last_success: "Last run succeeded",
  trend: "Latest runs",
};

const DURATIONS = new Set(["avg_time_seconds", "time_p50_seconds", "time_p90_seconds"]);

function summaryTable(s: Record<string, unknown>): string {
  const rows: string[][] = [];
  for (const [key, label] of Object.entries(LABELS)) {
    if (s[key] === undefined || s[key] === null) continue;
    if (key === "trend") {
      const t = formatTrend(s[key]);
      if (t) rows.push([t.label, t.value]);
      continue;
    }
    rows.push([label, formatValue(key, s[key])]);
  }
  // Unknown keys from newer writers still show, after the known ones.
  for (const [key, value] of Object.entries(s)) {
    if (key in LABELS || key === "agent" || key === "updated_at") continue;
    if (value === null || typeof value === "object") continue;
    rows.push([key, String(value)]);
  }
  if (rows.length === 0) return "_The summary has no fields kaizen knows._";
  return renderMarkdownTable(["Metric", "Value"], rows);
}

function formatValue(key: string, v: unknown): string {
  if (key === "success_rate" && typeof v === "number") return `${(v * 100).toFixed(1)}%`;
  if (DURATIONS.has(key) && typeof v === "number") return formatDuration(v);
  if (key === "avg_quality" && typeof v === "number") return v.toFixed(2);
  if (typeof v === "boolean") return v ? "yes" : "no";
  return String(v);
}

/**
 * `summary.trend` as one row: "Latest 5 runs" → "80.0% success, average
 * 15m 0s, quality 0.66". Parts that are missing or not numbers are left out;
 * anything that is not an object gives no row.
 */
function formatTrend(v: unknown): { label: string; value: string } | undefined {
  if (!isRecord(v)) return undefined;
  const num = (k: string) => (typeof v[k] === "number" ? v[k] as number : undefined);
  const parts: string[] = [];
  const rate = num("success_rate_recent");
  if (rate !== undefined) parts.push(`${(rate * 100).toFixed(1)}% success`);
  const time = num("avg_time_recent_seconds");
  if (time !== undefined) parts.push(`average ${formatDuration(time)}`);
  const quality = num("avg_quality_recent");
  if (quality !== undefined) parts.push(`quality ${quality.toFixed(2)}`);
  if (parts.length === 0) return undefined;
  const n = num("runs_recent");
  return { label: n !== undefined ? `Latest ${n} runs` : "Latest runs", value: parts.join(", ") };
}

/** `1009` → `16m 49s`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${rest}s`;
  return `${rest}s`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function recentRuns(
  records: readonly ExecutionRecord[],
  runs: number,
  rel: string,
): string | undefined {
  if (records.length === 0) return undefined;
  const last = records.slice(-RECENT_RUNS).reverse();
  const rows = last.map((rec) => [
    rec.recorded_at,
    rec.success ? "success" : "failure",
    formatDuration(rec.time_seconds),
    rec.quality.toFixed(2),
    typeof rec.notes === "string" ? clipWords(rec.notes, 120) : "",
  ]);
  return [
    `Latest ${rows.length} of ${runs} recorded runs (\`${rel}\`):`,
    "",
    renderMarkdownTable(["When", "Outcome", "Time", "Quality", "Notes"], rows),
  ].join("\n");
}

/**
 * Shortens `text` to whole words within `max` characters. Never cuts inside a
 * word: half a token would no longer match the secret scanner that runs
 * after this section.
 */
export function clipWords(text: string, max: number): string {
  const words = text.split(/\s+/).filter((w) => w !== "");
  let out = "";
  for (const w of words) {
    const next = out === "" ? w : `${out} ${w}`;
    if (next.length > max) return out === "" ? "…" : `${out} …`;
    out = next;
  }
  return out;
}
