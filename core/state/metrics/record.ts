/**
 * The execution record (docs/adr/0002): one line of `executions.jsonl`, its
 * limits, and how a line is validated. The limits are defined here once and
 * shared by the CLI, the MCP tool's input model and the library.
 *
 * Errors speak of values (`notes`, `time_seconds`), never of CLI flags: the
 * CLI adds its flag names when it renders them.
 *
 * @module
 */
import { KaizenError, type KaizenErrorCode, type Problem } from "../../errors.ts";
import type { IoRefusal } from "../../fs/io_error.ts";
import { stripControl } from "../../text/printable.ts";

/** Longest accepted session time: a week. Anything longer is a clock or unit mistake. */
export const MAX_TIME_SECONDS = 7 * 24 * 3600;
/** Notes longer than this (in UTF-16 code units) are refused: a record is a line, not a report. */
export const MAX_NOTES_CHARS = 4000;
/** Longest accepted `HELIX_*` text value (ids and slugs, not documents). */
export const MAX_HELIX_CHARS = 256;
/**
 * Longest line of `executions.jsonl` a reader assembles. A record is a few
 * hundred bytes (notes at most {@link MAX_NOTES_CHARS} characters, escaped);
 * anything longer is not a record, and is skipped without being held whole,
 * so a log of one huge line (or a sparse file of zeros) costs no memory.
 */
export const MAX_LINE_BYTES = 256 * 1024;

/** One line of `executions.jsonl`. Optional fields are absent, never null. */
export interface ExecutionRecord {
  agent: string;
  /** RFC 3339 UTC; milliseconds only when they are not zero. */
  recorded_at: string;
  success: boolean;
  time_seconds: number;
  /** 0 (useless) to 1 (excellent), the session's own assessment. */
  quality: number;
  /** Free text, redacted before it is written. */
  notes?: string;
  /** Helix correlation (integration Pattern 1), from the environment. */
  helix_session_uid?: string;
  helix_repo?: string;
  helix_flavor?: string;
  helix_tokens?: number;
  helix_infra_overhead_share?: number;
}

/** The `HELIX_*` correlation fields, as merged into a record. */
export type HelixFields = Pick<
  ExecutionRecord,
  | "helix_session_uid"
  | "helix_repo"
  | "helix_flavor"
  | "helix_tokens"
  | "helix_infra_overhead_share"
>;

/** What a caller supplies for one record; `recordExecution` adds agent and time. */
export interface RecordInput {
  success: boolean;
  time_seconds: number;
  quality: number;
  notes?: string;
  helix?: HelixFields;
}

/** Why a metrics operation was refused, in the words of the first releases. */
export type MetricsErrorKind =
  | "invalid"
  | "unknown-agent"
  | "unsafe-path"
  | "locked"
  | "not-found"
  | "io";

/** A value of a record the library refuses by name. */
export type MetricsValue = "time_seconds" | "quality" | "notes";

/** Each kind's code in the one error vocabulary (`invalid` is `invalid-input`: exit 2). */
const CODES: Readonly<Record<MetricsErrorKind, KaizenErrorCode>> = {
  invalid: "invalid-input",
  "unknown-agent": "unknown-agent",
  "unsafe-path": "unsafe-path",
  locked: "locked",
  "not-found": "not-found",
  io: "io",
};

/**
 * The command-line option that supplies each value: data on the error, so
 * the message names the value (as an MCP client sends it) and the CLI puts
 * its option in its place (`--time`).
 */
const OPTIONS: Readonly<Record<MetricsValue, string>> = {
  time_seconds: "time",
  quality: "quality",
  notes: "notes",
};

/**
 * Why a metrics operation was refused, as kaizen's one error type: what
 * {@link metricsError} makes of a {@link MetricsProblem} for a front end that
 * answers with an error. Its `code` decides the exit code (`invalid-input`:
 * 2, the others: 1); `value` names the refused value (the message starts
 * with it), so a front end can put its own name on it. The library's own
 * functions return problems; only its internal helpers throw this.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricsError, MetricsError, recordExecution } from "../../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const input = { success: true, time_seconds: 600, quality: 1.5 };
 *   const r = await recordExecution(repo, "coach", input); // a refusal is a result
 *   assert.ok(!r.ok);
 *   const err = metricsError(r);
 *   assert.ok(err instanceof MetricsError);
 *   assert.equal(err.code, "invalid-input");
 *   assert.equal(err.exitCode, 2);
 *   assert.equal(err.value, "quality"); // the CLI calls it --quality
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export class MetricsError extends KaizenError {
  override name = "MetricsError";
  /** The refused value, when the refusal is about one. */
  readonly value?: MetricsValue;
  /** The repo-relative file the refusal is about, when it is about one. */
  readonly path?: string;
  readonly #kind: MetricsErrorKind;
  constructor(
    message: string,
    kind: MetricsErrorKind,
    value?: MetricsValue,
    cause?: unknown,
    path?: string,
  ) {
    super(CODES[kind], message, {
      ...(value !== undefined ? { subject: value, option: OPTIONS[value] } : {}),
      ...(cause !== undefined ? { cause } : {}),
    });
    if (value !== undefined) this.value = value;
    if (path !== undefined) this.path = path;
    this.#kind = kind;
  }

  /** The refusal in the first releases' words; `code` says the same. */
  get kind(): MetricsErrorKind {
    return this.#kind;
  }
}

/** Why a metrics operation did not happen: the first releases' words ({@link MetricsError}'s `kind`). */
export type MetricsProblemCode = MetricsErrorKind;

/**
 * A coded, user-presentable reason a metrics operation was refused: what
 * `recordExecution`, `readMetrics`, `rebuildSummary`, `listMetricsAgents`,
 * `helixFromEnv` and `runOptimizer` return instead of throwing. Codes:
 * `invalid` (a value out of range: the CLI exits 2), `unknown-agent`,
 * `unsafe-path` (outside the repository, not a regular file), `locked`
 * (another writer held the lock without progress), `not-found` (no log to
 * rebuild from), `io` (no space, read-only, permission, vanished, too slow).
 * `subject` is the refused value as the message names it (`quality`).
 * {@link metricsError} makes it kaizen's one error type.
 */
export type MetricsProblem = Problem<MetricsProblemCode> & { subject?: MetricsValue };

/**
 * A problem as kaizen's one error type (a {@link MetricsError}), for a front
 * end that answers with an error: its exit code (`invalid` 2, the rest 1)
 * and its MCP answer come from the one mapping in core/errors.ts, like every
 * other error's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitCodeOf } from "../../errors.ts";
 * import { metricsError } from "./record.ts";
 *
 * const err = metricsError({ ok: false, code: "locked", message: "busy" });
 * assert.equal(err.code, "locked");
 * assert.equal(exitCodeOf(err), 1);
 * ```
 */
export function metricsError(p: MetricsProblem): MetricsError {
  return new MetricsError(p.message, p.code, p.subject, undefined, p.path);
}

/**
 * A refusal as the problem a public function returns; anything that is not a
 * {@link MetricsError} (a bug, an operating-system error no helper answered)
 * is thrown on.
 */
export function metricsProblem(err: unknown): MetricsProblem {
  if (!(err instanceof MetricsError)) throw err;
  return {
    ok: false,
    code: err.kind,
    message: err.message,
    ...(err.path !== undefined ? { path: err.path } : {}),
    ...(err.value !== undefined ? { subject: err.value, option: OPTIONS[err.value] } : {}),
  };
}

/**
 * The boundary of a public function: its work's value as `{ ok: true, ... }`,
 * a {@link MetricsError} its helpers threw as the problem ({@link metricsProblem}).
 */
export async function asMetricsResult<T extends object>(
  work: () => Promise<T>,
): Promise<({ ok: true } & T) | MetricsProblem> {
  try {
    return { ok: true, ...(await work()) };
  } catch (err) {
    return metricsProblem(err);
  }
}

/**
 * The error for a refused file operation: containment and file type are
 * `unsafe-path`, a lock held without progress `locked`, the operating
 * system's answers (no space, read-only, permission, vanished) `io`. All
 * exit 1 in the CLI; `note` says what was already done.
 */
export function refusedError(r: IoRefusal, note = ""): MetricsError {
  const kind = r.code === "outside" || r.code === "not-regular"
    ? "unsafe-path"
    : r.code === "busy"
    ? "locked"
    : "io";
  return new MetricsError(`${r.reason}${note}`, kind, undefined, undefined, r.path);
}

/** A line of `executions.jsonl` that was not a valid record. */
export interface SkippedLine {
  /** 1-based line number. */
  line: number;
  reason: string;
}

/**
 * Checks the numbers and the length of the notes of a record to be written
 * (before anything is touched), and returns the notes stripped of control
 * characters and trimmed (undefined when empty). Redaction is the caller's
 * next step.
 */
export function checkRecordInput(input: RecordInput): string | undefined {
  if (
    typeof input.time_seconds !== "number" || !(input.time_seconds >= 0) ||
    !(input.time_seconds <= MAX_TIME_SECONDS)
  ) {
    throw new MetricsError(
      `time_seconds must be from 0 to ${MAX_TIME_SECONDS}`,
      "invalid",
      "time_seconds",
    );
  }
  if (typeof input.quality !== "number" || !(input.quality >= 0 && input.quality <= 1)) {
    throw new MetricsError("quality must be from 0 to 1", "invalid", "quality");
  }
  if (input.notes === undefined || input.notes.trim() === "") return undefined;
  if (input.notes.length > MAX_NOTES_CHARS) {
    throw new MetricsError(
      `notes are ${input.notes.length} characters, over the ${MAX_NOTES_CHARS}-character limit`,
      "invalid",
      "notes",
    );
  }
  // Control characters would reach a terminal through `show` and the bundle.
  return stripControl(input.notes).trim() || undefined;
}

/** RFC 3339 UTC, without milliseconds when they are zero (as the records always were). */
export function formatInstant(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

/** Why `v` is not a valid execution record of `agent` (as written by any version), or undefined. */
export function invalidRecord(v: unknown, agent: string): string | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return "not a JSON object";
  const r = v as Record<string, unknown>;
  if (r.agent !== agent) return `agent is not '${agent}'`;
  if (typeof r.recorded_at !== "string" || Number.isNaN(Date.parse(r.recorded_at))) {
    return "recorded_at is not a date-time";
  }
  if (typeof r.success !== "boolean") return "success is not true or false";
  if (
    typeof r.time_seconds !== "number" || !(r.time_seconds >= 0) ||
    !Number.isFinite(r.time_seconds)
  ) {
    return "time_seconds is not a non-negative number";
  }
  if (typeof r.quality !== "number" || !(r.quality >= 0 && r.quality <= 1)) {
    return "quality is not a number from 0 to 1";
  }
  return undefined;
}

/** One line's verdict: a record, a reason to skip it, or nothing (a blank line). */
export function parseLine(
  line: string,
  agent: string,
): { record: ExecutionRecord } | { reason: string } | undefined {
  if (line.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // The parser's message quotes the line, which may hold a secret.
    return { reason: "not valid JSON" };
  }
  const why = invalidRecord(value, agent);
  return why ? { reason: why } : { record: value as ExecutionRecord };
}

/**
 * Parses the text of `executions.jsonl` held in memory (tests, small
 * inputs; the commands stream the file through `log.ts`). Invalid lines
 * (torn by a crash, hand-edited, another agent's) are skipped and listed,
 * never fatal: one bad line must not hide the history.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRecords } from "./record.ts";
 *
 * const { records, skipped } = parseRecords('{"agent":"coach"}\n', "coach");
 * assert.deepEqual(records, []);
 * assert.deepEqual(skipped, [{ line: 1, reason: "recorded_at is not a date-time" }]);
 * ```
 */
export function parseRecords(
  text: string,
  agent: string,
  /** Lines before `text` in the file (for line numbers when parsing a tail). */
  lineOffset = 0,
): { records: ExecutionRecord[]; skipped: SkippedLine[] } {
  const records: ExecutionRecord[] = [];
  const skipped: SkippedLine[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const v = parseLine(lines[i], agent);
    if (v === undefined) continue;
    if ("record" in v) records.push(v.record);
    else skipped.push({ line: lineOffset + i + 1, reason: v.reason });
  }
  return { records, skipped };
}
