/**
 * When an expected (repo, agent) run fires, one firing at a time: the time
 * engine's `nextRuns` asked for a few at a time, so a window of a
 * minute-by-minute cron never lists its half a million firings at once.
 * The same daylight-saving rules as `roster discover --due` (they are the
 * engine's), with the same scatter shift.
 *
 * @module
 */
import { parseCron } from "../time/cron.ts";
import type { CronSpec } from "../time/cron.ts";
import { nextRuns } from "../time/runs.ts";

const CHUNK = 64;

/**
 * An endless ascending iterator of firings (epoch ms, scatter applied) at or
 * after `fromMs`. Throws `RangeError` for an invalid cron or zone.
 *
 * @example
 * ```ts
 * const it = firingsFrom("0 9 * * 1", "Europe/Berlin", Date.parse("2026-11-22T00:00:00Z"));
 * it.next().value; // Date.parse("2026-11-23T08:00:00Z")
 * ```
 */
export function* firingsFrom(
  cron: string,
  timeZone: string,
  fromMs: number,
  offsetMs = 0,
): Generator<number, void, undefined> {
  const parsed = parseCron(cron);
  if (!parsed.ok) throw new RangeError(parsed.problem.message);
  const spec: CronSpec = parsed.spec;
  // Shifted firing `t + offset >= fromMs` ⇔ `t > fromMs - offset - 1`.
  let after = fromMs - offsetMs - 1;
  for (;;) {
    const chunk = nextRuns(spec, timeZone, new Date(after), CHUNK);
    if (chunk.length === 0) return;
    for (const d of chunk) yield d.getTime() + offsetMs;
    after = chunk[chunk.length - 1].getTime();
  }
}

/** The longest scatter shift `roster discover --scatter` allows: a series starts this early. */
export const MAX_OFFSET_MS = 7 * 86_400_000;

/**
 * The firings of one (cron, zone) from a start, computed once and shared by
 * every row with the same schedule (a fleet mostly shares a few crons), so a
 * fleet of thousands of rows costs the time engine a few series, not one per
 * row. Grows lazily; memory is one number per firing up to the furthest one
 * a row asked for.
 */
export class FiringSeries {
  readonly #times: number[] = [];
  readonly #gen: Generator<number, void, undefined>;
  #done = false;

  constructor(cron: string, timeZone: string, fromMs: number) {
    this.#gen = firingsFrom(cron, timeZone, fromMs);
  }

  /** Firing `i` (epoch ms), or Infinity when the cron fires no more. */
  at(i: number): number {
    while (i >= this.#times.length && !this.#done) {
      const r = this.#gen.next();
      if (r.done) this.#done = true;
      else this.#times.push(r.value);
    }
    return i < this.#times.length ? this.#times[i] : Infinity;
  }
}

/** One row's view of a shared series: its own shift and position. */
export class FiringCursor {
  #i = 0;

  constructor(readonly series: FiringSeries, readonly offsetMs: number, fromMs: number) {
    while (series.at(this.#i) + offsetMs < fromMs) this.#i++;
  }

  /** The next firing (epoch ms, shift applied), or Infinity. */
  next(): number {
    return this.series.at(this.#i++) + this.offsetMs;
  }
}
