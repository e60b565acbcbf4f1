/**
 * The join: what the schedule expected against what the stream says
 * happened, one (repo, agent) at a time, as events stream in.
 *
 * The rule (docs/fleet.md):
 * - a firing is matched by the first `prepared` event of the same
 *   (repo, agent) between that firing and the next (`[f_i, f_{i+1})`);
 * - a `recorded` event closes the latest open `prepared` one before it;
 * - a firing with no match is `missed` once its grace is over (`pending`
 *   before); a prepared run not closed is `open` once its grace is over
 *   (`running` before); a match later than the grace after its firing is
 *   counted `late` as well.
 *
 * Events are joined in the order they arrive (the stream's order, which is
 * publication order): an event published long after it happened can match
 * only the current firing or a later one. Memory is bounded per row: the
 * firings are generated lazily, open runs and duplicate keys are capped.
 *
 * @module
 */
import { FiringCursor, FiringSeries, MAX_OFFSET_MS } from "./firings.ts";
import { BoundedSample } from "./sample.ts";
import type {
  DurationBin,
  FleetCounts,
  FleetDay,
  FleetRow,
  QualityTrend,
  RowStatus,
  RunOutcome,
  UnscheduledPair,
} from "./types.ts";

/** One event, reduced to what the join needs. */
export type FleetEvent =
  | { kind: "prepared"; repo: string; agent: string; at: number }
  | {
    kind: "recorded";
    repo: string;
    agent: string;
    at: number;
    success: boolean;
    timeSeconds: number;
    quality: number;
  };

/** One expected (repo, agent) run of the schedule. */
export interface ExpectedRun {
  repo: string;
  agent: string;
  /** The effective 5-field cron. */
  cron: string;
  /** IANA zone the cron is read in. */
  timezone: string;
  /** Scatter shift of every firing (ms), as `roster discover --scatter` computes it. */
  offsetMs?: number;
}

/** The window and the clock. */
export interface JoinWindow {
  /** Window start and end (epoch ms, half-open). */
  start: number;
  end: number;
  /** The time the report is for. */
  now: number;
  graceMs: number;
}

/** Open prepared runs remembered per row; older ones are settled as never closed. */
export const MAX_OPEN_PER_ROW = 10_000;
/** Recent event keys remembered per row to drop duplicates. */
export const DEDUP_KEYS_PER_ROW = 64;
/** Unscheduled (repo, agent) pairs listed (the rest are counted). */
export const MAX_UNSCHEDULED_PAIRS = 100;

const DAY = 86_400_000;

/** Upper bounds (seconds) of the run-time bins; a last bin holds everything longer. */
export const DURATION_BOUNDS: readonly number[] = [
  60,
  120,
  300,
  600,
  900,
  1200,
  1800,
  2700,
  3600,
  5400,
  7200,
  10800,
  14400,
  21600,
];

function dayOf(ms: number): string {
  return new Date(Math.floor(ms / DAY) * DAY).toISOString().slice(0, 10);
}

/** A running mean of quality scores. */
class Mean {
  #sum = 0;
  #n = 0;

  add(x: number): void {
    this.#sum += x;
    this.#n++;
  }

  /** The mean to 3 decimals, or null before the first value. */
  value(): number | null {
    return this.#n > 0 ? round(this.#sum / this.#n, 3) : null;
  }
}

/** Running sums shared by rows and the total. */
class Tally {
  expected = 0;
  prepared = 0;
  closed_ok = 0;
  closed_failed = 0;
  open = 0;
  running = 0;
  missed = 0;
  pending = 0;
  late = 0;
  unscheduled = 0;
  unmatched_records = 0;
  readonly times = new BoundedSample();
  /** Quality over the window, and over each half of it (the trend). */
  readonly q = new Mean();
  readonly q1 = new Mean();
  readonly q2 = new Mean();
  lastAt = -Infinity;
  lastOutcome: RunOutcome = "running";

  /** Counts a closed run. */
  close(
    ev: { success: boolean; timeSeconds: number; quality: number },
    firstHalf: boolean,
    preparedAt: number,
    outcome: RunOutcome,
  ): void {
    if (ev.success) this.closed_ok++;
    else this.closed_failed++;
    this.times.add(ev.timeSeconds);
    this.q.add(ev.quality);
    (firstHalf ? this.q1 : this.q2).add(ev.quality);
    if (this.lastAt === preparedAt) this.lastOutcome = outcome;
  }

  quality(): QualityTrend {
    const first = this.q1.value();
    const second = this.q2.value();
    const trend = first === null || second === null
      ? null
      : second - first > 0.05
      ? "up"
      : first - second > 0.05
      ? "down"
      : "flat";
    return { mean: this.q.value(), first_half: first, second_half: second, trend };
  }

  counts(): FleetCounts {
    const closed = this.closed_ok + this.closed_failed;
    return {
      expected: this.expected,
      prepared: this.prepared,
      closed_ok: this.closed_ok,
      closed_failed: this.closed_failed,
      open: this.open,
      running: this.running,
      missed: this.missed,
      pending: this.pending,
      late: this.late,
      unscheduled: this.unscheduled,
      unmatched_records: this.unmatched_records,
      success_rate: closed > 0 ? round(this.closed_ok / closed, 4) : null,
      time_p50_seconds: this.times.quantile(0.5),
      time_p90_seconds: this.times.quantile(0.9),
      quality: this.quality(),
      last_run: this.lastAt === -Infinity
        ? null
        : { at: new Date(this.lastAt).toISOString(), outcome: this.lastOutcome },
    };
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

interface OpenRun {
  at: number;
}

class Row {
  readonly tally = new Tally();
  readonly #firings: FiringCursor;
  /** The firing whose interval `[cur, next)` events are matched against. */
  cur: number;
  next: number;
  curMatched = false;
  readonly openRuns: OpenRun[] = [];
  /** The last event keys (NaN: empty; NaN never equals a key). */
  readonly keys: Float64Array = new Float64Array(DEDUP_KEYS_PER_ROW).fill(NaN);
  keyAt = 0;

  constructor(readonly run: ExpectedRun, readonly join: FleetJoin) {
    this.#firings = new FiringCursor(
      join.series(run.cron, run.timezone),
      run.offsetMs ?? 0,
      join.window.start,
    );
    this.cur = this.#pull();
    this.next = this.#pull();
  }

  #pull(): number {
    return this.#firings.next();
  }

  /** Settles the current firing and moves to the next one. */
  advance(): void {
    const w = this.join.window;
    if (this.cur < w.end) {
      this.tally.expected++;
      this.join.total.expected++;
      if (!this.curMatched) {
        if (this.cur + w.graceMs <= w.now) {
          this.tally.missed++;
          this.join.total.missed++;
          this.join.day(this.cur, this.run.agent).missed++;
        } else {
          this.tally.pending++;
          this.join.total.pending++;
        }
      }
    }
    this.cur = this.next;
    this.next = this.#pull();
    this.curMatched = false;
  }

  /** True when the event was seen already (a duplicate publish). */
  duplicate(key: number): boolean {
    // A linear scan of a small ring beats a Set here: no hashing, no allocation.
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return true;
    keys[this.keyAt] = key;
    this.keyAt = (this.keyAt + 1) % DEDUP_KEYS_PER_ROW;
    return false;
  }
}

/**
 * The streaming join. Feed it events with {@link FleetJoin.add} in the
 * order the stream delivers them, then call {@link FleetJoin.finish} once.
 *
 * @example
 * ```ts
 * const join = new FleetJoin(
 *   { start: Date.parse("2026-11-23T00:00:00Z"), end: Date.parse("2026-11-30T00:00:00Z"),
 *     now: Date.parse("2026-11-30T00:00:00Z"), graceMs: 6 * 3_600_000 },
 *   [{ repo: "web", agent: "coach", cron: "0 9 * * 1", timezone: "UTC" }],
 * );
 * join.add({ kind: "prepared", repo: "web", agent: "coach", at: Date.parse("2026-11-23T09:01:00Z") });
 * join.finish().rows[0].open; // 1
 * ```
 */
export class FleetJoin {
  readonly total: Tally = new Tally();
  /** repo → agent → row (no key string built per event). */
  readonly #rows = new Map<string, Map<string, Row>>();
  /** agent → UTC day number → counts. */
  readonly #days = new Map<string, Map<number, FleetDay>>();
  readonly #unscheduled = new Map<string, UnscheduledPair>();
  readonly #durations = new Map<string, number[]>();
  readonly #series = new Map<string, FiringSeries>();
  unscheduledEvents = 0;
  duplicates = 0;
  outsideWindow = 0;
  joined = 0;
  readonly #mid: number;
  readonly #horizon: number;

  constructor(readonly window: JoinWindow, expected: Iterable<ExpectedRun>) {
    for (const run of expected) {
      let agents = this.#rows.get(run.repo);
      if (!agents) {
        agents = new Map();
        this.#rows.set(run.repo, agents);
      }
      if (!agents.has(run.agent)) agents.set(run.agent, new Row(run, this));
    }
    this.#mid = this.window.start + (this.window.end - this.window.start) / 2;
    this.#horizon = readHorizon(this.window);
  }

  /** The shared firing series of (cron, zone), from early enough for any shift. */
  series(cron: string, timezone: string): FiringSeries {
    const key = `${cron}\u0000${timezone}`;
    let s = this.#series.get(key);
    if (!s) {
      s = new FiringSeries(cron, timezone, this.window.start - MAX_OFFSET_MS);
      this.#series.set(key, s);
    }
    return s;
  }

  /** The per-day entry of `agent` on the UTC day of `ms` (its date is filled in at the end). */
  day(ms: number, agent: string): FleetDay {
    let byDay = this.#days.get(agent);
    if (!byDay) {
      byDay = new Map();
      this.#days.set(agent, byDay);
    }
    const n = Math.floor(ms / DAY);
    let d = byDay.get(n);
    if (!d) {
      d = { date: "", agent, prepared: 0, closed_ok: 0, closed_failed: 0, missed: 0 };
      byDay.set(n, d);
    }
    return d;
  }

  /** Joins one event. */
  add(ev: FleetEvent): void {
    const w = this.window;
    if (!(ev.at >= w.start && ev.at < this.#horizon)) {
      this.outsideWindow++;
      return;
    }
    const row = this.#rows.get(ev.repo)?.get(ev.agent);
    if (!row) {
      this.#unscheduledEvent(ev);
      return;
    }
    // A duplicate is the same kind of event of the same (repo, agent) at the
    // same millisecond (with the same outcome, for a record).
    const key = ev.kind === "prepared" ? ev.at * 4 + 2 : ev.at * 4 + (ev.success ? 1 : 0);
    if (row.duplicate(key)) {
      this.duplicates++;
      return;
    }
    if (ev.kind === "prepared") this.#prepared(row, ev.at);
    else this.#recorded(row, ev);
  }

  #prepared(row: Row, at: number): void {
    const w = this.window;
    while (row.next <= at) row.advance();
    const matches = row.cur <= at && at < row.next && !row.curMatched && row.cur < w.end;
    if (matches) {
      row.curMatched = true;
      if (at >= row.cur + w.graceMs) {
        row.tally.late++;
        this.total.late++;
      }
    } else if (at >= w.end) {
      // After the window, only a run that answers one of its firings counts.
      this.outsideWindow++;
      return;
    } else {
      row.tally.unscheduled++;
      this.total.unscheduled++;
    }
    this.joined++;
    row.tally.prepared++;
    this.total.prepared++;
    this.day(at, row.run.agent).prepared++;
    row.openRuns.push({ at });
    if (row.openRuns.length > MAX_OPEN_PER_ROW) {
      // The oldest open run is closed only after every later one: give it up.
      this.#settleOpen(row, row.openRuns.shift()!);
    }
    if (at >= row.tally.lastAt) {
      row.tally.lastAt = at;
      row.tally.lastOutcome = "running";
    }
    if (at >= this.total.lastAt) {
      this.total.lastAt = at;
      this.total.lastOutcome = "running";
    }
  }

  #recorded(row: Row, ev: Extract<FleetEvent, { kind: "recorded" }>): void {
    const open = row.openRuns;
    let i = open.length - 1;
    while (i >= 0 && open[i].at > ev.at) i--;
    if (i < 0) {
      if (ev.at < this.window.end) {
        this.joined++;
        row.tally.unmatched_records++;
        this.total.unmatched_records++;
      } else this.outsideWindow++;
      return;
    }
    const [run] = open.splice(i, 1);
    this.joined++;
    const outcome: RunOutcome = ev.success ? "ok" : "failed";
    const firstHalf = ev.at < this.#mid;
    row.tally.close(ev, firstHalf, run.at, outcome);
    this.total.close(ev, firstHalf, run.at, outcome);
    let bins = this.#durations.get(row.run.agent);
    if (!bins) {
      bins = new Array(DURATION_BOUNDS.length + 1).fill(0);
      this.#durations.set(row.run.agent, bins);
    }
    let b = 0;
    while (b < DURATION_BOUNDS.length && ev.timeSeconds > DURATION_BOUNDS[b]) b++;
    bins[b]++;
    const d = this.day(run.at, row.run.agent);
    if (ev.success) d.closed_ok++;
    else d.closed_failed++;
  }

  #settleOpen(row: Row, run: OpenRun): void {
    const open = run.at + this.window.graceMs <= this.window.now;
    for (const t of [row.tally, this.total]) {
      if (open) t.open++;
      else t.running++;
      if (t.lastAt === run.at) t.lastOutcome = open ? "open" : "running";
    }
  }

  #unscheduledEvent(ev: FleetEvent): void {
    this.unscheduledEvents++;
    const key = `${ev.repo}\u0000${ev.agent}`;
    const pair = this.#unscheduled.get(key);
    if (pair) pair.events++;
    else if (this.#unscheduled.size < MAX_UNSCHEDULED_PAIRS) {
      this.#unscheduled.set(key, { repo: ev.repo, agent: ev.agent, events: 1 });
    }
  }

  /** Settles every firing and open run; rows sorted worst first, then by repo and agent. */
  finish(): {
    rows: FleetRow[];
    total: FleetCounts;
    daily: FleetDay[];
    durations: DurationBin[];
    unscheduled: { events: number; pairs: UnscheduledPair[] };
  } {
    const rows: FleetRow[] = [];
    for (const row of [...this.#rows.values()].flatMap((m) => [...m.values()])) {
      while (row.cur < this.window.end) row.advance();
      for (const run of row.openRuns) this.#settleOpen(row, run);
      row.openRuns.length = 0;
      const counts = row.tally.counts();
      rows.push({
        repo: row.run.repo,
        agent: row.run.agent,
        cron: row.run.cron,
        timezone: row.run.timezone,
        status: rowStatus(counts),
        ...counts,
      });
    }
    rows.sort(compareRows);
    const daily: FleetDay[] = [];
    for (const byDay of this.#days.values()) {
      for (const [n, d] of byDay) daily.push({ ...d, date: dayOf(n * DAY) });
    }
    daily.sort((a, b) => cmp(a.date, b.date) || cmp(a.agent, b.agent));
    const pairs = [...this.#unscheduled.values()].sort((a, b) =>
      cmp(a.repo, b.repo) || cmp(a.agent, b.agent)
    );
    const durations: DurationBin[] = [];
    for (const agent of [...this.#durations.keys()].sort(cmp)) {
      this.#durations.get(agent)!.forEach((runs, i) =>
        durations.push({ agent, upper_seconds: DURATION_BOUNDS[i] ?? null, runs })
      );
    }
    return {
      rows,
      total: this.total.counts(),
      daily,
      durations,
      unscheduled: { events: this.unscheduledEvents, pairs },
    };
  }
}

/**
 * Events are joined until the window's end plus the grace (a run prepared
 * at the end of the window has its grace to close), but never past `now`.
 */
export function readHorizon(w: JoinWindow): number {
  return Math.min(w.now, w.end + w.graceMs);
}

/** The worst thing a row shows: missed, then failed, then open. */
export function rowStatus(c: FleetCounts): RowStatus {
  if (c.missed > 0) return "missed";
  if (c.closed_failed > 0) return "failed";
  if (c.open > 0) return "open";
  return "ok";
}

const STATUS_ORDER: Record<RowStatus, number> = { missed: 0, failed: 1, open: 2, ok: 3 };

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRows(a: FleetRow, b: FleetRow): number {
  return STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || cmp(a.repo, b.repo) ||
    cmp(a.agent, b.agent);
}
