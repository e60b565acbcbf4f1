/**
 * Issue 17, the metrics side: one summary everywhere, limits defined once,
 * event ids that identify the event, and redaction of everything `metrics
 * show | list` print. One named test per finding; CLI runs use the source
 * entry and the bundle (`cliTest`).
 */
import assert from "node:assert/strict";
import { NatsConnectionImpl, setTransportFactory } from "@nats-io/nats-core/internal";
import { jetstreamManager } from "@nats-io/jetstream";
import { CLI_ENTRIES, cliTest, REPO_ROOT, runCli } from "./_cli.ts";
import { haveNatsServer, startNatsServer } from "./_nats_server.ts";
import { DenoTcpTransport } from "../core/nats/transport.ts";
import { B32, fake } from "./_fake_secrets.ts";
import { executionsPath, summaryPath, summaryStatePath } from "../core/state/layout.ts";
import {
  MAX_NOTES_CHARS,
  metricsError,
  readMetrics,
  recordedEventIdParts,
  recordExecution,
} from "../core/state/metrics/mod.ts";
import { RecordRunInput } from "../core/mcp/inputs.ts";
import { eventMessageId } from "../core/events/payloads.ts";
import { must } from "./_metrics.ts";

const PILOT = `${REPO_ROOT}/examples/pilot`;
const LOG = executionsPath("coach");
const SUMMARY = summaryPath("coach");
const STATE = summaryStatePath("coach");
const NOW = "2026-11-23T08:00:00Z";

const GHP = "gh" + "p_" + fake(36, undefined, 31);
const AWS_ID = "AK" + "IA" + fake(16, B32, 37);

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
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-mstate-" }));
  await copyTree(PILOT, dir);
  return dir;
}

function line(i: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    agent: "coach",
    recorded_at: new Date(Date.parse("2026-01-01T00:00:00Z") + i * 3_600_000).toISOString()
      .replace(".000Z", "Z"),
    success: i % 3 !== 0,
    time_seconds: 60 + (i % 50),
    quality: (i % 10) / 10,
    ...extra,
  }) + "\n";
}

const NUMBERS = [
  "runs",
  "successes",
  "failures",
  "success_rate",
  "avg_time_seconds",
  "time_p50_seconds",
  "time_p90_seconds",
  "avg_quality",
  "last_run_at",
  "last_success",
  "trend",
];

function numbers(s: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(NUMBERS.map((k) => [k, s[k]]));
}

cliTest(
  "issue 17 two summaries: the bundle, metrics show, list and the library agree after a crash between append and summary write",
  async (entry) => {
    const root = await pilotCopy();
    try {
      await must(recordExecution(root, "coach", { success: true, time_seconds: 30, quality: 1 }, {
        now: new Date("2026-11-20T08:00:00Z"),
      }));
      // The crash: a line appended, neither summary.json nor the state rewritten.
      await Deno.writeTextFile(`${root}/${LOG}`, line(9_000), { append: true });
      const show = await runCli(entry, [
        "metrics",
        "show",
        "coach",
        "--target",
        root,
        "--format",
        "json",
      ]);
      assert.equal(show.code, 0, show.stderr);
      const shown = JSON.parse(show.stdout);
      assert.equal(shown.summary.runs, 6);
      assert.equal(shown.summary_source, "derived");

      const bundle = await runCli(entry, [
        "schedule",
        "prepare",
        "coach",
        "--target",
        root,
        "--format",
        "json",
        "--now",
        NOW,
      ]);
      assert.equal(bundle.code, 0, bundle.stderr);
      const section = JSON.parse(bundle.stdout).sections.find((s: { id: string }) =>
        s.id === "metrics"
      );
      assert.deepEqual(numbers(section.data), numbers(shown.summary));
      assert.match(section.content, /Latest 5 of 6 recorded runs/);

      const list = await runCli(entry, ["metrics", "list", "--target", root, "--format", "json"]);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(numbers(JSON.parse(list.stdout)[0]), numbers(shown.summary));
      const lib = await must(readMetrics(root, "coach"));
      assert.deepEqual(numbers({ ...lib.summary }), numbers(shown.summary));
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
);

Deno.test("issue 17 two summaries: a lying summary.json is detected and re-derived", async () => {
  const root = await pilotCopy();
  try {
    const stored = JSON.parse(await Deno.readTextFile(`${root}/${SUMMARY}`));
    // Newer than the log and well formed, but not what the records say.
    await Deno.writeTextFile(`${root}/${SUMMARY}`, JSON.stringify({ ...stored, runs: 400 }));
    const later = new Date(Date.now() + 60_000);
    await Deno.utime(`${root}/${SUMMARY}`, later, later);
    const m = await must(readMetrics(root, "coach"));
    assert.equal(m.summarySource, "derived");
    assert.equal(m.summary.runs, 4);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("issue 17 two summaries: a lying summary.state.json (counts that its log cannot hold) is not believed", async () => {
  const root = await pilotCopy();
  try {
    await must(recordExecution(root, "coach", { success: true, time_seconds: 30, quality: 1 }));
    const state = JSON.parse(await Deno.readTextFile(`${root}/${STATE}`));
    // Consistent within itself (histogram sums to runs), but more runs than lines.
    state.acc.runs += 100;
    state.acc.successes += 100;
    state.acc.time_histogram["30"] = (state.acc.time_histogram["30"] ?? 0) + 100;
    await Deno.writeTextFile(`${root}/${STATE}`, JSON.stringify(state));
    assert.equal((await must(readMetrics(root, "coach"))).summary.runs, 5);
    const r = await must(
      recordExecution(root, "coach", { success: true, time_seconds: 30, quality: 1 }),
    );
    assert.equal(r.mode, "full");
    assert.equal(r.summary.runs, 6);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

cliTest(
  "issue 17 two summaries: an hourly agent's latest runs stay in the bundle after a year of records (8,760, over the 1 MiB read cap)",
  async (entry) => {
    const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-mstate-" }));
    try {
      await Deno.mkdir(`${root}/.kaizen/metrics/coach`, { recursive: true });
      const text = Array.from(
        { length: 8_760 },
        (_, i) => line(i, { notes: "hourly run: nothing new to report" }),
      ).join("");
      assert.ok(text.length > 1024 * 1024);
      await Deno.writeTextFile(`${root}/${LOG}`, text);
      const r = await runCli(entry, [
        "schedule",
        "prepare",
        "coach",
        "--target",
        root,
        "--format",
        "json",
        "--now",
        NOW,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      const section = json.sections.find((s: { id: string }) => s.id === "metrics");
      assert.equal(section.data.runs, 8_760);
      assert.match(section.content, /Latest 5 of 8760 recorded runs/);
      const last = JSON.parse(line(8_759)).recorded_at;
      const listed = section.content.slice(section.content.indexOf("Latest 5 of"));
      assert.ok(listed.includes(last), "the newest run is listed");
      assert.deepEqual(json.warnings, []);
      // With a running state, the latest runs come from the log's tail.
      const rebuilt = await runCli(entry, ["metrics", "rebuild", "coach", "--target", root]);
      assert.equal(rebuilt.code, 0, rebuilt.stderr);
      const again = await runCli(entry, [
        "schedule",
        "prepare",
        "coach",
        "--target",
        root,
        "--format",
        "json",
        "--now",
        NOW,
      ]);
      const s2 = JSON.parse(again.stdout).sections.find((s: { id: string }) => s.id === "metrics");
      assert.equal(s2.data.runs, 8_760);
      assert.match(s2.content, /Latest 5 of 8760 recorded runs/);
      const rows = s2.content.slice(s2.content.indexOf("Latest 5 of"));
      assert.ok(rows.includes(last), "the newest run is listed (tail read)");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
);

Deno.test("issue 17 limits: MCP record_run and the library accept and refuse notes at the same length", async () => {
  const base = { agent: "coach", success: true, time_seconds: 1, quality: 1 };
  const ok = "n".repeat(MAX_NOTES_CHARS);
  const over = ok + "n";
  assert.equal(RecordRunInput.safeParse({ ...base, notes: ok }).success, true);
  assert.equal(RecordRunInput.safeParse({ ...base, notes: over }).success, false);
  const root = await pilotCopy();
  try {
    const r = await must(recordExecution(root, "coach", { ...base, notes: ok }));
    assert.equal(r.record.notes?.length, MAX_NOTES_CHARS);
    const refused = await recordExecution(root, "coach", { ...base, notes: over });
    assert.ok(!refused.ok);
    assert.equal(refused.code, "invalid");
    assert.equal(refused.subject, "notes");
    assert.equal(metricsError(refused).value, "notes");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("issue 17 limits: library errors name values, never CLI flags", async () => {
  const root = await pilotCopy();
  try {
    const inputs = [
      { success: true, time_seconds: -1, quality: 1 },
      { success: true, time_seconds: 1, quality: 2 },
      { success: true, time_seconds: 1, quality: 1, notes: "x".repeat(MAX_NOTES_CHARS + 1) },
    ];
    for (const input of inputs) {
      const r = await recordExecution(root, "coach", input);
      assert.ok(!r.ok);
      assert.doesNotMatch(r.message, /--/, r.message);
      assert.match(r.message, /^(time_seconds|quality|notes) /);
      assert.equal(r.message.startsWith(r.subject!), true, "subject names the value");
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

cliTest("issue 17 limits: the CLI still names its flag for a refused value", async (entry) => {
  const root = await pilotCopy();
  try {
    const r = await runCli(entry, [
      "metrics",
      "record",
      "coach",
      "--target",
      root,
      "--success",
      "--time",
      "5",
      "--quality",
      "1",
      "--notes",
      "x".repeat(MAX_NOTES_CHARS + 1),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--notes are 4001 characters, over the 4000-character limit/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("issue 17 event ids: two records in the same second get different ids; the same record the same id", async () => {
  const root = await pilotCopy();
  try {
    const now = new Date(NOW);
    const same = { success: true, time_seconds: 60, quality: 1 };
    const a = await must(recordExecution(root, "coach", same, { now }));
    const b = await must(recordExecution(root, "coach", same, { now }));
    const c = await must(recordExecution(root, "coach", { ...same, success: false }, { now }));
    const id = async (r: typeof a) => {
      const [subject, ...parts] = await recordedEventIdParts(root, r.record, r.offset);
      return await eventMessageId(subject, ...parts);
    };
    const ids = [await id(a), await id(b), await id(c)];
    assert.equal(new Set(ids).size, 3, "different events, different ids");
    assert.equal(await id(a), ids[0], "a re-send of the same event, the same id");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

cliTest(
  "issue 17 secrets printed: metrics show (table and JSON) and list print no token or key planted in the records",
  async (entry) => {
    const root = await pilotCopy();
    try {
      await Deno.writeTextFile(
        `${root}/${LOG}`,
        line(1, { notes: `token ${GHP} used`, helix_repo: AWS_ID }) +
          line(2, { helix_session_uid: GHP, helix_flavor: `aws ${AWS_ID}` }),
        { append: true },
      );
      await Deno.writeTextFile(
        `${root}/${SUMMARY}`,
        JSON.stringify({ agent: "coach", runs: 1, note: GHP, last_run_at: AWS_ID }),
      );
      for (
        const args of [
          ["metrics", "show", "coach"],
          ["metrics", "show", "coach", "--format", "json"],
          ["metrics", "list"],
          ["metrics", "list", "--format", "json"],
        ]
      ) {
        const r = await runCli(entry, [...args, "--target", root]);
        assert.equal(r.code, 0, r.stderr);
        for (const secret of [GHP, AWS_ID]) {
          assert.ok(!r.stdout.includes(secret), `${args.join(" ")}: stdout leaks`);
          assert.ok(!r.stderr.includes(secret), `${args.join(" ")}: stderr leaks`);
        }
      }
      const json = await runCli(entry, [
        "metrics",
        "show",
        "coach",
        "--format",
        "json",
        "--target",
        root,
      ]);
      const runs = JSON.parse(json.stdout).recent_runs;
      assert.match(runs[0].helix_session_uid, /\[REDACTED:/);
      assert.match(runs[1].notes, /^token \[REDACTED:[a-z0-9-]+\] used$/);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
);

Deno.test({
  name:
    "issue 17 events dropped as duplicates: two records in the same second and an agents install --force are all stored by JetStream",
  ignore: !haveNatsServer(),
  fn: async () => {
    const server = await startNatsServer({ jetstream: true });
    const root = await pilotCopy();
    try {
      setTransportFactory({ factory: () => new DenoTcpTransport() });
      const nc = await NatsConnectionImpl.connect({ servers: server.url, reconnect: false });
      try {
        await (await jetstreamManager(nc)).streams.add({
          name: "KAIZEN",
          subjects: ["kaizen.>"],
          duplicate_window: 120e9,
        });
      } finally {
        await nc.close();
      }
      const source = CLI_ENTRIES[0];
      const env = { NATS_URL: server.url };
      const stored = /sink 'nats': stored in stream KAIZEN as seq \d+/;
      for (let i = 0; i < 2; i++) {
        // Same agent, same second, same outcome: two runs, two events.
        const r = await runCli(source, [
          "metrics",
          "record",
          "coach",
          "--target",
          root,
          "--success",
          "--time",
          "60",
          "--quality",
          "1",
          "--now",
          NOW,
          "--sink",
          "nats",
        ], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, stored, `record ${i + 1}`);
      }
      for (const force of [[], ["--force"]]) {
        const r = await runCli(source, [
          "agents",
          "install",
          "coach",
          "--target",
          root,
          "--sink",
          "nats",
          ...force,
        ], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, stored, `install ${force.join(" ") || "(first)"}`);
      }
    } finally {
      await server.stop();
      await Deno.remove(root, { recursive: true });
    }
  },
});
