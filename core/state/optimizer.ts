/**
 * The metrics optimizer (docs/adr/0002, "Optimizer"): reads every agent's
 * execution records, applies a few plain rules, and writes
 * `.kaizen/metrics/optimizer/analysis.json` (per agent: summary numbers and
 * findings) and `recommendations.jsonl` (one finding per line).
 *
 * The rules are pure functions of the records, the schedule and `now`, so a
 * pinned `now` gives byte-identical output; the thresholds are named
 * constants the ADR documents and the tests pin.
 *
 * @module
 */
import { createSafeWriter } from "../fs/safe_write.ts";
import { loadSchedule } from "../manifest/load.ts";
import { DEFAULT_TIMEZONE } from "../manifest/constants.ts";
import type { Schedule } from "../manifest/types.ts";
import { effectiveCron } from "../time/next_run.ts";
import { runsBetween } from "../time/runs.ts";
import { OPTIMIZER_DIR } from "./layout.ts";
import {
  accumulate,
  emptyAccumulator,
  type ExecutionRecord,
  formatInstant,
  listMetricsAgents,
  metricsError,
  type MetricsProblem,
  type MetricsSummary,
  readMetrics,
  refusedError,
  type SummaryAccumulator,
  summaryFromAccumulator,
} from "./metrics/mod.ts";
import { asMetricsResult } from "./metrics/record.ts";

/** Success rate below this is a finding… */
export const LOW_SUCCESS_RATE = 0.6;
/** …once there are at least this many runs (two failures in a row say little). */
export const LOW_SUCCESS_MIN_RUNS = 3;
/** The "recent" runs that trends compare with all the earlier ones. */
export const TREND_RECENT_RUNS = 3;
/** Trends need this many runs, so the earlier mean rests on at least three. */
export const TREND_MIN_RUNS = 6;
/** Rising time: the recent mean is at least this multiple of the earlier mean. */
export const RISING_TIME_FACTOR = 1.5;
/** Falling quality: the recent mean is at least this much below the earlier mean. */
export const FALLING_QUALITY_DROP = 0.15;
/**
 * Windows searched back from `now` for the last two scheduled firings,
 * smallest first: a frequent cron is answered by the first window without
 * enumerating a year of firings; a yearly one by the last.
 */
const STALE_WINDOWS_DAYS = [2, 15, 63, 400, 1500] as const;
/** Format version of `analysis.json`. */
export const ANALYSIS_VERSION = "1";

/** Files the optimizer writes, relative to the repository root. */
export const ANALYSIS_PATH = `${OPTIMIZER_DIR}/analysis.json`;
export const RECOMMENDATIONS_PATH = `${OPTIMIZER_DIR}/recommendations.jsonl`;

/** The rules, in the order their findings are listed. */
export type Rule = "low-success-rate" | "rising-time" | "falling-quality" | "stale";

/** One line of `recommendations.jsonl`. */
export interface Finding {
  agent: string;
  rule: Rule;
  severity: "high" | "medium";
  message: string;
  evidence: Record<string, string | number | null>;
}

/** The schedule facts the stale rule used, or why it could not run. */
export interface AgentScheduleInfo {
  cron: string;
  timezone: string;
  enabled: boolean;
}

/** One agent in `analysis.json`. */
export interface AgentAnalysis {
  agent: string;
  summary: Omit<MetricsSummary, "agent" | "updated_at">;
  /** `null` when the manifest does not schedule this agent (or cannot be read). */
  schedule: AgentScheduleInfo | null;
  skipped_lines: number;
  findings: Finding[];
}

/** The whole of `analysis.json`. */
export interface Analysis {
  version: string;
  generated_at: string;
  thresholds: Record<string, number>;
  /** Why the stale rule was not applied to any agent, when the manifest is unusable. */
  schedule_problem: string | null;
  agents: AgentAnalysis[];
}

/**
 * The thresholds as written into `analysis.json`, so a reader knows what was applied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { THRESHOLDS } from "../../mod.ts";
 *
 * // Below a 60 % success rate over at least 3 runs, an agent gets a finding.
 * assert.equal(THRESHOLDS.low_success_rate, 0.6);
 * assert.equal(THRESHOLDS.low_success_min_runs, 3);
 * ```
 */
export const THRESHOLDS: Readonly<Record<string, number>> = {
  low_success_rate: LOW_SUCCESS_RATE,
  low_success_min_runs: LOW_SUCCESS_MIN_RUNS,
  trend_recent_runs: TREND_RECENT_RUNS,
  trend_min_runs: TREND_MIN_RUNS,
  rising_time_factor: RISING_TIME_FACTOR,
  falling_quality_drop: FALLING_QUALITY_DROP,
};

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The mean of the last {@link TREND_RECENT_RUNS} runs by time and the mean
 * of all earlier ones, from the accumulator (which keeps the latest runs by
 * `recorded_at`, ties in file order, and the sums of all): the earlier mean
 * is what is left of the sum. Undefined with fewer than
 * {@link TREND_MIN_RUNS} runs.
 */
function split(
  acc: SummaryAccumulator,
  pick: (r: SummaryAccumulator["recent"][number]) => number,
  total: number,
): { recent: number; earlier: number } | undefined {
  if (acc.runs < TREND_MIN_RUNS) return undefined;
  const recent = acc.recent.slice(-TREND_RECENT_RUNS).map(pick);
  const recentSum = recent.reduce((a, b) => a + b, 0);
  return {
    recent: recentSum / TREND_RECENT_RUNS,
    earlier: Math.max(0, total - recentSum) / (acc.runs - TREND_RECENT_RUNS),
  };
}

/**
 * The last two times `cron` fired in `zone` before `now` (older first), or
 * undefined when it fired fewer than twice in the widest window.
 */
export function lastTwoFirings(
  cron: string,
  zone: string,
  now: Date,
): [Date, Date] | undefined {
  for (const days of STALE_WINDOWS_DAYS) {
    let firings: Date[];
    try {
      firings = runsBetween(cron, zone, new Date(now.getTime() - days * 86_400_000), now);
    } catch (err) {
      // A cron or zone the time engine refuses: `schedule validate` reports
      // it; the optimizer just cannot say when runs were due.
      if (err instanceof RangeError) return undefined;
      throw err;
    }
    if (firings.length >= 2) return [firings[firings.length - 2], firings[firings.length - 1]];
  }
  return undefined;
}

/**
 * Applies the rules to one agent's records (in file order). `schedule` is
 * the agent's entry, when the manifest has one; disabled agents are not
 * expected to run, so they are never stale.
 */
export function analyseAgent(
  agent: string,
  records: readonly ExecutionRecord[],
  schedule: AgentScheduleInfo | null,
  now: Date,
): { summary: MetricsSummary; findings: Finding[] } {
  const acc = emptyAccumulator();
  for (const r of records) accumulate(acc, r);
  return analyseAccumulator(agent, acc, schedule, now);
}

/**
 * The rules applied to an agent's accumulator: the same summary every other
 * reader derives, and the trends from its latest runs and sums, so a log of
 * any length is analysed in constant memory.
 */
export function analyseAccumulator(
  agent: string,
  acc: SummaryAccumulator,
  schedule: AgentScheduleInfo | null,
  now: Date,
): { summary: MetricsSummary; findings: Finding[] } {
  const summary = summaryFromAccumulator(agent, acc, now);
  const findings: Finding[] = [];
  const earlierRuns = acc.runs - TREND_RECENT_RUNS;

  if (summary.runs >= LOW_SUCCESS_MIN_RUNS && summary.success_rate < LOW_SUCCESS_RATE) {
    findings.push({
      agent,
      rule: "low-success-rate",
      severity: "high",
      message: `${summary.successes} of ${summary.runs} runs succeeded (${
        (summary.success_rate * 100).toFixed(1)
      }%), below ${LOW_SUCCESS_RATE * 100}%: read the failed runs' notes and the agent's memory`,
      evidence: {
        runs: summary.runs,
        successes: summary.successes,
        success_rate: summary.success_rate,
        threshold: LOW_SUCCESS_RATE,
      },
    });
  }

  const time = split(acc, (r) => r.time_seconds, acc.time_sum);
  // An earlier mean of 0 s makes any ratio meaningless; no finding then.
  if (time && time.earlier > 0 && time.recent >= RISING_TIME_FACTOR * time.earlier) {
    const factor = round3(time.recent / time.earlier);
    findings.push({
      agent,
      rule: "rising-time",
      severity: "medium",
      message:
        `the last ${TREND_RECENT_RUNS} runs took ${factor}x as long as the ${earlierRuns} before them on average: check whether the task or the repository grew`,
      evidence: {
        recent_runs: TREND_RECENT_RUNS,
        earlier_runs: earlierRuns,
        recent_mean_seconds: Math.round(time.recent),
        earlier_mean_seconds: Math.round(time.earlier),
        factor,
        threshold: RISING_TIME_FACTOR,
      },
    });
  }

  const quality = split(acc, (r) => r.quality, acc.quality_sum);
  // Compared after rounding to 3 decimals, so a drop of exactly 0.15 counts
  // whatever the floating-point error of the means.
  if (quality && round3(quality.earlier - quality.recent) >= FALLING_QUALITY_DROP) {
    findings.push({
      agent,
      rule: "falling-quality",
      severity: "medium",
      message: `quality of the last ${TREND_RECENT_RUNS} runs averaged ${
        round3(quality.recent)
      }, down from ${round3(quality.earlier)}: compare the recent notes with the earlier ones`,
      evidence: {
        recent_runs: TREND_RECENT_RUNS,
        earlier_runs: earlierRuns,
        recent_mean_quality: round3(quality.recent),
        earlier_mean_quality: round3(quality.earlier),
        drop: round3(quality.earlier - quality.recent),
        threshold: FALLING_QUALITY_DROP,
      },
    });
  }

  // Stale: the run due at the second-to-last firing never came. The latest
  // firing is not counted, since its run may still be under way.
  if (schedule?.enabled && summary.last_run_at !== null) {
    const firings = lastTwoFirings(schedule.cron, schedule.timezone, now);
    if (firings && Date.parse(summary.last_run_at) < firings[0].getTime()) {
      findings.push({
        agent,
        rule: "stale",
        severity: "high",
        message:
          `no run since ${summary.last_run_at}, though '${schedule.cron}' (${schedule.timezone}) fired at ${
            formatInstant(firings[0])
          } and ${formatInstant(firings[1])}: check the scheduler and the agent's last session`,
        evidence: {
          last_run_at: summary.last_run_at,
          cron: schedule.cron,
          timezone: schedule.timezone,
          missed_firing: formatInstant(firings[0]),
          latest_firing: formatInstant(firings[1]),
        },
      });
    }
  }
  return { summary, findings };
}

/** The schedule entry of every agent the manifest names (none without a valid manifest). */
function schedules(
  schedule: Schedule | undefined,
): Map<string, AgentScheduleInfo> {
  const out = new Map<string, AgentScheduleInfo>();
  if (!schedule) return out;
  const timezone = schedule.timezone ?? DEFAULT_TIMEZONE;
  for (const [name, entry] of Object.entries(schedule.agents)) {
    out.set(name, { cron: effectiveCron(entry).cron, timezone, enabled: entry.enabled });
  }
  return out;
}

/** What {@link runOptimizer} wrote. */
export interface OptimizerOutput {
  analysis: Analysis;
  findings: Finding[];
  /** Skipped lines per agent, for the caller's notices. */
  skipped: { agent: string; lines: number }[];
}

/** Result of {@link runOptimizer}: what it wrote, or why it could not. */
export type OptimizeResult = ({ ok: true } & OptimizerOutput) | MetricsProblem;

/**
 * Analyses every agent with a metrics folder and writes both output files,
 * each replaced atomically, under one lock so two optimizers cannot leave
 * one's analysis beside the other's recommendations. `analysis.json` is
 * written last: its presence means the pair is complete. A refusal (metrics
 * that cannot be read, a path out of the repository, a busy lock, a full
 * disk) is returned as a {@link MetricsProblem}, like the metrics library's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordExecution, runOptimizer, THRESHOLDS } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   for (const success of [false, false, true]) {
 *     await recordExecution(repo, "coach", { success, time_seconds: 600, quality: 0.5 });
 *   }
 *   const r = await runOptimizer(repo, new Date());
 *   assert.ok(r.ok);
 *   const { analysis, findings } = r;
 *   assert.deepEqual(findings.map((f) => `${f.agent}: ${f.rule}`), ["coach: low-success-rate"]);
 *   assert.deepEqual(analysis.thresholds, THRESHOLDS);
 *   await Deno.stat(`${repo}/.kaizen/metrics/optimizer/analysis.json`); // written
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export function runOptimizer(root: string, now: Date): Promise<OptimizeResult> {
  return asMetricsResult(() => optimize(root, now));
}

/** {@link runOptimizer}'s work: a refusal is thrown as a `MetricsError`. */
async function optimize(root: string, now: Date): Promise<OptimizerOutput> {
  const realRoot = await Deno.realPath(root);
  const loaded = await loadSchedule(realRoot);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  const scheduleProblem = loaded.exists && !loaded.schedule
    ? `${loaded.file} is not valid (${errors[0]?.message ?? "see kaizen schedule validate"})`
    : null;
  const byAgent = schedules(loaded.schedule);

  const agents: AgentAnalysis[] = [];
  const all: Finding[] = [];
  const skipped: { agent: string; lines: number }[] = [];
  const listed = await listMetricsAgents(realRoot);
  if (!listed.ok) throw metricsError(listed);
  for (const agent of listed.agents) {
    const reading = await readMetrics(realRoot, agent, { now, listed: true, latest: 0 });
    if (!reading.ok) throw metricsError(reading);
    const schedule = byAgent.get(agent) ?? null;
    const { summary, findings } = analyseAccumulator(agent, reading.accumulator, schedule, now);
    const { agent: _a, updated_at: _u, ...numbers } = summary;
    agents.push({
      agent,
      summary: numbers,
      schedule,
      skipped_lines: reading.skippedCount,
      findings,
    });
    all.push(...findings);
    if (reading.skippedCount > 0) skipped.push({ agent, lines: reading.skippedCount });
  }
  const analysis: Analysis = {
    version: ANALYSIS_VERSION,
    generated_at: formatInstant(now),
    thresholds: { ...THRESHOLDS },
    schedule_problem: scheduleProblem,
    agents,
  };

  const writer = await createSafeWriter(realRoot);
  const dir = await writer.ensureDir(OPTIMIZER_DIR);
  if (dir.status === "refused") throw refusedError(dir);
  const outcome = await writer.withLock(ANALYSIS_PATH, async () => {
    for (const rel of [RECOMMENDATIONS_PATH, ANALYSIS_PATH]) await writer.cleanTemps(rel);
    const recs = await writer.writeAtomic(
      RECOMMENDATIONS_PATH,
      all.map((f) => JSON.stringify(f) + "\n").join(""),
    );
    if (recs.status === "refused") throw refusedError(recs);
    const out = await writer.writeAtomic(ANALYSIS_PATH, JSON.stringify(analysis, null, 2) + "\n");
    if (out.status === "refused") throw refusedError(out);
  });
  if (outcome.status === "refused") throw refusedError(outcome);
  return { analysis, findings: all, skipped };
}
