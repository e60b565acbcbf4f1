/**
 * The one summary derivation (docs/adr/0002, "The summary"): an accumulator
 * that takes the valid records one at a time in file order, and the summary
 * computed from it. The bundle's metrics section, `metrics show | list |
 * record | rebuild`, the optimizer, MCP and the library all derive through
 * here, so they show the same numbers.
 *
 * @module
 */
import { type ExecutionRecord, formatInstant } from "./record.ts";

/** Runs the summary's `trend` covers: the latest ones by `recorded_at`. */
export const TREND_RUNS = 5;

/** `summary.json`: field names are a contract with the bundle and the event. */
export interface MetricsSummary {
  agent: string;
  runs: number;
  successes: number;
  failures: number;
  /** successes / runs, rounded to 3 decimals; 0 when there are no runs. */
  success_rate: number;
  /** Mean session time, rounded to whole seconds; 0 when there are no runs. */
  avg_time_seconds: number;
  /** Median session time (nearest rank), whole seconds; null when there are no runs. */
  time_p50_seconds: number | null;
  /** 90th-percentile session time (nearest rank), whole seconds; null when there are no runs. */
  time_p90_seconds: number | null;
  /** Mean quality, rounded to 3 decimals; null when there are no runs. */
  avg_quality: number | null;
  /** `recorded_at` of the latest record (by time; the later line wins a tie). */
  last_run_at: string | null;
  last_success: boolean | null;
  /** The latest {@link TREND_RUNS} runs (by time); null with fewer runs. */
  trend: MetricsTrend | null;
  /** When the summary was derived. */
  updated_at: string;
}

/** `summary.trend`: the latest {@link TREND_RUNS} runs, rounded like the whole-history fields. */
export interface MetricsTrend {
  runs_recent: number;
  success_rate_recent: number;
  avg_time_recent_seconds: number;
  avg_quality_recent: number;
}

/** One of the latest runs the accumulator keeps for `trend` and `last_run_at`. */
export interface RecentRun {
  /** `recorded_at` as epoch milliseconds. */
  at: number;
  /** Position among the valid records (file order): breaks ties of `at`. */
  seq: number;
  success: boolean;
  time_seconds: number;
  quality: number;
}

/**
 * Everything the summary is derived from, updated one record at a time:
 * counts, sums in file order, a histogram of whole seconds (exact nearest-rank
 * percentiles: rounding is monotonic, so rounding each time first picks the
 * same rank as rounding the picked time) and the latest {@link TREND_RUNS}
 * runs by time. Constant size whatever the length of the log.
 */
export interface SummaryAccumulator {
  runs: number;
  successes: number;
  /** Sum of `time_seconds`, added in file order. */
  time_sum: number;
  /** Sum of `quality`, added in file order. */
  quality_sum: number;
  /** Whole seconds (`Math.round(time_seconds)`) → number of runs. */
  time_histogram: Record<string, number>;
  /** The latest runs, oldest first, at most {@link TREND_RUNS}. */
  recent: RecentRun[];
}

/** An accumulator of no records. */
export function emptyAccumulator(): SummaryAccumulator {
  return { runs: 0, successes: 0, time_sum: 0, quality_sum: 0, time_histogram: {}, recent: [] };
}

/**
 * Adds one valid record (the next in file order) to `acc`.
 *
 * @example
 * ```ts
 * const acc = emptyAccumulator();
 * accumulate(acc, { agent: "coach", recorded_at: "2026-11-16T09:00:00Z", success: true, time_seconds: 60, quality: 1 });
 * summaryFromAccumulator("coach", acc, new Date()).runs; // 1
 * ```
 */
export function accumulate(acc: SummaryAccumulator, r: ExecutionRecord): void {
  const seq = acc.runs;
  acc.runs++;
  if (r.success) acc.successes++;
  acc.time_sum += r.time_seconds;
  acc.quality_sum += r.quality;
  const key = String(Math.round(r.time_seconds));
  acc.time_histogram[key] = (acc.time_histogram[key] ?? 0) + 1;
  const run: RecentRun = {
    at: Date.parse(r.recorded_at),
    seq,
    success: r.success,
    time_seconds: r.time_seconds,
    quality: r.quality,
  };
  // Ordered by (at, seq); a new record has the highest seq, so it goes after
  // every run at the same instant or earlier (the later line wins a tie).
  let i = acc.recent.length;
  while (i > 0 && acc.recent[i - 1].at > run.at) i--;
  if (acc.recent.length >= TREND_RUNS && i === 0) return; // older than all we keep
  acc.recent.splice(i, 0, run);
  if (acc.recent.length > TREND_RUNS) acc.recent.shift();
}

function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}

/** Nearest-rank `p`-th percentile (whole seconds) of the histogram's `n` values. */
function percentile(histogram: Record<string, number>, n: number, p: number): number | null {
  if (n === 0) return null;
  // Integer arithmetic: ceil(p·n/100) without floating-point surprises.
  const rank = Math.max(1, Math.floor((p * n + 99) / 100));
  const keys = Object.keys(histogram).map(Number).sort((a, b) => a - b);
  let seen = 0;
  for (const k of keys) {
    seen += histogram[String(k)];
    if (seen >= rank) return k;
  }
  return keys.at(-1) ?? null;
}

/** The summary of what `acc` holds, stamped `updated_at = now`. */
export function summaryFromAccumulator(
  agent: string,
  acc: SummaryAccumulator,
  now: Date,
): MetricsSummary {
  const runs = acc.runs;
  const last = acc.recent.at(-1);
  let trend: MetricsTrend | null = null;
  if (acc.recent.length >= TREND_RUNS) {
    let ok = 0;
    let time = 0;
    let quality = 0;
    for (const r of acc.recent) {
      if (r.success) ok++;
      time += r.time_seconds;
      quality += r.quality;
    }
    const n = acc.recent.length;
    trend = {
      runs_recent: n,
      success_rate_recent: round(ok / n, 3),
      avg_time_recent_seconds: Math.round(time / n),
      avg_quality_recent: round(quality / n, 3),
    };
  }
  return {
    agent,
    runs,
    successes: acc.successes,
    failures: runs - acc.successes,
    success_rate: runs === 0 ? 0 : round(acc.successes / runs, 3),
    avg_time_seconds: runs === 0 ? 0 : Math.round(acc.time_sum / runs),
    time_p50_seconds: percentile(acc.time_histogram, runs, 50),
    time_p90_seconds: percentile(acc.time_histogram, runs, 90),
    avg_quality: runs === 0 ? null : round(acc.quality_sum / runs, 3),
    last_run_at: last ? formatInstant(new Date(last.at)) : null,
    last_success: last ? last.success : null,
    trend,
    updated_at: formatInstant(now),
  };
}

/**
 * The summary of `records` (in file order), stamped `updated_at = now`.
 *
 * @example
 * ```ts
 * deriveSummary("coach", [], new Date()).runs; // 0
 * ```
 */
export function deriveSummary(
  agent: string,
  records: readonly ExecutionRecord[],
  now: Date,
): MetricsSummary {
  const acc = emptyAccumulator();
  for (const r of records) accumulate(acc, r);
  return summaryFromAccumulator(agent, acc, now);
}

/** The summary fields in contract order, without `updated_at` (which is when, not what). */
const NUMBERS = [
  "agent",
  "runs",
  "successes",
  "failures",
  "success_rate",
  "avg_time_seconds",
  "time_p50_seconds",
  "time_p90_seconds",
  "avg_quality",
  "last_run_at",
  "last_success",
  "trend",
] as const;

/**
 * Whether a stored `summary.json` (parsed, any shape) says what `derived`
 * says: every summary field equal, `updated_at` a date-time. A stale summary
 * (a crash between the append and the summary write), a hand-edited one or
 * one written by an older kaizen is not, and the derivation is used instead.
 */
export function storedSummaryMatches(stored: unknown, derived: MetricsSummary): boolean {
  if (stored === null || typeof stored !== "object" || Array.isArray(stored)) return false;
  const s = stored as Record<string, unknown>;
  if (typeof s.updated_at !== "string" || Number.isNaN(Date.parse(s.updated_at))) return false;
  return NUMBERS.every((k) => JSON.stringify(s[k]) === JSON.stringify(derived[k]));
}

/**
 * Whether a stored `summary.json` has the current shape with plausible
 * values: used only when there is no log to derive it from (a summary kept
 * from a pilot, or a log archived away).
 */
export function isSummaryShape(v: unknown, agent: string): v is MetricsSummary {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const s = v as Record<string, unknown>;
  const count = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  const numOrNull = (x: unknown) => x === null || (typeof x === "number" && Number.isFinite(x));
  return s.agent === agent && count(s.runs) && count(s.successes) && count(s.failures) &&
    typeof s.success_rate === "number" && typeof s.avg_time_seconds === "number" &&
    numOrNull(s.time_p50_seconds) && numOrNull(s.time_p90_seconds) &&
    numOrNull(s.avg_quality) && (s.last_run_at === null || typeof s.last_run_at === "string") &&
    (s.last_success === null || typeof s.last_success === "boolean") &&
    (s.trend === null || (typeof s.trend === "object" && !Array.isArray(s.trend))) &&
    typeof s.updated_at === "string";
}
