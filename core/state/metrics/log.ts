/**
 * Reading `executions.jsonl` without ever holding it whole: forward in
 * chunks through the summary accumulator (constant memory, however long the
 * log), and backward from the end for the latest runs.
 *
 * The log is opened with the safe reader's checks (real path inside the
 * repository, a regular file by `lstat` before `open(2)` and by `fstat`
 * after it, same inode), and the open races the caller's deadline, so a FIFO
 * swapped in after the check cannot hang a reader. Lines longer than
 * {@link MAX_LINE_BYTES} are skipped without being assembled, so a 600 MB
 * sparse file of zeros costs a few megabytes.
 *
 * @module
 */
import {
  beforeDeadline,
  createDeadline,
  type Deadline,
  DeadlineError,
  NO_DEADLINE,
} from "../../fs/deadline.ts";
import { isInside, join, normalize } from "../../fs/paths.ts";
import { concatBytes } from "../../bytes.ts";
import { type ExecutionRecord, MAX_LINE_BYTES, MetricsError, parseLine } from "./record.ts";
import type { SkippedLine } from "./record.ts";

/** Bytes read per step. */
export const CHUNK_BYTES = 1024 * 1024;
/** Invalid lines listed by number (the count covers all of them). */
export const MAX_LISTED_SKIPPED = 100;

/**
 * How long `open(2)` of a state file may take. A regular file opens at once;
 * only a FIFO swapped in between the check and the open blocks (until a
 * writer appears, which in a repository is never), so this bounds the one
 * wait a reader cannot otherwise escape.
 */
export const OPEN_TIMEOUT_MS = 5_000;

/** The caller's deadline, or {@link OPEN_TIMEOUT_MS} from now when that is sooner. */
export function openDeadline(deadline: Deadline = NO_DEADLINE): Deadline {
  return deadline.remaining() > OPEN_TIMEOUT_MS ? createDeadline(OPEN_TIMEOUT_MS) : deadline;
}

/** An open log, checked to be the regular file inside the repository it claims to be. */
export interface OpenLog {
  file: Deno.FsFile;
  size: number;
  ino: number | null;
  /** Absolute real path. */
  path: string;
}

/**
 * Opens `rel` (inside `realRoot`) for reading, or undefined when it does not
 * exist. A symlink out of the repository, a FIFO, a socket, a device or a
 * directory is refused (`unsafe-path`); so is a file swapped between the
 * check and the open.
 */
export async function openLog(
  realRoot: string,
  rel: string,
  deadline: Deadline = NO_DEADLINE,
): Promise<OpenLog | undefined> {
  let real: string;
  try {
    real = await Deno.realPath(join(realRoot, rel));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      try {
        // A dangling symlink: refused when it points outside the repository.
        const link = await Deno.readLink(join(realRoot, rel));
        const target = link.startsWith("/") ? link : join(realRoot, rel, "..", link);
        if (!isInside(realRoot, normalize(target))) {
          throw new MetricsError(
            `${rel} not read: symlink points outside the repository`,
            "unsafe-path",
          );
        }
      } catch (e) {
        if (e instanceof MetricsError) throw e;
      }
      return undefined;
    }
    throw err;
  }
  if (!isInside(realRoot, real)) {
    throw new MetricsError(
      `${rel} not read: symlink resolves outside the repository`,
      "unsafe-path",
    );
  }
  let before: Deno.FileInfo;
  try {
    before = await Deno.lstat(real);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined; // removed meanwhile
    throw err;
  }
  if (!before.isFile) {
    throw new MetricsError(
      `${rel} not read: ${fileKind(before)}, not a regular file`,
      "unsafe-path",
    );
  }
  let file: Deno.FsFile;
  try {
    file = await beforeDeadline(
      openDeadline(deadline),
      Deno.open(real, { read: true }),
      `opening ${rel}`,
    );
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined; // removed meanwhile
    if (err instanceof DeadlineError) {
      throw new MetricsError(
        `${rel} not read: opening it did not finish within ${
          OPEN_TIMEOUT_MS / 1000
        } s (not a regular file any more?)`,
        "unsafe-path",
        undefined,
        err,
      );
    }
    throw err;
  }
  const info = await file.stat();
  if (!info.isFile || info.ino !== before.ino || info.dev !== before.dev) {
    file.close();
    throw new MetricsError(`${rel} not read: file changed while being opened`, "unsafe-path");
  }
  return { file, size: info.size, ino: info.ino ?? null, path: real };
}

/** Names a non-regular file for a refusal (the safe reader's words). */
function fileKind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isSocket) return "a socket";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  return "not a regular file";
}

/** Reads `length` bytes of `file` from `start` (fewer if the file ends first). */
export function readRange(
  file: Deno.FsFile,
  start: number,
  length: number,
): Promise<Uint8Array> {
  return readInto(file, start, new Uint8Array(Math.max(0, length)));
}

/** Fills `buf` from `start` (fewer bytes if the file ends first); the part filled. */
async function readInto(file: Deno.FsFile, start: number, buf: Uint8Array): Promise<Uint8Array> {
  await file.seek(start, Deno.SeekMode.Start);
  let got = 0;
  while (got < buf.length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** What a forward scan saw. */
export interface ForwardScan {
  /** Newlines between `start` and `end`. */
  newlines: number;
  /** Whether the last byte read was a newline (true for an empty range). */
  endsWithNewline: boolean;
  /** Offset just after the last newline in the range (`start` when none). */
  lastNewlineEnd: number;
  /** The first {@link MAX_LISTED_SKIPPED} invalid lines. */
  skipped: SkippedLine[];
  skippedCount: number;
  /** The last `keep` valid records, in file order. */
  latest: ExecutionRecord[];
}

const decoder = new TextDecoder();

/**
 * Streams `file` from `start` to `end` in chunks, handing every valid record
 * of `agent` to `onRecord` in file order. Lines are numbered from
 * `firstLine`. A line without a final newline at `end` counts as a line
 * (as a crash leaves it). Memory: one chunk plus one line of at most
 * {@link MAX_LINE_BYTES}.
 */
export async function scanForward(
  file: Deno.FsFile,
  start: number,
  end: number,
  agent: string,
  options: {
    firstLine?: number;
    onRecord?: (r: ExecutionRecord) => void;
    /** Called before a last line without a newline is taken, with the invalid lines so far. */
    onUnterminated?: (soFar: { skipped: SkippedLine[]; skippedCount: number }) => void;
    keep?: number;
    deadline?: Deadline;
    what?: string;
  } = {},
): Promise<ForwardScan> {
  const keep = options.keep ?? 0;
  const deadline = options.deadline ?? NO_DEADLINE;
  const skipped: SkippedLine[] = [];
  let skippedCount = 0;
  const latest: ExecutionRecord[] = [];
  let lineNo = options.firstLine ?? 1;
  let newlines = 0;
  let lastNewlineEnd = start;
  let endsWithNewline = true;
  let carry: Uint8Array[] = [];
  let carryLen = 0;
  let oversized = false;
  // One buffer for the whole scan: what outlives a chunk (a line's start) is copied.
  const buffer = new Uint8Array(Math.min(CHUNK_BYTES, Math.max(0, end - start)));

  const skip = (reason: string) => {
    skippedCount++;
    if (skipped.length < MAX_LISTED_SKIPPED) skipped.push({ line: lineNo, reason });
  };
  const finish = (bytes: Uint8Array) => {
    if (oversized) {
      skip(`line longer than ${MAX_LINE_BYTES} bytes`);
    } else {
      const v = parseLine(decoder.decode(bytes), agent);
      if (v !== undefined) {
        if ("reason" in v) skip(v.reason);
        else {
          options.onRecord?.(v.record);
          if (keep > 0) {
            latest.push(v.record);
            if (latest.length > keep) latest.shift();
          }
        }
      }
    }
    lineNo++;
    carry = [];
    carryLen = 0;
    oversized = false;
  };

  let pos = start;
  while (pos < end) {
    if (deadline.remaining() <= 0) {
      throw new MetricsError(
        new DeadlineError(`reading ${options.what ?? "the log"}`, deadline.totalMs).message,
        "io",
      );
    }
    const chunk = await readInto(file, pos, buffer.subarray(0, Math.min(CHUNK_BYTES, end - pos)));
    if (chunk.length === 0) break; // shorter than it was: read what is there
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      const stop = nl < 0 ? chunk.length : nl;
      if (!oversized) {
        if (carryLen + (stop - from) > MAX_LINE_BYTES) {
          oversized = true;
          carry = [];
          carryLen = 0;
        } else if (stop > from) {
          carry.push(chunk.subarray(from, stop));
          carryLen += stop - from;
        }
      }
      if (nl < 0) break;
      newlines++;
      lastNewlineEnd = pos + nl + 1;
      finish(carry.length === 1 ? carry[0] : concatBytes(carry));
      from = nl + 1;
    }
    endsWithNewline = chunk[chunk.length - 1] === 10;
    // A chunk's subarrays are kept in `carry`; copy so the chunk can go.
    if (carry.length > 0) {
      carry = [concatBytes(carry)];
    }
    pos += chunk.length;
  }
  if (carryLen > 0 || oversized) {
    options.onUnterminated?.({ skipped: [...skipped], skippedCount });
    finish(concatBytes(carry));
  }
  return { newlines, endsWithNewline, lastNewlineEnd, skipped, skippedCount, latest };
}

/**
 * The last `n` valid records of `agent` in the first `size` bytes of
 * `file`, newest (by position) first, read backward from the end in chunks:
 * however long the log, only its tail is read.
 */
export async function readLatest(
  file: Deno.FsFile,
  size: number,
  agent: string,
  n: number,
  deadline: Deadline = NO_DEADLINE,
): Promise<ExecutionRecord[]> {
  const out: ExecutionRecord[] = [];
  if (n <= 0) return out;
  let tail: Uint8Array = new Uint8Array(0);
  let oversized = false;
  const emit = (bytes: Uint8Array) => {
    if (!oversized) {
      const v = parseLine(decoder.decode(bytes), agent);
      if (v !== undefined && "record" in v) out.push(v.record);
    }
    tail = new Uint8Array(0);
    oversized = false;
  };
  let pos = size;
  const buffer = new Uint8Array(Math.min(CHUNK_BYTES, size));
  while (pos > 0 && out.length < n) {
    if (deadline.remaining() <= 0) {
      throw new MetricsError(
        new DeadlineError("reading the latest runs", deadline.totalMs).message,
        "io",
      );
    }
    const start = Math.max(0, pos - CHUNK_BYTES);
    // Reused: every line taken out of it is copied first.
    const chunk = await readInto(file, start, buffer.subarray(0, pos - start));
    pos = start;
    let end = chunk.length;
    while (out.length < n) {
      const nl = end > 0 ? chunk.lastIndexOf(10, end - 1) : -1;
      if (nl < 0) {
        if (!oversized) {
          if (end + tail.length > MAX_LINE_BYTES) {
            oversized = true;
            tail = new Uint8Array(0);
          } else {
            tail = concatBytes([chunk.subarray(0, end), tail]);
          }
        }
        break;
      }
      emit(concatBytes([chunk.subarray(nl + 1, end), tail]));
      end = nl;
    }
  }
  if (pos === 0 && out.length < n && (tail.length > 0 || oversized)) emit(tail);
  return out;
}
