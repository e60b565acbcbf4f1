/**
 * Property test of the time engine (`core/time/runs.ts`) against an
 * independent reference written here: a plain minute-by-minute walk over real
 * instants, reading each instant's wall-clock time through `Intl` (ICU's
 * formatter, not `Temporal`), with its own cron matcher and the documented DST
 * rules applied on top:
 * - every instant whose wall time matches is a run of a `*`-minute/hour job;
 * - a fixed-time job runs at the first instant showing a matching wall time
 *   (not at a later repeat of it), and at the instant of a forward jump for
 *   every matching wall time the jump skipped.
 *
 * Cases are drawn (seeded, reproducible) so that most windows lie within a day
 * of an offset change, in zones with 1-hour, 30-minute (Lord Howe), 45-minute
 * offset (Chatham), 2-hour (Troll) and midnight (Havana, Santiago) changes.
 */
import assert from "node:assert/strict";
import { nextRuns, runsBetween } from "../core/time/runs.ts";
import { parseCron } from "../core/time/cron.ts";
import { prng } from "./_prng.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;

// --- reference: wall-clock time of an instant, via Intl --------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
function exactOffset(zone: string, ms: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** Offset of `zone` at `ms`, looked up per hour and bisected only within an hour that changes. */
class WallClock {
  private hours = new Map<number, number>();
  constructor(readonly zone: string) {}
  private atHour(h: number): number {
    let o = this.hours.get(h);
    if (o === undefined) this.hours.set(h, o = exactOffset(this.zone, h * HOUR));
    return o;
  }
  offset(ms: number): number {
    const h = Math.floor(ms / HOUR);
    const a = this.atHour(h);
    // Offset changes are at least hours apart, so equal ends mean no change inside.
    if (a === this.atHour(h + 1)) return a;
    return exactOffset(this.zone, ms);
  }
  /** Wall time as a UTC-based ms value (its getUTC* fields are the local fields). */
  wall(ms: number): number {
    return ms + this.offset(ms);
  }
}

// --- reference: its own cron matcher ---------------------------------------

interface RefCron {
  sets: Set<number>[];
  domStar: boolean;
  dowStar: boolean;
  fixed: boolean;
}

const NAMES: Record<string, number> = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
  SUN: 0,
  MON: 1,
  TUE: 2,
  WED: 3,
  THU: 4,
  FRI: 5,
  SAT: 6,
}; // deno-fmt-ignore-line
const BOUNDS: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

function refCron(expr: string): RefCron {
  const fields = expr.trim().split(/\s+/);
  const sets = fields.map((field, i) => {
    const [min, max] = BOUNDS[i];
    const out = new Set<number>();
    for (const item of field.split(",")) {
      const [range, stepText] = item.split("/");
      const step = stepText ? Number(stepText) : 1;
      let lo = min, hi = i === 4 ? 6 : max;
      if (range !== "*") {
        const [a, b] = range.split("-").map((t) => NAMES[t.toUpperCase()] ?? Number(t));
        lo = a;
        hi = b ?? (stepText ? max : a);
      }
      for (let v = lo; v <= hi; v += step) out.add(i === 4 && v === 7 ? 0 : v);
    }
    return out;
  });
  return {
    sets,
    domStar: fields[2] === "*",
    dowStar: fields[4] === "*",
    fixed: !fields[0].startsWith("*") && !fields[1].startsWith("*"),
  };
}

function refMatches(c: RefCron, wall: number): boolean {
  const d = new Date(wall);
  if (!c.sets[0].has(d.getUTCMinutes()) || !c.sets[1].has(d.getUTCHours())) return false;
  if (!c.sets[3].has(d.getUTCMonth() + 1)) return false;
  const dom = c.sets[2].has(d.getUTCDate());
  const dow = c.sets[4].has(d.getUTCDay());
  if (c.domStar) return dow;
  if (c.dowStar) return dom;
  return dom || dow;
}

/** Runs in [start, end) by walking every minute. */
function referenceRuns(expr: string, zone: string, start: number, end: number): number[] {
  const c = refCron(expr);
  const clock = new WallClock(zone);
  const runs = new Set<number>();
  let t = Math.ceil(start / MINUTE) * MINUTE;
  let prevWall = clock.wall(t - MINUTE);
  for (; t < end; t += MINUTE) {
    const wall = clock.wall(t);
    if (c.fixed && wall - prevWall > MINUTE) {
      // The clock jumped forward: every skipped wall time that matches runs now.
      for (let w = prevWall + MINUTE; w < wall; w += MINUTE) {
        if (refMatches(c, w)) runs.add(t);
      }
    }
    if (refMatches(c, wall)) {
      if (!c.fixed) runs.add(t);
      else {
        // First occurrence only: no earlier instant (within 3 h) showed this wall time.
        let repeat = false;
        for (let k = 1; k <= 180 && !repeat; k++) repeat = clock.wall(t - k * MINUTE) === wall;
        if (!repeat) runs.add(t);
      }
    }
    prevWall = wall;
  }
  return [...runs].sort((a, b) => a - b);
}

// --- case generation --------------------------------------------------------

const ZONES = [
  "America/New_York",
  "Europe/London",
  "Europe/Berlin",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "America/Havana",
  "America/Santiago",
  "Antarctica/Troll",
  "Australia/Adelaide",
  "America/St_Johns",
  "Asia/Kolkata",
  "UTC",
  // Negative DST and Ramadan pauses (Casablanca), several changes a year
  // (Gaza), a 45-minute offset without DST (Eucla), a zone that stopped DST.
  "Africa/Casablanca",
  "Asia/Gaza",
  "Europe/Dublin",
  "Australia/Eucla",
  "America/Sao_Paulo",
];

const MINUTES = [
  "0",
  "30",
  "*/15",
  "*",
  "0,30",
  "45",
  "5-50/15",
  "59",
  "*/7",
  "15/20",
  "1-5",
  "*/30",
];
const HOURS = ["*", "1", "2", "1-3", "0", "23", "*/2", "9", "0-3", "1,2", "2-3", "*/3", "3"];
const DOMS = ["*", "*", "*", "*", "1", "1-7", "*/2", "31", "15", "29"];
const MONTHS = ["*", "*", "*", "*", "3", "10-12", "*/3", "MAR,APR,OCT,NOV"];
const DOWS = ["*", "*", "*", "*", "0", "SUN-SUN", "0-SUN", "1-5", "MON", "7", "*/2", "SAT,SUN"];

function transitions(zone: string, from: string, to: string): number[] {
  const out: number[] = [];
  let z: Temporal.ZonedDateTime | null = Temporal.Instant.from(from).toZonedDateTimeISO(zone);
  const end = Temporal.Instant.from(to).epochMilliseconds;
  while (z && z.epochMilliseconds < end) {
    z = z.getTimeZoneTransition("next");
    if (z && z.epochMilliseconds < end) out.push(z.epochMilliseconds);
  }
  return out;
}

interface Case {
  cron: string;
  zone: string;
  start: number;
  hours: number;
}

function drawCases(seed: number, n: number): Case[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const near = new Map(
    ZONES.map((z) => [z, transitions(z, "2024-01-01T00:00:00Z", "2031-01-01T00:00:00Z")]),
  );
  const lo = Date.parse("2024-06-01T00:00:00Z");
  const hi = Date.parse("2030-06-01T00:00:00Z");
  const cases: Case[] = [];
  while (cases.length < n) {
    const zone = pick(ZONES);
    const cron = [pick(MINUTES), pick(HOURS), pick(DOMS), pick(MONTHS), pick(DOWS)].join(" ");
    if (!parseCron(cron).ok) continue; // e.g. day 31 in a month list without one
    const changes = near.get(zone)!;
    const base = changes.length > 0 && rand() < 0.75
      ? pick(changes) + Math.floor((rand() * 2 - 1) * 24 * HOUR)
      : lo + Math.floor(rand() * (hi - lo));
    // Start anywhere within a minute, not only on minute boundaries.
    const start = base - (base % 1000) + (rand() < 0.5 ? 0 : Math.floor(rand() * 60) * 1000);
    cases.push({ cron, zone, start, hours: rand() < 0.8 ? 30 : 24 * 8 });
  }
  return cases;
}

const SEED = Number(Deno.env.get("KAIZEN_TIME_SEED") ?? 20261122);

Deno.test(`time engine agrees with a minute-walk reference on 5,000 random cases (seed ${SEED})`, () => {
  const cases = drawCases(SEED, 5000);
  let nearChange = 0;
  let runsSeen = 0;
  for (const c of cases) {
    const end = c.start + c.hours * HOUR;
    const expected = referenceRuns(c.cron, c.zone, c.start, end);
    const got = runsBetween(c.cron, c.zone, new Date(c.start), new Date(end)).map((d) =>
      d.getTime()
    );
    const where = `${c.cron} in ${c.zone} from ${new Date(c.start).toISOString()} (+${c.hours}h)`;
    assert.deepEqual(got.map(iso), expected.map(iso), `runsBetween: ${where}`);
    // nextRuns is strictly after its instant; compare what the window covers.
    const want = expected.filter((t) => t > c.start).slice(0, 3);
    const next = nextRuns(c.cron, c.zone, new Date(c.start), 3).map((d) => d.getTime());
    assert.deepEqual(next.slice(0, want.length).map(iso), want.map(iso), `nextRuns: ${where}`);
    if (expected.length > 0) {
      // From exactly a run instant, the next run is the one after it.
      const from = expected[0];
      const later = expected.filter((t) => t > from).slice(0, 2);
      const got2 = nextRuns(c.cron, c.zone, new Date(from), later.length || 1).map((d) =>
        d.getTime()
      );
      assert.deepEqual(
        got2.slice(0, later.length).map(iso),
        later.map(iso),
        `nextRuns at a run: ${where}`,
      );
    }
    runsSeen += expected.length;
    const o0 = exactOffset(c.zone, c.start), o1 = exactOffset(c.zone, end);
    if (o0 !== o1) nearChange++;
  }
  // The draw really exercises offset changes and real runs.
  assert.ok(nearChange >= 1000, `only ${nearChange} windows contain an offset change`);
  assert.ok(runsSeen >= 5000, `only ${runsSeen} runs compared`);
});

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
