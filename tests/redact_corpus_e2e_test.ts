/**
 * The random secret corpus end to end: a temporary repo with secrets in
 * every bundle input (memory, TODO, SCOPE, the installed prompt, summary.json
 * keys and values, executions notes, an external plugin's section content
 * and data), then the real CLI as a subprocess, from source and from the
 * bundle. No secret may reach markdown stdout, `--format json` stdout, an
 * `--out` file or stderr.
 *
 * Batched: each input file holds hundreds of cases, so a handful of
 * processes covers the whole corpus. Each run uses a fresh seed, printed on
 * failure; replay with `REDACT_SEED=<seed>`.
 */
import assert from "node:assert/strict";
import { type CliEntry, cliTest, EMPTY_CONFIG_HOME, runCli, tempRepo } from "./_cli.ts";
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
const NOW = "2026-11-23T08:00:00Z";
const MANIFEST =
  'version: "1"\ntimezone: UTC\nagents:\n  coach:\n    cadence: weekly\n    enabled: true\n';
/**
 * Outputs are large (hundreds of KB), so a leak is a window of 12 chars: a
 * shorter window of a random value would meet other random text by chance.
 */
const WINDOW = 12;

/** A case and the bundle input it was planted in. */
interface Planted {
  input: string;
  c: SecretCase;
}

/**
 * The cases in random order under markdown headings, with quoted markers in
 * between. Random order matters for inputs the bundle only excerpts (SCOPE,
 * TODO): each run shows different shapes first.
 */
function section(r: Rng, title: string, cases: SecretCase[]): string {
  const parts = [`# ${title}`, ""];
  const shuffled = [...cases];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  for (const c of shuffled) {
    parts.push(`## ${c.shape} (${c.context})`, "", c.text, "");
    if (r.int(0, 4) === 0) parts.push("[REDACTED:private-key] was in the previous bundle.", "");
  }
  return parts.join("\n");
}

/** Single-line values that are secrets on their own (for JSON keys and values, notes). */
function singleLine(r: Rng): Array<{ shape: string; value: string; secrets: string[] }> {
  const out = [];
  for (const shape of SHAPES) {
    if (shape.needsName) continue;
    const v = shape.make(r);
    if (v.value.includes("\n") || v.value.length > 300) continue;
    out.push({ shape: shape.id, ...v });
  }
  return out;
}

const PLUGIN_SCRIPT = `
const file = Deno.args[0];
await new Response(Deno.stdin.readable).text();
const payload = JSON.parse(await Deno.readTextFile(file));
const body = new TextEncoder().encode(JSON.stringify({
  protocol: "kaizen.plugin/v1",
  content: payload.content,
  source: "notes/secrets.md",
  data: payload.data,
}));
let rest = body;
while (rest.length > 0) rest = rest.subarray(Deno.stdout.writeSync(rest));
`;

interface Fixture {
  dir: string;
  pluginsFile: string;
  planted: Planted[];
}

async function buildRepo(r: Rng): Promise<Fixture> {
  const planted: Planted[] = [];
  const take = (input: string) => {
    const cases = secretCases(r);
    for (const c of cases) planted.push({ input, c });
    return cases;
  };
  const files: Record<string, string> = {
    ".kaizen/schedule.yml": MANIFEST,
    ".kaizen/agents/coach/memory.md": section(r, "Memory", take("memory")),
    "TODO.md": section(r, "TODO", take("todo")),
    "SCOPE.md": section(r, "Scope", take("scope")),
    "agents/agent-coach.md": section(r, "Coach prompt (installed)", take("prompt")),
  };

  // summary.json: secrets as values and as keys.
  const summary: Record<string, unknown> = {
    agent: "coach",
    runs: 4,
    successes: 3,
    failures: 1,
    success_rate: 0.75,
  };
  for (const [i, v] of singleLine(r).entries()) {
    summary[`note_${i}`] = v.value;
    planted.push({
      input: "summary.json values",
      c: { shape: v.shape, context: "json", text: v.value, secrets: v.secrets },
    });
  }
  for (const v of singleLine(r)) {
    summary[v.value] = 1;
    planted.push({
      input: "summary.json keys",
      c: { shape: v.shape, context: "json", text: v.value, secrets: v.secrets },
    });
  }
  const keyword = secretCases(r).filter((c) => c.context === "config" && !c.text.includes("\n"));
  for (const c of keyword.slice(0, 20)) {
    const eq = c.text.indexOf("=");
    if (eq < 0) continue;
    summary[c.text.slice(0, eq).toLowerCase()] = c.text.slice(eq + 1);
    planted.push({ input: "summary.json key=value", c });
  }
  files[".kaizen/metrics/coach/summary.json"] = JSON.stringify(summary, null, 2);

  // executions.jsonl: only the latest five runs are shown; one secret each.
  const notes = singleLine(r).filter((v) => v.value.length < 80).slice(0, 5);
  files[".kaizen/metrics/coach/executions.jsonl"] = notes.map((v, i) => {
    planted.push({
      input: "executions notes",
      c: { shape: v.shape, context: "prose", text: v.value, secrets: v.secrets },
    });
    return JSON.stringify({
      agent: "coach",
      recorded_at: `2026-11-${10 + i}T09:00:00Z`,
      success: true,
      time_seconds: 600,
      quality: 0.8,
      notes: `used ${v.value} today`,
    });
  }).join("\n") + "\n";

  const dir = await Deno.realPath(await tempRepo(files));

  // An external plugin whose section content and data carry secrets.
  const pluginCases = take("plugin content");
  const dataCases = singleLine(r);
  for (const v of dataCases) {
    planted.push({
      input: "plugin data",
      c: { shape: v.shape, context: "json", text: v.value, secrets: v.secrets },
    });
  }
  const outside = await Deno.makeTempDir({ prefix: "kaizen-plugin-" });
  await Deno.writeTextFile(`${outside}/plugin.ts`, PLUGIN_SCRIPT);
  await Deno.writeTextFile(
    `${outside}/payload.json`,
    JSON.stringify({
      content: section(r, "Plugin notes", pluginCases),
      data: { notes: dataCases.map((v) => v.value) },
    }),
  );
  const command = [
    Deno.execPath(),
    "run",
    "-A",
    "--no-config",
    `${outside}/plugin.ts`,
    `${outside}/payload.json`,
  ];
  const pluginsFile = `${outside}/plugins.yml`;
  await Deno.writeTextFile(
    pluginsFile,
    [
      "version: 1",
      "plugins:",
      "  - name: secret-notes",
      `    command: ${JSON.stringify(command)}`,
      "    timeout_ms: 20000",
      "    sections:",
      `      - ${JSON.stringify({ id: "secret-notes", title: "Secret notes", order: 350 })}`,
    ].join("\n") + "\n",
  );
  return { dir, pluginsFile, planted };
}

function assertNoLeaks(label: string, output: string, planted: Planted[]) {
  const leaks: string[] = [];
  const find = leakFinder(output, WINDOW);
  for (const { input, c } of planted) {
    const where = find(c.secrets);
    if (where !== null) leaks.push(`${input}: ${c.shape}/${c.context} ${where}`);
  }
  assert.deepEqual(leaks, [], `${label}: ${leaks.length} leaked ${replay}`);
}

async function prepare(entry: CliEntry, fx: Fixture, extra: string[]) {
  return await runCli(entry, [
    "schedule",
    "prepare",
    "coach",
    "--target",
    fx.dir,
    "--now",
    NOW,
    "--plugins",
    fx.pluginsFile,
    ...extra,
  ], { env: { XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, KAIZEN_REPO: "" } });
}

cliTest("corpus e2e: no secret from any bundle input reaches any output", async (entry) => {
  const fx = await buildRepo(new Rng(SEED));
  const outFile = `${fx.dir}/../kaizen-e2e-out-${SEED}.md`;
  try {
    const md = await prepare(entry, fx, []);
    assert.equal(md.code, 0, md.stderr.slice(0, 2000));
    for (
      const heading of ["## Agent prompt", "## Project memory", "## Metrics", "## Secret notes"]
    ) {
      assert.ok(md.stdout.includes(heading), `no ${heading} in the bundle`);
    }
    assert.ok(md.stdout.includes("Coach prompt (installed)"), "the installed prompt is used");
    assert.ok(/redacted \d+ secrets?/.test(md.stderr), md.stderr.slice(0, 500));
    assertNoLeaks("markdown stdout", md.stdout, fx.planted);
    assertNoLeaks("markdown stderr", md.stderr, fx.planted);

    const json = await prepare(entry, fx, ["--format", "json"]);
    assert.equal(json.code, 0, json.stderr.slice(0, 2000));
    const parsed = JSON.parse(json.stdout);
    assert.ok(parsed.redactions > 100, `redactions: ${parsed.redactions}`);
    assertNoLeaks("json stdout", json.stdout, fx.planted);
    // The same JSON with escapes undone (a consumer sees the decoded strings).
    assertNoLeaks(
      "json decoded",
      JSON.stringify(parsed, null, 0).replace(/\\n/g, "\n"),
      fx.planted,
    );
    assertNoLeaks("json stderr", json.stderr, fx.planted);

    const file = await prepare(entry, fx, ["--out", outFile]);
    assert.equal(file.code, 0, file.stderr.slice(0, 2000));
    assertNoLeaks("--out file", await Deno.readTextFile(outFile), fx.planted);
    assertNoLeaks("--out stdout", file.stdout, fx.planted);
    assertNoLeaks("--out stderr", file.stderr, fx.planted);
  } finally {
    await Deno.remove(fx.dir, { recursive: true });
    await Deno.remove(outFile).catch(() => {});
  }
});
