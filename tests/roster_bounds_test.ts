/**
 * Issue 19, "a due window without bounds": one manifest with
 * `cron: "* * * * *"`, listed 20 times, and `roster discover --due
 * <start>/P366D` ran 83 s, peaked at 3.2 GB and printed 337 MB (527,040
 * `due_at` per run). Each run now lists at most MAX_DUE_AT instants with the
 * total in `due_count`, counted without listing; the counts agree exactly
 * with the time engine's own list, daylight-saving days included.
 */
import assert from "node:assert/strict";
import { discoverScheduledRuns, MAX_DUE_AT } from "../core/roster/discover.ts";
import { RosterDiscoverModel } from "../core/roster/model.ts";
import { runsBetween, runsInWindow } from "../core/time/runs.ts";
import { type CliEntry, cliTest } from "./_cli.ts";

const EVERY_MINUTE = [
  'version: "1"',
  "timezone: America/New_York",
  "agents:",
  "  coach:",
  "    cadence: daily",
  '    cron: "* * * * *"',
  "",
].join("\n");

const START = "2026-01-01T00:00:00Z";
/** Minutes in 366 days, plus the repeated fall-back hour, less the skipped spring hour. */
const MINUTES_P366D = 366 * 1440;

async function everyMinuteFleet(copies: number): Promise<{ dir: string; roster: string }> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-bounds-" }));
  await Deno.mkdir(`${dir}/repo/.kaizen`, { recursive: true });
  await Deno.writeTextFile(`${dir}/repo/.kaizen/schedule.yml`, EVERY_MINUTE);
  const repos = Array.from(
    { length: copies },
    (_, i) => `  - slug: acme/repo-${String(i).padStart(2, "0")}\n    path: ${dir}/repo\n`,
  );
  const roster = `${dir}/roster.yml`;
  await Deno.writeTextFile(roster, `version: "1"\nrepos:\n${repos.join("")}`);
  return { dir, roster };
}

/**
 * Runs the CLI and measures the child's peak resident set (KiB): with
 * `/usr/bin/time -f %M` when installed, else by polling `VmHWM` in
 * `/proc/<pid>/status` (a high-water mark, so any late read holds the peak
 * so far).
 */
async function runMeasured(
  e: CliEntry,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string; peakKiB: number }> {
  const env = {
    NO_COLOR: "1",
    KAIZEN_REPO: "",
    STATE_HUB_URL: "",
    STATE_HUB_TOKEN: "",
  };
  const dec = new TextDecoder();
  let hasTime = false;
  try {
    hasTime = Deno.statSync("/usr/bin/time").isFile;
  } catch { /* not installed */ }
  if (hasTime) {
    const out = await new Deno.Command("/usr/bin/time", {
      args: ["-f", "peak-kib=%M", ...e.argv, ...args],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = dec.decode(out.stderr);
    const m = /peak-kib=(\d+)\s*$/.exec(stderr);
    assert.ok(m, `no peak from /usr/bin/time in: ${stderr.slice(-300)}`);
    return {
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: stderr.slice(0, m.index),
      peakKiB: Number(m[1]),
    };
  }
  const child = new Deno.Command(e.argv[0], {
    args: [...e.argv.slice(1), ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peakKiB = 0;
  let done = false;
  const poll = (async () => {
    while (!done) {
      try {
        const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) peakKiB = Math.max(peakKiB, Number(hwm[1]));
      } catch { /* exited */ }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const out = await child.output();
  done = true;
  await poll;
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    peakKiB,
  };
}

cliTest(
  "roster bounds: `* * * * *` listed 20 times over P366D prints bounded due_at with due_count, in bounded memory",
  async (e) => {
    const { dir, roster } = await everyMinuteFleet(20);
    try {
      const r = await runMeasured(e, [
        "roster",
        "discover",
        "--roster",
        roster,
        "--host",
        "runner-1",
        "--due",
        `${START}/P366D`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      // Was 337 MB; 20 runs × 100 instants is about 60 KB.
      assert.ok(r.stdout.length < 256 * 1024, `stdout is ${r.stdout.length} bytes`);
      // Was 3.2 GB; a Deno process with the CLI loaded stays far below this.
      assert.ok(r.peakKiB > 0 && r.peakKiB < 300 * 1024, `peak RSS ${r.peakKiB} KiB`);
      const body = RosterDiscoverModel.parse(JSON.parse(r.stdout));
      assert.equal(body.scheduled_runs.length, 20);
      assert.equal(body.stats.due_at_limit, MAX_DUE_AT);
      for (const run of body.scheduled_runs) {
        assert.equal(run.due_at?.length, MAX_DUE_AT);
        assert.equal(run.due_count, MINUTES_P366D);
        assert.equal(run.due_truncated, true);
        assert.equal(run.due_at?.[0], START);
        assert.equal(run.due_at?.[99], "2026-01-01T01:39:00Z");
      }
      // The table shows a few and the total.
      const t = await runMeasured(e, [
        "roster",
        "discover",
        "--roster",
        roster,
        "--host",
        "runner-1",
        "--due",
        `${START}/P366D`,
        "--format",
        "table",
      ]);
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, new RegExp(`… \\(${MINUTES_P366D} in all\\)`));
      assert.ok(t.stdout.length < 16 * 1024, `table is ${t.stdout.length} bytes`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("roster bounds: a short window lists every due time, not truncated (library)", async () => {
  const { dir } = await everyMinuteFleet(1);
  try {
    const r = await discoverScheduledRuns({
      source: {
        kind: "entries",
        entries: [{ slug: "acme/repo", domain: null, host_paths: { "*": `${dir}/repo` } }],
      },
      host: "runner-1",
      due: { start: new Date(START), end: new Date("2026-01-01T00:05:00Z") },
    });
    assert.equal(r.scheduled_runs.length, 1);
    const run = r.scheduled_runs[0];
    assert.deepEqual(run.due_at, [0, 1, 2, 3, 4].map((m) => `2026-01-01T00:0${m}:00Z`));
    assert.equal(run.due_count, 5);
    assert.equal(run.due_truncated, false);
    assert.equal(r.stats.due_at_limit, MAX_DUE_AT);
    // Scatter shifts the listed times and keeps the count.
    const s = await discoverScheduledRuns({
      source: {
        kind: "entries",
        entries: [{ slug: "acme/repo", domain: null, host_paths: { "*": `${dir}/repo` } }],
      },
      host: "runner-1",
      due: { start: new Date(START), end: new Date(Date.parse(START) + 366 * 86_400_000) },
      scatterMs: 3_600_000,
    });
    assert.equal(s.scheduled_runs[0].due_count, MINUTES_P366D);
    assert.equal(s.scheduled_runs[0].due_at?.length, MAX_DUE_AT);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Zones where days are not 24 hours: New York (1 h), Lord Howe (30 min),
 * Troll (2 h), Santiago and Havana (at midnight), Apia (skipped 30 December
 * 2011 whole), Chatham (+12:45), and fixed-offset and plain zones.
 */
const ZONES = [
  "UTC",
  "EST",
  "America/New_York",
  "Australia/Lord_Howe",
  "Antarctica/Troll",
  "America/Santiago",
  "America/Havana",
  "Pacific/Apia",
  "Pacific/Chatham",
  "Asia/Gaza",
  "Europe/Berlin",
  "America/St_Johns",
];
const CRONS = [
  "* * * * *",
  "0 0 * * *",
  "30 2 * * *",
  "0,30 0,23 * * *",
  "*/7 */3 * * *",
  "0 * * * *",
  "59 23 * * *",
  "15 1 * * 0",
  "30 0 * * *",
  "0-59/5 0-2 * * *",
];

Deno.test("roster bounds: counted runs equal the engine's listed runs, DST days included", () => {
  let seed = 19;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const windows: [Date, Date][] = [
    // Apia's skipped day and the years around New York's changes.
    [new Date("2011-12-28T00:00:00Z"), new Date("2012-01-03T00:00:00Z")],
    [new Date("2026-03-01T00:00:30Z"), new Date("2026-04-15T10:00:00Z")],
    [new Date("2026-10-20T00:00:00Z"), new Date("2026-11-10T00:00:00Z")],
  ];
  for (let i = 0; i < 3; i++) {
    const s = Date.parse("2000-01-01T00:00:00Z") + Math.floor(rnd() * 40 * 365) * 86_400_000 +
      Math.floor(rnd() * 86_400) * 1000;
    windows.push([new Date(s), new Date(s + Math.floor(rnd() * 50 * 86_400_000))]);
  }
  for (const zone of ZONES) {
    for (const cron of CRONS) {
      for (const [start, end] of windows) {
        const all = runsBetween(cron, zone, start, end);
        for (const limit of [0, 3, MAX_DUE_AT]) {
          const w = runsInWindow(cron, zone, start, end, limit);
          const where = `${cron} in ${zone} over ${start.toISOString()}/${end.toISOString()}`;
          assert.equal(w.total, all.length, where);
          assert.deepEqual(
            w.runs.map((d) => d.getTime()),
            all.slice(0, limit).map((d) => d.getTime()),
            where,
          );
        }
      }
    }
  }
});

Deno.test("roster bounds: a year of every minute is counted exactly across both New York changes", () => {
  const w = runsInWindow(
    "* * * * *",
    "America/New_York",
    new Date(START),
    new Date(Date.parse(START) + 366 * 86_400_000),
    MAX_DUE_AT,
  );
  // Every real instant whose wall time matches: one per minute of UTC time.
  assert.equal(w.total, MINUTES_P366D);
  // A fixed-time job: once per local day; the skipped 02:30 runs at 03:00 EDT.
  const fixed = runsInWindow(
    "30 2 * * *",
    "America/New_York",
    new Date("2026-03-07T00:00:00Z"),
    new Date("2026-03-10T00:00:00Z"),
    MAX_DUE_AT,
  );
  assert.equal(fixed.total, 3);
  assert.equal(fixed.runs[1].toISOString(), "2026-03-08T07:00:00.000Z");
  // A repeated hour is run twice by an hourly job.
  const hourly = runsInWindow(
    "0 * * * *",
    "America/New_York",
    new Date("2026-11-01T04:00:00Z"),
    new Date("2026-11-02T05:00:00Z"),
    0,
  );
  assert.equal(hourly.total, 25);
});

Deno.test("roster bounds: multi-year library windows count exactly (Apia's skipped day inside)", () => {
  const start = new Date("2010-06-01T00:00:00Z");
  const end = new Date("2013-06-01T00:00:00Z");
  for (const zone of ["Pacific/Apia", "America/Santiago", "Australia/Lord_Howe"]) {
    for (const cron of ["0,30 0,23 * * *", "*/15 * * * *", "30 0 * * *", "0 0 * * *"]) {
      const all = runsBetween(cron, zone, start, end);
      const w = runsInWindow(cron, zone, start, end, 10);
      assert.equal(w.total, all.length, `${cron} in ${zone}`);
    }
  }
});
