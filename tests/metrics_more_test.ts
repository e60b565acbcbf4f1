/**
 * `kaizen metrics rebuild | list | optimize | publish`: the command functions
 * called in-process with a built `Invocation` (as in metrics_cli_test.ts),
 * the optimizer's rules on fixture histories, and `publish` against an
 * artifact store served by the test itself on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CliError } from "../core/cli/io.ts";
import { metricsCommand } from "../core/commands/metrics.ts";
import { type Flags, runCommand } from "./_command.ts";
import { type ExecutionRecord, rebuildSummary } from "../core/state/metrics/mod.ts";
import {
  type AgentScheduleInfo,
  analyseAgent,
  ANALYSIS_PATH,
  FALLING_QUALITY_DROP,
  LOW_SUCCESS_MIN_RUNS,
  LOW_SUCCESS_RATE,
  RECOMMENDATIONS_PATH,
  RISING_TIME_FACTOR,
  TREND_MIN_RUNS,
} from "../core/state/optimizer.ts";
import { executionsPath, summaryPath } from "../core/state/layout.ts";
import { REPO_ROOT } from "./_cli.ts";
import { ALNUM } from "./_fake_secrets.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const NOW = "2026-11-23T08:00:00Z";

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

async function pilotCopy(): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-metrics-more-" }));
  await copyTree(PILOT, dir);
  return dir;
}

async function emptyRepo(): Promise<string> {
  return await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-metrics-more-" }));
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

/**
 * Runs a command function with stdout and stderr captured, returning the
 * exit code a CLI user would see (a `CliError` becomes its code and message).
 */
async function run(
  p: () => Promise<number>,
): Promise<{ code: number; message: string; out: string; err: string }> {
  const decoder = new TextDecoder();
  let out = "";
  let err = "";
  const o = Deno.stdout.writeSync;
  const e = Deno.stderr.writeSync;
  Deno.stdout.writeSync = (b: Uint8Array) => (out += decoder.decode(b), b.length);
  Deno.stderr.writeSync = (b: Uint8Array) => (err += decoder.decode(b), b.length);
  try {
    return { code: await p(), message: "", out, err };
  } catch (error) {
    if (error instanceof CliError) {
      return { code: error.exitCode, message: error.message, out, err };
    }
    throw error;
  } finally {
    Deno.stdout.writeSync = o;
    Deno.stderr.writeSync = e;
  }
}

/** Sets (or, for `undefined`, unsets) variables for the length of `fn`. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  const set = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) Deno.env.delete(k);
      else Deno.env.set(k, val);
    }
  };
  set(vars);
  try {
    return await fn();
  } finally {
    set(saved);
  }
}

/** Records of `agent`, one a day from `start`: `[success, seconds, quality]` each. */
function history(
  agent: string,
  runs: readonly [boolean, number, number][],
  start = "2026-11-01T09:10:00Z",
): ExecutionRecord[] {
  return runs.map(([success, time_seconds, quality], i) => ({
    agent,
    recorded_at: new Date(Date.parse(start) + i * 86_400_000).toISOString().replace(".000Z", "Z"),
    success,
    time_seconds,
    quality,
  }));
}

async function writeHistory(root: string, records: ExecutionRecord[]): Promise<void> {
  const agent = records[0].agent;
  await Deno.mkdir(`${root}/.kaizen/metrics/${agent}`, { recursive: true });
  await Deno.writeTextFile(
    `${root}/${executionsPath(agent)}`,
    records.map((r) => JSON.stringify(r) + "\n").join(""),
  );
}

function rules(records: ExecutionRecord[], schedule: AgentScheduleInfo | null = null, now = NOW) {
  return analyseAgent(records[0]?.agent ?? "coach", records, schedule, new Date(now)).findings
    .map((f) => f.rule);
}

/** `ghp_` + 36 random alphanumerics, built now so no credential sits in the source. */
function plantedToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(36));
  return "ghp_" + [...bytes].map((b) => ALNUM[b % ALNUM.length]).join("");
}

// ---------------------------------------------------------------------------
// rebuild

Deno.test("rebuild: a torn summary.json is derived again from the records", async () => {
  const root = await pilotCopy();
  try {
    await Deno.writeTextFile(`${root}/${summaryPath("coach")}`, '{"agent":"coach","ru');
    // A writer killed mid-line: one torn record with no newline.
    await Deno.writeTextFile(`${root}/${executionsPath("coach")}`, '{"agent":"coa', {
      append: true,
    });
    const r = await run(() =>
      metrics("rebuild", ["coach"], { target: root, now: NOW, format: "text" })
    );
    assert.equal(r.code, 0, r.message);
    assert.match(r.err, /skipped 1 invalid line \(line 5: not valid JSON\)/);
    assert.match(r.err, /rebuilt \.kaizen\/metrics\/coach\/summary\.json from 4 records/);
    assert.match(r.out, /^coach: 4 runs, 3 succeeded \(75\.0%\)/);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${root}/${summaryPath("coach")}`)), {
      agent: "coach",
      runs: 4,
      successes: 3,
      failures: 1,
      success_rate: 0.75,
      avg_time_seconds: 1009,
      time_p50_seconds: 840,
      time_p90_seconds: 1515,
      avg_quality: 0.65,
      last_run_at: "2026-11-16T09:18:03Z",
      last_success: false,
      trend: null,
      updated_at: NOW,
    });
    assert.ok(!(await exists(`${root}/${executionsPath("coach")}.lock`)), "lock released");
    // The log is untouched: still append-only.
    assert.ok((await Deno.readTextFile(`${root}/${executionsPath("coach")}`)).endsWith('"coa'));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("rebuild: no executions.jsonl → exit 1, nothing created; bad name → exit 2", async () => {
  const root = await emptyRepo();
  try {
    const r = await run(() => metrics("rebuild", ["coach"], { target: root }));
    assert.equal(r.code, 1);
    assert.match(r.message, /executions\.jsonl does not exist/);
    assert.ok(!(await exists(`${root}/.kaizen`)), "nothing created");
    const bad = await run(() => metrics("rebuild", ["../x"], { target: root }));
    assert.equal(bad.code, 2);
    // The core function, for other front ends: the same refusal, as a result.
    const lib = await rebuildSummary(root, "coach");
    assert.ok(!lib.ok);
    assert.equal(lib.code, "not-found");
    assert.equal(lib.path, ".kaizen/metrics/coach/executions.jsonl");
    assert.match(lib.message, /executions\.jsonl does not exist/);
    assert.equal(r.message, lib.message, "the CLI says what the library says");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// list

Deno.test("list: every agent folder but the optimizer's, as table and JSON", async () => {
  const root = await pilotCopy();
  try {
    await Deno.mkdir(`${root}/.kaizen/metrics/optimizer`);
    await Deno.mkdir(`${root}/.kaizen/metrics/ghost`); // uninstalled agent, no runs
    const json = await run(() => metrics("list", [], { target: root, format: "json" }));
    assert.equal(json.code, 0, json.message);
    const rows = JSON.parse(json.out) as { agent: string; runs: number }[];
    assert.deepEqual(rows.map((r) => [r.agent, r.runs]), [
      ["coach", 4],
      ["ghost", 0],
      ["optimization", 3],
    ]);
    const table = await run(() => metrics("list", [], { target: root, format: "table" }));
    assert.equal(table.code, 0);
    const lines = table.out.trimEnd().split("\n");
    assert.match(lines[0], /^AGENT\s+RUNS\s+SUCCESS\s+AVG TIME\s+AVG QUALITY\s+LAST RUN$/);
    assert.match(
      lines[1],
      /^coach\s+4\s+75\.0%\s+16m 49s\s+0\.65\s+2026-11-16T09:18:03Z \(failure\)$/,
    );
    assert.match(lines[2], /^ghost\s+0\s+-\s+-\s+-\s+-$/);
    assert.equal(lines.length, 4);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("list: a repository without metrics says so", async () => {
  const root = await emptyRepo();
  try {
    const r = await run(() => metrics("list", [], { target: root, format: "table" }));
    assert.equal(r.code, 0);
    assert.match(r.out, /no agent has recorded runs yet/);
    const j = await run(() => metrics("list", [], { target: root, format: "json" }));
    assert.deepEqual(JSON.parse(j.out), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// optimizer rules

const ok = (t = 600, q = 0.8): [boolean, number, number] => [true, t, q];

Deno.test("rules: a healthy history gives no finding", () => {
  const daily: AgentScheduleInfo = { cron: "0 9 * * *", timezone: "UTC", enabled: true };
  const recs = history("coach", Array.from({ length: 8 }, () => ok()));
  // The last run is 2026-11-08 09:10; "now" the next morning after 09:00.
  assert.deepEqual(rules(recs, daily, "2026-11-09T09:05:00Z"), []);
});

Deno.test("rules: low success rate below 0.6, only from 3 runs", () => {
  assert.equal(LOW_SUCCESS_RATE, 0.6);
  assert.equal(LOW_SUCCESS_MIN_RUNS, 3);
  const fail: [boolean, number, number] = [false, 600, 0.8];
  assert.deepEqual(rules(history("coach", [ok(), fail, fail])), ["low-success-rate"]);
  assert.deepEqual(rules(history("coach", [fail, fail])), [], "two runs say too little");
  // 3 of 5 is exactly 0.6: not below.
  assert.deepEqual(rules(history("coach", [ok(), ok(), ok(), fail, fail])), []);
  const f = analyseAgent("coach", history("coach", [ok(), fail, fail]), null, new Date(NOW))
    .findings[0];
  assert.equal(f.severity, "high");
  assert.deepEqual(f.evidence, { runs: 3, successes: 1, success_rate: 0.333, threshold: 0.6 });
});

Deno.test("rules: rising time when the last 3 average ≥ 1.5x the earlier runs (≥ 6 runs)", () => {
  assert.equal(RISING_TIME_FACTOR, 1.5);
  assert.equal(TREND_MIN_RUNS, 6);
  const times = (ts: number[]) => history("coach", ts.map((t) => ok(t)));
  assert.deepEqual(rules(times([100, 100, 100, 150, 150, 150])), ["rising-time"]); // exactly 1.5x
  assert.deepEqual(rules(times([100, 100, 100, 140, 150, 150])), []); // 1.47x
  assert.deepEqual(rules(times([100, 100, 300, 300, 300])), [], "5 runs: no trend yet");
  assert.deepEqual(rules(times([0, 0, 0, 60, 60, 60])), [], "no ratio against 0 s");
  const f = analyseAgent("coach", times([100, 120, 80, 100, 300, 300, 300]), null, new Date(NOW))
    .findings[0];
  assert.deepEqual(f.evidence, {
    recent_runs: 3,
    earlier_runs: 4,
    recent_mean_seconds: 300,
    earlier_mean_seconds: 100,
    factor: 3,
    threshold: 1.5,
  });
  // The order of the lines does not matter: runs are taken by time.
  const shuffled = times([100, 100, 100, 150, 150, 150]).reverse();
  assert.deepEqual(rules(shuffled), ["rising-time"]);
});

Deno.test("rules: falling quality when the last 3 average ≤ earlier − 0.15 (≥ 6 runs)", () => {
  assert.equal(FALLING_QUALITY_DROP, 0.15);
  const qs = (q: number[]) => history("coach", q.map((x) => ok(600, x)));
  assert.deepEqual(rules(qs([0.8, 0.8, 0.8, 0.65, 0.65, 0.65])), ["falling-quality"]); // exactly 0.15
  assert.deepEqual(rules(qs([0.8, 0.8, 0.8, 0.7, 0.7, 0.7])), []);
  assert.deepEqual(rules(qs([0.9, 0.9, 0.3, 0.3])), [], "too few runs");
  const f = analyseAgent("coach", qs([0.9, 0.9, 0.9, 0.5, 0.5, 0.5]), null, new Date(NOW))
    .findings[0];
  assert.equal(f.evidence.drop, 0.4);
});

Deno.test("rules: stale across a weekly cron (Mondays 09:00 Berlin), pinned now", () => {
  const weekly: AgentScheduleInfo = { cron: "0 9 * * 1", timezone: "Europe/Berlin", enabled: true };
  // Last run on Monday 2026-11-09, 20 minutes after the 08:00Z firing.
  const recs = history("coach", [ok(), ok(), ok()], "2026-11-07T08:20:00Z");
  assert.equal(recs.at(-1)!.recorded_at, "2026-11-09T08:20:00Z");
  // Monday 11-23 before 09:00 Berlin: firings 11-09 and 11-16. The 11-16 run
  // is the latest one due and may still be running: not stale yet.
  assert.deepEqual(rules(recs, weekly, "2026-11-23T07:59:00Z"), []);
  // One hour later 11-23 has fired too: the 11-16 run was missed.
  const after = analyseAgent("coach", recs, weekly, new Date("2026-11-23T09:00:00Z")).findings;
  assert.deepEqual(after.map((f) => f.rule), ["stale"]);
  assert.deepEqual(after[0].evidence, {
    last_run_at: "2026-11-09T08:20:00Z",
    cron: "0 9 * * 1",
    timezone: "Europe/Berlin",
    missed_firing: "2026-11-16T08:00:00Z",
    latest_firing: "2026-11-23T08:00:00Z",
  });
  // Disabled agents are not expected to run; no schedule, no stale rule.
  assert.deepEqual(rules(recs, { ...weekly, enabled: false }, "2026-12-23T09:00:00Z"), []);
  assert.deepEqual(rules(recs, null, "2026-12-23T09:00:00Z"), []);
});

// ---------------------------------------------------------------------------
// optimize (the command)

const MANIFEST = `version: "1"
timezone: Europe/Berlin
agents:
  coach:
    cadence: weekly
    cron: "0 9 * * 1"
  optimization:
    cadence: daily
  tdd-workflow:
    cadence: monthly
    enabled: false
`;

async function fixtureRepo(): Promise<string> {
  const root = await emptyRepo();
  await Deno.mkdir(`${root}/.kaizen`);
  await Deno.writeTextFile(`${root}/.kaizen/schedule.yml`, MANIFEST);
  // coach: weekly, last run 2026-11-09 → stale at NOW+1h; falling quality.
  await writeHistory(
    root,
    history("coach", [0.9, 0.9, 0.9, 0.6, 0.6, 0.6].map((q) => ok(600, q)), "2026-11-04T08:20:00Z"),
  );
  // optimization: daily, healthy, last run the morning of 11-23.
  await writeHistory(
    root,
    history("optimization", Array.from({ length: 6 }, () => ok()), "2026-11-18T08:05:00Z"),
  );
  // tdd-workflow: disabled, long silent, failing and slowing.
  await writeHistory(
    root,
    history("tdd-workflow", [
      [true, 100, 0.5],
      [false, 100, 0.5],
      [false, 100, 0.5],
      [false, 400, 0.5],
      [false, 400, 0.5],
      [true, 400, 0.5],
    ], "2026-01-01T00:00:00Z"),
  );
  return root;
}

Deno.test("optimize: writes analysis.json and recommendations.jsonl, byte-identical for a pinned --now", async () => {
  const root = await fixtureRepo();
  try {
    const opts = { target: root, now: "2026-11-23T09:00:00Z" };
    const r = await run(() => metrics("optimize", [], opts));
    assert.equal(r.code, 0, r.message);
    assert.match(r.out, /^analysed 3 agents: 4 findings/);
    const analysisText = await Deno.readTextFile(`${root}/${ANALYSIS_PATH}`);
    const recsText = await Deno.readTextFile(`${root}/${RECOMMENDATIONS_PATH}`);
    const recs = recsText.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(recs.map((f) => [f.agent, f.rule, f.severity]), [
      ["coach", "falling-quality", "medium"],
      ["coach", "stale", "high"],
      ["tdd-workflow", "low-success-rate", "high"],
      ["tdd-workflow", "rising-time", "medium"],
    ]);
    for (const f of recs) {
      assert.deepEqual(Object.keys(f), ["agent", "rule", "severity", "message", "evidence"]);
    }
    const analysis = JSON.parse(analysisText);
    assert.equal(analysis.generated_at, "2026-11-23T09:00:00Z");
    assert.equal(analysis.thresholds.low_success_rate, 0.6);
    assert.deepEqual(analysis.agents.map((a: { agent: string }) => a.agent), [
      "coach",
      "optimization",
      "tdd-workflow",
    ]);
    const opt = analysis.agents[1];
    assert.deepEqual(opt.findings, []);
    assert.deepEqual(opt.schedule, { cron: "0 9 * * *", timezone: "Europe/Berlin", enabled: true });
    assert.equal(opt.summary.runs, 6);
    assert.equal(analysis.agents[2].schedule.enabled, false);
    // Again with the same --now: the same bytes.
    await run(() => metrics("optimize", [], opts));
    assert.equal(await Deno.readTextFile(`${root}/${ANALYSIS_PATH}`), analysisText);
    assert.equal(await Deno.readTextFile(`${root}/${RECOMMENDATIONS_PATH}`), recsText);
    assert.ok(!(await exists(`${root}/${ANALYSIS_PATH}.lock`)), "lock released");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("optimize: no metrics yet → empty analysis; a broken manifest skips only the stale rule", async () => {
  const root = await emptyRepo();
  try {
    const r = await run(() => metrics("optimize", [], { target: root, now: NOW }));
    assert.equal(r.code, 0, r.message);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${root}/${ANALYSIS_PATH}`)).agents, []);
    assert.equal(await Deno.readTextFile(`${root}/${RECOMMENDATIONS_PATH}`), "");
    await Deno.writeTextFile(`${root}/.kaizen/schedule.yml`, "version: [\n");
    await writeHistory(root, history("coach", [[false, 1, 0.1], [false, 1, 0.1], [false, 1, 0.1]]));
    const b = await run(() => metrics("optimize", [], { target: root, now: NOW }));
    assert.equal(b.code, 0, b.message);
    assert.match(b.err, /the stale rule was not applied/);
    const a = JSON.parse(await Deno.readTextFile(`${root}/${ANALYSIS_PATH}`));
    assert.match(a.schedule_problem, /schedule\.yml is not valid/);
    assert.deepEqual(a.agents[0].findings.map((f: { rule: string }) => f.rule), [
      "low-success-rate",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// publish

const URL_VAR = "ARTIFACTSTORE_API_URL";
const TOKEN_VAR = "ARTIFACTSTORE_API_TOKEN";

Deno.test("publish: one raw-evidence package to the store, with auth, idempotency key and both files", async () => {
  const root = await fixtureRepo();
  const token = "test-token-" + crypto.randomUUID();
  const seen: { method: string; path: string; headers: Headers; body: unknown }[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      seen.push({
        method: req.method,
        path: new URL(req.url).pathname,
        headers: req.headers,
        body: await req.json(),
      });
      return Response.json({ id: "pkg-1" }, { status: 201 });
    },
  );
  try {
    await run(() => metrics("optimize", [], { target: root, now: NOW }));
    // A secret pasted into the evidence by hand must not leave the machine.
    const secret = plantedToken();
    await Deno.writeTextFile(
      `${root}/${RECOMMENDATIONS_PATH}`,
      JSON.stringify({ agent: "coach", rule: "note", message: `token ${secret}` }) + "\n",
      { append: true },
    );
    const r = await withEnv(
      { [URL_VAR]: `http://127.0.0.1:${server.addr.port}`, [TOKEN_VAR]: token },
      () => run(() => metrics("publish", [], { target: root })),
    );
    assert.equal(r.code, 0, r.message);
    assert.match(r.out, /stored as pkg-1 \(retention raw-evidence\)/);
    assert.match(r.err, /redacted 1 secret before publishing/);
    assert.equal(seen.length, 1);
    const [req] = seen;
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/v1/packages");
    assert.equal(req.headers.get("authorization"), `Bearer ${token}`);
    const body = req.body as {
      name: string;
      retention_class: string;
      files: { path: string; content: string }[];
    };
    assert.equal(body.retention_class, "raw-evidence");
    const folder = root.split("/").at(-1);
    assert.equal(body.name, `kaizen-optimizer/${folder}`);
    assert.deepEqual(body.files.map((f) => f.path), ["analysis.json", "recommendations.jsonl"]);
    const analysis = await Deno.readTextFile(`${root}/${ANALYSIS_PATH}`);
    assert.equal(body.files[0].content, analysis);
    const recs = body.files[1].content;
    assert.ok(!recs.includes(secret), "secret redacted");
    assert.match(recs, /\[REDACTED:/);
    const key = createHash("sha256").update(analysis).update("\0").update(recs).digest("hex");
    assert.equal(req.headers.get("idempotency-key"), key);
    // The local files stay as they were: publishing only copies.
    assert.ok((await Deno.readTextFile(`${root}/${RECOMMENDATIONS_PATH}`)).includes(secret));
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("publish --dry-run: prints the request with the token masked and connects to nothing", async () => {
  const root = await fixtureRepo();
  const token = "dry-token-" + crypto.randomUUID();
  const realFetch = globalThis.fetch;
  let fetched = 0;
  globalThis.fetch = (() => {
    fetched++;
    return Promise.reject(new Error("no network in a dry run"));
  }) as typeof fetch;
  try {
    await run(() => metrics("optimize", [], { target: root, now: NOW }));
    const r = await withEnv(
      { [URL_VAR]: "http://127.0.0.1:9", [TOKEN_VAR]: token },
      () => run(() => metrics("publish", [], { target: root, "dry-run": true })),
    );
    assert.equal(r.code, 0, r.message);
    assert.equal(fetched, 0);
    assert.ok(!r.out.includes(token) && !r.err.includes(token), "token never printed");
    const req = JSON.parse(r.out);
    assert.equal(req.method, "POST");
    assert.equal(req.url, "http://127.0.0.1:9/v1/packages");
    assert.equal(req.headers.Authorization, "Bearer ***");
    assert.equal(req.body.retention_class, "raw-evidence");
    assert.match(r.err, /dry run: would POST/);
  } finally {
    globalThis.fetch = realFetch;
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("publish: missing files or a missing URL → exit 1 with a one-line reason", async () => {
  const root = await emptyRepo();
  try {
    const noFiles = await withEnv(
      { [URL_VAR]: "http://127.0.0.1:9" },
      () => run(() => metrics("publish", [], { target: root })),
    );
    assert.equal(noFiles.code, 1);
    assert.match(
      noFiles.message,
      /analysis\.json does not exist: run 'kaizen metrics optimize' first/,
    );
    assert.ok(!noFiles.message.includes("\n"));

    await run(() => metrics("optimize", [], { target: root, now: NOW }));
    const noUrl = await withEnv(
      { [URL_VAR]: undefined, [TOKEN_VAR]: "x" },
      () => run(() => metrics("publish", [], { target: root })),
    );
    assert.equal(noUrl.code, 1);
    assert.match(noUrl.message, /^ARTIFACTSTORE_API_URL is not set/);

    // A store that refuses: still one line, exit 1, no token.
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response("no", { status: 403 }),
    );
    try {
      const refused = await withEnv(
        { [URL_VAR]: `http://127.0.0.1:${server.addr.port}`, [TOKEN_VAR]: "secret-tok" },
        () => run(() => metrics("publish", [], { target: root })),
      );
      assert.equal(refused.code, 1);
      assert.match(refused.message, /^artifact store: POST .* 403/);
      assert.ok(!refused.message.includes("secret-tok"));
    } finally {
      await server.shutdown();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("list: a .kaizen/metrics that is a file is one clear error, not an internal one", async () => {
  const { listMetricsAgents } = await import("../core/state/metrics/mod.ts");
  const root = await Deno.makeTempDir({ prefix: "kaizen-metrics-file-" });
  try {
    await Deno.mkdir(`${root}/.kaizen`);
    await Deno.writeTextFile(`${root}/.kaizen/metrics`, "not a folder");
    const r = await listMetricsAgents(root);
    assert.ok(!r.ok, "a result, not a throw");
    assert.equal(r.code, "unsafe-path");
    assert.match(r.message, /is not a folder/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
