/**
 * The running state, `.kaizen/metrics/<agent>/summary.state.json`
 * (docs/adr/0002, "The running state"): the accumulator the summary is
 * derived from, and which bytes of `executions.jsonl` it covers, with
 * fingerprints of the log so a state that no longer describes the log is
 * noticed. Readers and writers bring the summary up to date from it by
 * reading only the bytes after its offset.
 *
 * @module
 */
import { createDeadline, type Deadline } from "../../fs/deadline.ts";
import { createSafeReader } from "../../fs/safe_read.ts";
import { type OpenLog, readRange } from "./log.ts";
import { sha256Hex as sha256 } from "../../bytes.ts";
import type { SkippedLine } from "./record.ts";
import { type SummaryAccumulator, TREND_RUNS } from "./summary.ts";

/**
 * Deadline of the small reads (summary, state) when the caller brings none:
 * a FIFO swapped in after the safe reader's check must not hang a command.
 */
export const SMALL_READ_MS = 10_000;

/** Bytes at the start of the log, and before the covered offset, that the state fingerprints. */
export const FINGERPRINT_BYTES = 4096;
/**
 * Largest state file read. The histogram has at most one key per distinct
 * whole second (604 801 at the very worst, a few thousand in practice).
 */
export const MAX_STATE_BYTES = 16 * 1024 * 1024;
const STATE_VERSION = 1;

/**
 * `summary.state.json`. Trusted only when it is well formed, plausible and
 * the log still looks like the file it was computed from ({@link stateFits}).
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
  /** The first invalid lines (the count covers all of them). */
  skipped: SkippedLine[];
  acc: SummaryAccumulator;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The shortest line a valid record of `agent` can be (with its newline). */
function minRecordBytes(agent: string): number {
  return JSON.stringify({
    agent,
    recorded_at: "1",
    success: true,
    time_seconds: 0,
    quality: 0,
  }).length + 1;
}

/**
 * Structural and plausibility check of a parsed state; anything odd means
 * "derive from the log". Counts must add up and fit in the bytes covered
 * (every run is a line of at least a minimal record's length), so a state
 * edited to claim more runs than its log can hold is not believed.
 */
export function validState(v: unknown, agent: string): v is SummaryState {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const s = v as Record<string, unknown>;
  if (s.version !== STATE_VERSION || s.agent !== agent) return false;
  if (!isCount(s.offset) || !isCount(s.lines) || !isCount(s.skipped_count)) return false;
  if (!(s.ino === null || isCount(s.ino))) return false;
  if (typeof s.head_sha256 !== "string" || typeof s.tail_sha256 !== "string") return false;
  if (
    !Array.isArray(s.skipped) || s.skipped.length > s.skipped_count ||
    !s.skipped.every((k) =>
      k && isCount(k.line) && k.line >= 1 && k.line <= (s.lines as number) + 1 &&
      typeof k.reason === "string"
    )
  ) return false;
  const a = s.acc as Record<string, unknown> | null;
  if (a === null || typeof a !== "object") return false;
  if (!isCount(a.runs) || !isCount(a.successes) || a.successes > a.runs) return false;
  if (a.runs + s.skipped_count > s.lines) return false;
  if (a.runs * minRecordBytes(agent) > s.offset) return false;
  if (!isNum(a.time_sum) || a.time_sum < 0) return false;
  if (!isNum(a.quality_sum) || a.quality_sum < 0 || a.quality_sum > a.runs) return false;
  const h = a.time_histogram as Record<string, unknown> | null;
  if (h === null || typeof h !== "object" || Array.isArray(h)) return false;
  let n = 0;
  for (const [k, c] of Object.entries(h)) {
    if (!/^\d+$/.test(k) || !isCount(c) || c === 0) return false;
    n += c;
  }
  if (n !== a.runs) return false;
  if (!Array.isArray(a.recent) || a.recent.length !== Math.min(a.runs, TREND_RUNS)) return false;
  const runs = a.runs;
  let prev: { at: number; seq: number } | undefined;
  for (const r of a.recent) {
    if (
      !r || !isNum(r.at) || !isCount(r.seq) || r.seq >= runs || typeof r.success !== "boolean" ||
      !isNum(r.time_seconds) || r.time_seconds < 0 || !isNum(r.quality) || r.quality < 0 ||
      r.quality > 1
    ) return false;
    if (prev && (r.at < prev.at || (r.at === prev.at && r.seq <= prev.seq))) return false;
    prev = r;
  }
  return true;
}

/**
 * The stored state, or undefined when it is missing, refused by the safe
 * reader (over its cap, a FIFO, a symlink out), unreadable or malformed.
 */
export async function loadState(
  realRoot: string,
  rel: string,
  agent: string,
  deadline?: Deadline,
): Promise<SummaryState | undefined> {
  const files = await createSafeReader(
    realRoot,
    MAX_STATE_BYTES,
    deadline ?? createDeadline(SMALL_READ_MS),
  );
  const r = await files.readText(rel);
  if (r.status !== "ok") return undefined;
  try {
    const v = JSON.parse(r.text);
    return validState(v, agent) ? v : undefined;
  } catch {
    return undefined; // torn or hand-broken: derived from the log
  }
}

/**
 * Whether `state` still describes the first `state.offset` bytes of the open
 * log: the offset within the file and just after a newline, the same inode,
 * the same first 4 KiB and the same 4 KiB before the offset.
 */
export async function stateFits(state: SummaryState, log: OpenLog): Promise<boolean> {
  if (state.offset > log.size) return false;
  if (state.ino !== null && log.ino !== null && state.ino !== log.ino) return false;
  const windowStart = Math.max(0, state.offset - FINGERPRINT_BYTES);
  const before = await readRange(log.file, windowStart, state.offset - windowStart);
  if (before.length !== state.offset - windowStart) return false;
  if (state.offset > 0 && before[before.length - 1] !== 10) return false;
  const head = state.offset <= FINGERPRINT_BYTES
    ? before
    : await readRange(log.file, 0, FINGERPRINT_BYTES);
  return (await sha256(head)) === state.head_sha256 &&
    (await sha256(before)) === state.tail_sha256;
}

/**
 * The state to store for `acc` covering the log's first `offset` bytes
 * (which must end just after a newline), read back from the open log.
 */
export async function makeState(
  agent: string,
  log: { file: Deno.FsFile; ino: number | null },
  covered: {
    offset: number;
    lines: number;
    acc: SummaryAccumulator;
    skipped: SkippedLine[];
    skippedCount: number;
  },
): Promise<SummaryState> {
  const { offset } = covered;
  const head = await readRange(log.file, 0, Math.min(offset, FINGERPRINT_BYTES));
  const tailStart = Math.max(0, offset - FINGERPRINT_BYTES);
  const tail = await readRange(log.file, tailStart, offset - tailStart);
  return {
    version: STATE_VERSION,
    agent,
    offset,
    lines: covered.lines,
    ino: log.ino,
    head_sha256: await sha256(head),
    tail_sha256: await sha256(tail),
    skipped_count: covered.skippedCount,
    skipped: covered.skipped,
    acc: covered.acc,
  };
}
