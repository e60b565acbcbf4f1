/**
 * `kaizen fleet status` against a real `nats-server -js`: a fleet of fixture
 * repos and a scripted history of events (tests/_fleet_fixture.ts) give
 * exactly the expected rows, through the source and the bundle.
 */
import assert from "node:assert/strict";
import { CLI_ENTRIES, runCli } from "./_cli.ts";
import { haveNatsServer } from "./_nats_server.ts";
import { fleetFixture, SLUG_TOKEN } from "./_fleet_fixture.ts";
import { fleetStatus } from "../mod.ts";
import type { FleetStatusReport } from "../core/fleet/types.ts";
import { FleetRosterModel, FleetStatusModel } from "../core/fleet/model.ts";
import { jetstreamManager } from "@nats-io/jetstream";
import { openEventPublisher } from "../core/nats/mod.ts";

const ignore = !haveNatsServer();
const nullQuality = { mean: null, first_half: null, second_half: null, trend: null };

function expectedRows(d: (i: number, hhmm: string) => string, weekly: string) {
  const base = {
    running: 0,
    pending: 0,
    late: 0,
    unscheduled: 0,
    unmatched_records: 0,
    open: 0,
    missed: 0,
    closed_ok: 0,
    closed_failed: 0,
    timezone: "UTC",
  };
  const at = (s: string) => new Date(s).toISOString();
  return [
    {
      ...base,
      repo: "alpha",
      agent: "optimization",
      cron: "0 10 * * *",
      status: "missed",
      expected: 7,
      prepared: 5,
      closed_ok: 3,
      closed_failed: 1,
      open: 1,
      missed: 2,
      success_rate: 0.75,
      time_p50_seconds: 600,
      time_p90_seconds: 1800,
      quality: { mean: 0.675, first_half: 0.6, second_half: 0.9, trend: "up" },
      last_run: { at: at(d(4, "10:01")), outcome: "ok" },
    },
    {
      ...base,
      repo: "beta",
      agent: "coach",
      cron: weekly,
      status: "missed",
      expected: 1,
      prepared: 0,
      missed: 1,
      unmatched_records: 1,
      success_rate: null,
      time_p50_seconds: null,
      time_p90_seconds: null,
      quality: nullQuality,
      last_run: null,
    },
    {
      ...base,
      repo: "gamma",
      agent: "coach",
      cron: weekly,
      status: "failed",
      expected: 1,
      prepared: 1,
      closed_failed: 1,
      success_rate: 0,
      time_p50_seconds: 2100,
      time_p90_seconds: 2100,
      quality: { mean: 0.2, first_half: 0.2, second_half: null, trend: null },
      last_run: { at: at(d(0, "09:05")), outcome: "failed" },
    },
    {
      ...base,
      repo: "alpha",
      agent: "coach",
      cron: weekly,
      status: "ok",
      expected: 1,
      prepared: 1,
      closed_ok: 1,
      success_rate: 1,
      time_p50_seconds: 1140,
      time_p90_seconds: 1140,
      quality: { mean: 0.9, first_half: 0.9, second_half: null, trend: null },
      last_run: { at: at(d(0, "09:01")), outcome: "ok" },
    },
  ];
}

function checkReport(r: FleetStatusReport, fx: Awaited<ReturnType<typeof fleetFixture>>) {
  // The JSON is what schemas/fleet-status.schema.json (generated from this model) describes.
  FleetStatusModel.parse(r);
  assert.deepEqual(
    r.rows.map((row) => Object.fromEntries(Object.entries(row).sort())),
    expectedRows(fx.d, fx.weekly).map((row) => Object.fromEntries(Object.entries(row).sort())),
  );
  assert.deepEqual(r.window, {
    start: fx.start,
    end: fx.end,
    now: new Date(fx.now).toISOString(),
    grace_seconds: 21600,
  });
  assert.deepEqual(r.source, {
    expected: "roster-file",
    stream: "KAIZEN",
    messages: 21,
    events: 14,
    duplicates: 1,
    invalid: 1,
    outside_window: 2,
  });
  assert.equal(r.total.expected, 10);
  assert.equal(r.total.prepared, 7);
  assert.equal(r.total.missed, 3);
  assert.equal(r.total.closed_ok, 4);
  assert.equal(r.total.closed_failed, 2);
  assert.equal(r.total.open, 1);
  assert.equal(r.total.success_rate, 0.6667);
  assert.equal(r.total.time_p50_seconds, 900);
  assert.equal(r.total.time_p90_seconds, 2100);
  assert.deepEqual(r.skipped, [{ repo: "delta", reason: "no-manifest" }]);
  // The unknown repos: the slug's markup kept as text (escaped where shown),
  // the control character stripped, the token redacted.
  assert.equal(r.unscheduled.events, 2);
  assert.equal(r.unscheduled.pairs.length, 2);
  const evil = r.unscheduled.pairs.find((p) => p.repo.startsWith("evil"))!;
  assert.ok(![...evil.repo].some((c) => c.charCodeAt(0) < 0x20), evil.repo);
  assert.ok(!evil.repo.includes(SLUG_TOKEN), evil.repo);
  assert.ok(evil.repo.includes("<script>"), evil.repo);
  assert.deepEqual(r.unscheduled.pairs.find((p) => p.repo === "ghost"), {
    repo: "ghost",
    agent: "coach",
    events: 1,
  });
  assert.deepEqual(
    r.daily.filter((x) => x.agent === "optimization").map((x) => x.missed),
    [0, 0, 0, 0, 0, 1, 1],
  );
}

for (const entry of CLI_ENTRIES) {
  Deno.test({
    name:
      `fleet status (${entry.name}): a scripted history gives exactly the expected rows in JSON`,
    ignore,
    async fn() {
      const fx = await fleetFixture();
      try {
        const r = await runCli(entry, [
          "fleet",
          "status",
          "--roster",
          fx.roster,
          "--host",
          "runner-1",
          "--window",
          `${fx.start}/${fx.end}`,
          "--now",
          fx.now,
          "--nats-url",
          fx.server.url,
          "--format",
          "json",
        ]);
        assert.equal(r.code, 0, r.stderr);
        checkReport(JSON.parse(r.stdout), fx);
        assert.match(r.stderr, /redacted/);

        // --fail-on: any missed row pages someone; the table puts it first.
        const failing = await runCli(entry, [
          "fleet",
          "status",
          "--roster",
          fx.roster,
          "--window",
          `${fx.start}/${fx.end}`,
          "--now",
          fx.now,
          "--nats-url",
          fx.server.url,
          "--fail-on",
          "missed,open",
        ]);
        assert.equal(failing.code, 1, failing.stderr);
        assert.match(
          failing.stderr,
          /2 row\(s\) match --fail-on missed,open: alpha\/optimization, beta\/coach/,
        );
        const lines = failing.stdout.split("\n");
        assert.match(lines[1], /^REPO\s+AGENT\s+EXPECTED/);
        assert.match(lines[2], /^\(fleet\)\s+10\s+7\s+4\s+2\s+1\s+3\s+67%/);
        assert.match(lines[3], /^alpha\s+optimization\s+7\s+5\s+3\s+1\s+1\s+2\s+75%/);
        assert.match(lines[4], /^beta\s+coach/);

        assert.ok(!failing.stdout.includes("\u001b"), "no colour without a terminal");
      } finally {
        await fx.cleanup();
      }
    },
  });
}

Deno.test({
  name: "fleet status: expected runs from a saved roster discover answer, and from the stream",
  ignore,
  async fn() {
    const fx = await fleetFixture();
    const entry = CLI_ENTRIES[0];
    try {
      const discover = await runCli(entry, ["roster", "discover", "--roster", fx.roster]);
      assert.equal(discover.code, 0, discover.stderr);
      const runsFile = `${fx.dir}/runs.json`;
      await Deno.writeTextFile(runsFile, discover.stdout);
      const common = ["--window", `${fx.start}/${fx.end}`, "--now", fx.now, "--format", "json"];
      const fromFile = await runCli(entry, [
        "fleet",
        "status",
        "--runs",
        runsFile,
        "--nats-url",
        fx.server.url,
        ...common,
      ]);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      const a = JSON.parse(fromFile.stdout) as FleetStatusReport;
      assert.equal(a.source.expected, "runs-file");
      const published = await runCli(entry, [
        "fleet",
        "publish-roster",
        "--roster",
        fx.roster,
        "--host",
        "runner-1.example.org",
        "--nats-url",
        fx.server.url,
      ]);
      assert.equal(published.code, 0, published.stderr);
      assert.match(
        published.stderr,
        /published 4 run\(s\) of runner-1\.example\.org on kaizen\.fleet\.roster\.runner-1_example_org/,
      );
      // The stored message is what schemas/fleet-roster.schema.json describes.
      const conn = await openEventPublisher({ url: fx.server.url, env: () => undefined });
      const stored = await (await jetstreamManager(conn.connection)).streams.getMessage("KAIZEN", {
        last_by_subj: "kaizen.fleet.roster.runner-1_example_org",
      });
      await conn.close();
      const message = FleetRosterModel.parse(stored!.json());
      assert.equal(message.host, "runner-1.example.org");
      assert.equal(message.runs.length, 4);
      assert.deepEqual(message.skipped, [{ repo: "delta", reason: "no-manifest" }]);
      const fromStream = await runCli(entry, [
        "fleet",
        "status",
        "--runs-from-stream",
        "--nats-url",
        fx.server.url,
        ...common,
      ]);
      assert.equal(fromStream.code, 0, fromStream.stderr);
      const b = JSON.parse(fromStream.stdout) as FleetStatusReport;
      assert.equal(b.source.expected, "stream");
      // The same rows whichever way the runs came; the roster message is not an event.
      assert.deepEqual(b.rows, a.rows);
      assert.equal(b.source.invalid, a.source.invalid);
      const viaLibrary = await fleetStatus({
        expected: { kind: "runs-file", path: runsFile },
        window: { start: new Date(fx.start), end: new Date(fx.end) },
        now: new Date(fx.now),
        nats: { url: fx.server.url },
      });
      assert.deepEqual(viaLibrary.rows, a.rows);
      // The stream now holds the roster message too (read, not an event).
      assert.equal(viaLibrary.source.messages, 22);
      checkReport({
        ...viaLibrary,
        source: { ...viaLibrary.source, expected: "roster-file", messages: 21 },
      }, fx);
    } finally {
      await fx.cleanup();
    }
  },
});

Deno.test({
  name: "fleet status: usage errors exit 2, an unreachable server or no stream exits 1",
  ignore,
  async fn() {
    const fx = await fleetFixture({ history: false });
    const entry = CLI_ENTRIES[0];
    try {
      const bad = [
        ["--fail-on", "late"],
        ["--since", "soon"],
        ["--since", "1d", "--window", "2026-01-01T00:00:00Z/P1D"],
        ["--window", "2026-01-01T00:00:00Z/P400D"],
        ["--runs", "x.json", "--scan", "."],
      ];
      for (const args of bad) {
        const r = await runCli(entry, ["fleet", "status", ...args, "--nats-url", fx.server.url]);
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      }
      const noStream = await runCli(entry, [
        "fleet",
        "status",
        "--roster",
        fx.roster,
        "--stream",
        "NOPE",
        "--nats-url",
        fx.server.url,
      ]);
      assert.equal(noStream.code, 1);
      assert.match(noStream.stderr, /no stream named NOPE/);
      const down = await runCli(entry, [
        "fleet",
        "status",
        "--roster",
        fx.roster,
        "--nats-url",
        "nats://alice:s3cret-pw@127.0.0.1:1",
      ]);
      assert.equal(down.code, 1);
      assert.doesNotMatch(down.stderr, /s3cret-pw/);
      // An empty stream: every firing is missed, nothing hangs.
      const empty = await runCli(entry, [
        "fleet",
        "status",
        "--roster",
        fx.roster,
        "--window",
        `${fx.start}/${fx.end}`,
        "--now",
        fx.now,
        "--nats-url",
        fx.server.url,
        "--format",
        "json",
      ]);
      assert.equal(empty.code, 0, empty.stderr);
      const r = JSON.parse(empty.stdout) as FleetStatusReport;
      assert.equal(r.total.missed, 10);
      assert.equal(r.source.messages, 0);
    } finally {
      await fx.cleanup();
    }
  },
});

function haveScript(): boolean {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "fleet status on a terminal: a progress bar on stderr and a coloured table; neither without one",
  ignore: ignore || !haveScript(),
  async fn() {
    const fx = await fleetFixture({ history: false });
    const entry = CLI_ENTRIES[0];
    try {
      // Enough events for the progress bar (it is drawn every 4,096 messages).
      const { openEventPublisher } = await import("../core/nats/mod.ts");
      const pub = await openEventPublisher({ url: fx.server.url, env: () => undefined });
      for (let i = 0; i < 12_000; i++) {
        pub.connection.publish(
          "kaizen.schedule.prepared",
          JSON.stringify({ repo: "ghost", agent: "coach", occurred_at: fx.d(1, "09:00") }),
        );
      }
      await pub.connection.flush();
      // The stream stores core publishes a moment after the flush.
      const { jetstreamManager } = await import("@nats-io/jetstream");
      const jsm = await jetstreamManager(pub.connection);
      for (let i = 0; i < 100; i++) {
        if ((await jsm.streams.info("KAIZEN")).state.messages >= 12_000) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await pub.close();
      const args = [
        "fleet",
        "status",
        "--roster",
        fx.roster,
        "--window",
        `${fx.start}/${fx.end}`,
        "--now",
        fx.now,
        "--nats-url",
        fx.server.url,
      ];
      const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
      // `script` gives the child a pseudo-terminal for stdin, stdout and stderr.
      const onTty = async (env: Record<string, string>) => {
        const cmd = [...entry.argv, ...args].map(quote).join(" ");
        const out = await new Deno.Command("script", {
          args: ["-qec", cmd, "/dev/null"],
          env: { XDG_CONFIG_HOME: "/nonexistent", KAIZEN_REPO: "", ...env },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        return { code: out.code, text: new TextDecoder().decode(out.stdout) };
      };
      const tty = await onTty({});
      assert.equal(tty.code, 0, tty.text);
      assert.match(tty.text, /fleet: reading events \[#+-*\] \d+% \([\d,]+ of ~[\d,]+\)/);
      assert.ok(tty.text.includes("\u001b[31mbeta"), "the missed row is red on a terminal");
      const noColor = await onTty({ NO_COLOR: "1" });
      assert.ok(!noColor.text.includes("\u001b[31m"), "NO_COLOR: no colour");
      assert.match(noColor.text, /fleet: reading events/);
      const piped = await runCli(entry, args);
      assert.equal(piped.code, 0, piped.stderr);
      assert.doesNotMatch(piped.stderr, /reading events/);
    } finally {
      await fx.cleanup();
    }
  },
});
