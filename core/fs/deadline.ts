/**
 * One deadline for a whole run, shared by every read and hook in it.
 *
 * Per-call timeouts add up (ten slow reads of 5 s each are still under any
 * per-read limit), so `prepare` creates one deadline and everything that
 * touches the target repo races against what is left of it. Work that loses
 * the race is abandoned, not cancelled: a blocked `open(2)` cannot be
 * interrupted, but the CLI exits with `Deno.exit`, which does not wait for it.
 *
 * @module
 */

/** Default overall budget of one `prepare` run. */
export const DEFAULT_DEADLINE_MS = 10_000;

/** A point in time that work must finish before. */
export interface Deadline {
  /** Milliseconds left (0 when passed). */
  remaining(): number;
  /** The budget it was created with, for messages. */
  readonly totalMs: number;
}

/** Raised (or returned as a refusal) when the deadline passes first. */
export class DeadlineError extends Error {
  constructor(what: string, totalMs: number) {
    super(`${what} did not finish within the ${totalMs / 1000} s prepare deadline`);
    this.name = "DeadlineError";
  }
}

/**
 * A deadline `ms` from now.
 *
 * @example
 * ```ts
 * const deadline = createDeadline(10_000);
 * const text = await beforeDeadline(deadline, Deno.readTextFile("TODO.md"), "reading TODO.md");
 * ```
 */
export function createDeadline(
  ms: number,
  clock: () => number = () => performance.now(),
): Deadline {
  const at = clock() + ms;
  return { totalMs: ms, remaining: () => Math.max(0, at - clock()) };
}

/** A deadline that never passes (library callers that bring their own limits). */
export const NO_DEADLINE: Deadline = { totalMs: Infinity, remaining: () => Infinity };

/**
 * Resolves like `work`, or rejects with {@link DeadlineError} when `deadline`
 * passes first. The timer is cleared either way, so it never keeps the
 * process alive.
 */
export function beforeDeadline<T>(deadline: Deadline, work: Promise<T>, what: string): Promise<T> {
  const left = deadline.remaining();
  if (left === Infinity) return work;
  // Past the deadline the timer still runs (with 0 ms): work that is already
  // done (a section that only formats text) settles first and is kept.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, deadline.totalMs)), left);
  });
  work.catch(() => {}); // if abandoned, its failure must not surface as unhandled
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
