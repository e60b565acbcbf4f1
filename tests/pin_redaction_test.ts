/**
 * Pins what users rely on from redaction (issue 16), each checked where a
 * user sees it:
 *
 * - a sink's result line (stderr) is redacted: the stock CLI delivering to an
 *   in-test artifact store on 127.0.0.1 that answers with a token as the
 *   package id, and a team binary whose own sink echoes a token;
 * - the second rendering a sink asks for (the artifact store takes markdown
 *   and JSON) passes the final scan, even when the secret is in that
 *   rendering only;
 * - the redactor's own rules, where nothing outside isolates them: merged
 *   overlapping spans, the short last line of a private key, a run of `x`
 *   inside a real value, and the 8-character floor for assigned values.
 *
 * Fake secrets are assembled at run time so this file holds nothing that
 * looks like a live credential.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type CliEntry, cliTest, REPO_ROOT, runCli } from "./_cli.ts";
import { ALNUM, fake } from "./_fake_secrets.ts";
import { emitToSinks, prepareBundle, type SafeRendering } from "../mod.ts";
import { redactSecretsSync } from "../core/redact/mod.ts";

const NOW = "2026-11-23T08:00:00Z";
const PILOT = `${REPO_ROOT}/examples/pilot`;
const STORE_TOKEN = "store-" + fake(24, ALNUM, 61);
/** A GitHub-token-shaped value: found by its prefix in any context. */
const GHP = "gh" + "p_" + fake(36, ALNUM, 62);
const GHP_2 = "gh" + "p_" + fake(36, ALNUM, 63);

/** `text` with the planted tokens replaced, for failure messages. */
function hide(text: string): string {
  return text.replaceAll(GHP, "<GHP>").replaceAll(GHP_2, "<GHP_2>");
}

// ---------------------------------------------------------------------------
// An artifact store on 127.0.0.1 (docs/integrations/artifact-store.md) that
// keeps what it received and answers with the id the test chooses.

interface StoredFile {
  path: string;
  content: string;
}

interface Store {
  url: string;
  /** The files of every package received, in order. */
  packages: StoredFile[][];
  /** Requests that broke the contract (wrong path, auth, not JSON). */
  problems: string[];
  close(): Promise<void>;
}

function startStore(id: string): Store {
  const store: Omit<Store, "url" | "close"> = { packages: [], problems: [] };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    const text = await req.text();
    if (req.method !== "POST" || path !== "/v1/packages") {
      store.problems.push(`${req.method} ${path}`);
      return Response.json({ error: "no such endpoint" }, { status: 404 });
    }
    if (req.headers.get("authorization") !== `Bearer ${STORE_TOKEN}`) {
      store.problems.push("authorization");
      return Response.json({ error: "invalid bearer token" }, { status: 401 });
    }
    try {
      store.packages.push((JSON.parse(text) as { files: StoredFile[] }).files);
    } catch {
      store.problems.push("body is not JSON");
    }
    return Response.json({ id }, { status: 201 });
  });
  return {
    ...store,
    url: `http://127.0.0.1:${server.addr.port}`,
    close: () => server.shutdown(),
  };
}

async function withStore(id: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = startStore(id);
  try {
    await fn(store);
    assert.deepEqual(store.problems, []);
  } finally {
    await store.close();
  }
}

function fileOf(files: StoredFile[], path: string): string {
  const file = files.find((f) => f.path === path);
  assert.ok(file, `no ${path} in the package: ${files.map((f) => f.path).join(", ")}`);
  return file.content;
}

// ---------------------------------------------------------------------------
// 1. A sink's result line is redacted before it is shown

cliTest(
  "pin: a sink's result line is redacted (the store answers with a token as its id)",
  async (entry: CliEntry) => {
    await withStore(`pkg-${GHP}`, async (store) => {
      const r = await runCli(entry, [
        "schedule",
        "prepare",
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--sink",
        "artifact-store",
      ], { env: { ARTIFACTSTORE_API_URL: store.url, ARTIFACTSTORE_API_TOKEN: STORE_TOKEN } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(store.packages.length, 1, "the sink delivered once");
      assert.ok(!r.stderr.includes(GHP), `the store's id leaked: ${hide(r.stderr)}`);
      assert.ok(!r.stdout.includes(GHP), "the store's id leaked to stdout");
      assert.match(
        r.stderr,
        /^kaizen: notice: sink 'artifact-store': stored as pkg-\[REDACTED:[a-z0-9-]+\] \(retention bundle\)$/m,
      );
    });
  },
);

Deno.test("pin: a team sink whose result echoes a token shows it redacted on stderr", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-pin-sink-" });
  try {
    const team = `${dir}/team.ts`;
    // The token reaches the sink through the environment: no secret in the file.
    await Deno.writeTextFile(
      team,
      `import { definePlugin, runCli } from "${REPO_ROOT}/mod.ts";\n` +
        `const echo = definePlugin({\n` +
        `  name: "echo-team",\n` +
        `  apiVersion: 1,\n` +
        `  sinks: [{\n` +
        `    name: "echo",\n` +
        `    emit: () => "uploaded with " + Deno.env.get("PIN_SINK_TOKEN") + " to the team bucket",\n` +
        `  }],\n` +
        `});\n` +
        `Deno.exit(await runCli(Deno.args, { plugins: [echo] }));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        `${REPO_ROOT}/deno.json`,
        team,
        "schedule",
        "prepare",
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--sink",
        "stdout,echo",
      ],
      env: { NO_COLOR: "1", PIN_SINK_TOKEN: GHP, KAIZEN_REPO: "" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.ok(stdout.startsWith("# Orientation: coach in "), stdout.slice(0, 200));
    assert.ok(!stderr.includes(GHP), `the sink's token leaked: ${hide(stderr)}`);
    assert.ok(!stdout.includes(GHP), "the sink's token leaked to stdout");
    assert.match(
      stderr,
      /^kaizen: notice: sink 'echo': uploaded with \[REDACTED:[a-z0-9-]+\] to the team bucket$/m,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 2. The rendering a sink asks for passes the final scan too

/**
 * A rendering as a renderer bug would leave it: `text` is the clean
 * rendering in `format`, but the bundle carries a secret that never went
 * through the pipeline and shows only in the other format.
 */
async function leakyRendering(format: "markdown" | "json") {
  const prepared = await prepareBundle({
    target: PILOT,
    agent: "coach",
    format,
    now: new Date(NOW),
    env: () => undefined,
  });
  const clean = prepared.rendering;
  assert.equal(clean.caught, 0);
  const sections = clean.bundle.sections.map((s, i) =>
    i !== 1 ? s : format === "markdown"
      // JSON shows `data`; markdown does not.
      ? { ...s, data: { deploy: `the upload token is ${GHP}` } }
      // Markdown shows the content as it is; the clean JSON text was rendered before it changed.
      : { ...s, content: `${s.content}\n- the upload token is ${GHP_2}\n` }
  );
  const rendering: SafeRendering = { ...clean, bundle: { ...clean.bundle, sections } };
  assert.ok(!rendering.text.includes(GHP) && !rendering.text.includes(GHP_2));
  return { prepared, rendering };
}

for (const format of ["markdown", "json"] as const) {
  const other = format === "markdown" ? "bundle.json" : "bundle.md";
  Deno.test(`pin: --format ${format}: the artifact store's ${other} is scanned before it is sent`, async () => {
    const { prepared, rendering } = await leakyRendering(format);
    await withStore("pkg-1", async (store) => {
      const env: Record<string, string> = {
        ARTIFACTSTORE_API_URL: store.url,
        ARTIFACTSTORE_API_TOKEN: STORE_TOKEN,
      };
      const reported: string[] = [];
      const results = await emitToSinks(rendering, {
        sinks: [prepared.registry.sink("artifact-store")!],
        format,
        redact: prepared.redact,
        report: (m) => reported.push(m),
        env: (name) => env[name],
        everySink: true,
      });
      assert.deepEqual(results.map((r) => [r.sink, r.ok]), [["artifact-store", true]]);
      assert.equal(store.packages.length, 1);
      const [files] = store.packages;
      // The rendering given is delivered as it is ...
      assert.equal(
        fileOf(files, format === "markdown" ? "bundle.md" : "bundle.json"),
        rendering.text,
      );
      // ... and the other one went through the final scan.
      const rendered = fileOf(files, other);
      for (const secret of [GHP, GHP_2]) {
        assert.ok(!rendered.includes(secret), `a secret reached the store in ${other}`);
      }
      assert.match(rendered, /the upload token is \[REDACTED:[a-z0-9-]+\]/);
      assert.match(rendered, /final scan of the rendered (markdown|json) redacted 1 more secret/);
      assert.ok(!reported.join("\n").includes("gh" + "p_"), reported.join("\n"));
    });
  });
}

// ---------------------------------------------------------------------------
// 5. The redactor's rules, pinned where only the redactor can show them

const BEGIN_KEY = "-----" + "BEGIN RSA PRIVATE KEY" + "-----";
const END_KEY = "-----" + "END RSA PRIVATE KEY" + "-----";

Deno.test("pin: overlapping spans merge to the furthest end (a key glued to a password)", () => {
  // The password's value runs from `=` to the first space (inside the BEGIN
  // line); the key block starts inside that value and runs four lines on.
  // Merged at the password's end, the key's lines would be printed.
  const lines = [fake(64, ALNUM, 71), fake(40, ALNUM, 72)];
  const text = `api_key=${fake(16, ALNUM, 70)}${BEGIN_KEY}\n${lines.join("\n")}\n${END_KEY}\nafter`;
  const r = redactSecretsSync(text);
  assert.equal(r.text, "api_key=[REDACTED:private-key]\nafter");
  assert.equal(r.count, 1);
  for (const line of lines) assert.ok(!r.text.includes(line.slice(0, 12)), r.text);
});

Deno.test("pin: a private key's short last line of material does not end its block early", () => {
  const short = fake(3, ALNUM, 75) + "="; // four characters, as a PEM body's last line can be
  const text = [BEGIN_KEY, fake(64, ALNUM, 73), fake(64, ALNUM, 74), short, END_KEY, "after"]
    .join("\n");
  const r = redactSecretsSync(text);
  assert.equal(r.text, "[REDACTED:private-key]\nafter");
  assert.ok(!r.text.includes(short), "the key's last line was printed");
  assert.ok(!r.text.includes("END RSA"), "the END line was printed");
});

Deno.test("pin: a run of xxxx inside a real value does not make it 'already masked'", () => {
  const value = "Zx9" + "q!T4#" + "xxxx" + "vLm2;pW";
  const r = redactSecretsSync(`password: ${value}`);
  assert.equal(r.text, "password: [REDACTED:generic-secret]");
  for (const run of ["XXXX", "****"]) {
    const v = "Zx9" + "q!T4#" + run + "vLm2;pW";
    assert.equal(redactSecretsSync(`password: ${v}`).text, "password: [REDACTED:generic-secret]");
  }
  // What masking means stays: a value that is mostly x is a placeholder.
  assert.equal(redactSecretsSync("password: xxxxxxxxxxxx").count, 0);
});

Deno.test("pin: an assigned value of 8 characters is redacted (7 is not a secret)", () => {
  const eight = "Zx9" + "q!T4#";
  assert.equal(redactSecretsSync(`password: ${eight}`).text, "password: [REDACTED:generic-secret]");
  assert.equal(redactSecretsSync(`password=${eight}`).text, "password=[REDACTED:generic-secret]");
  assert.equal(redactSecretsSync(`password: ${eight.slice(0, 7)}`).count, 0);
});
