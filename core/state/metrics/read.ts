/**
 * Reading an agent's metrics without writing anything: the summary by the
 * one derivation, brought up to date from the running state plus the log's
 * new bytes (or, with no usable state, by streaming the whole log through
 * the accumulator), and the latest runs read from the log's tail. The
 * stored `summary.json` is used only when it says exactly what the
 * derivation says; a stale or lying one is replaced by the derivation.
 *
 * @module
 */
import { createDeadline, type Deadline } from "../../fs/deadline.ts";
import { createSafeReader } from "../../fs/safe_read.ts";
import { createSafeWriter } from "../../fs/safe_write.ts";
import { executionsPath, metricsDir, summaryPath, summaryStatePath } from "../layout.ts";
import { checkAgent } from "./agent.ts";
import { MAX_LISTED_SKIPPED, type OpenLog, openLog, readLatest, scanForward } from "./log.ts";
import {
  asMetricsResult,
  type ExecutionRecord,
  type MetricsProblem,
  refusedError,
  type SkippedLine,
} from "./record.ts";
import { loadState, SMALL_READ_MS, stateFits, type SummaryState } from "./state.ts";
import {
  accumulate,
  emptyAccumulator,
  isSummaryShape,
  type MetricsSummary,
  storedSummaryMatches,
  type SummaryAccumulator,
  summaryFromAccumulator,
} from "./summary.ts";

/** Largest `summary.json` read (a summary is a few hundred bytes). */
export const MAX_SUMMARY_BYTES = 1024 * 1024;
/** Latest runs {@link readMetrics} returns unless told otherwise. */
export const DEFAULT_LATEST_RUNS = 100;

/** The log brought up to date: the accumulator over every valid record, and where it ends. */
export interface LogSummary {
  /** `incremental`: the running state plus the bytes after its offset; `full`: the whole log. */
  mode: "incremental" | "full";
  acc: SummaryAccumulator;
  /** Bytes of the log read up to (its size when opened). */
  size: number;
  /** Newlines in the log. */
  lines: number;
  endsWithNewline: boolean;
  /** The first {@link MAX_LISTED_SKIPPED} invalid lines, and how many there are. */
  skipped: SkippedLine[];
  skippedCount: number;
  /** The last `keep` valid records in file order, when the whole log was read. */
  latest?: ExecutionRecord[];
}

/**
 * Brings the accumulator up to the end of the open log: from `state` when it
 * still fits the log (reading only the bytes after its offset), otherwise
 * by streaming the whole log. Constant memory either way.
 */
export async function summariseLog(
  log: OpenLog | undefined,
  agent: string,
  state: SummaryState | undefined,
  options: { keep?: number; deadline?: Deadline; rel?: string } = {},
): Promise<LogSummary> {
  if (!log) {
    return {
      mode: "full",
      acc: emptyAccumulator(),
      size: 0,
      lines: 0,
      endsWithNewline: true,
      skipped: [],
      skippedCount: 0,
      latest: [],
    };
  }
  if (state && await stateFits(state, log)) {
    const acc = structuredClone(state.acc);
    const scan = await scanForward(log.file, state.offset, log.size, agent, {
      firstLine: state.lines + 1,
      onRecord: (r) => accumulate(acc, r),
      deadline: options.deadline,
      what: options.rel,
    });
    return {
      mode: "incremental",
      acc,
      size: log.size,
      lines: state.lines + scan.newlines,
      endsWithNewline: state.offset === log.size ? true : scan.endsWithNewline,
      skipped: [...state.skipped, ...scan.skipped].slice(0, MAX_LISTED_SKIPPED),
      skippedCount: state.skipped_count + scan.skippedCount,
    };
  }
  const acc = emptyAccumulator();
  const scan = await scanForward(log.file, 0, log.size, agent, {
    onRecord: (r) => accumulate(acc, r),
    keep: options.keep,
    deadline: options.deadline,
    what: options.rel,
  });
  return {
    mode: "full",
    acc,
    size: log.size,
    lines: scan.newlines,
    endsWithNewline: scan.endsWithNewline,
    skipped: scan.skipped,
    skippedCount: scan.skippedCount,
    latest: scan.latest,
  };
}

/** What {@link readMetrics} found. */
export interface MetricsReading {
  /** False when neither `executions.jsonl` nor `summary.json` exists. */
  exists: boolean;
  /** Whether `executions.jsonl` exists (the summary is derived from it). */
  hasLog: boolean;
  summary: MetricsSummary;
  /**
   * `file`: summary.json, which says exactly what the derivation says;
   * `derived`: computed now from the records (summary.json missing, stale,
   * unreadable or not matching the records).
   */
  summarySource: "file" | "derived";
  /**
   * The latest valid records (at most `latest`, default
   * {@link DEFAULT_LATEST_RUNS}), in file order; `summary.runs` counts all.
   */
  records: ExecutionRecord[];
  /** The first {@link MAX_LISTED_SKIPPED} invalid lines. */
  skipped: SkippedLine[];
  /** How many invalid lines there are in all. */
  skippedCount: number;
  /** The accumulator the summary was derived from (the optimizer's trend rules read it). */
  accumulator: SummaryAccumulator;
  /**
   * `summary.json` as stored (any JSON object), when there is no log to
   * derive from: kept from a pilot, or the log archived away.
   */
  storedOnly?: Record<string, unknown>;
  /**
   * Keys a current `summary.json` has beyond the summary's own (a newer
   * writer's additions), shown by the bundle as they are.
   */
  extra?: Record<string, unknown>;
  /** What is wrong with a `summary.json` that exists but cannot be used as a summary. */
  storedProblem?: "not valid JSON" | "not a JSON object";
  /** Why a state file was not used (refused by the safe reader), for notices. */
  notices: string[];
}

/** Result of {@link readMetrics}. */
export type ReadMetricsResult = ({ ok: true } & MetricsReading) | MetricsProblem;

/** Options of {@link readMetrics}. */
export interface ReadMetricsOptions {
  /** The reference clock (default: now). */
  now?: Date;
  /** The name came from an existing metrics folder: an empty one is "no runs". */
  listed?: boolean;
  /** How many of the latest runs to keep (default {@link DEFAULT_LATEST_RUNS}). */
  latest?: number;
  /** The reads' deadline (a bundle section passes `ctx.files.deadline`). */
  deadline?: Deadline;
}

/**
 * Reads an agent's summary and latest runs without writing anything. An
 * agent that is no longer in the catalog can still be read when it has
 * metrics; `listed` (the name came from an existing metrics folder) reads
 * an empty folder as "no runs" instead of refusing an unknown agent.
 * Refusals are returned as a {@link MetricsProblem}: `invalid` (not an agent
 * name), `unknown-agent`, `unsafe-path` (a symlink out of the repository, a
 * FIFO) and `io` (the deadline passed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMetrics, recordExecution } from "../../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await recordExecution(repo, "coach", { success: true, time_seconds: 900, quality: 0.8 });
 *   await recordExecution(repo, "coach", { success: false, time_seconds: 300, quality: 0.2 });
 *   const m = await readMetrics(repo, "coach", { latest: 1 });
 *   assert.ok(m.ok);
 *   assert.equal(m.summary.runs, 2);
 *   assert.equal(m.summary.success_rate, 0.5);
 *   assert.deepEqual(m.records.map((r) => r.success), [false]); // the latest one
 *
 *   const typo = await readMetrics(repo, "coahc"); // a refusal is a result, not a throw
 *   assert.equal(typo.ok ? "read" : typo.code, "unknown-agent");
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export function readMetrics(
  root: string,
  agent: string,
  options: ReadMetricsOptions = {},
): Promise<ReadMetricsResult> {
  return asMetricsResult(() => reading(root, agent, options));
}

/** {@link readMetrics}'s work: a refusal is thrown as a `MetricsError`. */
async function reading(
  root: string,
  agent: string,
  options: ReadMetricsOptions,
): Promise<MetricsReading> {
  const now = options.now ?? new Date();
  const keep = options.latest ?? DEFAULT_LATEST_RUNS;
  const realRoot = await Deno.realPath(root);
  await checkAgent(realRoot, agent, true);
  // The folder first: a symlink out of the repository is refused, not read as "no runs".
  const dir = await (await createSafeWriter(realRoot)).locate(metricsDir(agent));
  if (dir.status === "refused") throw refusedError(dir);
  const notices: string[] = [];
  const files = await createSafeReader(
    realRoot,
    MAX_SUMMARY_BYTES,
    options.deadline ?? createDeadline(SMALL_READ_MS),
  );
  const sumRel = summaryPath(agent);
  const sum = await files.readText(sumRel);
  let stored: unknown;
  let storedProblem: MetricsReading["storedProblem"];
  if (sum.status === "refused") notices.push(`${sumRel} not read: ${sum.reason}`);
  if (sum.status === "ok") {
    try {
      stored = JSON.parse(sum.text);
      if (stored === null || typeof stored !== "object" || Array.isArray(stored)) {
        storedProblem = "not a JSON object";
      }
    } catch {
      // Torn or hand-broken: derived below. (The parser's message quotes the file.)
      storedProblem = "not valid JSON";
    }
  }
  const rel = executionsPath(agent);
  const log = await openLog(realRoot, rel, options.deadline);
  try {
    if (!log && sum.status === "missing" && !options.listed) await checkAgent(realRoot, agent);
    const exists = log !== undefined || sum.status !== "missing";
    if (!log) {
      // Nothing to derive from: a stored summary of the current shape is all there is.
      const acc = emptyAccumulator();
      const usable = isSummaryShape(stored, agent) ? stored : undefined;
      const isObject = stored !== null && typeof stored === "object" && !Array.isArray(stored);
      return {
        exists,
        hasLog: false,
        summary: usable ?? summaryFromAccumulator(agent, acc, now),
        summarySource: usable ? "file" : "derived",
        records: [],
        skipped: [],
        skippedCount: 0,
        accumulator: acc,
        ...(isObject ? { storedOnly: stored as Record<string, unknown> } : {}),
        ...(storedProblem ? { storedProblem } : {}),
        notices,
      };
    }
    const state = await loadState(realRoot, summaryStatePath(agent), agent, options.deadline);
    const up = await summariseLog(log, agent, state, {
      keep,
      deadline: options.deadline,
      rel,
    });
    const latest = up.latest ??
      (await readLatest(log.file, up.size, agent, keep, options.deadline)).reverse();
    const derived = summaryFromAccumulator(agent, up.acc, now);
    const current = storedSummaryMatches(stored, derived);
    const extra = current
      ? Object.fromEntries(
        Object.entries(stored as Record<string, unknown>).filter(([k]) => !(k in derived)),
      )
      : {};
    return {
      exists,
      hasLog: true,
      // The stored one differs from the derivation only in `updated_at`.
      summary: current
        ? { ...derived, updated_at: (stored as MetricsSummary).updated_at }
        : derived,
      summarySource: current ? "file" : "derived",
      records: latest,
      skipped: up.skipped,
      skippedCount: up.skippedCount,
      accumulator: up.acc,
      ...(Object.keys(extra).length > 0 ? { extra } : {}),
      notices,
    };
  } finally {
    log?.file.close();
  }
}
