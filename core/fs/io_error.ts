/**
 * Operating-system failures, named for the person who has to fix them.
 *
 * A full disk, a read-only mount, a permission or a file that vanished are
 * not bugs: the commands that write project state answer them with one line
 * and exit 1. Deno reports some of them as plain `Error`s that only carry an
 * errno name in `code` (`ENOSPC`, `EROFS`), so this is the one place that
 * looks at both the class and the code.
 *
 * @module
 */

/** Why an I/O operation inside a repository did not happen. */
export type IoProblemCode =
  /** The path (or a symlink on the way) leads outside the repository. */
  | "outside"
  /** Something on the way is not what it must be (a FIFO, a folder, a device). */
  | "not-regular"
  /** No space (or no inodes) left on the device. */
  | "no-space"
  /** The file system is mounted read-only. */
  | "read-only"
  /** The operating system denied access. */
  | "permission"
  /** The file vanished (or a folder on the way). */
  | "missing"
  /** Another writer held the lock without making progress. */
  | "busy"
  /** A file is over its size cap. */
  | "too-large"
  /** Anything else the operating system reported. */
  | "io";

/** A refused operation: data, rendered at the edge. `path` is repo-relative. */
export interface IoRefusal {
  status: "refused";
  path: string;
  code: IoProblemCode;
  /** One line, ready to show: `cannot write X: no space left on the device`. */
  reason: string;
}

/**
 * Classifies an error thrown by a `Deno.*` file operation.
 *
 * @example
 * ```ts
 * try {
 *   Deno.writeTextFileSync("/proc/version", "x");
 * } catch (err) {
 *   classifyIoError(err).code; // "permission" (or "io", by kernel)
 * }
 * ```
 */
export function classifyIoError(err: unknown): { code: IoProblemCode; text: string } {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return { code: "no-space", text: "no space left on the device" };
  }
  if (code === "EROFS") return { code: "read-only", text: "the file system is read-only" };
  if (err instanceof Deno.errors.PermissionDenied || code === "EACCES" || code === "EPERM") {
    return { code: "permission", text: "permission denied" };
  }
  if (err instanceof Deno.errors.NotCapable) {
    return { code: "permission", text: "not allowed by the runtime's permissions" };
  }
  if (err instanceof Deno.errors.NotFound) return { code: "missing", text: "it vanished" };
  if (err instanceof Deno.errors.NotADirectory) {
    return { code: "not-regular", text: "a path component is not a folder" };
  }
  if (err instanceof Deno.errors.IsADirectory) {
    return { code: "not-regular", text: "it is a folder" };
  }
  if (err instanceof Deno.errors.FilesystemLoop) {
    return { code: "not-regular", text: "too many levels of symlinks" };
  }
  const name = typeof code === "string" ? code : err instanceof Error ? err.name : "error";
  return { code: "io", text: `${name}` };
}

/**
 * The refusal for `err` thrown while doing `action` (`write`, `read`,
 * `create`, ...) on `path`.
 */
export function ioRefusal(path: string, action: string, err: unknown): IoRefusal {
  const { code, text } = classifyIoError(err);
  return { status: "refused", path, code, reason: `cannot ${action} ${path}: ${text}` };
}

/** A refusal that is not an OS error (containment, type, size). */
export function refusal(path: string, code: IoProblemCode, reason: string): IoRefusal {
  return { status: "refused", path, code, reason };
}
