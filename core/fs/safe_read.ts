/**
 * Bounded, containment-checked reads from an untrusted target repository.
 *
 * A repo being prepared is input, not trusted code: a committed symlink could
 * point at `~/.ssh/id_ed25519`, and a committed file could be gigabytes. Every
 * read resolves real paths, refuses anything that ends up outside the repo
 * root, caps the size, and refuses binary or non-UTF-8 content.
 *
 * Only regular files are opened. A FIFO would block `open(2)` until a writer
 * appears (forever, in a committed repo), and a device or socket is not a
 * document; the type is checked with `lstat` on the resolved path before
 * opening, and again on the open handle so a file swapped in between is
 * caught. The open itself races the run's {@link Deadline}, so a FIFO
 * swapped in after the check cannot hang `prepare` either.
 *
 * @module
 */
import { beforeDeadline, type Deadline, DeadlineError, NO_DEADLINE } from "./deadline.ts";
import { isInside, join, normalize } from "./paths.ts";

/** Default per-file cap for bundle inputs. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** Outcome of one read; only `ok` carries text. */
export type SafeReadResult =
  | { status: "ok"; path: string; text: string; bytes: number }
  | { status: "missing"; path: string }
  | { status: "refused"; path: string; reason: string };

/** Read access to files inside one repository. */
export interface SafeReader {
  /** Absolute, symlink-resolved repository root. */
  readonly root: string;
  /** The per-file read cap in bytes; a larger file is refused. */
  readonly maxBytes: number;
  /** The run's deadline; hooks that do their own waiting should respect it too. */
  readonly deadline: Deadline;
  /** Reads `rel` (relative to the root) as UTF-8 text, or says why not. */
  readText(rel: string): Promise<SafeReadResult>;
}

/**
 * Creates a {@link SafeReader} for `root` (which must exist). Reads still
 * running when `deadline` passes are refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDeadline } from "./deadline.ts";
 * import { createSafeReader } from "./safe_read.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${repo}/TODO.md`, "- ship\n");
 *   await Deno.writeFile(`${repo}/logo.png`, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0]));
 *   const files = await createSafeReader(repo, 1024 * 1024, createDeadline(10_000));
 *   const todo = await files.readText("TODO.md");
 *   assert.equal(todo.status === "ok" && todo.text, "- ship\n");
 *   assert.equal((await files.readText("NOTES.md")).status, "missing");
 *   assert.equal((await files.readText("logo.png")).status, "refused"); // binary
 *   assert.equal((await files.readText("../outside.md")).status, "refused"); // not in the repo
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function createSafeReader(
  root: string,
  maxBytes = DEFAULT_MAX_FILE_BYTES,
  deadline: Deadline = NO_DEADLINE,
): Promise<SafeReader> {
  const realRoot = await Deno.realPath(root);
  return {
    root: realRoot,
    maxBytes,
    deadline,
    readText: async (rel) => {
      if (deadline.remaining() <= 0) {
        const err = new DeadlineError(`reading ${rel}`, deadline.totalMs);
        return { status: "refused", path: normalize(rel), reason: err.message };
      }
      try {
        return await beforeDeadline(
          deadline,
          readInside(realRoot, rel, maxBytes),
          `reading ${rel}`,
        );
      } catch (err) {
        if (err instanceof DeadlineError) {
          return { status: "refused", path: normalize(rel), reason: err.message };
        }
        throw err;
      }
    },
  };
}

/** Names a non-regular file for a refusal message. */
function fileKind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isSocket) return "a socket";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  if (info.isSymlink) return "a symlink";
  return "not a regular file";
}

async function readInside(root: string, rel: string, maxBytes: number): Promise<SafeReadResult> {
  const display = normalize(rel);
  if (rel.startsWith("/") || display.startsWith("..")) {
    return { status: "refused", path: display, reason: "path is outside the repository" };
  }
  const abs = join(root, display);
  // Resolving, lstat, fstat and reading a regular file never wait on another
  // process, so they run synchronously (an async op costs an event-loop round
  // trip each, most of prepare's start-up). Only open(2), which blocks on a
  // FIFO swapped in after the lstat, stays async and races the deadline.
  let real: string;
  try {
    real = Deno.realPathSync(abs);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      // A dangling symlink is "missing" only if it does not point outside.
      try {
        const link = Deno.readLinkSync(abs);
        const targetAbs = link.startsWith("/") ? link : join(abs, "..", link);
        if (!isInside(root, normalize(targetAbs))) {
          return {
            status: "refused",
            path: display,
            reason: "symlink points outside the repository",
          };
        }
      } catch { /* not a link */ }
      // Missing here, but a folder on the way may be a symlink out of the
      // repository: then the answer is a refusal, not "missing" (which
      // would describe a place outside).
      for (let dir = join(abs, ".."); isInside(root, dir) && dir !== root; dir = join(dir, "..")) {
        let realDir: string;
        try {
          realDir = Deno.realPathSync(dir);
        } catch {
          continue; // missing too (or dangling): look further up
        }
        if (!isInside(root, realDir)) {
          return {
            status: "refused",
            path: display,
            reason: "a folder on its path is a symlink leading outside the repository",
          };
        }
        break;
      }
      return { status: "missing", path: display };
    }
    return { status: "refused", path: display, reason: `cannot resolve path (${errorName(err)})` };
  }
  if (!isInside(root, real)) {
    return {
      status: "refused",
      path: display,
      reason: "symlink resolves outside the repository",
    };
  }
  // `real` has no symlinks left, so lstat describes the file itself; a
  // FIFO, socket or device is refused here, before open(2) could block on it.
  let before: Deno.FileInfo;
  try {
    before = Deno.lstatSync(real);
  } catch (err) {
    return { status: "refused", path: display, reason: `cannot stat (${errorName(err)})` };
  }
  if (!before.isFile) {
    return { status: "refused", path: display, reason: `${fileKind(before)}, not a regular file` };
  }
  if (before.size > maxBytes) {
    return {
      status: "refused",
      path: display,
      reason: `file is ${before.size} bytes, over the ${maxBytes}-byte cap`,
    };
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(real, { read: true });
  } catch (err) {
    return { status: "refused", path: display, reason: `cannot open (${errorName(err)})` };
  }
  try {
    const info = file.statSync();
    // Swapped between lstat and open (a race, or an attack): not the file we checked.
    if (!info.isFile || info.ino !== before.ino || info.dev !== before.dev) {
      return { status: "refused", path: display, reason: "file changed while being opened" };
    }
    // One byte more than lstat saw, so a file that grew meanwhile is noticed
    // (and the cap still holds, since the size was checked against it).
    const buf = new Uint8Array(before.size + 1);
    let n = 0;
    while (n < buf.length) {
      const got = file.readSync(buf.subarray(n));
      if (got === null) break;
      n += got;
    }
    if (n > before.size) {
      return { status: "refused", path: display, reason: "file grew while being read" };
    }
    const bytes = buf.subarray(0, n);
    if (bytes.includes(0)) {
      return { status: "refused", path: display, reason: "binary file (contains NUL bytes)" };
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return { status: "refused", path: display, reason: "not valid UTF-8 text" };
    }
    return { status: "ok", path: display, text: text.replace(/^\uFEFF/, ""), bytes: n };
  } finally {
    file.close();
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : "error";
}
