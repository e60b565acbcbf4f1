/** Time zones (`core/time/timezone.ts`) and next-run arithmetic (`core/time/next_run.ts`). */
import assert from "node:assert/strict";
import { formatInZone, formatUtc, hostTimeZone, isValidTimeZone } from "../core/time/timezone.ts";
import { effectiveCron } from "../core/time/next_run.ts";
import { nextRuns } from "../core/time/runs.ts";

// --- isValidTimeZone -------------------------------------------------------

for (
  const tz of [
    "Europe/Berlin",
    "UTC",
    "Etc/UTC",
    "America/New_York",
    "America/Argentina/Buenos_Aires",
    "Asia/Kolkata",
    "Etc/GMT+1",
  ]
) {
  Deno.test(`isValidTimeZone accepts ${tz}`, () => assert.equal(isValidTimeZone(tz), true));
}

for (
  const tz of [
    "Mars/Base",
    "+01:00",
    "-05:00",
    "",
    " UTC",
    "Europe/Berlin ",
    "Europe/Berlin/",
    "../etc/passwd",
    "Europe//Berlin",
    "Not A Zone",
  ]
) {
  Deno.test(`isValidTimeZone rejects ${JSON.stringify(tz)}`, () => {
    assert.equal(isValidTimeZone(tz), false);
  });
}

// IANA names are case-sensitive: zoneinfo files on Linux (Python's zoneinfo,
// Go's time.LoadLocation) cannot find "europe/berlin", so an orchestrator
// reading the manifest would fail on a zone kaizen accepted.
Deno.test("isValidTimeZone rejects miscased zone names (europe/berlin)", () => {
  for (const tz of ["europe/berlin", "EUROPE/BERLIN", "america/new_york", "utc"]) {
    assert.equal(isValidTimeZone(tz), false, tz);
  }
});

Deno.test("hostTimeZone is undefined or a valid zone", () => {
  const tz = hostTimeZone();
  assert.ok(tz === undefined || isValidTimeZone(tz), String(tz));
});

// --- formatInZone / formatUtc ----------------------------------------------

const FORMAT_CASES: [instant: string, tz: string, expected: string][] = [
  // Europe/Berlin springs forward 2026-03-29 01:00Z (02:00 CET → 03:00 CEST).
  ["2026-03-29T00:59:59Z", "Europe/Berlin", "2026-03-29T01:59:59+01:00"],
  ["2026-03-29T01:00:00Z", "Europe/Berlin", "2026-03-29T03:00:00+02:00"],
  // ...and falls back 2026-10-25 01:00Z: 02:30 local happens twice.
  ["2026-10-25T00:30:00Z", "Europe/Berlin", "2026-10-25T02:30:00+02:00"],
  ["2026-10-25T01:30:00Z", "Europe/Berlin", "2026-10-25T02:30:00+01:00"],
  ["2026-11-23T08:00:00Z", "Europe/Berlin", "2026-11-23T09:00:00+01:00"],
  // America/New_York: 2026-03-08 07:00Z and 2026-11-01 06:00Z.
  ["2026-03-08T06:59:59Z", "America/New_York", "2026-03-08T01:59:59-05:00"],
  ["2026-03-08T07:00:00Z", "America/New_York", "2026-03-08T03:00:00-04:00"],
  ["2026-11-01T05:30:00Z", "America/New_York", "2026-11-01T01:30:00-04:00"],
  ["2026-11-01T06:30:00Z", "America/New_York", "2026-11-01T01:30:00-05:00"],
  // Non-hour offsets, UTC as Z, milliseconds dropped, a date-line crossing.
  ["2026-06-01T12:00:00.999Z", "Asia/Kolkata", "2026-06-01T17:30:00+05:30"],
  ["2026-06-01T12:00:00Z", "Asia/Kathmandu", "2026-06-01T17:45:00+05:45"],
  ["2026-06-01T12:00:00Z", "America/St_Johns", "2026-06-01T09:30:00-02:30"],
  ["2026-06-01T12:00:00Z", "Pacific/Chatham", "2026-06-02T00:45:00+12:45"],
  ["2026-06-01T12:00:00Z", "UTC", "2026-06-01T12:00:00Z"],
  ["1969-12-31T23:59:58.500Z", "Europe/Berlin", "1970-01-01T00:59:58+01:00"],
  ["2026-01-01T00:00:00Z", "America/New_York", "2025-12-31T19:00:00-05:00"],
];

for (const [instant, tz, expected] of FORMAT_CASES) {
  Deno.test(`formatInZone ${instant} in ${tz}`, () => {
    assert.equal(formatInZone(new Date(instant), tz), expected);
  });
}

Deno.test("formatInZone is the same instant as the input", () => {
  for (const [instant, tz] of FORMAT_CASES) {
    const back = new Date(formatInZone(new Date(instant), tz)).getTime();
    assert.equal(back, Math.floor(new Date(instant).getTime() / 1000) * 1000, `${instant} ${tz}`);
  }
});

Deno.test("formatUtc drops milliseconds and ends in Z", () => {
  assert.equal(formatUtc(new Date("2026-11-23T08:00:00.123Z")), "2026-11-23T08:00:00Z");
  assert.equal(formatUtc(new Date("2026-11-23T08:00:00Z")), "2026-11-23T08:00:00Z");
  assert.equal(formatUtc(new Date(0)), "1970-01-01T00:00:00Z");
});

// --- effectiveCron / nextRuns ----------------------------------------------

Deno.test("effectiveCron: the override wins, else the documented cadence default", () => {
  assert.deepEqual(effectiveCron({ cadence: "daily", enabled: true }), {
    cron: "0 9 * * *",
    source: "cadence",
  });
  assert.deepEqual(effectiveCron({ cadence: "weekly", enabled: true }), {
    cron: "0 9 * * 1",
    source: "cadence",
  });
  assert.deepEqual(effectiveCron({ cadence: "monthly", enabled: false }), {
    cron: "0 9 1 * *",
    source: "cadence",
  });
  assert.deepEqual(effectiveCron({ cadence: "daily", enabled: true, cron: "5 4 * * *" }), {
    cron: "5 4 * * *",
    source: "cron",
  });
});

async function runs(cron: string, tz: string, after: string, count = 1): Promise<string[]> {
  return (await nextRuns(cron, tz, new Date(after), count)).map(formatUtc);
}

Deno.test("nextRuns: weekly Monday 09:00 Berlin from a Sunday in November", async () => {
  assert.deepEqual(await runs("0 9 * * 1", "Europe/Berlin", "2026-11-22T12:00:00Z"), [
    "2026-11-23T08:00:00Z",
  ]);
});

Deno.test("nextRuns: daily 09:00 Berlin across the March DST change", async () => {
  assert.deepEqual(await runs("0 9 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", 3), [
    "2026-03-29T07:00:00Z",
    "2026-03-30T07:00:00Z",
    "2026-03-31T07:00:00Z",
  ]);
});

Deno.test("nextRuns: daily 09:00 Berlin across the October DST change", async () => {
  assert.deepEqual(await runs("0 9 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", 3), [
    "2026-10-25T08:00:00Z",
    "2026-10-26T08:00:00Z",
    "2026-10-27T08:00:00Z",
  ]);
});

Deno.test("nextRuns: weekdays 09:00 New York across its March DST change", async () => {
  assert.deepEqual(await runs("0 9 * * 1-5", "America/New_York", "2026-03-06T12:00:00Z", 3), [
    "2026-03-06T14:00:00Z",
    "2026-03-09T13:00:00Z",
    "2026-03-10T13:00:00Z",
  ]);
});

Deno.test("nextRuns: a wall time skipped by spring-forward still runs that day", async () => {
  const [first] = await nextRuns("30 2 * * *", "Europe/Berlin", new Date("2026-03-28T12:00:00Z"));
  assert.equal(formatInZone(first, "Europe/Berlin").slice(0, 10), "2026-03-29");
});

Deno.test("nextRuns is strictly after the given instant", async () => {
  assert.deepEqual(await runs("0 9 * * 1", "UTC", "2026-11-23T09:00:00Z"), [
    "2026-11-30T09:00:00Z",
  ]);
});

Deno.test("nextRuns: day-of-month and day-of-week are ORed, as in standard cron", async () => {
  assert.deepEqual(await runs("0 9 1 * 1", "UTC", "2026-11-22T12:00:00Z", 3), [
    "2026-11-23T09:00:00Z",
    "2026-11-30T09:00:00Z",
    "2026-12-01T09:00:00Z",
  ]);
});

Deno.test("nextRuns: names, day-of-week 7 and leap days", async () => {
  assert.deepEqual(await runs("0 9 * JAN MON-FRI", "UTC", "2026-11-22T12:00:00Z"), [
    "2027-01-01T09:00:00Z",
  ]);
  assert.deepEqual(await runs("0 9 * * 7", "UTC", "2026-11-22T12:00:00Z"), [
    "2026-11-29T09:00:00Z",
  ]);
  assert.deepEqual(await runs("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z"), [
    "2028-02-29T00:00:00Z",
  ]);
});
