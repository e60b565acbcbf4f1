/**
 * The fleet join rule (docs/fleet.md), event by event, without a server.
 */
import assert from "node:assert/strict";
import { type ExpectedRun, type FleetEvent, FleetJoin } from "../core/fleet/join.ts";
import { parseFleetMessage } from "../core/fleet/event.ts";

const H = 3_600_000;
const t = (iso: string) => Date.parse(iso);
const WEEKLY: ExpectedRun = { repo: "web", agent: "coach", cron: "0 9 * * 1", timezone: "UTC" };

function run(events: FleetEvent[], opts: {
  start?: string;
  end?: string;
  now?: string;
  graceH?: number;
  expected?: ExpectedRun[];
} = {}) {
  const join = new FleetJoin({
    start: t(opts.start ?? "2026-11-16T00:00:00Z"),
    end: t(opts.end ?? "2026-11-30T00:00:00Z"),
    now: t(opts.now ?? opts.end ?? "2026-11-30T00:00:00Z"),
    graceMs: (opts.graceH ?? 6) * H,
  }, opts.expected ?? [WEEKLY]);
  for (const e of events) join.add(e);
  return join.finish();
}
const prep = (at: string, repo = "web", agent = "coach"): FleetEvent => ({
  kind: "prepared",
  repo,
  agent,
  at: t(at),
});
const rec = (at: string, success = true, time = 60, quality = 0.8): FleetEvent => ({
  kind: "recorded",
  repo: "web",
  agent: "coach",
  at: t(at),
  success,
  timeSeconds: time,
  quality,
});

Deno.test("join: a prepared and closed run, and a firing never prepared", () => {
  const r = run([prep("2026-11-16T09:01:00Z"), rec("2026-11-16T09:20:00Z", true, 1140)]);
  const row = r.rows[0];
  assert.equal(row.expected, 2);
  assert.equal(row.prepared, 1);
  assert.equal(row.closed_ok, 1);
  assert.equal(row.missed, 1);
  assert.equal(row.status, "missed");
  assert.equal(row.success_rate, 1);
  assert.equal(row.time_p50_seconds, 1140);
  assert.deepEqual(row.last_run, { at: "2026-11-16T09:01:00.000Z", outcome: "ok" });
});

Deno.test("join: two prepares before one record — the record closes the later one", () => {
  const r = run([
    prep("2026-11-16T09:01:00Z"),
    prep("2026-11-16T09:30:00Z"),
    rec("2026-11-16T10:00:00Z", false),
    prep("2026-11-23T09:00:00Z"),
    rec("2026-11-23T09:10:00Z"),
  ]);
  const row = r.rows[0];
  assert.equal(row.prepared, 3);
  // The first firing is matched by the first prepare; the second prepare is
  // a re-run inside the same interval.
  assert.equal(row.unscheduled, 1);
  assert.equal(row.closed_failed, 1);
  assert.equal(row.closed_ok, 1);
  // The earlier prepare of the pair stays open (its grace is over).
  assert.equal(row.open, 1);
  assert.equal(row.missed, 0);
  assert.equal(row.status, "failed");
  // Which one it closed shows in the last run: the later prepare, with the record's outcome.
  const alone = run([
    prep("2026-11-16T09:01:00Z"),
    prep("2026-11-16T09:30:00Z"),
    rec("2026-11-16T10:00:00Z", false),
  ], { end: "2026-11-17T00:00:00Z" });
  assert.deepEqual(alone.rows[0].last_run, { at: "2026-11-16T09:30:00.000Z", outcome: "failed" });
  assert.equal(alone.rows[0].open, 1);
  assert.equal(alone.rows[0].unscheduled, 1);
});

Deno.test("join: a record without a prepare closes nothing", () => {
  const r = run([rec("2026-11-16T10:00:00Z"), prep("2026-11-23T09:05:00Z")]);
  const row = r.rows[0];
  assert.equal(row.unmatched_records, 1);
  assert.equal(row.closed_ok, 0);
  assert.equal(row.prepared, 1);
  assert.equal(row.missed, 1);
  assert.equal(row.open, 1);
  assert.equal(row.success_rate, null);
});

Deno.test("join: a firing at a DST change (skipped 02:30 runs at the jump, once)", () => {
  // Europe/Berlin springs forward on 2026-03-29 at 01:00Z (02:00 → 03:00 local):
  // a 02:30 job runs at 03:00 CEST = 01:00Z that day, 01:30Z the days around.
  const daily: ExpectedRun = {
    repo: "web",
    agent: "coach",
    cron: "30 2 * * *",
    timezone: "Europe/Berlin",
  };
  const r = run([
    prep("2026-03-28T01:31:00Z"),
    prep("2026-03-29T01:00:30Z"),
    prep("2026-03-30T00:31:00Z"),
  ], {
    start: "2026-03-28T00:00:00Z",
    end: "2026-03-31T00:00:00Z",
    expected: [daily],
  });
  const row = r.rows[0];
  assert.equal(row.expected, 3);
  assert.equal(row.prepared, 3);
  assert.equal(row.missed, 0);
  assert.equal(row.unscheduled, 0);
  assert.equal(row.late, 0);
});

Deno.test("join: a firing at a DST change (fall back: an hourly job fires twice in the repeated hour)", () => {
  // America/New_York falls back on 2026-11-01 at 06:00Z: 01:00 local is 05:00Z and 06:00Z.
  const hourly: ExpectedRun = {
    repo: "web",
    agent: "coach",
    cron: "0 1 * * *",
    timezone: "America/New_York",
  };
  // "0 1" is a fixed time: once, at the first 01:00.
  const r = run([prep("2026-11-01T05:02:00Z")], {
    start: "2026-11-01T00:00:00Z",
    end: "2026-11-02T00:00:00Z",
    expected: [hourly],
  });
  assert.equal(r.rows[0].expected, 1);
  assert.equal(r.rows[0].missed, 0);
  const every: ExpectedRun = { ...hourly, cron: "0 * * * *" };
  const r2 = run([], {
    start: "2026-11-01T04:30:00Z",
    end: "2026-11-01T07:30:00Z",
    expected: [every],
  });
  // 05:00Z (01:00 EDT), 06:00Z (01:00 EST), 07:00Z (02:00 EST).
  assert.equal(r2.rows[0].expected, 3);
});

Deno.test("join: grace — pending and running before it ends, missed and open after", () => {
  const events = [prep("2026-11-23T09:01:00Z")];
  const early = run(events, { now: "2026-11-23T10:00:00Z" });
  assert.equal(early.rows[0].running, 1);
  assert.equal(early.rows[0].open, 0);
  const late = run(events, { now: "2026-11-23T16:00:00Z" });
  assert.equal(late.rows[0].open, 1);
  const none = run([], { start: "2026-11-23T00:00:00Z", now: "2026-11-23T10:00:00Z" });
  assert.equal(none.rows[0].pending, 1);
  assert.equal(none.rows[0].missed, 0);
});

Deno.test("join: a prepare later than the grace still matches, and is counted late", () => {
  const r = run([prep("2026-11-17T12:00:00Z"), rec("2026-11-17T12:30:00Z")]);
  assert.equal(r.rows[0].late, 1);
  assert.equal(r.rows[0].unscheduled, 0);
  assert.equal(r.rows[0].missed, 1); // the 23rd
});

Deno.test("join: duplicates, events outside the window and unknown pairs", () => {
  const r = run([
    prep("2026-11-16T09:01:00Z"),
    prep("2026-11-16T09:01:00Z"),
    rec("2026-11-16T09:20:00Z"),
    rec("2026-11-16T09:20:00Z"),
    prep("2026-11-10T09:00:00Z"),
    prep("2026-12-10T09:00:00Z"),
    prep("2026-11-16T09:00:00Z", "ghost", "coach"),
  ]);
  const row = r.rows[0];
  assert.equal(row.prepared, 1);
  assert.equal(row.closed_ok, 1);
  assert.deepEqual(r.unscheduled, {
    events: 1,
    pairs: [{ repo: "ghost", agent: "coach", events: 1 }],
  });
});

Deno.test("join: quality trend compares the window's halves", () => {
  const r = run([
    prep("2026-11-16T09:01:00Z"),
    rec("2026-11-16T09:20:00Z", true, 60, 0.9),
    prep("2026-11-23T09:01:00Z"),
    rec("2026-11-23T09:20:00Z", false, 120, 0.4),
  ]);
  assert.deepEqual(r.rows[0].quality, {
    mean: 0.65,
    first_half: 0.9,
    second_half: 0.4,
    trend: "down",
  });
  assert.equal(r.rows[0].success_rate, 0.5);
  assert.equal(r.rows[0].time_p90_seconds, 120);
  assert.equal(r.total.closed_failed, 1);
});

Deno.test("join: rows with misses and failures come first", () => {
  const r = run([
    prep("2026-11-16T09:01:00Z", "a"),
    prep("2026-11-23T09:01:00Z", "a"),
    prep("2026-11-16T09:01:00Z", "b"),
    { ...rec("2026-11-16T09:30:00Z", false), repo: "b" },
    prep("2026-11-23T09:01:00Z", "b"),
    { ...rec("2026-11-23T09:30:00Z", true), repo: "b" },
    prep("2026-11-16T09:01:00Z", "d"),
    { ...rec("2026-11-16T09:30:00Z", true), repo: "d" },
    prep("2026-11-23T09:01:00Z", "d"),
    { ...rec("2026-11-23T09:30:00Z", true), repo: "d" },
  ], {
    expected: ["d", "c", "b", "a"].map((repo) => ({ ...WEEKLY, repo })),
  });
  assert.deepEqual(r.rows.map((x) => [x.repo, x.status]), [
    ["c", "missed"],
    ["b", "failed"],
    ["a", "open"],
    ["d", "ok"],
  ]);
});

Deno.test("parseFleetMessage: keeps what the join needs and refuses the rest", () => {
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  assert.deepEqual(
    parseFleetMessage(
      "kaizen.metrics.recorded",
      enc({
        repo: "web",
        agent: "coach",
        occurred_at: "2026-11-16T09:20:00Z",
        success: false,
        time_seconds: 5,
        quality: 0.5,
      }),
    ),
    {
      kind: "event",
      event: {
        kind: "recorded",
        repo: "web",
        agent: "coach",
        at: t("2026-11-16T09:20:00Z"),
        success: false,
        timeSeconds: 5,
        quality: 0.5,
      },
    },
  );
  assert.equal(parseFleetMessage("kaizen.schedule.prepared", enc([1])).kind, "invalid");
  assert.equal(
    parseFleetMessage("kaizen.schedule.prepared", new TextEncoder().encode("nope")).kind,
    "invalid",
  );
  assert.equal(
    parseFleetMessage(
      "kaizen.metrics.recorded",
      enc({
        repo: "w",
        agent: "a",
        occurred_at: "2026-11-16T09:20:00Z",
        success: true,
        time_seconds: 1,
        quality: 7,
      }),
    ).kind,
    "invalid",
  );
  assert.equal(parseFleetMessage("kaizen.agent.installed", enc({})).kind, "other");
});
