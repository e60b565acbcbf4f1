/**
 * Issue 19: `timezone: EST` (also `MST`, `HST`) was accepted without a word.
 * They are tzdata names, but fixed offsets with no daylight saving, so
 * "09:00" is 10:00 in New York all summer. Now a warning with a did-you-mean:
 * the manifest stays valid (validate exits 0) and the warning is printed,
 * coded and positioned like every other diagnostic, through the fast path too.
 * That these zones are fixed offsets is checked against the runtime's real
 * zone data (Temporal), not against our own list.
 */
import assert from "node:assert/strict";
import { fastParseSchedule } from "../core/manifest/fast_parse.ts";
import { loadSchedule } from "../core/manifest/load.ts";
import { parseSchedule } from "../core/manifest/parse.ts";
import { isValidTimeZone, timeZoneWarning } from "../core/time/timezone.ts";
import { KNOWN_ZONES } from "../core/time/zones.generated.ts";
import { cliTest, runCli, tempRepo } from "./_cli.ts";

/** The offset (minutes east of UTC) of `zone` at an instant, from Temporal. */
function offsetMinutes(zone: string, iso: string): number {
  const z = Temporal.Instant.from(iso).toZonedDateTimeISO(zone);
  return z.offsetNanoseconds / 60e9;
}

/** Whether `zone` changes offset at any time in 2000–2030, per Temporal. */
function changesOffset(zone: string): boolean {
  const t = Temporal.Instant.from("2000-01-01T00:00:00Z").toZonedDateTimeISO(zone)
    .getTimeZoneTransition("next");
  return t !== null && Temporal.Instant.compare(t.toInstant(), "2030-01-01T00:00:00Z") < 0;
}

const WARNED: Record<string, { hours: number; meant: string }> = {
  EST: { hours: -5, meant: "America/New_York" },
  MST: { hours: -7, meant: "America/Denver" },
  HST: { hours: -10, meant: "Pacific/Honolulu" },
};

Deno.test("fixed-offset zones: EST, MST and HST are fixed offsets in the real tz data, and warned", () => {
  for (const [zone, want] of Object.entries(WARNED)) {
    assert.ok(isValidTimeZone(zone), zone);
    // Temporal's own data: one offset in winter and summer, no change in 30 years.
    assert.equal(changesOffset(zone), false, zone);
    assert.equal(offsetMinutes(zone, "2026-01-15T12:00:00Z"), want.hours * 60, zone);
    assert.equal(offsetMinutes(zone, "2026-07-15T12:00:00Z"), want.hours * 60, zone);
    const w = timeZoneWarning(zone);
    assert.ok(w, zone);
    assert.ok(
      w.startsWith(
        `${zone} is a fixed UTC${want.hours} offset with no daylight saving; did you mean ${want.meant}`,
      ),
      w,
    );
    assert.ok(w.endsWith("?"), w);
  }
  // What was meant does follow daylight saving (Honolulu does not: the message says so).
  assert.equal(changesOffset("America/New_York"), true);
  assert.equal(changesOffset("America/Denver"), true);
  assert.equal(changesOffset("America/Phoenix"), false);
  assert.match(timeZoneWarning("MST")!, /America\/Phoenix \(Arizona, which keeps UTC-7 all year\)/);
  assert.equal(changesOffset("Pacific/Honolulu"), false);
  assert.equal(changesOffset("America/Adak"), true);
  assert.match(timeZoneWarning("HST")!, /the same UTC-10 all year.*America\/Adak/);
  assert.equal(
    timeZoneWarning("EST"),
    "EST is a fixed UTC-5 offset with no daylight saving; did you mean America/New_York?",
  );
});

Deno.test("fixed-offset zones: names that say what they are, or follow DST, are not warned", () => {
  // The EST5EDT family follows US daylight saving (Temporal agrees); Etc/GMT+5 says it is an
  // offset; UTC and GMT mean offset zero; fixed-offset regions are those regions' real clocks.
  for (const zone of ["EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT"]) {
    assert.equal(changesOffset(zone), true, zone);
    assert.equal(timeZoneWarning(zone), undefined, zone);
  }
  for (
    const zone of [
      "Etc/GMT+5",
      "Etc/GMT-14",
      "UTC",
      "GMT",
      "Etc/UTC",
      "America/Phoenix",
      "Pacific/Honolulu",
      "Asia/Tokyo",
      "Asia/Kolkata",
    ]
  ) {
    assert.equal(timeZoneWarning(zone), undefined, zone);
  }
  // Across the whole zone list only these three names warn.
  const warned = [...KNOWN_ZONES, "EST", "MST", "HST"].filter((z) =>
    timeZoneWarning(z) !== undefined
  );
  assert.deepEqual([...new Set(warned)].sort(), ["EST", "HST", "MST"]);
  // Not valid at all is an error elsewhere, never this warning.
  assert.equal(timeZoneWarning("est"), undefined);
});

const EST_MANIFEST = [
  'version: "1"',
  "timezone: EST",
  "agents:",
  "  coach:",
  "    cadence: weekly",
  '    cron: "0 9 * * 1"',
  "",
].join("\n");

Deno.test("fixed-offset zones: a warning diagnostic, coded and positioned, on a valid manifest", async () => {
  const full = parseSchedule(EST_MANIFEST, "x.yml", { knownAgents: ["coach"] });
  assert.ok(full.schedule, "still valid");
  assert.equal(full.schedule.timezone, "EST");
  assert.deepEqual(full.diagnostics, [{
    severity: "warning",
    code: "fixed-offset-timezone",
    message:
      "timezone EST is a fixed UTC-5 offset with no daylight saving; did you mean America/New_York?",
    path: ["timezone"],
    line: 2,
    col: 11,
    file: "x.yml",
  }]);
  // Quoted, the position is the scalar's.
  const quoted = parseSchedule(EST_MANIFEST.replace("timezone: EST", 'timezone: "MST"'));
  assert.equal(quoted.diagnostics[0].code, "fixed-offset-timezone");
  assert.equal(quoted.diagnostics[0].col, 11);
  // The fast path steps aside, so the loader (fast path first) still reports it.
  assert.equal(fastParseSchedule(EST_MANIFEST, ["coach"]), undefined);
  assert.ok(fastParseSchedule(EST_MANIFEST.replace("EST", "America/New_York"), ["coach"]));
  const dir = await tempRepo({ ".kaizen/schedule.yml": EST_MANIFEST });
  try {
    const loaded = await loadSchedule(dir);
    assert.ok(loaded.schedule);
    assert.deepEqual(loaded.diagnostics.map((d) => [d.severity, d.code, d.line, d.col]), [
      ["warning", "fixed-offset-timezone", 2, 11],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

cliTest(
  "fixed-offset zones: validate exits 0 and prints the warning; list prints it too",
  async (e) => {
    const dir = await tempRepo({ ".kaizen/schedule.yml": EST_MANIFEST });
    try {
      const file = `${dir}/.kaizen/schedule.yml`;
      const v = await runCli(e, ["schedule", "validate", "--target", dir]);
      assert.equal(v.code, 0, v.stderr);
      assert.equal(
        v.stderr,
        `${file}:2:11: warning: timezone EST is a fixed UTC-5 offset with no daylight saving; did you mean America/New_York?\n`,
      );
      assert.match(v.stdout, /: valid \(1 agent, 1 enabled\)/);
      const j = await runCli(e, ["schedule", "validate", "--target", dir, "--format", "json"]);
      assert.equal(j.code, 0, j.stderr);
      const body = JSON.parse(j.stdout);
      assert.equal(body.valid, true);
      assert.deepEqual(body.diagnostics.map((d: { code: string }) => d.code), [
        "fixed-offset-timezone",
      ]);
      const l = await runCli(e, [
        "schedule",
        "list",
        "--target",
        dir,
        "--now",
        "2026-07-01T00:00:00Z",
      ]);
      assert.equal(l.code, 0, l.stderr);
      assert.match(l.stderr, /2:11: warning: timezone EST is a fixed UTC-5 offset/);
      // What the warning is about: 09:00 EST is 14:00 UTC in summer too, i.e. 10:00 in New York.
      assert.match(l.stdout, /2026-07-06T09:00:00-05:00\s+2026-07-06T14:00:00Z/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

cliTest("fixed-offset zones: schedule init --timezone HST writes it and warns", async (e) => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-init-hst-" });
  try {
    const r = await runCli(e, ["schedule", "init", "--target", dir, "--timezone", "HST"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /timezone HST\)/);
    assert.equal(
      r.stderr,
      "warning: timezone HST is a fixed UTC-10 offset with no daylight saving; did you mean Pacific/Honolulu (the same UTC-10 all year, as a region) or America/Adak (with daylight saving)?\n",
    );
    const quiet = await runCli(e, [
      "schedule",
      "init",
      "--target",
      dir,
      "--force",
      "--timezone",
      "Pacific/Honolulu",
    ]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
