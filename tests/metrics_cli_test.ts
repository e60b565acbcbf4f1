/**
 * `kaizen metrics record | show`: the core functions (core/state/metrics/mod.ts)
 * and the command functions (core/commands/metrics.ts) called with a built
 * `Invocation`, against temporary copies of the pilot repository. Concurrency
 * is checked with in-process writers and with real processes; `--sink nats`
 * against a real `nats-server` on loopback.
 */
import assert from "node:assert/strict";
import { NatsConnectionImpl, setTransportFactory } from "@nats-io/nats-core/internal";
import { DenoTcpTransport } from "../core/nats/transport.ts";
import { MetricsRecordedModel } from "../core/events/model.ts";
import { UsageError } from "../core/cli/framework.ts";
import { type Flags, runCommand } from "./_command.ts";
import { CliError } from "../core/cli/io.ts";
import { metricsCommand } from "../core/commands/metrics.ts";
import {
  deriveSummary,
  type ExecutionRecord,
  helixFromEnv,
  LOCK_STALE_MS,
  type MetricsSummary,
  parseRecords,
  readMetrics,
  rebuildSummary,
  recordExecution,
} from "../core/state/metrics/mod.ts";
import { executionsPath, summaryPath, summaryStatePath } from "../core/state/layout.ts";
import { REPO_ROOT } from "./_cli.ts";
import { ALNUM } from "./_fake_secrets.ts";
import { haveNatsServer, startNatsServer } from "./_nats_server.ts";
import { must } from "./_metrics.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const NOW = "2026-11-23T08:00:00Z";
const LOG = executionsPath("coach");
const SUMMARY = summaryPath("coach");

/** A fresh copy of the pilot repo (its four coach records included). */
async function pilotCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-metrics-" });
  await copyTree(PILOT, dir);
  return await Deno.realPath(dir);
}

async function copyTree(from: string, to: string): Promise<void> {
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) {
      await Deno.mkdir(`${to}/${e.name}`);
      await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    } else if (e.isFile) {
      await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
    }
  }
}

/** An empty repository (packaged agents only, no metrics). */
async function emptyRepo(): Promise<string> {
  return await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-metrics-" }));
}

async function lines(path: string): Promise<string[]> {
  return (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** `kaizen metrics <sub> <args> <flags>` in process. */
function metrics(sub: string, args: string[], flags: Flags): Promise<number> {
  return runCommand(metricsCommand, sub, args, flags);
}

/** Runs a command function and returns the exit code a CLI user would see. */
async function exitCode(run: Promise<number>): Promise<{ code: number; message: string }> {
  try {
    return { code: await run, message: "" };
  } catch (err) {
    if (err instanceof CliError) return { code: err.exitCode, message: err.message };
    if (err instanceof UsageError) return { code: 2, message: err.message };
    throw err;
  }
}

/** `ghp_` + 36 random alphanumerics, built now so no credential sits in the source. */
function plantedToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(36));
  return "ghp_" + [...bytes].map((b) => ALNUM[b % ALNUM.length]).join("");
}

Deno.test("deriveSummary reproduces the pilot's summary.json from its records", async () => {
  const { records, skipped } = parseRecords(await Deno.readTextFile(`${PILOT}/${LOG}`), "coach");
  assert.equal(skipped.length, 0);
  const expected = JSON.parse(await Deno.readTextFile(`${PILOT}/${SUMMARY}`));
  assert.deepEqual(deriveSummary("coach", records, new Date(expected.updated_at)), expected);
});

Deno.test("deriveSummary: no runs; rounding; the latest run by time, not by line", () => {
  assert.deepEqual(deriveSummary("coach", [], new Date(NOW)), {
    agent: "coach",
    runs: 0,
    successes: 0,
    failures: 0,
    success_rate: 0,
    avg_time_seconds: 0,
    time_p50_seconds: null,
    time_p90_seconds: null,
    avg_quality: null,
    last_run_at: null,
    last_success: null,
    trend: null,
    updated_at: NOW,
  });
  const rec = (at: string, success: boolean, t: number, q: number): ExecutionRecord => ({
    agent: "coach",
    recorded_at: at,
    success,
    time_seconds: t,
    quality: q,
  });
  const s = deriveSummary("coach", [
    rec("2026-11-20T10:00:00Z", true, 10, 0.1),
    rec("2026-11-21T10:00:00Z", false, 10.5, 0.2),
    rec("2026-11-19T10:00:00Z", true, 11, 0.3),
  ], new Date(NOW));
  assert.equal(s.success_rate, 0.667); // 2/3 to 3 decimals
  assert.equal(s.avg_time_seconds, 11); // 10.5 rounds to whole seconds
  assert.equal(s.avg_quality, 0.2);
  assert.equal(s.last_run_at, "2026-11-21T10:00:00Z");
  assert.equal(s.last_success, false);
  assert.equal(s.time_p50_seconds, 11, "10, 10.5, [11] rounded: rank ceil(1.5) = 2 → 10.5 → 11");
  assert.equal(s.time_p90_seconds, 11);
  assert.equal(s.trend, null, "fewer than 5 runs: no trend");
});

Deno.test("deriveSummary: nearest-rank percentiles and the trend over the latest 5 by time", () => {
  const rec = (day: number, success: boolean, t: number, q: number): ExecutionRecord => ({
    agent: "coach",
    recorded_at: `2026-11-${String(day).padStart(2, "0")}T10:00:00Z`,
    success,
    time_seconds: t,
    quality: q,
  });
  // Ten runs with times 100..1000; lines out of time order.
  const records = [
    rec(10, true, 1000, 0.1),
    rec(1, true, 100, 0.9),
    rec(2, true, 200, 0.9),
    rec(3, false, 300, 0.9),
    rec(4, true, 400, 0.9),
    rec(5, true, 500, 0.9),
    rec(6, false, 600, 0.5),
    rec(7, false, 700, 0.5),
    rec(8, true, 800, 0.5),
    rec(9, true, 899.6, 0.5),
  ];
  const s = deriveSummary("coach", records, new Date(NOW));
  assert.equal(s.time_p50_seconds, 500, "rank ceil(5) = 5");
  assert.equal(s.time_p90_seconds, 900, "rank ceil(9) = 9: 899.6 rounded");
  // Latest five by recorded_at: days 6-10, not the last five lines.
  assert.deepEqual(s.trend, {
    runs_recent: 5,
    success_rate_recent: 0.6,
    avg_time_recent_seconds: 800, // (600 + 700 + 800 + 899.6 + 1000) / 5 = 799.92
    avg_quality_recent: 0.42, // (0.5 × 4 + 0.1) / 5
  });
  assert.equal(s.last_run_at, "2026-11-10T10:00:00Z");
  // One run: both percentiles are that run.
  const one = deriveSummary("coach", [rec(1, true, 42.5, 1)], new Date(NOW));
  assert.equal(one.time_p50_seconds, 43);
  assert.equal(one.time_p90_seconds, 43);
  // Ties at one instant: the later line is the later run.
  const tied = deriveSummary(
    "coach",
    [1, 2, 3, 4, 5, 6].map((i) => rec(1, i !== 1, i, 1)),
    new Date(NOW),
  );
  assert.equal(tied.trend!.success_rate_recent, 1, "the first line is the one left out");
  assert.equal(tied.last_success, true);
});

Deno.test("record: one line appended, summary rewritten with exact values (pinned time)", async () => {
  const root = await pilotCopy();
  try {
    const before = await lines(`${root}/${LOG}`);
    const r = await must(recordExecution(root, "coach", {
      success: true,
      time_seconds: 600,
      quality: 0.7,
      notes: "added the lint step",
      helix: { helix_session_uid: "sess-42", helix_tokens: 1200 },
    }, { now: new Date(NOW) }));
    const after = await lines(`${root}/${LOG}`);
    assert.deepEqual(after.slice(0, -1), before, "earlier lines untouched");
    assert.deepEqual(JSON.parse(after.at(-1)!), {
      agent: "coach",
      recorded_at: NOW,
      success: true,
      time_seconds: 600,
      quality: 0.7,
      notes: "added the lint step",
      helix_session_uid: "sess-42",
      helix_tokens: 1200,
    });
    const expected = {
      agent: "coach",
      runs: 5,
      successes: 4,
      failures: 1,
      success_rate: 0.8,
      avg_time_seconds: 927, // (840 + 1260 + 1515 + 420 + 600) / 5 = 927
      time_p50_seconds: 840, // 420 600 [840] 1260 1515: rank ceil(2.5) = 3
      time_p90_seconds: 1515, // rank ceil(4.5) = 5
      avg_quality: 0.66, // (0.6 + 0.8 + 0.9 + 0.3 + 0.7) / 5
      last_run_at: NOW,
      last_success: true,
      trend: { // exactly five runs: the latest five are all of them
        runs_recent: 5,
        success_rate_recent: 0.8,
        avg_time_recent_seconds: 927,
        avg_quality_recent: 0.66,
      },
      updated_at: NOW,
    };
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${root}/${SUMMARY}`)), expected);
    assert.deepEqual(r.summary, expected);
    assert.equal(r.redactions, 0);
    assert.ok(!(await exists(`${root}/${LOG}.lock`)), "lock released");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("record: the first record of an agent creates its folder; show reads it back", async () => {
  const root = await emptyRepo();
  try {
    await must(recordExecution(root, "optimization", {
      success: false,
      time_seconds: 0,
      quality: 0,
    }, { now: new Date("2026-11-23T08:00:00.250Z") }));
    const m = await must(readMetrics(root, "optimization"));
    assert.equal(m.exists, true);
    assert.equal(m.summarySource, "file");
    assert.equal(m.summary.runs, 1);
    assert.equal(m.records[0].recorded_at, "2026-11-23T08:00:00.250Z", "milliseconds kept");
    assert.equal("notes" in m.records[0], false, "no empty notes field");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("record: 20 concurrent writers in one process → 20 whole lines, runs 20", async () => {
  const root = await emptyRepo();
  try {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        must(recordExecution(root, "coach", {
          success: i % 4 !== 0,
          time_seconds: 60 + i,
          quality: 0.5,
          notes: `writer ${i}`,
        }))),
    );
    const all = await lines(`${root}/${LOG}`);
    assert.equal(all.length, 20);
    const notes = all.map((l) => JSON.parse(l).notes).sort();
    assert.deepEqual(notes, Array.from({ length: 20 }, (_, i) => `writer ${i}`).sort());
    const summary = JSON.parse(await Deno.readTextFile(`${root}/${SUMMARY}`));
    assert.equal(summary.runs, 20);
    assert.equal(summary.successes, 15);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("record: 12 concurrent processes → 12 whole lines, runs 12", async () => {
  const root = await emptyRepo();
  const script = `${root}.writer.ts`;
  await Deno.writeTextFile(
    script,
    `import { recordExecution } from ${
      JSON.stringify(new URL("../core/state/metrics/mod.ts", import.meta.url).href)
    };\n` +
      `const r = await recordExecution(Deno.args[0], "coach", { success: true, time_seconds: Number(Deno.args[1]), quality: 1 });\n` +
      `if (!r.ok) throw new Error(r.message);\n`,
  );
  try {
    const children = Array.from({ length: 12 }, (_, i) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", `${REPO_ROOT}/deno.json`, script, root, String(i)],
        stdout: "null",
        stderr: "piped",
      }).output());
    for (const out of await Promise.all(children)) {
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    }
    const all = await lines(`${root}/${LOG}`);
    assert.equal(all.length, 12);
    assert.deepEqual(
      all.map((l) => JSON.parse(l).time_seconds).sort((a, b) => a - b),
      Array.from({ length: 12 }, (_, i) => i),
    );
    assert.equal(JSON.parse(await Deno.readTextFile(`${root}/${SUMMARY}`)).runs, 12);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(script);
  }
});

Deno.test("record: malformed lines are skipped and counted; a torn last line stays apart", async () => {
  const root = await pilotCopy();
  try {
    const path = `${root}/${LOG}`;
    const valid = await Deno.readTextFile(path);
    await Deno.writeTextFile(
      path,
      valid +
        "not json at all\n" +
        JSON.stringify({ agent: "optimization", recorded_at: NOW, success: true }) + "\n" +
        JSON.stringify({ agent: "coach", recorded_at: NOW, success: true, time_seconds: 5 }) +
        "\n" +
        '{"agent":"coach","recorded_at":"2026-11-2', // a writer killed mid-line
    );
    const r = await must(recordExecution(root, "coach", {
      success: false,
      time_seconds: 100,
      quality: 0.5,
    }, { now: new Date(NOW) }));
    assert.deepEqual(r.skipped.map((s) => s.line), [5, 6, 7, 8]);
    assert.equal(r.summary.runs, 5, "four valid old records + the new one");
    const last = (await lines(path)).at(-1)!;
    assert.equal(JSON.parse(last).time_seconds, 100, "the new record is on its own line");
    const m = await must(readMetrics(root, "coach"));
    assert.equal(m.skipped.length, 4);
    assert.equal(m.records.length, 5);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("record: a secret in the notes is redacted before anything is written", async () => {
  const root = await pilotCopy();
  try {
    const token = plantedToken();
    const r = await must(recordExecution(root, "coach", {
      success: true,
      time_seconds: 60,
      quality: 0.9,
      notes: `pushed with ${token} by mistake`,
    }, { now: new Date(NOW) }));
    assert.equal(r.redactions, 1);
    assert.ok(!r.record.notes!.includes(token));
    for (const file of [LOG, SUMMARY]) {
      assert.ok(!(await Deno.readTextFile(`${root}/${file}`)).includes(token), file);
    }
    assert.match(r.record.notes!, /^pushed with \[REDACTED:[a-z0-9-]+\] by mistake$/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("record command: bad values exit 2 with one clear line and write nothing", async () => {
  const root = await emptyRepo();
  try {
    const base = { target: root, time: "60", quality: "0.5", success: true };
    const cases: Array<[Flags, RegExp]> = [
      [
        { ...base, quality: "1.5" },
        /^option '--quality' must be a number from 0 to 1, got '1\.5'$/,
      ],
      [{ ...base, quality: "high" }, /^option '--quality' must be a number from 0 to 1/],
      [{ ...base, time: "-1" }, /^option '--time' must be a number from 0 to 604800, got '-1'$/],
      [{ ...base, time: "ten" }, /^option '--time' must be a number/],
      [{ ...base, time: "1e3" }, /^option '--time' must be a number/],
      [{ ...base, time: "604801" }, /^option '--time' must be a number/],
      [{ ...base, failure: true }, /^give either --success or --failure, not both$/],
      [{ ...base, success: undefined }, /^say how the run went: --success or --failure$/],
      [{ ...base, time: undefined }, /^missing option '--time <SECONDS>'$/],
      [{ ...base, quality: undefined }, /^missing option '--quality <0-1>'$/],
      [{ ...base, now: "yesterday" }, /^--now 'yesterday' is not an ISO 8601 date-time/],
    ];
    for (const [opts, message] of cases) {
      const r = await exitCode(metrics("record", ["coach"], opts));
      assert.equal(r.code, 2, JSON.stringify(opts));
      assert.match(r.message, message);
      assert.ok(!r.message.includes("\n"));
    }
    assert.ok(!(await exists(`${root}/.kaizen`)), "nothing written");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("record command: an unknown agent exits 1 with a suggestion, nothing written", async () => {
  const root = await emptyRepo();
  try {
    const r = await exitCode(
      metrics("record", ["coahc"], { target: root, success: true, time: "5", quality: "1" }),
    );
    assert.equal(r.code, 1);
    assert.match(r.message, /^unknown agent 'coahc' \(did you mean 'coach'\?\)/);
    const bad = await exitCode(
      metrics("record", ["../x"], { target: root, success: true, time: "5", quality: "1" }),
    );
    assert.equal(bad.code, 2, "an agent name is a path segment: checked first");
    assert.ok(!(await exists(`${root}/.kaizen`)));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("HELIX_* correlation: merged when set, numbers validated", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.deepEqual(
    helixFromEnv(env({
      HELIX_SESSION_UID: "hx-1",
      HELIX_REPO: "invoice-service",
      HELIX_FLAVOR: "claude",
      HELIX_TOKENS: "52000",
      HELIX_INFRA_OVERHEAD_SHARE: "0.25",
    })),
    {
      ok: true,
      helix: {
        helix_session_uid: "hx-1",
        helix_repo: "invoice-service",
        helix_flavor: "claude",
        helix_tokens: 52000,
        helix_infra_overhead_share: 0.25,
      },
    },
  );
  assert.deepEqual(
    helixFromEnv(env({ HELIX_SESSION_UID: "" })),
    { ok: true, helix: {} },
    "empty is unset",
  );
  for (
    const vars of [
      { HELIX_TOKENS: "lots" },
      { HELIX_TOKENS: "-5" },
      { HELIX_INFRA_OVERHEAD_SHARE: "1.5" },
      { HELIX_SESSION_UID: "a\u001b[2Jb" },
    ] as Record<string, string>[]
  ) {
    const r = helixFromEnv(env(vars));
    assert.equal(r.ok ? "read" : r.code, "invalid", JSON.stringify(vars));
  }
});

Deno.test("record: a symlink leading outside the repository is refused, nothing written there", async () => {
  const outside = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-outside-" }));
  for (const plant of ["metrics-dir", "log-file", "dangling-log"] as const) {
    const root = await emptyRepo();
    try {
      if (plant === "metrics-dir") {
        await Deno.mkdir(`${root}/.kaizen`);
        await Deno.symlink(outside, `${root}/.kaizen/metrics`);
      } else {
        await Deno.mkdir(`${root}/.kaizen/metrics/coach`, { recursive: true });
        const target = plant === "log-file"
          ? `${outside}/stolen.jsonl`
          : `${outside}/nowhere.jsonl`;
        if (plant === "log-file") await Deno.writeTextFile(target, "");
        await Deno.symlink(target, `${root}/${LOG}`);
      }
      const r = await exitCode(
        metrics("record", ["coach"], { target: root, success: true, time: "5", quality: "1" }),
      );
      assert.equal(r.code, 1, plant);
      assert.match(r.message, /symlink/, plant);
      const read = await readMetrics(root, "coach");
      assert.equal(read.ok ? "read" : read.code, "unsafe-path", plant);
      const left = [];
      for await (const e of Deno.readDir(outside)) left.push(e.name);
      assert.deepEqual(
        left,
        plant === "log-file" ? ["stolen.jsonl"] : [],
        `${plant}: nothing created outside`,
      );
      if (plant === "log-file") {
        assert.equal(await Deno.readTextFile(`${outside}/stolen.jsonl`), "");
      }
    } finally {
      await Deno.remove(root, { recursive: true });
      for await (const e of Deno.readDir(outside)) await Deno.remove(`${outside}/${e.name}`);
    }
  }
  await Deno.remove(outside, { recursive: true });
});

Deno.test("record: a lock left by a killed writer is taken over once stale", async () => {
  const root = await pilotCopy();
  try {
    const lock = `${root}/${LOG}.lock`;
    await Deno.writeTextFile(lock, "12345 long ago\n");
    const old = new Date(Date.now() - LOCK_STALE_MS - 5_000);
    await Deno.utime(lock, old, old);
    const r = await must(
      recordExecution(root, "coach", { success: true, time_seconds: 1, quality: 1 }),
    );
    assert.equal(r.summary.runs, 5);
    assert.ok(!(await exists(lock)));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("show: the stored summary when current; derived when missing or older", async () => {
  const root = await pilotCopy();
  try {
    // A checkout writes files in any order: make the summary the newer one.
    const later = new Date(Date.now() + 60_000);
    await Deno.utime(`${root}/${SUMMARY}`, later, later);
    const stored = await must(readMetrics(root, "coach"));
    assert.equal(stored.summarySource, "file");
    assert.equal(stored.summary.runs, 4);
    assert.equal(stored.records.length, 4);

    // A writer killed between its append and its summary rewrite.
    const line = JSON.stringify({
      agent: "coach",
      recorded_at: NOW,
      success: true,
      time_seconds: 60,
      quality: 1,
    });
    await Deno.writeTextFile(`${root}/${LOG}`, line + "\n", { append: true });
    const past = new Date("2026-01-01T00:00:00Z");
    await Deno.utime(`${root}/${SUMMARY}`, past, past);
    const stale = await must(readMetrics(root, "coach", { now: new Date(NOW) }));
    assert.equal(stale.summarySource, "derived");
    assert.equal(stale.summary.runs, 5);
    assert.equal(stale.summary.last_run_at, NOW);

    await Deno.remove(`${root}/${SUMMARY}`);
    assert.equal((await must(readMetrics(root, "coach"))).summarySource, "derived");

    // Recording again repairs the stored summary.
    await must(recordExecution(root, "coach", { success: true, time_seconds: 1, quality: 1 }));
    const repaired = await must(readMetrics(root, "coach"));
    assert.equal(repaired.summarySource, "file");
    assert.equal(repaired.summary.runs, 6);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("show: an agent without runs is fine; an unknown one exits 1", async () => {
  const root = await emptyRepo();
  try {
    const m = await must(readMetrics(root, "coach"));
    assert.equal(m.exists, false);
    assert.equal(m.summary.runs, 0);
    const r = await exitCode(metrics("show", ["coachh"], { target: root }));
    assert.equal(r.code, 1);
    assert.match(r.message, /did you mean 'coach'/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

async function natsClient(url: string) {
  setTransportFactory({ factory: () => new DenoTcpTransport() });
  return await NatsConnectionImpl.connect({ servers: url, reconnect: false });
}

Deno.test({
  name: "record --sink nats: a kaizen.metrics.recorded v1 event the model accepts",
  ignore: !haveNatsServer(),
  async fn() {
    const root = await pilotCopy();
    const server = await startNatsServer({ jetstream: false });
    try {
      const nc = await natsClient(server.url);
      const sub = nc.subscribe("kaizen.metrics.recorded", { max: 1 });
      await nc.flush();
      const code = await metrics("record", ["coach"], {
        target: root,
        success: true,
        time: "600",
        quality: "0.7",
        now: NOW,
        format: "json",
        sink: "nats",
        "nats-url": server.url,
      });
      assert.equal(code, 0);
      let event: unknown;
      for await (const m of sub) event = m.json();
      await nc.close();
      const parsed = MetricsRecordedModel.parse(event);
      assert.equal(parsed.agent, "coach");
      assert.equal(parsed.occurred_at, NOW);
      assert.equal(parsed.root, root);
      assert.deepEqual(parsed.summary, {
        runs: 5,
        successes: 4,
        failures: 1,
        success_rate: 0.8,
        avg_time_seconds: 927,
        avg_quality: 0.66,
      });
    } finally {
      await server.stop();
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("record --sink nats: a server that is down → exit 1, the record stays written", async () => {
  const root = await pilotCopy();
  try {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    const code = await metrics("record", ["coach"], {
      target: root,
      failure: true,
      time: "30",
      quality: "0.1",
      now: NOW,
      format: "json",
      sink: "nats",
      "nats-url": `nats://127.0.0.1:${port}`,
    });
    assert.equal(code, 1);
    assert.equal((await lines(`${root}/${LOG}`)).length, 5);
    assert.equal(JSON.parse(await Deno.readTextFile(`${root}/${SUMMARY}`)).runs, 5);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// Incremental summary (summary.state.json)

const STATE = summaryStatePath("coach");

/** The summary derived from every record in the log, as `rebuild` would. */
async function derivedFromLog(root: string, now: string): Promise<MetricsSummary> {
  const { records } = parseRecords(await Deno.readTextFile(`${root}/${LOG}`), "coach");
  return deriveSummary("coach", records, new Date(now));
}

const rec = (i: number, t = 100 + i): ExecutionRecord => ({
  agent: "coach",
  recorded_at: new Date(Date.parse("2026-01-01T00:00:00Z") + i * 3_600_000).toISOString()
    .replace(".000Z", "Z"),
  success: i % 3 !== 0,
  time_seconds: t,
  quality: (i % 10) / 10,
});

Deno.test("record: after the first write only the log's new bytes are read; results equal a full derivation", async () => {
  const root = await pilotCopy();
  try {
    const one = { success: true, time_seconds: 61.5, quality: 0.25 };
    const first = await must(recordExecution(root, "coach", one, { now: new Date(NOW) }));
    assert.equal(first.mode, "full", "no state yet: the whole log is read");
    assert.ok(await exists(`${root}/${STATE}`));
    for (let i = 0; i < 7; i++) {
      const at = new Date(Date.parse(NOW) + (i % 2 ? -1 : 1) * i * 3_600_000); // out of order
      const r = await must(recordExecution(root, "coach", {
        success: i % 2 === 0,
        time_seconds: 30 * i,
        quality: i / 10,
      }, { now: at }));
      assert.equal(r.mode, "incremental");
      assert.deepEqual(r.summary, await derivedFromLog(root, r.summary.updated_at));
    }
    const s = JSON.parse(await Deno.readTextFile(`${root}/${SUMMARY}`));
    assert.equal(s.runs, 12);
    assert.equal(s.trend.runs_recent, 5);
    const state = JSON.parse(await Deno.readTextFile(`${root}/${STATE}`));
    assert.equal(state.offset, (await Deno.stat(`${root}/${LOG}`)).size);
    assert.equal(state.lines, 12);

    // Proof that the covered bytes are not read again: an in-place edit in the
    // middle of a long log (same length, outside the fingerprinted ends) is
    // not noticed by record; rebuild, which reads everything, sees it.
    const long = Array.from({ length: 400 }, (_, i) => JSON.stringify(rec(i)) + "\n").join("");
    await Deno.writeTextFile(`${root}/${LOG}`, long);
    await must(rebuildSummary(root, "coach", { now: new Date(NOW) }));
    const text = await Deno.readTextFile(`${root}/${LOG}`);
    const at = text.indexOf('"time_seconds":300,');
    assert.ok(at > 8192 && at < text.length - 8192);
    const f = await Deno.open(`${root}/${LOG}`, { write: true });
    await f.seek(at + '"time_seconds":'.length, Deno.SeekMode.Start);
    await f.write(new TextEncoder().encode("999"));
    f.close();
    const r = await must(recordExecution(root, "coach", one, { now: new Date(NOW) }));
    assert.equal(r.mode, "incremental");
    const full = await derivedFromLog(root, NOW);
    assert.equal(r.summary.runs, 401);
    assert.notEqual(r.summary.avg_time_seconds, full.avg_time_seconds, "edit not re-read");
    const rebuilt = await must(rebuildSummary(root, "coach", { now: new Date(NOW) }));
    assert.deepEqual(rebuilt.summary, full);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("record: a missing, corrupt, stale or foreign state falls back to reading the whole log", async () => {
  const root = await pilotCopy();
  const log = `${root}/${LOG}`;
  const input = { success: false, time_seconds: 77, quality: 0.4 };
  const check = async (what: string, mode: "full" | "incremental" = "full") => {
    const r = await must(recordExecution(root, "coach", input, { now: new Date(NOW) }));
    assert.equal(r.mode, mode, what);
    assert.deepEqual(r.summary, await derivedFromLog(root, NOW), what);
  };
  try {
    await check("no state");
    await check("state current", "incremental");
    await Deno.writeTextFile(`${root}/${STATE}`, "{ not json");
    await check("torn state");
    await Deno.writeTextFile(
      `${root}/${STATE}`,
      (await Deno.readTextFile(`${root}/${STATE}`)).replace(/"runs":\d+/, '"runs":1000'),
    );
    await check("state whose counts do not add up");
    // The log shrank (an operator archived lines): offset beyond the end.
    const kept = (await lines(log)).slice(0, 3).join("\n") + "\n";
    await Deno.writeTextFile(log, kept);
    await check("log shorter than the offset");
    // Same length, other content near the end: the fingerprint differs.
    const text = await Deno.readTextFile(log);
    await Deno.writeTextFile(
      log,
      text.replace('"success":false,"time_seconds":77', '"success":false,"time_seconds":78'),
    );
    await check("log rewritten in place near the end");
    // Replaced by another file (another inode) of any length. Written beside
    // it and renamed over it, so the new file cannot reuse the old inode (a
    // remove-then-create may get the same number back, and then the same
    // content in the same inode is rightly read as unchanged).
    const again = await Deno.readTextFile(log);
    await Deno.writeTextFile(`${log}.new`, again);
    await Deno.rename(`${log}.new`, log);
    await check("log replaced by a new file");
    await check("and incremental again afterwards", "incremental");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("record: a crash after the append (no summary, no state update) and a torn line are counted once", async () => {
  const root = await pilotCopy();
  const log = `${root}/${LOG}`;
  try {
    await must(recordExecution(root, "coach", { success: true, time_seconds: 1, quality: 1 }));
    // A writer killed after its append: the record is there, summary and state are not updated.
    await Deno.writeTextFile(log, JSON.stringify(rec(1)) + "\n", { append: true });
    // Another killed mid-line.
    await Deno.writeTextFile(log, '{"agent":"coach","recorded_at":"2026-11-2', { append: true });
    const r = await must(
      recordExecution(root, "coach", { success: true, time_seconds: 2, quality: 1 }, {
        now: new Date(NOW),
      }),
    );
    assert.equal(r.mode, "incremental");
    assert.equal(r.summary.runs, 7, "4 pilot + 1 + the crashed writer's + this one");
    assert.deepEqual(r.skipped, [{ line: 7, reason: "not valid JSON" }]);
    assert.equal(r.skippedCount, 1);
    const again = await must(recordExecution(root, "coach", {
      success: true,
      time_seconds: 3,
      quality: 1,
    }, {
      now: new Date(NOW),
    }));
    assert.equal(again.summary.runs, 8);
    assert.equal(again.skippedCount, 1, "the torn line is counted once, not once per writer");
    assert.deepEqual(again.summary, await derivedFromLog(root, NOW));
    // rebuild with a torn last line: the state covers whole lines only, so
    // the next writer ends the line and counts it once.
    await Deno.writeTextFile(log, '{"agent":"co', { append: true });
    const rb = await must(rebuildSummary(root, "coach", { now: new Date(NOW) }));
    assert.equal(rb.skipped.length, 2);
    const next = await must(recordExecution(root, "coach", {
      success: false,
      time_seconds: 4,
      quality: 0,
    }, {
      now: new Date(NOW),
    }));
    assert.equal(next.mode, "incremental");
    assert.equal(next.skippedCount, 2);
    assert.equal(next.summary.runs, 9);
    assert.deepEqual(next.summary, await derivedFromLog(root, NOW));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
