/**
 * Issue 19: `schedule list --count 5` silently returned 2 runs for
 * `0 9 29 2 *` (a nine-year search horizon the docs did not mention), and
 * `--count 1000` said 1000 and returned 470 for a weekly cron. The horizon
 * now counts from the last run found, so a cron that validates always yields
 * the runs asked for; the listing carries `complete` per agent and
 * `horizon_days`, and says so on stderr when a search does stop early.
 */
import assert from "node:assert/strict";
import { ScheduleListModel } from "../core/manifest/listing_model.ts";
import { incompleteNotice, listSchedule } from "../core/manifest/listing.ts";
import { parseCron } from "../core/time/cron.ts";
import { HORIZON_DAYS, nextRuns } from "../core/time/runs.ts";
import { cliTest, runCli, tempRepo } from "./_cli.ts";

function manifest(cron: string): string {
  return [
    'version: "1"',
    "timezone: Europe/Berlin",
    "agents:",
    "  coach:",
    "    cadence: monthly",
    `    cron: "${cron}"`,
    "",
  ].join("\n");
}

const NOW = "2026-12-06T00:00:00Z";

cliTest("list horizon: --count 5 of '0 9 29 2 *' gives five leap days, complete", async (e) => {
  const dir = await tempRepo({ ".kaizen/schedule.yml": manifest("0 9 29 2 *") });
  try {
    const r = await runCli(e, [
      "schedule",
      "list",
      "--target",
      dir,
      "--count",
      "5",
      "--now",
      NOW,
      "--format",
      "json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const list = ScheduleListModel.parse(JSON.parse(r.stdout));
    assert.equal(list.horizon_days, HORIZON_DAYS);
    const coach = list.agents[0];
    assert.equal(coach.complete, true);
    assert.deepEqual(coach.next_runs.map((x) => x.utc), [
      "2028-02-29T08:00:00Z",
      "2032-02-29T08:00:00Z",
      "2036-02-29T08:00:00Z",
      "2040-02-29T08:00:00Z",
      "2044-02-29T08:00:00Z",
    ]);
    // The table lists them too, and says nothing on stderr.
    const t = await runCli(e, ["schedule", "list", "--target", dir, "--count", "5", "--now", NOW]);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stderr, "");
    assert.equal(t.stdout.match(/-02-29T09:00:00\+01:00/g)?.length, 5);
    assert.doesNotMatch(t.stdout, /no run within/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

cliTest("list horizon: --count 1000 of a weekly cron gives 1000 runs (was 470)", async (e) => {
  const dir = await tempRepo({ ".kaizen/schedule.yml": manifest("0 9 * * 1") });
  try {
    const r = await runCli(e, [
      "schedule",
      "list",
      "--target",
      dir,
      "--count",
      "1000",
      "--now",
      NOW,
      "--format",
      "json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const list = ScheduleListModel.parse(JSON.parse(r.stdout));
    const coach = list.agents[0];
    assert.equal(list.count, 1000);
    assert.equal(coach.next_runs.length, 1000);
    assert.equal(coach.complete, true);
    assert.equal(coach.next_runs[0].utc, "2026-12-07T08:00:00Z");
    // 999 weeks later (Temporal: 2026-12-07 + 6993 days).
    assert.equal(coach.next_runs[999].local, "2046-01-29T09:00:00+01:00");
    // --count is capped at 1000, as documented.
    const over = await runCli(e, ["schedule", "list", "--target", dir, "--count", "1001"]);
    assert.equal(over.code, 2);
    assert.match(over.stderr, /1000/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("list horizon: a search that finds no run within the horizon says where it stopped", () => {
  // Only a hand-built spec can do this: parseCron refuses 30 February.
  const parsed = parseCron("0 9 29 2 *");
  assert.ok(parsed.ok);
  const days = [...parsed.spec.daysOfMonth];
  days[29] = false;
  days[30] = true;
  const never = { ...parsed.spec, daysOfMonth: days, source: "0 9 30 2 *" };
  assert.deepEqual(nextRuns(never, "UTC", new Date(NOW), 3), []);

  const list = listSchedule(
    { version: "1", agents: { coach: { cadence: "monthly", cron: "0 9 29 2 *", enabled: true } } },
    { now: new Date(NOW), count: 3, file: "x" },
  );
  assert.equal(list.agents[0].complete, true);
  assert.equal(incompleteNotice(list.agents[0], 3, list.horizon_days), undefined);
  const cut = {
    ...list.agents[0],
    next_runs: list.agents[0].next_runs.slice(0, 2),
    complete: false,
  };
  assert.equal(
    incompleteNotice(cut, 3, HORIZON_DAYS),
    `agent 'coach': 2 of 3 runs found; the search stops after ${HORIZON_DAYS} days (9 years) without a run`,
  );
  // Disabled agents list nothing and are complete.
  const off = listSchedule(
    { version: "1", agents: { coach: { cadence: "weekly", enabled: false } } },
    { now: new Date(NOW), count: 3, file: "x", all: true },
  );
  assert.equal(off.agents[0].state, "disabled");
  assert.equal(off.agents[0].complete, true);
});

Deno.test("list horizon: the horizon counts from the last run found, not from now", () => {
  // 29 February 2096, then none until 2104 (2100 is no leap year): eight years apart.
  const runs = nextRuns("0 9 29 2 *", "UTC", new Date("2095-01-01T00:00:00Z"), 2);
  assert.deepEqual(runs.map((d) => d.toISOString()), [
    "2096-02-29T09:00:00.000Z",
    "2104-02-29T09:00:00.000Z",
  ]);
  // Far beyond nine years from now: 18 leap days to 2096, then 2104 onwards.
  const many = nextRuns("0 9 29 2 *", "Europe/Berlin", new Date(NOW), 40);
  assert.equal(many.length, 40);
  assert.equal(many[39].toISOString(), "2188-02-29T08:00:00.000Z");
});
