/**
 * Writing an agent's metrics: `recordExecution` appends one record and
 * brings `summary.json` and `summary.state.json` up to date;
 * `rebuildSummary` derives both again from the whole log. Both hold the
 * metrics folder's kernel lock (core/fs/lock.ts) and write through the safe
 * writer (core/fs/safe_write.ts): contained in the repository, atomic
 * replacements, and a full disk, a read-only mount or a denied permission
 * answered as a refusal, never a crash. Dead temporary files of the summary
 * and the state are removed under the lock.
 *
 * @module
 */
import type { Deadline } from "../../fs/deadline.ts";
import { statFingerprint } from "../../fs/lock.ts";
import { createSafeWriter, LEGACY_LOCK_STALE_MS, type SafeWriter } from "../../fs/safe_write.ts";
import { redactSecrets } from "../../redact/mod.ts";
import { executionsPath, metricsDir, summaryPath, summaryStatePath } from "../layout.ts";
import { checkAgent } from "./agent.ts";
import { openLog, scanForward } from "./log.ts";
import {
  asMetricsResult,
  checkRecordInput,
  type ExecutionRecord,
  formatInstant,
  MetricsError,
  type MetricsProblem,
  type RecordInput,
  refusedError,
  type SkippedLine,
} from "./record.ts";
import { summariseLog } from "./read.ts";
import { loadState, makeState, type SummaryState } from "./state.ts";
import {
  accumulate,
  emptyAccumulator,
  type MetricsSummary,
  summaryFromAccumulator,
} from "./summary.ts";
import type { LockOptions } from "../../fs/lock.ts";

/** An earlier version's lock file older than this is removed (see the safe writer's `cleanTemps`). */
export const LOCK_STALE_MS: number = LEGACY_LOCK_STALE_MS;

/** What {@link recordExecution} wrote. */
export interface RecordedExecution {
  record: ExecutionRecord;
  summary: MetricsSummary;
  /** Invalid lines already in `executions.jsonl` (left as they are, not counted): the first 100. */
  skipped: SkippedLine[];
  /** How many invalid lines there are in all (may exceed `skipped.length`). */
  skippedCount: number;
  /** Secrets removed from the notes before writing. */
  redactions: number;
  /** `incremental`: only the log's new bytes were read; `full`: the whole log (no usable state). */
  mode: "incremental" | "full";
  /** Byte offset in `executions.jsonl` at which the record's line starts (identifies it). */
  offset: number;
}

/** Result of {@link recordExecution}. */
export type RecordResult = ({ ok: true } & RecordedExecution) | MetricsProblem;

/** Options of the writers; `lock` tunes the wait for the folder's lock (tests shorten it). */
export interface WriteOptions {
  now?: Date;
  lock?: LockOptions;
  deadline?: Deadline;
}

async function writeJson(
  writer: SafeWriter,
  rel: string,
  text: string,
  note: string,
): Promise<void> {
  const w = await writer.writeAtomic(rel, text);
  if (w.status === "refused") throw refusedError(w, note);
}

async function writeSummaryAndState(
  writer: SafeWriter,
  agent: string,
  summary: MetricsSummary,
  state: SummaryState,
  note: string,
): Promise<void> {
  // Summary first, state second; each is replaced atomically. A crash
  // between them leaves the state behind the log, which only means the
  // next reader or writer reads a little more of the tail.
  await writeJson(writer, summaryPath(agent), JSON.stringify(summary, null, 2) + "\n", note);
  await writeJson(writer, summaryStatePath(agent), JSON.stringify(state) + "\n", note);
}

/**
 * Appends one execution record for `agent` and rewrites `summary.json` (and
 * its running state) from all valid records, under the metrics folder's
 * lock: from the stored state plus the log's new bytes, or by streaming the
 * whole log when the state cannot be trusted. Everything is validated
 * before anything is written; the notes are redacted. `root` must be an
 * existing directory.
 *
 * A refusal is returned as a {@link MetricsProblem}, never thrown: `invalid`
 * (a value out of range; nothing is written), `unknown-agent`, `unsafe-path`
 * (a path out of the repository or not a regular file), `locked` (another
 * writer held the lock without progress) and `io` (no space, read-only,
 * permission; its message says whether the record was written).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { executionsPath, recordExecution } from "../../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const r = await recordExecution(repo, "coach", {
 *     success: true,
 *     time_seconds: 900,
 *     quality: 0.8,
 *     notes: "fixed the flaky upload test",
 *   });
 *   assert.ok(r.ok);
 *   assert.equal(r.summary.runs, 1);
 *   assert.equal(r.summary.avg_time_seconds, 900);
 *   const log = await Deno.readTextFile(`${repo}/${executionsPath("coach")}`);
 *   assert.equal(JSON.parse(log).notes, "fixed the flaky upload test");
 *
 *   const bad = await recordExecution(repo, "coach", { success: true, time_seconds: -1, quality: 1 });
 *   assert.equal(bad.ok ? "written" : bad.code, "invalid"); // a result, not a throw
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export function recordExecution(
  root: string,
  agent: string,
  input: RecordInput,
  options: WriteOptions = {},
): Promise<RecordResult> {
  return asMetricsResult(() => appendRecord(root, agent, input, options));
}

/** {@link recordExecution}'s work: a refusal is thrown as a {@link MetricsError}. */
async function appendRecord(
  root: string,
  agent: string,
  input: RecordInput,
  options: WriteOptions,
): Promise<RecordedExecution> {
  const now = options.now ?? new Date();
  const cleaned = checkRecordInput(input);
  let notes: string | undefined;
  let redactions = 0;
  if (cleaned !== undefined) {
    const r = await redactSecrets(cleaned, { source: "notes" });
    notes = r.text;
    redactions = r.count;
  }
  const realRoot = await Deno.realPath(root);
  await checkAgent(realRoot, agent);

  const record: ExecutionRecord = {
    agent,
    recorded_at: formatInstant(now),
    success: input.success,
    time_seconds: input.time_seconds,
    quality: input.quality,
    ...(notes !== undefined ? { notes } : {}),
    ...(input.helix ?? {}),
  };

  const rel = executionsPath(agent);
  const writer = await createSafeWriter(realRoot);
  const dir = await writer.ensureDir(metricsDir(agent));
  if (dir.status === "refused") throw refusedError(dir);
  const outcome = await writer.withLock(rel, async (): Promise<RecordedExecution> => {
    await writer.cleanTemps(rel);
    await writer.cleanTemps(summaryPath(agent));
    await writer.cleanTemps(summaryStatePath(agent));
    const log = await openLog(realRoot, rel, options.deadline);
    let after = log;
    try {
      const stored = await loadState(realRoot, summaryStatePath(agent), agent, options.deadline);
      const up = await summariseLog(log, agent, stored, { deadline: options.deadline, rel });
      // A writer killed mid-line left no newline: start ours on a fresh line,
      // so the torn line stays one skipped line and ours stays whole.
      const sep = up.endsWithNewline ? "" : "\n";
      const line = `${sep}${JSON.stringify(record)}\n`;
      const bytes = new TextEncoder().encode(line);
      const appended = await writer.append(rel, bytes);
      if (appended.status === "refused") throw refusedError(appended, "; nothing was recorded");
      accumulate(up.acc, record);
      const summary = summaryFromAccumulator(agent, up.acc, now);
      const written = "; the record is written (do not record it again), the summary is derived " +
        "again from the records when read";
      after ??= await openLog(realRoot, rel, options.deadline);
      if (!after) throw new MetricsError(`${rel} vanished after the append${written}`, "io");
      const state = await makeState(agent, after, {
        offset: up.size + bytes.length,
        lines: up.lines + (sep ? 1 : 0) + 1,
        acc: up.acc,
        skipped: up.skipped,
        skippedCount: up.skippedCount,
      });
      await writeSummaryAndState(writer, agent, summary, state, written);
      return {
        record,
        summary,
        skipped: up.skipped,
        skippedCount: up.skippedCount,
        redactions,
        mode: up.mode,
        offset: up.size + (sep ? 1 : 0),
      };
    } finally {
      after?.file.close();
      if (log && log !== after) log.file.close();
    }
  }, { progress: statFingerprint(`${realRoot}/${rel}`), ...options.lock });
  if (outcome.status === "refused") throw refusedError(outcome);
  return outcome.value;
}

/** What {@link rebuildSummary} wrote. */
export interface RebuiltSummary {
  summary: MetricsSummary;
  /** Valid records the summary was derived from. */
  records: number;
  /** Invalid lines left in `executions.jsonl` and not counted: the first 100. */
  skipped: SkippedLine[];
  /** How many invalid lines there are in all. */
  skippedCount: number;
}

/** Result of {@link rebuildSummary}. */
export type RebuildResult = ({ ok: true } & RebuiltSummary) | MetricsProblem;

/**
 * Derives `summary.json` and `summary.state.json` afresh from the whole of
 * `executions.jsonl` (streamed) and replaces them atomically, under the same
 * lock as {@link recordExecution}, so a rebuild never races a record. This
 * is the repair for a summary or state that a crash or a hand edit left
 * torn, stale or lying: the log is the source of truth. An agent that is no
 * longer in the catalog can be rebuilt; one without a log cannot (there is
 * nothing to derive from, and nothing is created): that is a `not-found`
 * {@link MetricsProblem}, returned like every other refusal (`invalid`,
 * `unsafe-path`, `locked`, `io`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rebuildSummary, recordExecution, summaryPath } from "../../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await recordExecution(repo, "coach", { success: true, time_seconds: 900, quality: 0.8 });
 *   await Deno.writeTextFile(`${repo}/${summaryPath("coach")}`, '{"runs": 7'); // hand-broken
 *   const r = await rebuildSummary(repo, "coach");
 *   assert.ok(r.ok);
 *   assert.equal(r.records, 1);
 *   const summary = JSON.parse(await Deno.readTextFile(`${repo}/${summaryPath("coach")}`));
 *   assert.equal(summary.runs, 1);
 *
 *   const none = await rebuildSummary(repo, "scout"); // no log: a result, not a throw
 *   assert.equal(none.ok ? "rebuilt" : none.code, "not-found");
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export function rebuildSummary(
  root: string,
  agent: string,
  options: WriteOptions = {},
): Promise<RebuildResult> {
  // The helpers below throw a refusal as a MetricsError: it is returned as the problem.
  return asMetricsResult(async (): Promise<RebuiltSummary> => {
    const now = options.now ?? new Date();
    const realRoot = await Deno.realPath(root);
    await checkAgent(realRoot, agent, true);
    const rel = executionsPath(agent);
    const missing = () =>
      new MetricsError(
        `${rel} does not exist: no records to rebuild ${agent}'s summary from`,
        "not-found",
        undefined,
        undefined,
        rel,
      );
    const probe = await openLog(realRoot, rel, options.deadline);
    if (!probe) throw missing();
    probe.file.close();
    const writer = await createSafeWriter(realRoot);
    const outcome = await writer.withLock(rel, async (): Promise<RebuiltSummary> => {
      await writer.cleanTemps(rel);
      await writer.cleanTemps(summaryPath(agent));
      await writer.cleanTemps(summaryStatePath(agent));
      // Read again under the lock: a record may have landed while we waited.
      const log = await openLog(realRoot, rel, options.deadline);
      if (!log) throw missing();
      try {
        const acc = emptyAccumulator();
        let whole: { acc: typeof acc; skipped: SkippedLine[]; skippedCount: number } | undefined;
        const scan = await scanForward(log.file, 0, log.size, agent, {
          onRecord: (r) => accumulate(acc, r),
          // The state covers whole lines only: a last line without a newline
          // is read again (and counted once) by the next writer, which ends it.
          onUnterminated: (soFar) => {
            whole = { acc: structuredClone(acc), ...soFar };
          },
          deadline: options.deadline,
          what: rel,
        });
        const covered = whole ?? { acc, skipped: scan.skipped, skippedCount: scan.skippedCount };
        const summary = summaryFromAccumulator(agent, acc, now);
        const state = await makeState(agent, log, {
          offset: scan.lastNewlineEnd,
          lines: scan.newlines,
          acc: covered.acc,
          skipped: covered.skipped,
          skippedCount: covered.skippedCount,
        });
        await writeSummaryAndState(writer, agent, summary, state, "");
        return {
          summary,
          records: acc.runs,
          skipped: scan.skipped,
          skippedCount: scan.skippedCount,
        };
      } finally {
        log.file.close();
      }
    }, { progress: statFingerprint(`${realRoot}/${rel}`), ...options.lock });
    if (outcome.status === "refused") throw refusedError(outcome);
    return outcome.value;
  });
}
