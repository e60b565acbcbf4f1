/**
 * The random secret corpus planted across every project-state file, then
 * every command that prints state, as a subprocess from source and from the
 * bundle: `memory show`, `agents show`, `metrics show` (table and JSON),
 * `metrics list` (table and JSON). No secret may reach stdout or stderr.
 *
 * Each run uses a fresh seed, printed on failure; replay with
 * `REDACT_SEED=<seed>`.
 */
import assert from "node:assert/strict";
import { cliTest, runCli, tempRepo } from "./_cli.ts";
import {
  leakFinder,
  Rng,
  runSeed,
  type SecretCase,
  secretCases,
  SHAPES,
} from "./_secret_corpus.ts";

const SEED = runSeed();
const replay = `(seed ${SEED}; replay with REDACT_SEED=${SEED})`;
const WINDOW = 12;

interface Planted {
  input: string;
  c: SecretCase;
}

function section(title: string, cases: SecretCase[]): string {
  const parts = [`# ${title}`, ""];
  for (const c of cases) parts.push(`## ${c.shape} (${c.context})`, "", c.text, "");
  return parts.join("\n");
}

/** Single-line values that are secrets on their own (notes, helix fields). */
function singleLine(r: Rng): Array<{ shape: string; value: string; secrets: string[] }> {
  const out = [];
  for (const shape of SHAPES) {
    if (shape.needsName) continue;
    const v = shape.make(r);
    if (v.value.includes("\n") || v.value.length > 200) continue;
    out.push({ shape: shape.id, ...v });
  }
  return out;
}

async function buildRepo(r: Rng): Promise<{ dir: string; planted: Planted[] }> {
  const planted: Planted[] = [];
  const take = (input: string) => {
    const cases = secretCases(r);
    for (const c of cases) planted.push({ input, c });
    return cases;
  };
  const notes = singleLine(r);
  // Every record carries a secret in its notes; the latest runs are what
  // `metrics show` lists, so put them all among the latest few by spreading
  // the records over distinct days and checking every one is shown or not.
  const records = notes.map((v, i) => {
    planted.push({
      input: "executions notes",
      c: { shape: v.shape, context: "prose", text: v.value, secrets: v.secrets },
    });
    return JSON.stringify({
      agent: "coach",
      recorded_at: new Date(Date.UTC(2026, 10, 1) + i * 3600_000).toISOString(),
      success: i % 3 !== 0,
      time_seconds: 600 + i,
      quality: 0.8,
      notes: `used ${v.value} today`,
    });
  });
  // A torn line quoting a secret: skipped-line reports must not echo it.
  const torn = singleLine(r)[0];
  planted.push({
    input: "torn line",
    c: { shape: torn.shape, context: "json", text: torn.value, secrets: torn.secrets },
  });
  records.splice(3, 0, `{"agent":"coach","notes":"${torn.value}`);
  // A hand-edited summary.json and a broken state file: secrets as values
  // and keys. Whatever each command makes of them (re-derived, or shown as
  // stored), none may be printed.
  const summary: Record<string, unknown> = { agent: "coach", runs: 999, successes: 1 };
  for (const [i, v] of singleLine(r).entries()) {
    summary[i % 2 ? `note_${i}` : v.value] = i % 2 ? v.value : 1;
    planted.push({
      input: "summary.json",
      c: { shape: v.shape, context: "json", text: v.value, secrets: v.secrets },
    });
  }
  const state = singleLine(r)[1];
  planted.push({
    input: "summary.state.json",
    c: { shape: state.shape, context: "json", text: state.value, secrets: state.secrets },
  });
  const dir = await tempRepo({
    ".kaizen/metrics/coach/summary.json": JSON.stringify(summary, null, 2) + "\n",
    ".kaizen/metrics/coach/summary.state.json": `{"version": 2, "agent": "${state.value}"`,
    ".kaizen/schedule.yml":
      'version: "1"\ntimezone: UTC\nagents:\n  coach:\n    cadence: weekly\n    enabled: true\n',
    ".kaizen/agents/coach/memory.md": section("Memory — coach", take("memory.md")),
    "agents/agent-coach.md": section("Coach prompt (installed)", take("agent-coach.md")),
    ".kaizen/metrics/coach/executions.jsonl": records.join("\n") + "\n",
  });
  return { dir, planted };
}

function assertNoLeaks(label: string, output: string, planted: Planted[]): void {
  const leaks: string[] = [];
  const find = leakFinder(output, WINDOW);
  for (const { input, c } of planted) {
    const where = find(c.secrets);
    if (where !== null) leaks.push(`${input}: ${c.shape}/${c.context} ${where}`);
  }
  assert.deepEqual(leaks, [], `${label}: ${leaks.length} leaked ${replay}`);
}

cliTest(
  "state corpus: no secret in any state file reaches what a state command prints",
  async (entry) => {
    const { dir, planted } = await buildRepo(new Rng(SEED));
    try {
      const commands: string[][] = [
        ["memory", "show", "coach"],
        ["agents", "show", "coach"],
        ["metrics", "show", "coach"],
        ["metrics", "show", "coach", "--format", "json"],
        ["metrics", "list"],
        ["metrics", "list", "--format", "json"],
        ["metrics", "optimize", "--now", "2026-12-06T08:00:00Z"],
      ];
      for (const argv of commands) {
        const r = await runCli(entry, [...argv, "--target", dir]);
        const label = argv.join(" ");
        assert.equal(r.code, 0, `${label}: ${r.stderr.slice(0, 500)}`);
        assert.ok(r.stdout.length > 0, `${label} printed nothing`);
        assertNoLeaks(`${label} stdout`, r.stdout, planted);
        assertNoLeaks(`${label} stderr`, r.stderr, planted);
        if (argv.includes("json")) {
          // What a consumer sees once the escapes are undone.
          assertNoLeaks(`${label} decoded`, JSON.stringify(JSON.parse(r.stdout)), planted);
        }
      }
      // What optimize wrote, as publish would send it.
      const pub = await runCli(entry, ["metrics", "publish", "--dry-run", "--target", dir], {
        env: { ARTIFACTSTORE_API_URL: "http://127.0.0.1:1", ARTIFACTSTORE_API_TOKEN: "" },
      });
      assert.equal(pub.code, 0, pub.stderr.slice(0, 500));
      assertNoLeaks("metrics publish --dry-run stdout", pub.stdout, planted);
      assertNoLeaks("metrics publish --dry-run stderr", pub.stderr, planted);
      for (const f of ["analysis.json", "recommendations.jsonl"]) {
        const text = await Deno.readTextFile(`${dir}/.kaizen/metrics/optimizer/${f}`);
        assertNoLeaks(`optimizer/${f}`, text, planted);
      }
      // The show commands say that they redacted, never what.
      const mem = await runCli(entry, ["memory", "show", "coach", "--target", dir]);
      assert.match(mem.stderr, /redacted \d+ secrets? from \.kaizen\/agents\/coach\/memory\.md/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

cliTest("manifest diagnostics quote no secret pasted into the manifest", async (entry) => {
  const r = new Rng(SEED ^ 0x5eed);
  const values = singleLine(r).filter((v) => !/["'\\:#]/.test(v.value)).slice(0, 6);
  assert.ok(values.length >= 3, "enough quotable secrets");
  const planted: Planted[] = values.map((v) => ({
    input: "schedule.yml",
    c: { shape: v.shape, context: "config", text: v.value, secrets: v.secrets },
  }));
  const [tz, cron, key, ...names] = values.map((v) => v.value);
  const manifest = [
    'version: "1"',
    `timezone: "${tz}"`,
    "agents:",
    "  coach:",
    "    cadence: weekly",
    `    cron: "${cron}"`,
    `    "${key}": true`,
    ...names.map((n) => `  "${n}":\n    cadence: daily`),
  ].join("\n") + "\n";
  const dir = await tempRepo({ ".kaizen/schedule.yml": manifest });
  try {
    for (
      const argv of [
        ["schedule", "validate"],
        ["schedule", "validate", "--format", "json"],
        ["schedule", "list"],
      ]
    ) {
      const out = await runCli(entry, [...argv, "--target", dir]);
      const label = argv.join(" ");
      assert.equal(out.code, 1, `${label}: ${out.stderr.slice(0, 300)}`);
      assert.match(out.stdout + out.stderr, /REDACTED/, `${label} quotes the values`);
      assertNoLeaks(`${label} stdout`, out.stdout, planted);
      assertNoLeaks(`${label} stderr`, out.stderr, planted);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

cliTest(
  "a token behind a colour code in a note is recognised and never persisted",
  async (entry) => {
    const r = new Rng(SEED ^ 0xc01);
    const v = singleLine(r).find((x) => x.shape === "github-pat" || x.value.startsWith("gh"))!;
    const dir = await tempRepo({
      ".kaizen/schedule.yml": 'version: "1"\nagents:\n  coach:\n    cadence: weekly\n',
    });
    try {
      const add = await runCli(entry, [
        "memory",
        "add",
        "coach",
        `saw \u001b[31m${v.value}\u001b[0m in the log`,
        "--target",
        dir,
      ]);
      assert.equal(add.code, 0, add.stderr);
      const file = await Deno.readTextFile(`${dir}/.kaizen/agents/coach/memory.md`);
      assertNoLeaks("memory.md", file, [{
        input: "note",
        c: { shape: v.shape, context: "prose", text: v.value, secrets: v.secrets },
      }]);
      assert.match(file, /- saw \[REDACTED:[a-z0-9-]+\] in the log/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
