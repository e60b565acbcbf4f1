/**
 * The fleet report's renderers and its output choke point, without a
 * server: what reaches a terminal, a JSON reader or a browser is clean.
 */
import assert from "node:assert/strict";
import { FleetJoin } from "../core/fleet/join.ts";
import { cleanReport } from "../core/fleet/status.ts";
import { escapeHtml, renderFleetHtml } from "../core/fleet/render_html.ts";
import { formatSeconds, renderFleetTable } from "../core/fleet/render_table.ts";
import {
  FLEET_STATUS_OPTIONS,
  fleetCommand,
  parseFailOn,
  resolveWindow,
} from "../core/commands/fleet.ts";
import { parseArgv, typed } from "../core/cli/framework.ts";
import type { FleetStatusReport } from "../core/fleet/types.ts";
import { fake } from "./_fake_secrets.ts";

const TOKEN = "gh" + "p_" + fake(36);
const EVIL = `<img src=x onerror=alert(1)>\u001b[2J\u202e/${TOKEN}`;

function report(): FleetStatusReport {
  const start = Date.parse("2026-11-16T00:00:00Z");
  const end = Date.parse("2026-11-23T00:00:00Z");
  const join = new FleetJoin({ start, end, now: end, graceMs: 6 * 3_600_000 }, [
    { repo: EVIL, agent: "coach", cron: "0 9 * * 1", timezone: "UTC" },
    { repo: "web", agent: "coach", cron: "0 9 * * 1", timezone: "UTC" },
  ]);
  join.add({
    kind: "prepared",
    repo: "web",
    agent: "coach",
    at: Date.parse("2026-11-16T09:01:00Z"),
  });
  join.add({
    kind: "prepared",
    repo: `ghost${EVIL}`,
    agent: "x",
    at: Date.parse("2026-11-16T09:01:00Z"),
  });
  const done = join.finish();
  return cleanReport({
    window: {
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      now: new Date(end).toISOString(),
      grace_seconds: 21600,
    },
    source: {
      expected: "runs-file",
      stream: "KAIZEN",
      messages: 2,
      events: 1,
      duplicates: 0,
      invalid: 0,
      outside_window: 0,
    },
    total: done.total,
    rows: done.rows,
    unscheduled: done.unscheduled,
    skipped: [{ repo: EVIL, reason: "no-manifest" }],
    daily: done.daily,
    durations: done.durations,
  });
}

Deno.test("fleet report: wire strings lose control characters and secrets before any renderer", () => {
  const notices: string[] = [];
  const r = report();
  const strings = JSON.stringify(r);
  assert.ok(!strings.includes(TOKEN));
  assert.ok(!/\\u001b|\\u202e/.test(strings), strings);
  // The escape sequence (whole) and the bidi override are gone.
  assert.equal(r.rows[0].repo, "<img src=x onerror=alert(1)>/[REDACTED:github-token]");
  cleanReport(report(), (m) => notices.push(m));
  assert.equal(notices.length, 0, "a clean report is not redacted twice");
});

Deno.test("fleet report: HTML escapes every slug (no markup from the wire)", () => {
  const html = renderFleetHtml(report(), []);
  assert.ok(!html.includes("<img"), "no img element");
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.equal(escapeHtml(`"'&<>`), "&quot;&#39;&amp;&lt;&gt;");
  const failed = renderFleetHtml(report(), [], "no vega");
  assert.match(failed, /charts could not be drawn: no vega/);
});

Deno.test("fleet report: the table is coloured only when asked, worst rows first", () => {
  const plain = renderFleetTable(report(), { color: false });
  assert.ok(!plain.includes("\u001b"));
  const lines = plain.split("\n");
  assert.match(lines[2], /^\(fleet\)\s+2\s+1\s+0\s+0\s+1\s+1/);
  assert.match(lines[3], /^<img src=x/);
  assert.match(plain, /1 event\(s\) for runs the schedule does not list: ghost<img/);
  const coloured = renderFleetTable(report(), { color: true });
  assert.ok(coloured.includes("\u001b[31m<img"), "the missed row is red");
  assert.ok(coloured.includes("\u001b[35mweb"), "the open row is magenta");
  assert.equal(formatSeconds(1140), "19m");
  assert.equal(formatSeconds(7500), "2h05m");
  assert.equal(formatSeconds(null), "-");
});

/** `fleet status <argv>`'s options, as the parser delivers them. */
function statusOptions(argv: string[]) {
  const tree = { name: "kaizen", description: "", subcommands: [fleetCommand] };
  const out = parseArgv(tree, ["fleet", "status", ...argv]);
  if (out.kind !== "run") throw new Error("not a run");
  return typed(out.invocation, FLEET_STATUS_OPTIONS).opts;
}

Deno.test("fleet status options: window, --since, --fail-on", () => {
  const now = ["--now", "2026-11-30T00:00:00Z"];
  const w = resolveWindow(statusOptions(["--window", "2026-11-16T00:00:00Z/P7D", ...now]));
  assert.equal(w.end.toISOString(), "2026-11-23T00:00:00.000Z");
  const s = resolveWindow(statusOptions(["--since", "2d", ...now]));
  assert.equal(s.start.toISOString(), "2026-11-28T00:00:00.000Z");
  const d = resolveWindow(statusOptions(now));
  assert.equal(d.start.toISOString(), "2026-11-23T00:00:00.000Z", "the last 7 days by default");
  assert.deepEqual([...parseFailOn("missed, open")], ["missed", "open"]);
  assert.throws(() => parseFailOn("late"), /not one of missed, failed, open/);
  assert.throws(
    () => statusOptions(["--window", "2026-11-16T00:00:00Z/2026-11-15T00:00:00Z"]),
    /--window '2026-11-16T00:00:00Z\/2026-11-15T00:00:00Z' ends before it starts/,
  );
  assert.throws(() => statusOptions(["--since", "400d"]), /at most 366 days, got '400d'/);
  assert.throws(
    () => resolveWindow(statusOptions(["--since", "2d", "--window", "2026-11-16/P1D"])),
    /give --since or --window, not both/,
  );
  assert.equal(statusOptions(["--grace", "0"]).grace, 0, "no grace: 0");
  assert.equal(statusOptions([]).grace, 6 * 3_600_000, "the default, in milliseconds");
});
