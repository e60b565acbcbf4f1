/**
 * One writer at a time, held by the kernel.
 *
 * Project-state writers (a session recording its run, a note being added)
 * serialise on an OS advisory lock (`flock(2)` through `Deno.FsFile.lock`)
 * on the folder that holds the files they change (or on a lock file, for a
 * caller that has no folder of its own). Nothing is created for the lock
 * and nothing is deleted: a deleted lock file would let a newcomer lock a
 * fresh inode while an old waiter still queues on the unlinked one, and a
 * lock file in a repository is litter that gets committed. Because the
 * kernel owns the lock, a writer killed with `kill -9` releases it the
 * instant it dies, and waiters queue in the kernel instead of polling: no
 * pid files, no stale timers.
 *
 * A waiter gives up only when the holder makes no progress for
 * {@link LOCK_STALL_MS} (a hung process holding the lock) or after the
 * overall {@link LOCK_DEADLINE_MS}; while other writers are getting through,
 * it keeps its place in the queue, however long the queue is.
 *
 * @module
 */
import { classifyIoError, type IoRefusal, refusal } from "./io_error.ts";

/** Give up when the protected file has not changed for this long while we wait. */
export const LOCK_STALL_MS = 60_000;
/** Give up after this long in any case: ten minutes is far beyond any queue of live writers. */
export const LOCK_DEADLINE_MS = 10 * 60_000;
/** How often a waiter looks for progress (cheap: one `stat`). */
const PROGRESS_POLL_MS = 1_000;

/** Tuning for {@link withFileLock}; tests shorten the waits. */
export interface LockOptions {
  /** Give up after this long without progress (default {@link LOCK_STALL_MS}). */
  stallMs?: number;
  /** Give up after this long in any case (default {@link LOCK_DEADLINE_MS}). */
  deadlineMs?: number;
  /**
   * A fingerprint of what the lock protects (size and mtime of a log, say):
   * a change means other writers are getting through, so the wait goes on.
   */
  progress?: () => string | undefined;
  /** Repo-relative name of the lock file, for messages. */
  label?: string;
}

/** What {@link withFileLock} answers: the callback's value, or why the lock was not taken. */
export type LockOutcome<T> = { status: "ok"; value: T } | IoRefusal;

/**
 * Runs `fn` while holding an exclusive advisory lock on `lockPath`: an
 * existing folder or file (opened read-only), or a lock file created when
 * missing and never removed. The caller has checked that `lockPath` is
 * inside the repository and not a symlink.
 *
 * @example
 * ```ts
 * const out = await withFileLock("/srv/widgets/.kaizen/metrics/coach", async () => {
 *   // append, then rewrite the summary
 *   return 42;
 * });
 * if (out.status === "refused") console.error(out.reason);
 * ```
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<LockOutcome<T>> {
  const label = options.label ?? lockPath;
  let file: Deno.FsFile;
  try {
    // flock(2) needs no write access: a folder, or a file on a read-only
    // mount, locks as well as a lock file.
    file = await Deno.open(lockPath, { read: true }).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      return Deno.open(lockPath, { read: true, write: true, create: true });
    });
  } catch (err) {
    const { code, text } = classifyIoError(err);
    return refusal(label, code, `cannot open the lock ${label}: ${text}`);
  }
  try {
    const got = await waitForLock(file, label, options);
    if (got !== undefined) return got;
    try {
      return { status: "ok", value: await fn() };
    } finally {
      // Closing releases the lock too; unlocking first makes the hand-over
      // independent of when the runtime drops the handle.
      await file.unlock().catch(() => {});
    }
  } finally {
    try {
      file.close();
    } catch { /* closed while a given-up lock() was pending */ }
  }
}

/** Waits in the kernel's queue; answers a refusal when the wait is given up. */
async function waitForLock(
  file: Deno.FsFile,
  label: string,
  options: LockOptions,
): Promise<IoRefusal | undefined> {
  // The common case, no contention: no timer, no second promise.
  if (await file.tryLock(true)) return undefined;
  const stallMs = options.stallMs ?? LOCK_STALL_MS;
  const deadlineMs = options.deadlineMs ?? LOCK_DEADLINE_MS;
  const start = Date.now();
  let lastChange = start;
  let last = options.progress?.();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<IoRefusal>((resolve) => {
    const tick = () => {
      const now = Date.now();
      const seen = options.progress?.();
      if (seen !== last) {
        last = seen;
        lastChange = now;
      }
      if (now - start >= deadlineMs) {
        resolve(refusal(
          label,
          "busy",
          `gave up waiting for ${label} after ${Math.round((now - start) / 1000)} s ` +
            `(other writers kept it busy)`,
        ));
      } else if (now - lastChange >= stallMs) {
        resolve(refusal(
          label,
          "busy",
          `${label} is held by a process that made no progress for ` +
            `${Math.round((now - lastChange) / 1000)} s; is a kaizen process stuck?`,
        ));
      } else {
        timer = setTimeout(tick, Math.min(PROGRESS_POLL_MS, stallMs, deadlineMs));
      }
    };
    timer = setTimeout(tick, Math.min(PROGRESS_POLL_MS, stallMs, deadlineMs));
  });
  const locked = file.lock(true).then(() => undefined);
  try {
    // A given-up lock() stays pending until the holder lets go; the CLI
    // exits right after reporting, and a library caller's process keeps
    // running until then (there is no way to cancel a blocking flock).
    return await Promise.race([locked, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A progress fingerprint for {@link LockOptions.progress}: size and mtime of
 * `path` (empty when it is missing).
 */
export function statFingerprint(path: string): () => string | undefined {
  return () => {
    try {
      const info = Deno.statSync(path);
      return `${info.size}:${info.mtime?.getTime() ?? 0}:${info.ino ?? 0}`;
    } catch {
      return undefined;
    }
  };
}
