/**
 * Named regressions for the time engine (issue 6): each case a user hit with
 * the previous engine, checked through the library and, where it was seen,
 * through the CLI.
 */
import assert from "node:assert/strict";
import { nextRuns, runsBetween } from "../core/time/runs.ts";
import { parseCron } from "../core/time/cron.ts";
import { formatInZone } from "../core/time/timezone.ts";
import { timeZoneProblem } from "../core/time/timezone.ts";
import { listSchedule } from "../core/manifest/listing.ts";
import { parseSchedule } from "../core/manifest/parse.ts";
import type { Schedule } from "../core/manifest/types.ts";
import { type CliEntry, cliTest, runCli, tempRepo } from "./_cli.ts";
import { prng } from "./_prng.ts";

const MANIFEST = ".kaizen/schedule.yml";

function manifest(cron: string, timezone = "UTC", extra = ""): string {
  return [
    'version: "1"',
    `timezone: ${timezone}`,
    "agents:",
    "  coach:",
    "    cadence: daily",
    `    cron: "${cron}"`,
    extra,
  ].join("\n");
}

async function run(entry: CliEntry, dir: string, args: string[]) {
  const r = await runCli(entry, [...args, "--target", dir]);
  const shown = `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  assert.ok(!`${r.stdout}${r.stderr}`.includes("    at "), `stack trace:\n${shown}`);
  return { ...r, shown };
}

const utc = (ds: Date[]) => ds.map((d) => d.toISOString().replace(".000Z", "Z"));

// 1 ---------------------------------------------------------------------------

Deno.test("regression 1: '5/15' means 5-59/15 and computes", () => {
  assert.deepEqual(
    utc(nextRuns("5/15 * * * *", "UTC", new Date("2026-11-23T08:00:00Z"), 5)),
    [
      "2026-11-23T08:05:00Z",
      "2026-11-23T08:20:00Z",
      "2026-11-23T08:35:00Z",
      "2026-11-23T08:50:00Z",
      "2026-11-23T09:05:00Z",
    ],
  );
});

Deno.test("regression 1: steps larger than their field are refused at the field", () => {
  for (
    const [cron, column, field] of [
      ["*/61 * * * *", 0, "minute"],
      ["0 */25 * * *", 2, "hour"],
      ["0 9 */32 * *", 4, "day-of-month"],
      ["0 9 * */13 *", 6, "month"],
      ["0 9 * * */8", 8, "day-of-week"],
    ] as const
  ) {
    const r = parseCron(cron);
    assert.equal(r.ok, false, cron);
    if (r.ok) continue;
    assert.equal(r.problem.column, column, cron);
    assert.match(r.problem.message, new RegExp(`^cron ${field} step \\d+ is larger than`), cron);
  }
});

cliTest(
  "regression 1: validate and list agree on '5/15' and '*/61' (no internal error)",
  async (e) => {
    const ok = await tempRepo({ [MANIFEST]: manifest("5/15 * * * *") });
    const bad = await tempRepo({ [MANIFEST]: manifest("*/61 * * * *") });
    try {
      assert.equal((await run(e, ok, ["schedule", "validate"])).code, 0);
      const list = await run(e, ok, [
        "schedule",
        "list",
        "--now",
        "2026-11-23T08:00:00Z",
        "--format",
        "json",
      ]);
      assert.equal(list.code, 0, list.shown);
      assert.equal(JSON.parse(list.stdout).agents[0].next_run_utc, "2026-11-23T08:05:00Z");

      const v = await run(e, bad, ["schedule", "validate"]);
      assert.equal(v.code, 1, v.shown);
      // Line 6, column 12: the minute field inside the quotes.
      assert.match(v.stderr, /schedule\.yml:6:12: error: cron minute step 61 is larger than/);
      const l = await run(e, bad, ["schedule", "list"]);
      assert.equal(l.code, 1, l.shown);
    } finally {
      await Deno.remove(ok, { recursive: true });
      await Deno.remove(bad, { recursive: true });
    }
  },
);

// 2 ---------------------------------------------------------------------------

Deno.test("regression 2: abbreviations and ICU-only aliases are not IANA zones", () => {
  const cases: [string, RegExp][] = [
    ["BST", /did you mean Europe\/London/],
    ["IST", /did you mean Asia\/Kolkata/],
    ["PST", /did you mean America\/Los_Angeles/],
    ["CST", /did you mean America\/Chicago/],
    ["JST", /did you mean Asia\/Tokyo/],
    ["SystemV/EST5", /not an IANA time zone/],
    ["US/Pacific-New", /not an IANA time zone/],
    ["AET", /did you mean Australia\/Sydney/],
    ["CTT", /did you mean Asia\/Shanghai/],
    ["VST", /did you mean Asia\/Ho_Chi_Minh/],
    ["europe/berlin", /did you mean 'Europe\/Berlin'/],
    ["Europe/Berln", /did you mean 'Europe\/Berlin'/],
    ["Berlin", /did you mean 'Europe\/Berlin'/],
    ["+01:00", /fixed offset/],
    ["UTC+1", /fixed offset/],
  ];
  for (const [tz, hint] of cases) {
    const problem = timeZoneProblem(tz);
    assert.ok(problem, `${tz} must be refused`);
    assert.match(problem!, hint, tz);
    assert.doesNotMatch(problem!, /\n/);
  }
  // tzdata's own backward links are real names.
  for (const tz of ["US/Pacific", "EST5EDT", "Etc/GMT+5", "EST", "GB", "Asia/Calcutta"]) {
    assert.equal(timeZoneProblem(tz), undefined, tz);
  }
});

cliTest(
  "regression 2: timezone: BST fails validate with a did-you-mean at its position",
  async (e) => {
    const dir = await tempRepo({ [MANIFEST]: manifest("0 9 * * *", "BST") });
    try {
      const v = await run(e, dir, ["schedule", "validate"]);
      assert.equal(v.code, 1, v.shown);
      assert.match(
        v.stderr,
        /schedule\.yml:2:11: error: timezone 'BST' is not an IANA time zone \(an abbreviation, not a zone: did you mean Europe\/London or Asia\/Dhaka\?\)/,
      );
      const empty = await tempRepo({});
      try {
        const init = await run(e, empty, ["schedule", "init", "--timezone", "IST"]);
        assert.equal(init.code, 2, init.shown);
        assert.match(init.stderr, /--timezone 'IST' is not an IANA time zone .*Asia\/Kolkata/);
        assert.equal((await run(e, empty, ["schedule", "validate"])).code, 1, "nothing written");
      } finally {
        await Deno.remove(empty, { recursive: true });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

// Reference for zone names: the system's tzdata, where installed (Debian's
// tzdata package ships tzdata.zi with every zone and link).
Deno.test("regression 2: every tzdata zone and link name is accepted, spelled exactly", async () => {
  let text: string;
  try {
    text = await Deno.readTextFile("/usr/share/zoneinfo/tzdata.zi");
  } catch {
    return; // no system tzdata to compare with on this machine
  }
  const names: string[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(/\s+/);
    if (f[0] === "Z") names.push(f[1]);
    if (f[0] === "L") names.push(f[2]);
  }
  assert.ok(names.length > 500);
  // "Factory" is tzdata's placeholder zone for unconfigured systems, not a place.
  const refused = names.filter((n) => n !== "Factory" && timeZoneProblem(n) !== undefined);
  assert.deepEqual(refused, []);
  for (const n of names.slice(0, 50)) {
    assert.ok(timeZoneProblem(n.toLowerCase()) !== undefined || n.toLowerCase() === n, n);
  }
});

// 3 ---------------------------------------------------------------------------

Deno.test("regression 3: 'SUN-SUN' and '0-SUN' are Sundays only", () => {
  for (const dow of ["SUN-SUN", "0-SUN", "0-0", "7", "SUN"]) {
    const runs = nextRuns(`0 9 * * ${dow}`, "UTC", new Date("2026-11-23T00:00:00Z"), 3);
    assert.deepEqual(
      utc(runs),
      ["2026-11-29T09:00:00Z", "2026-12-06T09:00:00Z", "2026-12-13T09:00:00Z"],
      dow,
    );
  }
});

// 4 ---------------------------------------------------------------------------

cliTest(
  "regression 4: list --now inside a repeated hour never answers earlier than --now",
  async (e) => {
    const cases: [string, string, string][] = [
      // New York falls back 2026-11-01 02:00 EDT → 01:00 EST; 06:10Z is 01:10 EST, the second 01:10.
      ["America/New_York", "30 1 * * *", "2026-11-01T06:10:00Z"],
      ["America/New_York", "*/20 * * * *", "2026-11-01T06:10:00Z"],
      // Chatham falls back 2026-04-05 03:45 +13:45 → 02:45 +12:45; 14:25Z is the second 03:10.
      ["Pacific/Chatham", "0 3 * * *", "2026-04-04T14:25:00Z"],
      ["Pacific/Chatham", "0 * * * *", "2026-04-04T14:25:00Z"],
    ];
    for (const [zone, cron, now] of cases) {
      const dir = await tempRepo({ [MANIFEST]: manifest(cron, zone) });
      try {
        const r = await run(e, dir, [
          "schedule",
          "list",
          "--now",
          now,
          "--format",
          "json",
          "--count",
          "3",
        ]);
        assert.equal(r.code, 0, r.shown);
        const runs = JSON.parse(r.stdout).agents[0].next_runs as { utc: string }[];
        assert.equal(runs.length, 3);
        for (const run of runs) {
          assert.ok(
            Date.parse(run.utc) > Date.parse(now),
            `${zone} ${cron}: ${run.utc}`,
          );
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  },
);

Deno.test("regression 4: a fixed job that ran in the first copy of the hour waits for the next day", () => {
  assert.deepEqual(
    utc(nextRuns("30 1 * * *", "America/New_York", new Date("2026-11-01T06:10:00Z"), 1)),
    ["2026-11-02T06:30:00Z"],
  );
  const [next] = nextRuns("0 3 * * *", "Pacific/Chatham", new Date("2026-04-04T14:25:00Z"), 1);
  assert.equal(formatInZone(next, "Pacific/Chatham"), "2026-04-06T03:00:00+12:45");
});

// 5 ---------------------------------------------------------------------------

Deno.test("regression 5: an hourly job runs in both copies of the repeated hour (New York, London)", () => {
  assert.deepEqual(
    utc(runsBetween(
      "0 * * * *",
      "America/New_York",
      new Date("2026-11-01T04:00:00Z"),
      new Date("2026-11-01T08:00:00Z"),
    )),
    // 00:00 EDT, 01:00 EDT, 01:00 EST, 02:00 EST
    [
      "2026-11-01T04:00:00Z",
      "2026-11-01T05:00:00Z",
      "2026-11-01T06:00:00Z",
      "2026-11-01T07:00:00Z",
    ],
  );
  assert.deepEqual(
    utc(runsBetween(
      "0 * * * *",
      "Europe/London",
      new Date("2026-10-25T00:00:00Z"),
      new Date("2026-10-25T03:00:00Z"),
    )),
    // 01:00 BST, 01:00 GMT, 02:00 GMT
    ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"],
  );
});

Deno.test("regression 5: an hourly job has no run in the skipped hour; a fixed one runs at the jump", () => {
  // New York springs forward 2026-03-08 02:00 EST → 03:00 EDT (07:00Z).
  assert.deepEqual(
    utc(runsBetween(
      "0 * * * *",
      "America/New_York",
      new Date("2026-03-08T05:00:00Z"),
      new Date("2026-03-08T08:00:00Z"),
    )),
    ["2026-03-08T05:00:00Z", "2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z"],
  );
  assert.deepEqual(
    utc(nextRuns("30 2 * * *", "America/New_York", new Date("2026-03-08T05:00:00Z"), 2)),
    ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"],
  );
});

// 6 ---------------------------------------------------------------------------

Deno.test("regression 6: '0 9 1 * 1' from 2026-02-28T23:59Z runs on March 1st (day-of-month matches)", () => {
  assert.deepEqual(
    utc(nextRuns("0 9 1 * 1", "UTC", new Date("2026-02-28T23:59:00Z"), 3)),
    ["2026-03-01T09:00:00Z", "2026-03-02T09:00:00Z", "2026-03-09T09:00:00Z"],
  );
});

// 7 ---------------------------------------------------------------------------

Deno.test("regression 7: Australia/Lord_Howe's 30-minute fall-back runs a fixed job at the first 01:45", () => {
  // 2026-04-05 02:00 +11:00 → 01:30 +10:30: 01:45 happens at 14:45Z and again at 15:15Z.
  assert.deepEqual(
    utc(nextRuns("45 1 * * *", "Australia/Lord_Howe", new Date("2026-04-04T14:00:00Z"), 2)),
    ["2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"],
  );
  assert.deepEqual(
    utc(runsBetween(
      "45 * * * *",
      "Australia/Lord_Howe",
      new Date("2026-04-04T14:00:00Z"),
      new Date("2026-04-04T16:00:00Z"),
    )),
    ["2026-04-04T14:45:00Z", "2026-04-04T15:15:00Z"],
  );
});

// 8 ---------------------------------------------------------------------------

Deno.test("regression 8: a cron that can never fire is refused at its day-of-month field", () => {
  for (const cron of ["0 9 31 2 *", "0 9 30 2 *", "0 9 31 4,6,9,11 *", "0 9 30,31 FEB *"]) {
    const r = parseCron(cron);
    assert.equal(r.ok, false, cron);
    if (!r.ok) {
      assert.match(r.problem.message, /^cron can never fire: /, cron);
      assert.equal(r.problem.column, 4, cron);
    }
  }
  // 29 February comes back in leap years; with a weekday too, the days are ORed.
  for (const cron of ["0 9 29 2 *", "0 9 31 2 1", "0 9 31 1-2 *"]) {
    assert.ok(parseCron(cron).ok, cron);
  }
});

cliTest(
  "regression 8: validate points at a never-firing cron; list says disabled, not null",
  async (e) => {
    const never = await tempRepo({ [MANIFEST]: manifest("0 9 31 2 *") });
    const off = await tempRepo({ [MANIFEST]: manifest("0 9 * * *", "UTC", "    enabled: false") });
    try {
      const v = await run(e, never, ["schedule", "validate"]);
      assert.equal(v.code, 1, v.shown);
      assert.match(v.stderr, /schedule\.yml:6:16: error: cron can never fire: FEB has no day 31/);
      const l = await run(e, off, ["schedule", "list", "--all", "--format", "json"]);
      assert.equal(l.code, 0, l.shown);
      const [a] = JSON.parse(l.stdout).agents;
      assert.equal(a.state, "disabled");
      assert.deepEqual(a.next_runs, []);
    } finally {
      await Deno.remove(never, { recursive: true });
      await Deno.remove(off, { recursive: true });
    }
  },
);

Deno.test("regression 8: listSchedule reports 'never' apart from 'disabled'", () => {
  const schedule: Schedule = {
    version: "1",
    timezone: "UTC",
    agents: {
      coach: { cadence: "daily", cron: "0 9 31 2 1-5", enabled: true },
      optimization: { cadence: "daily", enabled: false },
    },
  };
  // Built by hand: a parsed manifest cannot hold a never-firing cron, but a
  // library caller can, and the listing must not call it disabled.
  (schedule.agents.coach as { cron: string }).cron = "0 9 31 2 *";
  assert.throws(
    () => listSchedule(schedule, { now: new Date(0), file: "x", all: true }),
    RangeError,
  );
  schedule.agents.coach = { cadence: "daily", cron: "0 9 29 2 *", enabled: true };
  const list = listSchedule(schedule, {
    now: new Date("2026-11-23T00:00:00Z"),
    file: "x",
    all: true,
  });
  assert.deepEqual(list.agents.map((a) => [a.agent, a.state, a.next_run_utc]), [
    ["coach", "scheduled", "2028-02-29T09:00:00Z"],
    ["optimization", "disabled", null],
  ]);
});

// Property: validate's yes means list can answer -----------------------------

const FIELD_PARTS = [
  ["*", "0", "59", "*/5", "5/15", "*/61", "0-59/30", "1,2,3", "60", "30-10", "*/0", "a", ""],
  ["*", "0", "23", "*/25", "9-17", "*/2", "24", "1,13", "0-23/7", "12/5"],
  ["*", "1", "31", "30", "29", "*/32", "1-7", "L", "0", "15,31", "*/10"],
  ["*", "2", "FEB", "1-12", "*/13", "4,6,9,11", "JAN-MAR", "13", "jan"],
  ["*", "0", "7", "SUN-SUN", "0-SUN", "MON-FRI", "*/8", "1#2", "8", "sat,sun", "5-1"],
];
const ZONE_CHOICES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "BST",
  "US/Pacific",
  "America/Santiago",
  "Asia/Kolkata",
  "europe/berlin",
];

Deno.test("property: no manifest that parses as valid makes listing fail (3,000 random manifests)", () => {
  const rand = prng(6);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  let valid = 0;
  for (let i = 0; i < 3000; i++) {
    const cron = FIELD_PARTS.map((f) => pick(f)).join(" ");
    const text = manifest(cron, pick(ZONE_CHOICES));
    const { schedule } = parseSchedule(text, MANIFEST);
    if (!schedule) continue;
    valid++;
    const now = new Date(
      Date.parse("2024-01-01T00:00:00Z") + Math.floor(rand() * 8 * 365 * 86400e3),
    );
    const list = listSchedule(schedule, { now, count: 2, file: MANIFEST });
    for (const a of list.agents) {
      assert.equal(a.state, "scheduled", `${cron} @ ${now.toISOString()}`);
      assert.ok(Date.parse(a.next_run_utc!) > now.getTime(), cron);
    }
  }
  assert.ok(valid >= 300, `only ${valid} valid manifests drawn`);
});

cliTest("schedule list --format json output matches its generated schema model", async (e) => {
  const { ScheduleListModel } = await import("../core/manifest/listing_model.ts");
  const r = await runCli(e, [
    "schedule",
    "list",
    "--target",
    "examples/pilot",
    "--all",
    "--count",
    "4",
    "--now",
    "2026-03-20T12:00:00Z",
    "--format",
    "json",
  ], { cwd: new URL("..", import.meta.url).pathname });
  assert.equal(r.code, 0, r.stderr);
  const body = ScheduleListModel.parse(JSON.parse(r.stdout));
  assert.equal(body.count, 4);
  const coach = body.agents.find((a) => a.agent === "coach")!;
  // Mondays 09:00 Berlin across the March change: +01:00, then +02:00.
  assert.deepEqual(coach.next_runs.map((x) => x.local), [
    "2026-03-23T09:00:00+01:00",
    "2026-03-30T09:00:00+02:00",
    "2026-04-06T09:00:00+02:00",
    "2026-04-13T09:00:00+02:00",
  ]);
});

cliTest("--now outside 1970-9998 is a usage error, not a garbled time", async (e) => {
  const { REPO_ROOT } = await import("./_cli.ts");
  for (const now of ["0001-01-01T00:00:00Z", "1900-01-01T00:00:00Z", "9999-12-31T23:59:00Z"]) {
    const r = await runCli(e, [
      "schedule",
      "list",
      "--target",
      `${REPO_ROOT}/examples/pilot`,
      "--now",
      now,
    ]);
    assert.equal(r.code, 2, `${now}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /must be between 1970 and 9998/);
  }
});
