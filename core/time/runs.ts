/**
 * The time engine: when a 5-field cron fires in an IANA zone.
 *
 * Built on the runtime's `Temporal` (no dependency; the compiled binary
 * carries the same zone data). Calendar days are walked with integer
 * arithmetic; a zone is consulted once per matching day, and minute by minute
 * only on the rare days that contain an offset change.
 *
 * Daylight-saving rules (classic cron's, as cronie documents them; see
 * docs/schedule-manifest.md):
 * - a fixed-time job (neither minute nor hour field starts with `*`) whose
 *   local time is skipped by a spring-forward change runs once, at the
 *   instant of the change; in a repeated (fall-back) hour it runs once, at the
 *   first occurrence;
 * - any other job runs at every real instant whose wall-clock time matches:
 *   twice in a repeated hour, never in a skipped one.
 *
 * Day fields: when both are restricted (neither is exactly `*`), a day
 * matches when either matches.
 *
 * @module
 */
import { type CronSpec, parseCron } from "./cron.ts";
import { civilFromDays, daysFromCivil, weekdayOfDays } from "./civil.ts";
import { assertTimeZone } from "./timezone.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
/**
 * Beyond every real UTC offset (tzdata's extremes are within ±15 h): a run on
 * local day `d + 1` or later is never earlier than `(d + 1) * DAY - SLACK`.
 */
const SLACK = 16 * 3_600_000;
/**
 * How long a search goes on without finding a run before it says "no more
 * runs". A cron that passed validation fires at least once in any 8
 * consecutive years (29 February skips 2100); the extra year is margin. The
 * horizon counts from the last run found (or from the start), so a search for
 * many runs of a rare cron (`0 9 29 2 *`) finds them all.
 */
export const HORIZON_DAYS = 366 * 9;

function compile(cron: string | CronSpec): CronSpec {
  if (typeof cron !== "string") return cron;
  const r = parseCron(cron);
  if (!r.ok) throw new RangeError(r.problem.message);
  return r.spec;
}

function dayMatches(spec: CronSpec, days: number): boolean {
  const { month, day } = civilFromDays(days);
  if (!spec.months[month]) return false;
  const dom = spec.daysOfMonth[day];
  const dow = spec.daysOfWeek[weekdayOfDays(days)];
  if (spec.domStar) return dow;
  if (spec.dowStar) return dom;
  return dom || dow;
}

function localDayOf(epochMs: number, zone: string): number {
  const z = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone);
  return daysFromCivil(z.year, z.month, z.day);
}

/**
 * Where local day `days` begins (epoch ms), and whether it is plain: exactly
 * 24 hours from 00:00 with one offset throughout, so its wall times map to
 * instants by plain addition, all inside `[startMs, startMs + DAY)`.
 */
function dayShape(zone: string, days: number): { startMs: number; plain: boolean } {
  const { year, month, day } = civilFromDays(days);
  const date = new Temporal.PlainDate(year, month, day);
  const start = date.toZonedDateTime(zone);
  const startMs = start.epochMilliseconds;
  const next = start.getTimeZoneTransition("next");
  // A change at the very end can still repeat the day's last hour
  // (America/Santiago falls back from 24:00 to 23:00), hence the look at
  // where the next day begins.
  const plain = start.day === day && start.hour === 0 && start.minute === 0 &&
    start.second === 0 &&
    (next === null || next.epochMilliseconds > startMs + DAY ||
      (next.epochMilliseconds === startMs + DAY &&
        date.add({ days: 1 }).toZonedDateTime(zone).epochMilliseconds === startMs + DAY));
  return { startMs, plain };
}

/** The run instants (epoch ms, ascending, no duplicates) that local day `days` contributes. */
function runsOnDay(spec: CronSpec, zone: string, days: number): number[] {
  const { startMs, plain } = dayShape(zone, days);
  const out: number[] = [];
  if (plain) {
    // One offset all day: wall time maps to instants by plain addition.
    for (let h = 0; h < 24; h++) {
      if (!spec.hours[h]) continue;
      for (let m = 0; m < 60; m++) {
        if (spec.minutes[m]) out.push(startMs + (h * 60 + m) * MINUTE);
      }
    }
    return out;
  }
  const { year, month, day } = civilFromDays(days);
  for (let h = 0; h < 24; h++) {
    if (!spec.hours[h]) continue;
    for (let m = 0; m < 60; m++) {
      if (!spec.minutes[m]) continue;
      const wall = new Temporal.PlainDateTime(year, month, day, h, m);
      const earlier = wall.toZonedDateTime(zone, { disambiguation: "earlier" });
      if (!Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), wall)) {
        out.push(earlier.epochMilliseconds);
        if (!spec.fixedTime) {
          const later = wall.toZonedDateTime(zone, { disambiguation: "later" });
          if (later.epochMilliseconds !== earlier.epochMilliseconds) {
            out.push(later.epochMilliseconds);
          }
        }
      } else if (spec.fixedTime) {
        // Skipped by a spring-forward change: run once, when the clock jumps.
        const jump = earlier.getTimeZoneTransition("next");
        if (jump) out.push(jump.epochMilliseconds);
      }
    }
  }
  out.sort((a, b) => a - b);
  return out.filter((t, i) => i === 0 || t !== out[i - 1]);
}

/**
 * Run instants strictly after `afterMs`, ascending, until the horizon or
 * until no later run can come before `untilMs`.
 */
function* runsAfter(
  spec: CronSpec,
  zone: string,
  afterMs: number,
  untilMs = Infinity,
): Generator<number> {
  const first = localDayOf(afterMs, zone) - 1;
  let pending: number[] = [];
  let last = -Infinity;
  // The last day that contributed a run: the horizon counts from there.
  let found = first;
  for (let d = first; d <= found + HORIZON_DAYS && d * DAY - SLACK < untilMs; d++) {
    if (dayMatches(spec, d)) {
      const before = pending.length;
      for (const t of runsOnDay(spec, zone, d)) if (t > afterMs) pending.push(t);
      if (pending.length > before) {
        found = d;
        pending.sort((a, b) => a - b);
      }
    }
    // Runs of later local days cannot come before this bound, so everything
    // earlier is final (days near an offset change may interleave).
    const bound = (d + 1) * DAY - SLACK;
    let i = 0;
    for (; i < pending.length && pending[i] < bound; i++) {
      if (pending[i] !== last) yield (last = pending[i]);
    }
    if (i > 0) pending = pending.slice(i);
  }
  for (const t of pending) if (t !== last) yield (last = t);
}

/**
 * The next `count` times `cron` fires in `timeZone`, strictly after `after`.
 * Fewer are returned only when the search finds no run for nine years
 * ({@link HORIZON_DAYS}) after the last one it found, which a cron that
 * {@link parseCron} accepts never does. Throws `RangeError` for an invalid
 * cron or zone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextRuns } from "../../mod.ts";
 *
 * // Mondays 09:00 in Berlin (UTC+1 in winter).
 * const runs = nextRuns("0 9 * * 1", "Europe/Berlin", new Date("2026-11-22T00:00:00Z"), 2);
 * assert.deepEqual(runs.map((d) => d.toISOString()), [
 *   "2026-11-23T08:00:00.000Z",
 *   "2026-11-30T08:00:00.000Z",
 * ]);
 * ```
 */
export function nextRuns(
  cron: string | CronSpec,
  timeZone: string,
  after: Date,
  count = 1,
): Date[] {
  const spec = compile(cron);
  assertTimeZone(timeZone);
  const out: Date[] = [];
  if (count <= 0) return out;
  for (const t of runsAfter(spec, timeZone, after.getTime())) {
    out.push(new Date(t));
    if (out.length >= count) break;
  }
  return out;
}

/**
 * Every time `cron` fires in `timeZone` within the half-open window
 * `[start, end)`, ascending. Throws `RangeError` for an invalid cron or zone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runsBetween } from "../../mod.ts";
 *
 * // The night clocks fall back: 01:00 happens twice, and both run.
 * const runs = runsBetween(
 *   "0 * * * *",
 *   "America/New_York",
 *   new Date("2026-11-01T04:30:00Z"),
 *   new Date("2026-11-01T07:30:00Z"),
 * );
 * assert.deepEqual(runs.map((d) => d.toISOString()), [
 *   "2026-11-01T05:00:00.000Z", // 01:00 EDT
 *   "2026-11-01T06:00:00.000Z", // 01:00 EST
 *   "2026-11-01T07:00:00.000Z", // 02:00 EST
 * ]);
 * ```
 */
export function runsBetween(
  cron: string | CronSpec,
  timeZone: string,
  start: Date,
  end: Date,
): Date[] {
  const spec = compile(cron);
  assertTimeZone(timeZone);
  const out: Date[] = [];
  const endMs = end.getTime();
  for (const t of runsAfter(spec, timeZone, start.getTime() - 1, endMs)) {
    if (t >= endMs) break;
    out.push(new Date(t));
  }
  return out;
}

/** How many times `spec` fires on a plain day that matches (see {@link dayShape}). */
function runsPerPlainDay(spec: CronSpec): number {
  return spec.hours.filter(Boolean).length * spec.minutes.filter(Boolean).length;
}

/**
 * How many distinct instants `t` with `fromMs <= t < toMs` the cron fires at,
 * without listing them: a plain day wholly inside the window counts in closed
 * form (matching hours × matching minutes); the window's edge days and the
 * days with an offset change are listed with the same rules as
 * {@link runsOnDay}. Memory stays bounded whatever the window.
 */
function countRuns(spec: CronSpec, zone: string, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  const perDay = runsPerPlainDay(spec);
  const midnight = spec.hours[0] && spec.minutes[0];
  let total = 0;
  // Days counted whole whose 00:00 is a run: another day's run can land on
  // exactly that instant (a skipped time runs when the clock jumps, and a
  // jump can end at midnight), and must not be counted twice.
  const wholeMidnights = new Set<number>();
  // Instants from listed days, not yet counted; kept for a few days because
  // the same instant can come from neighbouring days (Pacific/Apia skipped a
  // whole day in 2011: its runs fall on the next day's midnight).
  let listed = new Set<number>();
  const flush = (beforeMs: number) => {
    const keep = new Set<number>();
    for (const t of listed) {
      if (t >= beforeMs) keep.add(t);
      else if (!wholeMidnights.has(t)) total++;
    }
    listed = keep;
    // A kept instant can only meet a midnight at or after `beforeMs`.
    for (const t of wholeMidnights) if (t < beforeMs) wholeMidnights.delete(t);
  };
  const first = localDayOf(fromMs, zone) - 1;
  for (let d = first; d * DAY - SLACK < toMs; d++) {
    if (!dayMatches(spec, d)) continue;
    const { startMs, plain } = dayShape(zone, d);
    if (plain && startMs >= fromMs && startMs + DAY <= toMs) {
      total += perDay;
      if (midnight) wholeMidnights.add(startMs);
    } else {
      for (const t of runsOnDay(spec, zone, d)) if (t >= fromMs && t < toMs) listed.add(t);
    }
    // No run of a later day comes before d * DAY - SLACK - 2 * DAY: older
    // listed instants can no longer meet a duplicate.
    if (listed.size > 4096 || d % 64 === 0) flush((d - 2) * DAY - SLACK);
  }
  flush(Infinity);
  return total;
}

/** What {@link runsInWindow} found: the first runs, and how many there are in all. */
export interface WindowRuns {
  /** The first `limit` runs in the window, ascending. */
  runs: Date[];
  /** Every run in the window, listed or not. */
  total: number;
}

/**
 * The runs of `cron` in `timeZone` within the half-open window `[start, end)`:
 * the first `limit` of them, ascending, and how many there are in all — the
 * rest are counted, never listed, so memory stays bounded whatever the window
 * and the cron (a `* * * * *` cron fires 527,040 times in 366 days). The same
 * daylight-saving rules as {@link runsBetween}. Throws `RangeError` for an
 * invalid cron or zone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runsInWindow } from "../../mod.ts";
 *
 * const { runs, total } = runsInWindow(
 *   "* * * * *",
 *   "UTC",
 *   new Date("2026-01-01T00:00:00Z"),
 *   new Date("2027-01-01T00:00:00Z"),
 *   2,
 * );
 * assert.deepEqual(runs.map((d) => d.toISOString()), [
 *   "2026-01-01T00:00:00.000Z",
 *   "2026-01-01T00:01:00.000Z",
 * ]);
 * assert.equal(total, 525_600); // every minute of the year, counted but not listed
 * ```
 */
export function runsInWindow(
  cron: string | CronSpec,
  timeZone: string,
  start: Date,
  end: Date,
  limit: number,
): WindowRuns {
  const spec = compile(cron);
  assertTimeZone(timeZone);
  const runs: Date[] = [];
  const endMs = end.getTime();
  const startMs = start.getTime();
  if (endMs <= startMs) return { runs, total: 0 };
  let lastMs = startMs - 1;
  let more = false;
  for (const t of runsAfter(spec, timeZone, startMs - 1, endMs)) {
    if (t >= endMs) break;
    if (runs.length >= limit) {
      more = true;
      break;
    }
    runs.push(new Date(t));
    lastMs = t;
  }
  return {
    runs,
    total: more ? runs.length + countRuns(spec, timeZone, lastMs + 1, endMs) : runs.length,
  };
}
