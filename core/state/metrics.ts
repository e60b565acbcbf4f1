/**
 * Execution records and the summary derived from them (docs/adr/0002): the
 * logic behind `kaizen metrics record | show`, without printing, so that the
 * CLI and any other front end (an MCP server, a test) share one behaviour.
 *
 * - `executions.jsonl` is the source of truth: one JSON record per line,
 *   appended, never rewritten.
 * - `summary.json` is a cache derived from all valid records; it can always
 *   be rebuilt, so a crash between the append and the summary rewrite loses
 *   nothing (`readMetrics` notices a stale summary and derives a fresh one).
 * - `summary.state.json` holds the running sums, a histogram of whole
 *   seconds, the latest runs and the byte offset of the log they cover, so a
 *   writer reads only the new tail of the log (a full read when the state is
 *   missing, corrupt or does not match the log).
 * - Writers serialise on `executions.jsonl.lock` (created exclusively), so
 *   concurrent sessions never interleave lines or overwrite each other's
 *   summary.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import type { MetricsRecorded } from "../events/model.ts";
import { METRICS_RECORDED } from "../events/subjects.ts";
import { agentCatalog } from "../agents/catalog.ts";
import { writeFileAtomic } from "../fs/atomic.ts";
import { isInside, join } from "../fs/paths.ts";
import { AGENT_NAME_RE } from "../manifest/constants.ts";
import { redactSecrets } from "../redact/mod.ts";
import { didYouMean } from "../text/suggest.ts";
import { printable, stripControl } from "../text/printable.ts";
import { executionsPath, metricsDir, summaryPath, summaryStatePath } from "./layout.ts";

/** Longest accepted session time: a week. Anything longer is a clock or unit mistake. */
export const MAX_TIME_SECONDS = 7 * 24 * 3600;
/** Notes longer than this are refused: a record is a line, not a report. */
export const MAX_NOTES_CHARS = 4000;
/** Longest accepted `HELIX_*` text value (ids and slugs, not documents). */
const MAX_HELIX_CHARS = 256;
/**
 * How long a writer waits for the lock before giving up. A hold is a few
 * milliseconds, but a hundred sessions started at once on a small machine
 * queue for seconds (all of them starting up at the same time slows every
 * holder down), so the wait is generous.
 */
export const LOCK_WAIT_MS = 30_000;
/** A lock file older than this is left over from a killed writer and is taken over. */
export const LOCK_STALE_MS = 30_000;

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

/** Runs the summary's `trend` covers: the latest ones by `recorded_at`. */
export const TREND_RUNS = 5;

/** `summary.trend`: the latest {@link TREND_RUNS} runs, rounded like the whole-history fields. */
export interface MetricsTrend {
  runs_recent: number;
  success_rate_recent: number;
  avg_time_recent_seconds: number;
  avg_quality_recent: number;
}

/** What a caller supplies for one record; `recordExecution` adds agent and time. */
export interface RecordInput {
  success: boolean;
  time_seconds: number;
  quality: number;
  notes?: string;
  helix?: HelixFields;
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

/** Why a metrics operation was refused; `kind` maps to the CLI's exit code. */
export class MetricsError extends Error {
  constructor(
    message: string,
    /** `invalid`: bad input (exit 2); the others: exit 1. */
    readonly kind: "invalid" | "unknown-agent" | "unsafe-path" | "locked" | "not-found",
  ) {
    super(message);
    this.name = "MetricsError";
  }
}

/** A line of `executions.jsonl` that was not a valid record. */
export interface SkippedLine {
  /** 1-based line number. */
  line: number;
  reason: string;
}

// ---------------------------------------------------------------------------
// Parsing and validation (pure)

/**
 * Parses `--time`: plain decimal seconds, 0 to {@link MAX_TIME_SECONDS}.
 * `Number()` alone would accept `""`, `"0x10"`, `"1e3"` and `" 5 "`.
 */
export function parseTimeSeconds(raw: string): number {
  const n = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n > MAX_TIME_SECONDS) {
    throw new MetricsError(
      `--time must be seconds from 0 to ${MAX_TIME_SECONDS} (7 days), got '${printable(raw)}'`,
      "invalid",
    );
  }
  return n;
}

/** Parses `--quality`: a decimal number from 0 to 1. */
export function parseQuality(raw: string): number {
  const n = /^(\d+(\.\d+)?|\.\d+)$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new MetricsError(
      `--quality must be a number from 0 to 1, got '${printable(raw)}'`,
      "invalid",
    );
  }
  return n;
}

/**
 * The Helix correlation fields set in `env` (empty values count as unset).
 * Numbers are validated, so a typo in a runner's environment is a clear
 * error rather than a record the fleet tooling cannot read.
 */
export function helixFromEnv(env: (name: string) => string | undefined): HelixFields {
  const out: HelixFields = {};
  const text = (name: string): string | undefined => {
    const v = env(name)?.trim();
    if (!v) return undefined;
    if (v.length > MAX_HELIX_CHARS || printable(v, Infinity) !== v) {
      throw new MetricsError(
        `${name} must be at most ${MAX_HELIX_CHARS} printable characters`,
        "invalid",
      );
    }
    return v;
  };
  const uid = text("HELIX_SESSION_UID");
  if (uid !== undefined) out.helix_session_uid = uid;
  const repo = text("HELIX_REPO");
  if (repo !== undefined) out.helix_repo = repo;
  const flavor = text("HELIX_FLAVOR");
  if (flavor !== undefined) out.helix_flavor = flavor;
  const tokens = text("HELIX_TOKENS");
  if (tokens !== undefined) {
    if (!/^\d+$/.test(tokens) || !Number.isSafeInteger(Number(tokens))) {
      throw new MetricsError(
        `HELIX_TOKENS must be a whole number of tokens, got '${printable(tokens)}'`,
        "invalid",
      );
    }
    out.helix_tokens = Number(tokens);
  }
  const share = text("HELIX_INFRA_OVERHEAD_SHARE");
  if (share !== undefined) {
    const n = /^(\d+(\.\d+)?|\.\d+)$/.test(share) ? Number(share) : NaN;
    if (!(n >= 0 && n <= 1)) {
      throw new MetricsError(
        `HELIX_INFRA_OVERHEAD_SHARE must be a fraction from 0 to 1, got '${printable(share)}'`,
        "invalid",
      );
    }
    out.helix_infra_overhead_share = n;
  }
  return out;
}

/** RFC 3339 UTC, without milliseconds when they are zero (as the records always were). */
export function formatInstant(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}

/** Whether `v` is a valid execution record of `agent` (as written by any version). */
function validRecord(v: unknown, agent: string): string | undefined {
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

/**
 * Parses the text of `executions.jsonl`. Invalid lines (torn by a crash,
 * hand-edited, another agent's) are skipped and listed, never fatal: one
 * bad line must not hide the history.
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
    const line = lines[i];
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // The parser's message quotes the line, which may hold a secret.
      skipped.push({ line: lineOffset + i + 1, reason: "not valid JSON" });
      continue;
    }
    const why = validRecord(value, agent);
    if (why) skipped.push({ line: lineOffset + i + 1, reason: why });
    else records.push(value as ExecutionRecord);
  }
  return { records, skipped };
}

/** One of the latest runs the accumulator keeps for `trend` and `last_run_at`. */
interface RecentRun {
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
 * runs by time. {@link deriveSummary} and the incremental writer share it,
 * so both give the same bytes.
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

/** Adds one valid record (the next in file order) to `acc`. */
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

/** The summary of `records` (in file order), stamped `updated_at = now`. */
export function deriveSummary(
  agent: string,
  records: readonly ExecutionRecord[],
  now: Date,
): MetricsSummary {
  const acc = emptyAccumulator();
  for (const r of records) accumulate(acc, r);
  return summaryFromAccumulator(agent, acc, now);
}

// ---------------------------------------------------------------------------
// File system

/**
 * Checks the agent name (it becomes a path segment) and that the agent
 * exists for `root`, with a suggestion when it does not.
 */
async function checkAgent(root: string, agent: string, allowUnknown = false): Promise<void> {
  if (!AGENT_NAME_RE.test(agent)) {
    throw new MetricsError(
      `'${printable(agent)}' is not an agent name (lowercase letters, digits and '-')`,
      "invalid",
    );
  }
  if (allowUnknown) return;
  const names = (await agentCatalog(root)).map((a) => a.name);
  if (!names.includes(agent)) {
    throw new MetricsError(
      `unknown agent '${agent}'${didYouMean(agent, names)}; known: ${names.join(", ")}`,
      "unknown-agent",
    );
  }
}

/**
 * The real path of `rel` under `realRoot`, refusing a path whose existing
 * part leads outside the repository through a symlink. Missing trailing
 * parts are fine (`create` makes missing directories, one level at a time,
 * each checked before the next is made inside it).
 */
async function safePath(
  realRoot: string,
  rel: string,
  opts: { createDirs?: boolean; file?: boolean } = {},
): Promise<string> {
  const parts = rel.split("/");
  let current = realRoot;
  for (let i = 0; i < parts.length; i++) {
    const isLast = i === parts.length - 1;
    const next = join(current, parts[i]);
    let info: Deno.FileInfo | undefined;
    try {
      info = await Deno.lstat(next);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (!info) {
      if (isLast && opts.file) return next;
      if (!opts.createDirs) return join(next, ...parts.slice(i + 1));
      await Deno.mkdir(next).catch((err) => {
        // Another writer made it first: fine, it is checked below like any other.
        if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      });
      info = await Deno.lstat(next);
    }
    let real = next;
    if (info.isSymlink) {
      try {
        real = await Deno.realPath(next);
      } catch {
        // A dangling link would be created through, wherever it points.
        throw new MetricsError(
          `${rel}: '${parts.slice(0, i + 1).join("/")}' is a dangling symlink`,
          "unsafe-path",
        );
      }
      if (!isInside(realRoot, real)) {
        throw new MetricsError(
          `${rel}: '${
            parts.slice(0, i + 1).join("/")
          }' is a symlink leading outside the repository`,
          "unsafe-path",
        );
      }
      info = await Deno.stat(real);
    }
    if (!isLast && !info.isDirectory) {
      throw new MetricsError(
        `${rel}: '${parts.slice(0, i + 1).join("/")}' is not a directory`,
        "unsafe-path",
      );
    }
    if (isLast && opts.file && !info.isFile) {
      throw new MetricsError(`${rel} is not a regular file`, "unsafe-path");
    }
    current = real;
  }
  return current;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the writer lock: a file created exclusively (`O_EXCL`, which also
 * refuses to follow a symlink planted at its name). Waits up to
 * {@link LOCK_WAIT_MS}; a lock older than {@link LOCK_STALE_MS} belonged to
 * a killed writer and is removed. Returns the release function.
 */
async function acquireLock(lockPath: string, rel: string): Promise<() => Promise<void>> {
  const until = Date.now() + LOCK_WAIT_MS;
  let attempt = 0;
  for (;;) {
    try {
      const f = await Deno.open(lockPath, { createNew: true, write: true });
      try {
        // For a human looking at a lock left behind: who held it.
        await f.write(new TextEncoder().encode(`${Deno.pid} ${new Date().toISOString()}\n`));
      } finally {
        f.close();
      }
      return () => Deno.remove(lockPath).catch(() => {});
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
    try {
      const info = await Deno.lstat(lockPath);
      const age = Date.now() - (info.mtime?.getTime() ?? Date.now());
      if (age > LOCK_STALE_MS) {
        await Deno.remove(lockPath).catch(() => {});
        continue;
      }
    } catch {
      continue; // released between our attempts: try again at once
    }
    if (Date.now() >= until) {
      throw new MetricsError(
        `${rel}.lock is held by another writer after ${LOCK_WAIT_MS / 1000} s; ` +
          `if no kaizen process is running, remove the file`,
        "locked",
      );
    }
    // Jitter, so that many waiting writers do not retry in lockstep; backing
    // off (5-25 ms at first, up to 25-75 ms) so that a crowd of waiters does
    // not slow the holder down with its polling.
    const base = Math.min(5 + 2 * attempt++, 25);
    await sleep(base + Math.random() * (20 + base));
  }
}

/** What {@link recordExecution} wrote. */
export interface RecordResult {
  record: ExecutionRecord;
  summary: MetricsSummary;
  /**
   * Invalid lines already in `executions.jsonl` (left as they are, not
   * counted): the first {@link MAX_LISTED_SKIPPED} of them.
   */
  skipped: SkippedLine[];
  /** How many invalid lines there are in all (may exceed `skipped.length`). */
  skippedCount: number;
  /** Secrets removed from the notes before writing. */
  redactions: number;
  /** `incremental`: only the log's new bytes were read; `full`: the whole log (no usable state). */
  mode: "incremental" | "full";
}

/**
 * Appends one execution record for `agent` and rewrites `summary.json` (and
 * its running state) from all valid records, under the writer lock: from the
 * stored state plus the log's new bytes, or from the whole log when the state
 * cannot be trusted. Everything is validated before
 * anything is written; the notes are redacted. `root` must be an existing
 * directory.
 */
export async function recordExecution(
  root: string,
  agent: string,
  input: RecordInput,
  options: { now?: Date } = {},
): Promise<RecordResult> {
  const now = options.now ?? new Date();
  if (input.time_seconds < 0 || input.time_seconds > MAX_TIME_SECONDS) {
    throw new MetricsError(`time_seconds must be from 0 to ${MAX_TIME_SECONDS}`, "invalid");
  }
  if (!(input.quality >= 0 && input.quality <= 1)) {
    throw new MetricsError("quality must be from 0 to 1", "invalid");
  }
  let notes: string | undefined;
  let redactions = 0;
  if (input.notes !== undefined && input.notes.trim() !== "") {
    if (input.notes.length > MAX_NOTES_CHARS) {
      throw new MetricsError(`--notes is longer than ${MAX_NOTES_CHARS} characters`, "invalid");
    }
    // Control characters would reach a terminal through `show` and the bundle.
    const r = await redactSecrets(stripControl(input.notes).trim(), { source: "notes" });
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
  await safePath(realRoot, metricsDir(agent), { createDirs: true });
  const logPath = await safePath(realRoot, rel, { file: true });
  const sumPath = await safePath(realRoot, summaryPath(agent), { file: true });
  const stPath = await safePath(realRoot, summaryStatePath(agent), { file: true });
  const release = await acquireLock(`${logPath}.lock`, rel);
  try {
    const file = await Deno.open(logPath, { read: true, append: true, create: true });
    try {
      const scan = await scanLog(file, agent, await loadState(stPath, agent));
      // A writer killed mid-line left no newline: start ours on a fresh line,
      // so the torn line stays one skipped line and ours stays whole.
      const sep = scan.endsWithNewline ? "" : "\n";
      // One write call: the line reaches the file whole or not at all in practice.
      const bytes = new TextEncoder().encode(`${sep}${JSON.stringify(record)}\n`);
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
      accumulate(scan.acc, record);
      const covered = concatBytes([scan.window, bytes]);
      const summary = summaryFromAccumulator(agent, scan.acc, now);
      const state = await makeState(agent, scan, covered, scan.lines + (sep ? 1 : 0) + 1);
      // Summary first, state second; each is replaced atomically. A crash
      // between them leaves the state behind the log, which only means the
      // next writer reads a little more of the tail.
      await writeFileAtomic(sumPath, JSON.stringify(summary, null, 2) + "\n");
      await writeFileAtomic(stPath, JSON.stringify(state) + "\n");
      return {
        record,
        summary,
        skipped: state.skipped,
        skippedCount: state.skipped_count,
        redactions,
        mode: scan.mode,
      };
    } finally {
      file.close();
    }
  } finally {
    await release();
  }
}

// ---------------------------------------------------------------------------
// Incremental state: .kaizen/metrics/<agent>/summary.state.json

/** Invalid lines listed by name in the state (the count covers all of them). */
export const MAX_LISTED_SKIPPED = 100;
/** Bytes at the start of the log, and before the covered offset, that the state fingerprints. */
const FINGERPRINT_BYTES = 4096;
const STATE_VERSION = 1;

/**
 * `summary.state.json`: the accumulator the summary is derived from, plus
 * which bytes of `executions.jsonl` it covers. Trusted only when the log
 * still looks like the file it was computed from (see {@link loadState}).
 */
export interface SummaryState {
  version: 1;
  agent: string;
  /** Bytes of `executions.jsonl` covered: always just after a newline (or 0). */
  offset: number;
  /** Newlines in those bytes: the line number the next line gets is `lines + 1`. */
  lines: number;
  /** Inode of the log when the state was written (null where the OS has none). */
  ino: number | null;
  /** SHA-256 of the log's first `min(offset, 4096)` bytes. */
  head_sha256: string;
  /** SHA-256 of the 4096 bytes (or fewer) just before `offset`. */
  tail_sha256: string;
  skipped_count: number;
  /** The first {@link MAX_LISTED_SKIPPED} invalid lines. */
  skipped: SkippedLine[];
  acc: SummaryAccumulator;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Structural check of a parsed state; anything odd means "rebuild". */
function validState(v: unknown, agent: string): v is SummaryState {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const s = v as Record<string, unknown>;
  if (s.version !== STATE_VERSION || s.agent !== agent) return false;
  if (!isCount(s.offset) || !isCount(s.lines) || !isCount(s.skipped_count)) return false;
  if (!(s.ino === null || isCount(s.ino))) return false;
  if (typeof s.head_sha256 !== "string" || typeof s.tail_sha256 !== "string") return false;
  if (
    !Array.isArray(s.skipped) ||
    !s.skipped.every((k) => k && isCount(k.line) && typeof k.reason === "string")
  ) return false;
  const a = s.acc as Record<string, unknown> | null;
  if (a === null || typeof a !== "object") return false;
  if (!isCount(a.runs) || !isCount(a.successes) || a.successes > a.runs) return false;
  if (!isNum(a.time_sum) || !isNum(a.quality_sum)) return false;
  const h = a.time_histogram as Record<string, unknown> | null;
  if (h === null || typeof h !== "object" || Array.isArray(h)) return false;
  let n = 0;
  for (const [k, c] of Object.entries(h)) {
    if (!/^\d+$/.test(k) || !isCount(c) || c === 0) return false;
    n += c;
  }
  if (n !== a.runs) return false;
  if (!Array.isArray(a.recent) || a.recent.length > TREND_RUNS) return false;
  if (a.recent.length !== Math.min(a.runs, TREND_RUNS)) return false;
  return a.recent.every((r) =>
    r && isNum(r.at) && isCount(r.seq) && typeof r.success === "boolean" &&
    isNum(r.time_seconds) && isNum(r.quality)
  );
}

/** The stored state, or undefined when it is missing, unreadable or malformed. */
async function loadState(path: string, agent: string): Promise<SummaryState | undefined> {
  try {
    const v = JSON.parse(await Deno.readTextFile(path));
    return validState(v, agent) ? v : undefined;
  } catch {
    return undefined; // missing, torn or hand-broken: rebuilt from the log
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads `length` bytes of `file` from `start` (fewer if the file ends first). */
async function readRange(file: Deno.FsFile, start: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  await file.seek(start, Deno.SeekMode.Start);
  let got = 0;
  while (got < length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return buf.subarray(0, got);
}

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) n++;
  return n;
}

/** What a writer learnt from the log before appending. */
interface LogScan {
  mode: "incremental" | "full";
  /** Every valid record up to the end of the file, accumulated. */
  acc: SummaryAccumulator;
  /** Newlines in the whole file. */
  lines: number;
  endsWithNewline: boolean;
  /** The file's bytes from `windowStart` to its end. */
  window: Uint8Array;
  windowStart: number;
  /** SHA-256 of the first 4096 bytes when they lie before `windowStart` (unchanged by appends). */
  head?: string;
  ino: number | null;
  skipped: SkippedLine[];
  skippedCount: number;
}

/**
 * Brings the accumulator up to the end of the log: from the stored state by
 * reading only the bytes after its offset, or, when there is no usable state
 * (missing, malformed, offset beyond the file, another inode, fingerprints
 * that do not match), from the whole file.
 */
async function scanLog(
  file: Deno.FsFile,
  agent: string,
  state: SummaryState | undefined,
): Promise<LogScan> {
  const info = await file.stat();
  const size = info.size;
  const ino = info.ino ?? null;
  if (
    state && state.offset <= size && (state.ino === null || ino === null || state.ino === ino)
  ) {
    const windowStart = Math.max(0, state.offset - FINGERPRINT_BYTES);
    const window = await readRange(file, windowStart, size - windowStart);
    const before = window.subarray(0, state.offset - windowStart);
    const headBytes = state.offset <= FINGERPRINT_BYTES
      ? before
      : await readRange(file, 0, FINGERPRINT_BYTES);
    const head = await sha256(headBytes.subarray(0, Math.min(state.offset, FINGERPRINT_BYTES)));
    if (
      window.length === size - windowStart &&
      (state.offset === 0 || before[before.length - 1] === 10) &&
      head === state.head_sha256 && (await sha256(before)) === state.tail_sha256
    ) {
      const tail = window.subarray(state.offset - windowStart);
      const { records, skipped } = parseRecords(
        new TextDecoder().decode(tail),
        agent,
        state.lines,
      );
      const acc = state.acc;
      for (const r of records) accumulate(acc, r);
      const listed = [...state.skipped, ...skipped].slice(0, MAX_LISTED_SKIPPED);
      return {
        mode: "incremental",
        acc,
        lines: state.lines + countNewlines(tail),
        endsWithNewline: size === 0 || window[window.length - 1] === 10,
        window,
        windowStart,
        head: state.offset > FINGERPRINT_BYTES ? state.head_sha256 : undefined,
        ino,
        skipped: listed,
        skippedCount: state.skipped_count + skipped.length,
      };
    }
  }
  const all = await readRange(file, 0, size);
  const { records, skipped } = parseRecords(new TextDecoder().decode(all), agent);
  const acc = emptyAccumulator();
  for (const r of records) accumulate(acc, r);
  return {
    mode: "full",
    acc,
    lines: countNewlines(all),
    endsWithNewline: size === 0 || all[all.length - 1] === 10,
    window: all,
    windowStart: 0,
    ino,
    skipped: skipped.slice(0, MAX_LISTED_SKIPPED),
    skippedCount: skipped.length,
  };
}

/**
 * The state to store after a scan (and, for a writer, its append): `covered`
 * is the file from `scan.windowStart` up to the new offset, which must end
 * just after a newline; `lines` the newlines up to there.
 */
async function makeState(
  agent: string,
  scan: LogScan,
  covered: Uint8Array,
  lines: number,
): Promise<SummaryState> {
  const offset = scan.windowStart + covered.length;
  const head = scan.head ??
    await sha256(covered.subarray(0, Math.min(offset, FINGERPRINT_BYTES)));
  return {
    version: STATE_VERSION,
    agent,
    offset,
    lines,
    ino: scan.ino,
    head_sha256: head,
    tail_sha256: await sha256(covered.subarray(Math.max(0, covered.length - FINGERPRINT_BYTES))),
    skipped_count: scan.skippedCount,
    skipped: scan.skipped,
    acc: scan.acc,
  };
}

/** What {@link readMetrics} found. */
export interface MetricsReading {
  /** False when neither `executions.jsonl` nor `summary.json` exists. */
  exists: boolean;
  summary: MetricsSummary;
  /** `file`: summary.json, current; `derived`: computed now from the records. */
  summarySource: "file" | "derived";
  /** Valid records, in file order. */
  records: ExecutionRecord[];
  skipped: SkippedLine[];
}

function isSummary(v: unknown, agent: string): v is MetricsSummary {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const s = v as Record<string, unknown>;
  return s.agent === agent && typeof s.runs === "number" && typeof s.successes === "number" &&
    typeof s.success_rate === "number" && typeof s.avg_time_seconds === "number" &&
    // Written by an older kaizen without these: derive the current shape.
    "time_p50_seconds" in s && "time_p90_seconds" in s && "trend" in s;
}

/**
 * Reads an agent's records and summary without writing anything. The stored
 * summary is used when it is at least as new as the records and readable;
 * otherwise (missing, older, hand-broken) the summary is derived afresh.
 * An agent that is no longer in the catalog can still be read when it has
 * metrics.
 */
export async function readMetrics(
  root: string,
  agent: string,
  options: { now?: Date; listed?: boolean } = {},
): Promise<MetricsReading> {
  const now = options.now ?? new Date();
  const realRoot = await Deno.realPath(root);
  await checkAgent(realRoot, agent, true);
  const logPath = await safePath(realRoot, executionsPath(agent), { file: true });
  const sumPath = await safePath(realRoot, summaryPath(agent), { file: true });
  const log = await readIfExists(logPath);
  const sumText = await readIfExists(sumPath);
  // `listed`: the name came from an existing metrics folder (list, optimize),
  // so an empty folder of an uninstalled agent reads as "no runs", not an error.
  if (log === undefined && sumText === undefined && !options.listed) {
    await checkAgent(realRoot, agent);
  }
  const { records, skipped } = parseRecords(log ?? "", agent);

  let stored: MetricsSummary | undefined;
  if (sumText !== undefined) {
    try {
      const v = JSON.parse(sumText);
      if (isSummary(v, agent)) stored = v;
    } catch { /* broken: derived below */ }
  }
  if (stored && log !== undefined) {
    const [s, l] = await Promise.all([Deno.stat(sumPath), Deno.stat(logPath)]);
    if ((s.mtime?.getTime() ?? 0) < (l.mtime?.getTime() ?? 0)) stored = undefined;
  }
  return {
    exists: log !== undefined || sumText !== undefined,
    summary: stored ?? deriveSummary(agent, records, now),
    summarySource: stored ? "file" : "derived",
    records,
    skipped,
  };
}

// ---------------------------------------------------------------------------
// Event

/**
 * The `kaizen.metrics.recorded` v1 payload for a written record. `repo` is
 * the roster slug, `root` the checkout's real path.
 */
export function metricsRecorded(
  record: ExecutionRecord,
  summary: MetricsSummary,
  where: { repo: string; root: string },
): MetricsRecorded {
  return {
    event: METRICS_RECORDED,
    version: "1",
    occurred_at: record.recorded_at,
    repo: where.repo,
    root: where.root,
    agent: record.agent,
    success: record.success,
    time_seconds: record.time_seconds,
    quality: record.quality,
    helix_session_uid: record.helix_session_uid ?? null,
    summary: {
      runs: summary.runs,
      successes: summary.successes,
      failures: summary.failures,
      success_rate: summary.success_rate,
      avg_time_seconds: summary.avg_time_seconds,
      avg_quality: summary.avg_quality,
    },
  };
}

// ---------------------------------------------------------------------------
// Rebuild and listing

/** What {@link rebuildSummary} wrote. */
export interface RebuildResult {
  summary: MetricsSummary;
  /** Valid records the summary was derived from. */
  records: number;
  /** Invalid lines left in `executions.jsonl` and not counted. */
  skipped: SkippedLine[];
}

/**
 * Derives `summary.json` afresh from `executions.jsonl` and replaces it
 * atomically, under the same writer lock as {@link recordExecution}, so a
 * rebuild never races a record. This is the repair for a summary that a
 * crash or a hand edit left torn or stale: the log is the source of truth.
 * An agent that is no longer in the catalog can be rebuilt; one without a
 * log cannot (there is nothing to derive from, and nothing is created).
 */
export async function rebuildSummary(
  root: string,
  agent: string,
  options: { now?: Date } = {},
): Promise<RebuildResult> {
  const now = options.now ?? new Date();
  const realRoot = await Deno.realPath(root);
  await checkAgent(realRoot, agent, true);
  const rel = executionsPath(agent);
  const logPath = await safePath(realRoot, rel, { file: true });
  const sumPath = await safePath(realRoot, summaryPath(agent), { file: true });
  if ((await readIfExists(logPath)) === undefined) {
    throw new MetricsError(
      `${rel} does not exist: no records to rebuild ${agent}'s summary from`,
      "not-found",
    );
  }
  const stPath = await safePath(realRoot, summaryStatePath(agent), { file: true });
  const release = await acquireLock(`${logPath}.lock`, rel);
  try {
    // Read again under the lock: a record may have landed while we waited.
    const file = await Deno.open(logPath, { read: true });
    try {
      const info = await file.stat();
      const all = await readRange(file, 0, info.size);
      const { records, skipped } = parseRecords(new TextDecoder().decode(all), agent);
      const summary = deriveSummary(agent, records, now);
      // The state covers whole lines only: a last line without a newline is
      // read again (and counted once) by the next writer, which ends it.
      const cut = all.lastIndexOf(10) + 1;
      const covered = all.subarray(0, cut);
      const part = cut === all.length
        ? { records, skipped }
        : parseRecords(new TextDecoder().decode(covered), agent);
      const acc = emptyAccumulator();
      for (const r of part.records) accumulate(acc, r);
      const state = await makeState(
        agent,
        {
          mode: "full",
          acc,
          lines: countNewlines(covered),
          endsWithNewline: true,
          window: covered,
          windowStart: 0,
          ino: info.ino ?? null,
          skipped: part.skipped.slice(0, MAX_LISTED_SKIPPED),
          skippedCount: part.skipped.length,
        },
        covered,
        countNewlines(covered),
      );
      await writeFileAtomic(sumPath, JSON.stringify(summary, null, 2) + "\n");
      await writeFileAtomic(stPath, JSON.stringify(state) + "\n");
      return { summary, records: records.length, skipped };
    } finally {
      file.close();
    }
  } finally {
    await release();
  }
}

/** Folder under `.kaizen/metrics/` that holds the optimizer's output, not an agent's runs. */
export const OPTIMIZER_FOLDER = "optimizer";

/**
 * Agents that have a `.kaizen/metrics/<agent>/` folder, sorted by name. The
 * optimizer's folder, names that are not agent names, and symlinks (which
 * could lead outside the repository) are left out.
 */
export async function listMetricsAgents(root: string): Promise<string[]> {
  const realRoot = await Deno.realPath(root);
  const dir = await safePath(realRoot, ".kaizen/metrics");
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory && e.name !== OPTIMIZER_FOLDER && AGENT_NAME_RE.test(e.name)) {
        names.push(e.name);
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    if (err instanceof Deno.errors.NotADirectory) {
      throw new MetricsError(".kaizen/metrics is not a folder", "unsafe-path");
    }
    throw err;
  }
  // Code-unit order, not locale order: the same listing on every machine.
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A path inside the repository for other state modules (the optimizer),
 * with the same symlink checks as the metrics files.
 */
export function resolveStatePath(
  realRoot: string,
  rel: string,
  opts: { createDirs?: boolean; file?: boolean } = {},
): Promise<string> {
  return safePath(realRoot, rel, opts);
}

/** The writer lock, for other state modules that write under `.kaizen/metrics/`. */
export function lockFile(lockPath: string, rel: string): Promise<() => Promise<void>> {
  return acquireLock(lockPath, rel);
}
