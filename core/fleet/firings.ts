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
