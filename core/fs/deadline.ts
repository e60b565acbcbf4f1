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
import { type ErrorFields, KaizenError } from "../errors.ts";

/**
 * Default overall budget of one `prepare` run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDeadline, DEFAULT_DEADLINE_MS } from "../../mod.ts";
 *
 * const deadline = createDeadline(DEFAULT_DEADLINE_MS);
 * assert.equal(deadline.totalMs, 10_000);
 * assert.ok(deadline.remaining() <= DEFAULT_DEADLINE_MS);
 * ```
 */
export const DEFAULT_DEADLINE_MS = 10_000;

/** A point in time that work must finish before. */
export interface Deadline {
  /** Milliseconds left (0 when passed). */
  remaining(): number;
  /** The budget it was created with, for messages. */
  readonly totalMs: number;
}

/**
 * Raised (or returned as a refusal) when the deadline passes first. `what`
 * is the work (`reading TODO.md`); where it ran (a plugin's hook) is data in
 * `fields`, composed by the error type.
 */
export class DeadlineError extends KaizenError {
  override name = "DeadlineError";
  constructor(what: string, totalMs: number, fields: ErrorFields = {}) {
    super(
      "deadline",
      `${what} did not finish within the ${totalMs / 1000} s prepare deadline`,
      fields,
    );
  }
}

/**
 * A deadline `ms` from now.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDeadline } from "../../mod.ts";
 *
 * let now = 0; // a clock the example controls; the default is performance.now()
 * const deadline = createDeadline(5_000, () => now);
 * now = 2_000;
 * assert.equal(deadline.remaining(), 3_000); // one budget for every step of a run
 * now = 9_000;
 * assert.equal(deadline.remaining(), 0);
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
 * passes first. All work racing one deadline shares one timer, released as
 * soon as nothing is racing it, so it never keeps the process alive.
 */
export function beforeDeadline<T>(
  deadline: Deadline,
  work: Promise<T>,
  what: string,
  where: ErrorFields = {},
): Promise<T> {
  const left = deadline.remaining();
  if (left === Infinity) return work;
  work.catch(() => {}); // if abandoned, its failure must not surface as unhandled
  let shared = timers.get(deadline);
  if (shared === undefined) {
    // Past the deadline the timer still runs (for 1 ms): work that is already
    // done (a section that only formats text) settles first and is kept.
    shared = { ...unrefTimer(Math.max(1, left)), racing: 0 };
    timers.set(deadline, shared);
  }
  const timer = shared;
  timer.racing++;
  const timeout = timer.fired.then(() => {
    throw new DeadlineError(what, deadline.totalMs, where);
  });
  return Promise.race([work, timeout]).finally(() => {
    if (--timer.racing === 0) {
      timer.cancel();
      if (timers.get(deadline) === timer) timers.delete(deadline);
    }
  });
}

const timers = new WeakMap<Deadline, ReturnType<typeof unrefTimer> & { racing: number }>();

/**
 * A one-shot timer. `Atomics.waitAsync` with a timeout is one: V8 fires it
 * without a Deno timer, so it costs a fraction of a millisecond to arm, where
 * the first `setTimeout` of a process costs about 4 ms (Deno loads its timer
 * code on first use) — more than all of `prepare`'s reads. A wait alone does
 * not keep the event loop alive (a hook that awaits a promise nobody resolves
 * would end the process instead of timing out), so a message port with a
 * listener holds it open until the timer fires or is cancelled. `fired`
 * never settles once cancelled.
 */
export function unrefTimer(ms: number): { fired: Promise<void>; cancel: () => void } {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const keepAlive = new MessageChannel();
  keepAlive.port1.onmessage = () => {};
  const release = () => keepAlive.port1.close();
  const wait = Atomics.waitAsync(cell, 0, 0, ms);
  const outcome: Promise<string> = wait.async ? wait.value : Promise.resolve(wait.value);
  return {
    fired: outcome.then((v) => {
      release();
      return v === "timed-out" ? undefined : new Promise<void>(() => {});
    }),
    cancel: () => {
      Atomics.notify(cell, 0);
      release();
    },
  };
}
