/**
 * External-command plugins end to end: `kaizen schedule prepare` and
 * `kaizen plugins list` as subprocesses, from source and from the bundle
 * (`dist/kaizen.js`, built by `deno task bundle`), with plugins declared in
 * plugins files written to temporary folders. Also the shipped examples:
 * `examples/plugins/recent-commits` and `examples/custom-binary.ts`.
 *
 * Fake secrets are assembled at run time so this file never holds anything
 * that looks like a live credential.
 */
import assert from "node:assert/strict";
import { type CliEntry, cliTest, EMPTY_CONFIG_HOME, REPO_ROOT, runCli, tempRepo } from "./_cli.ts";
import { ALNUM, B32, fake } from "./_fake_secrets.ts";

const NOW = "2026-11-23T08:00:00Z";
const PROTOCOL = "kaizen.plugin/v1";
const DENO = Deno.execPath();
const PILOT = `${REPO_ROOT}/examples/pilot`;
const PILOT_REAL = Deno.realPathSync(PILOT);
const FIXTURE = `${REPO_ROOT}/tests/fixtures/plugins/fixture_plugin.ts`;
const RECENT_COMMITS = `${REPO_ROOT}/examples/plugins/recent-commits/recent-commits.ts`;
const CUSTOM_BINARY = `${REPO_ROOT}/examples/custom-binary.ts`;
const MANIFEST =
  'version: "1"\ntimezone: UTC\nagents:\n  coach:\n    cadence: weekly\n    enabled: true\n';

/** Headings of the pilot bundle with one external section at order 350. */
const PILOT_HEADINGS_WITH = (title: string) => [
  "## Agent prompt",
  "## Project memory",
  "## Metrics",
  `## ${title}`,
  "## Repository pointers",
  "## Before you finish",
];
const BUILTIN_IDS = ["prompt", "memory", "metrics", "pointers", "session-close"];

const XDG_EMPTY = EMPTY_CONFIG_HOME;

// ---------------------------------------------------------------------------
// Helpers

interface SectionDecl {
  id: string;
  title: string;
  order: number;
  priority?: number;
}

interface PluginDecl {
  name: string;
  command: string[];
  timeout_ms?: number;
  env_passthrough?: string[];
  sections?: SectionDecl[];
  sinks?: { name: string }[];
}

/** A plugins file in block YAML, with flow (JSON) values for lists and entries. */
function pluginsYaml(decls: PluginDecl[]): string {
  const lines = ["# written by prepare_plugins_cli_test.ts", "version: 1", "plugins:"];
  for (const d of decls) {
    lines.push(`  - name: ${d.name}`);
    lines.push(`    command: ${JSON.stringify(d.command)}`);
    if (d.timeout_ms !== undefined) lines.push(`    timeout_ms: ${d.timeout_ms}`);
    if (d.env_passthrough) lines.push(`    env_passthrough: ${JSON.stringify(d.env_passthrough)}`);
    if (d.sections) {
      lines.push("    sections:");
      for (const s of d.sections) lines.push(`      - ${JSON.stringify(s)}`);
    }
    if (d.sinks) {
      lines.push("    sinks:");
      for (const k of d.sinks) lines.push(`      - ${JSON.stringify(k)}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** argv running the fixture plugin in `mode`. */
function fixture(mode: string, ...args: string[]): string[] {
  return [DENO, "run", "-A", "--no-config", FIXTURE, mode, ...args];
}

const FX_SECTION: SectionDecl = { id: "fx-notes", title: "Fx notes", order: 350, priority: 15 };

/** The fixture plugin as a section at order 350 (between metrics and pointers). */
function fxSection(command: string[], extra: Partial<PluginDecl> = {}): PluginDecl {
  return { name: "fx", command, sections: [FX_SECTION], ...extra };
}

/** Runs `fn` with a fresh scratch folder (real path), removing it afterwards. */
async function withScratch(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-plugins-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes an executable script into `dir` and returns its path. */
async function script(dir: string, name: string, body: string): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, body);
  await Deno.chmod(path, 0o755);
  return path;
}

/** A `sh` plugin that reads its request and prints `response` as JSON. */
function replyScript(response: unknown): string {
  const json = JSON.stringify(response);
  assert.ok(!json.includes("'"), "responses are single-quoted in sh");
  return `#!/bin/sh\ncat >/dev/null\nprintf '%s\\n' '${json}'\n`;
}

async function writePlugins(dir: string, decls: PluginDecl[], name = "plugins.yml") {
  const file = `${dir}/${name}`;
  await Deno.writeTextFile(file, pluginsYaml(decls));
  return file;
}

interface RunOpts {
  env?: Record<string, string>;
  cwd?: string;
}

function childEnv(opts: RunOpts): Record<string, string> {
  return { XDG_CONFIG_HOME: XDG_EMPTY, KAIZEN_REPO: "", ...opts.env };
}

function prepare(entry: CliEntry, args: string[], opts: RunOpts = {}) {
  return runCli(entry, ["schedule", "prepare", ...args], { cwd: opts.cwd, env: childEnv(opts) });
}

function pluginsList(entry: CliEntry, args: string[], opts: RunOpts = {}) {
  return runCli(entry, ["plugins", "list", ...args], { cwd: opts.cwd, env: childEnv(opts) });
}

// deno-lint-ignore no-explicit-any
function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${err}): ${text.slice(0, 500)}`);
  }
}

function headings(md: string): string[] {
  return md.match(/^## .+$/gm) ?? [];
}

/** The body of the markdown section titled `title` (up to the next `## `). */
function sectionBody(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no section '${title}' in:\n${md.slice(0, 400)}`);
  const rest = md.slice(start + title.length + 5);
  const end = rest.indexOf("\n## ");
  return end < 0 ? rest : rest.slice(0, end);
}

// deno-lint-ignore no-explicit-any
function sectionOf(json: any, id: string): any {
  return json.sections.find((s: { id: string }) => s.id === id);
}

function assertNoStackTrace(...texts: string[]) {
  for (const t of texts) {
    assert.ok(!t.includes("    at "), `stack trace in:\n${t}`);
    assert.ok(!/internal error/i.test(t), t);
  }
}

/** stderr is exactly one line, and it is `line` (or matches it). */
function assertOneLine(stderr: string, line: string | RegExp) {
  const lines = stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${stderr}`);
  if (typeof line === "string") assert.equal(lines[0], line);
  else assert.match(lines[0], line);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function copyDir(from: string, to: string) {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

// ---------------------------------------------------------------------------
// A working external section

function assertOkFxBundle(md: string) {
  assert.deepEqual(headings(md), PILOT_HEADINGS_WITH("Fx notes"));
  const body = sectionBody(md, "Fx notes");
  assert.ok(body.includes("hello coach from fx-notes"), body);
  assert.ok(body.includes("_Source: `notes/hello.md`_"), body);
  assert.ok(!md.includes("**Warnings**"), "a working plugin adds no warnings");
}

cliTest(
  "prepare: a working external section sits at its order, in markdown and JSON (--plugins FILE)",
  async (entry) => {
    await withScratch(async (dir) => {
      const file = await writePlugins(dir, [fxSection(fixture("ok"))]);
      const md = await prepare(entry, [
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--plugins",
        file,
      ]);
      assert.equal(md.code, 0, md.stderr);
      assert.equal(md.stderr, "");
      assertOkFxBundle(md.stdout);

      const j = await prepare(entry, [
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--plugins",
        file,
        "--format",
        "json",
      ]);
      assert.equal(j.code, 0, j.stderr);
      assert.equal(j.stderr, "");
      const json = parseJson(j.stdout);
      assert.deepEqual(
        json.sections.map((s: { id: string }) => s.id),
        ["prompt", "memory", "metrics", "fx-notes", "pointers", "session-close"],
      );
      const fx = sectionOf(json, "fx-notes");
      assert.equal(fx.plugin, "fx");
      assert.equal(fx.title, "Fx notes");
      assert.equal(fx.source, "notes/hello.md");
      assert.equal(fx.status, "ok");
      assert.equal(fx.content, "hello coach from fx-notes");
      for (const id of BUILTIN_IDS) assert.equal(sectionOf(json, id).plugin, "builtin");
      assert.deepEqual(json.warnings, []);
      // The request the plugin received (echoed back as data).
      const req = fx.data.request;
      assert.equal(req.protocol, PROTOCOL);
      assert.equal(req.hook, "collect");
      assert.equal(req.section, "fx-notes");
      assert.deepEqual(req.context, {
        agent: "coach",
        root: PILOT_REAL,
        repo: json.repo,
        now: NOW,
        cadence: "weekly",
        enabled: true,
        cron: "0 9 * * 1",
        timezone: "Europe/Berlin",
        program: "kaizen",
      });
    });
  },
);

cliTest(
  "prepare: the host file is found at $XDG_CONFIG_HOME/kaizen/plugins.yml; --plugins replaces it",
  async (entry) => {
    await withScratch(async (dir) => {
      await Deno.mkdir(`${dir}/xdg/kaizen`, { recursive: true });
      await writePlugins(`${dir}/xdg/kaizen`, [fxSection(fixture("ok"))]);
      const env = { XDG_CONFIG_HOME: `${dir}/xdg` };
      const r = await prepare(entry, ["coach", "--target", PILOT, "--now", NOW], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assertOkFxBundle(r.stdout);

      // --plugins FILE is used instead of the XDG file, not in addition to it.
      const other = await writePlugins(dir, [{
        name: "other",
        command: fixture("ok"),
        sections: [{ id: "other-notes", title: "Other notes", order: 350 }],
      }], "other.yml");
      const o = await prepare(entry, [
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--plugins",
        other,
      ], { env });
      assert.equal(o.code, 0, o.stderr);
      assert.deepEqual(headings(o.stdout), PILOT_HEADINGS_WITH("Other notes"));
      assert.ok(sectionBody(o.stdout, "Other notes").includes("hello coach from other-notes"));
    });
  },
);

cliTest(
  "prepare: a relative command resolves against the plugins file's folder, not the cwd",
  async (entry) => {
    await withScratch(async (dir) => {
      await Deno.mkdir(`${dir}/conf/bin`, { recursive: true });
      await script(
        `${dir}/conf/bin`,
        "hello.sh",
        replyScript({ protocol: PROTOCOL, content: "hello from a relative command" }),
      );
      await writePlugins(`${dir}/conf`, [fxSection(["./bin/hello.sh"])]);
      const r = await prepare(entry, [
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--plugins",
        "conf/plugins.yml",
      ], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.ok(sectionBody(r.stdout, "Fx notes").includes("hello from a relative command"));
    });
  },
);

// ---------------------------------------------------------------------------
// Failure modes

interface FailureMode {
  name: string;
  /** Builds the plugin's argv (and any scripts it needs) in `dir`. */
  command: (dir: string) => Promise<string[]>;
  timeout_ms?: number;
  /** What follows `plugin 'fx', hook collect (section 'fx-notes'): `. */
  detail: (dir: string) => string | RegExp;
}

const FAILURE_MODES: FailureMode[] = [
  {
    name: "an error response",
    command: () => Promise.resolve(fixture("error")),
    detail: () => "the team wiki is unreachable",
  },
  {
    name: "invalid JSON on stdout",
    command: () => Promise.resolve(fixture("bad-json")),
    detail: () => "invalid JSON on stdout: this is not json {",
  },
  {
    name: "a wrong protocol",
    command: () => Promise.resolve(fixture("wrong-protocol")),
    detail: () => 'response "protocol" must be "kaizen.plugin/v1"; got "kaizen.plugin/v9"',
  },
  {
    name: "a missing protocol",
    command: () => Promise.resolve(fixture("no-protocol")),
    detail: () => 'response "protocol" must be "kaizen.plugin/v1"; it is missing',
  },
  {
    name: "a non-zero exit with stderr",
    command: () => Promise.resolve(fixture("exit-3")),
    // Last stderr line only, control characters escaped, cut to 200 characters.
    detail: () => /^exited with code 3: boom: cannot open \\u001b\[31mconfig\\u001b\[0m x+\.\.\.$/,
  },
  {
    name: "a timeout",
    command: async (dir) => [
      await script(dir, "slow.sh", "#!/bin/sh\ncat >/dev/null\nsleep 30\n"),
    ],
    timeout_ms: 300,
    // The exact wording is checked on its own below.
    detail: () => /^timed out after 300 ms \(.+\)$/,
  },
  {
    name: "a missing command",
    command: (dir) => Promise.resolve([`${dir}/no-such-dir/kaizen-plugin`]),
    detail: (dir) => `command not found: ${dir}/no-such-dir/kaizen-plugin`,
  },
  {
    name: "a command that is not executable",
    command: async (dir) => {
      await Deno.writeTextFile(`${dir}/plain.sh`, "#!/bin/sh\necho hi\n");
      await Deno.chmod(`${dir}/plain.sh`, 0o644);
      return [`${dir}/plain.sh`];
    },
    detail: (dir) => `command is not executable: ${dir}/plain.sh`,
  },
  {
    name: "content that is not a string",
    command: () => Promise.resolve(fixture("content-number")),
    detail: () => 'response "content" must be a string, got a number',
  },
  {
    name: "no response at all",
    command: async (dir) => [await script(dir, "mute.sh", "#!/bin/sh\ncat >/dev/null\n")],
    detail: () => "printed no response (expected one JSON object on stdout)",
  },
  {
    name: "a JSON array instead of an object",
    command: async (dir) => [await script(dir, "array.sh", replyScript([PROTOCOL]))],
    detail: () => "response must be a JSON object, got an array",
  },
  {
    name: "a source outside the repo",
    command: async (dir) => [
      await script(
        dir,
        "escape.sh",
        replyScript({ protocol: PROTOCOL, content: "x", source: "../../etc/passwd" }),
      ),
    ],
    detail: () =>
      "response \"source\" must be a path relative to the repo root, got '../../etc/passwd'",
  },
];

const PREFIX = "plugin 'fx', hook collect (section 'fx-notes'): ";

function matchesDetail(text: string, detail: string | RegExp) {
  if (typeof detail === "string") assert.equal(text, detail);
  else assert.match(text, detail);
}

for (const mode of FAILURE_MODES) {
  cliTest(
    `prepare: ${mode.name} → warning section, one stderr line, exit 0; --strict → exit 1, no bundle`,
    async (entry) => {
      await withScratch(async (dir) => {
        const decl = fxSection(await mode.command(dir));
        if (mode.timeout_ms !== undefined) decl.timeout_ms = mode.timeout_ms;
        const file = await writePlugins(dir, [decl]);
        const detail = mode.detail(dir);
        const base = ["coach", "--target", PILOT, "--now", NOW, "--plugins", file];

        // Markdown: exit 0, the warning section in place, the rest intact.
        const started = Date.now();
        const md = await prepare(entry, base);
        assert.ok(Date.now() - started < 20_000, "a hung plugin does not hang prepare");
        assert.equal(md.code, 0, md.stderr);
        assertNoStackTrace(md.stdout, md.stderr);
        assertOneLine(
          md.stderr,
          /^kaizen: warning: plugin 'fx', hook collect \(section 'fx-notes'\): /,
        );
        matchesDetail(md.stderr.trim().slice(`kaizen: warning: ${PREFIX}`.length), detail);
        assert.deepEqual(headings(md.stdout), PILOT_HEADINGS_WITH("Fx notes"));
        const body = sectionBody(md.stdout, "Fx notes").trim();
        assert.ok(body.startsWith("_This section failed and was left out:_ "), body);
        matchesDetail(body.slice("_This section failed and was left out:_ ".length), detail);
        assert.ok(md.stdout.includes("> **Warnings**"));
        assert.ok(
          md.stdout.includes(`> - ${PREFIX}`),
          "the bundle's warnings name plugin and hook",
        );
        assert.ok(md.stdout.includes("| Success rate | 75.0% |"), "metrics intact");
        assert.ok(md.stdout.includes("**`TODO.md`** — 10 open items:"), "pointers intact");
        assert.ok(md.stdout.includes("kaizen metrics record coach --success"), "close intact");

        // JSON: the section is a warning, owned by the plugin; warnings carry the line.
        const j = await prepare(entry, [...base, "--format", "json"]);
        assert.equal(j.code, 0, j.stderr);
        assertNoStackTrace(j.stderr);
        const json = parseJson(j.stdout);
        const fx = sectionOf(json, "fx-notes");
        assert.equal(fx.plugin, "fx");
        assert.equal(fx.status, "warning");
        assert.equal(fx.source, null);
        assert.equal(json.warnings.length, 1);
        assert.ok(json.warnings[0].startsWith(PREFIX), json.warnings[0]);
        matchesDetail(json.warnings[0].slice(PREFIX.length), detail);
        for (const id of BUILTIN_IDS) assert.equal(sectionOf(json, id).status, "ok", id);
        assert.equal(json.has_metrics, true);
        assert.equal(json.has_memory, true);

        // --strict: exit 1, nothing on stdout.
        const s = await prepare(entry, [...base, "--strict"]);
        assert.equal(s.code, 1, s.stderr);
        assert.equal(s.stdout, "");
        assertNoStackTrace(s.stderr);
        assert.ok(s.stderr.includes(`kaizen: warning: ${PREFIX}`), s.stderr);
        assert.ok(
          s.stderr.includes("kaizen: error: 1 plugin hook failed; --strict writes no bundle"),
          s.stderr,
        );

        // --strict --out FILE: the file is not created.
        const out = `${dir}/bundle.md`;
        const so = await prepare(entry, [...base, "--strict", "--out", out]);
        assert.equal(so.code, 1, so.stderr);
        assert.equal(so.stdout, "");
        assertNoStackTrace(so.stderr);
        assert.equal(await exists(out), false, "--strict writes no --out file");

        // Without --strict, --out gets the bundle with the warning section.
        const o = await prepare(entry, [...base, "--out", out]);
        assert.equal(o.code, 0, o.stderr);
        assert.equal(o.stdout, "");
        assert.ok((await Deno.readTextFile(out)).includes("## Fx notes\n"));
      });
    },
  );
}

cliTest(
  "prepare: a timed-out plugin's process group is killed (nothing it started keeps running)",
  async (entry) => {
    await withScratch(async (dir) => {
      const pids = `${dir}/pids`;
      const sleeper = await script(
        dir,
        "sleeper.sh",
        `#!/bin/sh\ncat >/dev/null\necho $$ > "${pids}"\nsleep 30 &\necho $! >> "${pids}"\nwait\n`,
      );
      const file = await writePlugins(dir, [fxSection([sleeper], { timeout_ms: 300 })]);
      const r = await prepare(entry, ["coach", "--target", PILOT, "--now", NOW, "--plugins", file]);
      assert.equal(r.code, 0, r.stderr);
      assertOneLine(
        r.stderr,
        /^kaizen: warning: plugin 'fx', hook collect \(section 'fx-notes'\): timed out after 300 ms /,
      );
      const ids = (await Deno.readTextFile(pids)).trim().split("\n").map(Number);
      assert.equal(ids.length, 2);
      for (const pid of ids) {
        assert.equal(await exists(`/proc/${pid}/stat`) && !(await isZombie(pid)), false, `${pid}`);
      }
    });
  },
);

cliTest(
  "prepare: a plugin that hangs is reported as documented: 'timed out after N ms (process killed)'",
  async (entry) => {
    await withScratch(async (dir) => {
      const slow = await script(dir, "slow.sh", "#!/bin/sh\ncat >/dev/null\nsleep 30\n");
      const file = await writePlugins(dir, [fxSection([slow], { timeout_ms: 300 })]);
      const r = await prepare(entry, ["coach", "--target", PILOT, "--now", NOW, "--plugins", file]);
      assert.equal(r.code, 0, r.stderr);
      // docs/plugins.md, "When an external plugin fails": a plugin that never answers
      // and is stopped at the deadline says "(process killed)".
      assertOneLine(r.stderr, `kaizen: warning: ${PREFIX}timed out after 300 ms (process killed)`);
    });
  },
);

async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

cliTest(
  "prepare: several failing plugins are all reported; --strict counts them",
  async (entry) => {
    await withScratch(async (dir) => {
      const file = await writePlugins(dir, [
        fxSection(fixture("error")),
        {
          name: "fy",
          command: fixture("bad-json"),
          sections: [{ id: "fy-notes", title: "Fy notes", order: 450 }],
        },
      ]);
      const base = ["coach", "--target", PILOT, "--now", NOW, "--plugins", file];
      const r = await prepare(entry, base);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.trim().split("\n");
      assert.deepEqual(lines, [
        `kaizen: warning: ${PREFIX}the team wiki is unreachable`,
        "kaizen: warning: plugin 'fy', hook collect (section 'fy-notes'): invalid JSON on stdout: this is not json {",
      ]);
      const s = await prepare(entry, [...base, "--strict"]);
      assert.equal(s.code, 1);
      assert.equal(s.stdout, "");
      assert.match(s.stderr, /kaizen: error: 2 plugin hooks failed; --strict writes no bundle/);
    });
  },
);

// ---------------------------------------------------------------------------
// Secrets printed by plugins

const GHP = "gh" + "p_" + fake(36, ALNUM, 31);
const GHP_2 = "gh" + "p_" + fake(36, ALNUM, 32);
const AWS_ID = "AK" + "IA" + fake(16, B32, 33);
const URL_PASSWORD = "Tr0ub4dor" + fake(10, ALNUM, 34);
const DB_URL = "postgres://deploy:" + URL_PASSWORD + "@db.internal.acme.test:5432/invoices";
const SECRETS = [GHP, GHP_2, AWS_ID, URL_PASSWORD];

function assertNoSecrets(text: string, where: string) {
  for (const v of SECRETS) assert.ok(!text.includes(v), `secret ${v.slice(0, 6)}… in ${where}`);
}

/**
 * Runs prepare every way a secret could escape (markdown, JSON, --out, --strict)
 * with `decls`, asserting no secret reaches stdout, stderr or the file.
 */
async function assertSecretsContained(entry: CliEntry, dir: string, decls: PluginDecl[]) {
  const file = await writePlugins(dir, decls);
  const base = ["coach", "--target", PILOT, "--now", NOW, "--plugins", file];
  const md = await prepare(entry, base);
  assert.equal(md.code, 0, md.stderr);
  assertNoSecrets(md.stdout, "markdown stdout");
  assertNoSecrets(md.stderr, "markdown stderr");
  assert.match(md.stderr, /notice: redacted \d+ secrets? from the bundle/);

  const j = await prepare(entry, [...base, "--format", "json"]);
  assert.equal(j.code, 0, j.stderr);
  assertNoSecrets(j.stdout, "json stdout");
  assertNoSecrets(j.stderr, "json stderr");
  const json = parseJson(j.stdout);
  assert.ok(json.redactions > 0, `redactions: ${json.redactions}`);

  const out = `${dir}/bundle.md`;
  const o = await prepare(entry, [...base, "--out", out]);
  assert.equal(o.code, 0, o.stderr);
  assertNoSecrets(o.stderr, "--out stderr");
  assertNoSecrets(await Deno.readTextFile(out), "--out file");

  const s = await prepare(entry, [...base, "--strict"]);
  assertNoSecrets(s.stdout + s.stderr, "--strict output");
  return { md, json };
}

cliTest(
  "prepare: secrets in a plugin's content and data never reach any output",
  async (entry) => {
    await withScratch(async (dir) => {
      const content = await script(
        dir,
        "content.sh",
        replyScript({
          protocol: PROTOCOL,
          content: `Bot token: ${GHP}\nDeploy key ${AWS_ID}\nDB: ${DB_URL}\n`,
          data: { token: GHP_2 },
        }),
      );
      const { md, json } = await assertSecretsContained(entry, dir, [{
        name: "leaky",
        command: [content],
        sections: [{ id: "leaky", title: "Leaky", order: 350 }],
      }]);
      assert.equal(md.stderr.trim().split("\n").length, 1, md.stderr);
      assert.ok(sectionBody(md.stdout, "Leaky").includes("Bot token: "));
      assert.ok(json.redactions >= 4, `redactions: ${json.redactions}`);
      assert.equal(sectionOf(json, "leaky").status, "ok");
      assert.match(sectionOf(json, "leaky").data.token, /^\[REDACTED:[a-z0-9-]+\]$/);
    });
  },
);

cliTest(
  "prepare: a secret in a plugin's error response never reaches any output",
  async (entry) => {
    await withScratch(async (dir) => {
      const error = await script(
        dir,
        "error.sh",
        replyScript({ protocol: PROTOCOL, error: `login refused for token ${GHP_2}` }),
      );
      const { md } = await assertSecretsContained(entry, dir, [fxSection([error])]);
      assert.match(
        md.stderr,
        /^kaizen: warning: plugin 'fx', hook collect \(section 'fx-notes'\): login refused for token \S+$/m,
      );
    });
  },
);

cliTest(
  "prepare: a secret on a crashing plugin's stderr never reaches any output",
  async (entry) => {
    await withScratch(async (dir) => {
      const crash = await script(
        dir,
        "crash.sh",
        `#!/bin/sh\ncat >/dev/null\necho "fatal: cannot reach ${DB_URL} with ${AWS_ID} as ${GHP}" >&2\nexit 2\n`,
      );
      const { md } = await assertSecretsContained(entry, dir, [fxSection([crash])]);
      assert.match(
        md.stderr,
        /^kaizen: warning: plugin 'fx', hook collect \(section 'fx-notes'\): exited with code 2: fatal: cannot reach /m,
      );
    });
  },
);

cliTest(
  "prepare: a secret in an external sink's error never reaches any output",
  async (entry) => {
    await withScratch(async (dir) => {
      const sink = await script(
        dir,
        "sink.sh",
        replyScript({ protocol: PROTOCOL, error: `upload rejected for ${GHP}` }),
      );
      const file = await writePlugins(dir, [
        { name: "leaky-sink", command: [sink], sinks: [{ name: "leaky-sink" }] },
      ]);
      const k = await prepare(entry, [
        "coach",
        "--target",
        PILOT,
        "--now",
        NOW,
        "--plugins",
        file,
        "--sink",
        "stdout,leaky-sink",
      ]);
      assert.equal(k.code, 1, k.stderr);
      assertNoSecrets(k.stdout, "sink run stdout");
      assertNoSecrets(k.stderr, "sink run stderr");
      const [ok, failed, ...rest] = k.stderr.split("\n");
      assert.equal(ok, "kaizen: notice: sink 'stdout': ok");
      assert.match(
        failed,
        /^kaizen: error: plugin 'leaky-sink', sink 'leaky-sink' failed: upload rejected for \S+$/,
      );
      assert.deepEqual(rest, [""]);
    });
  },
);

// ---------------------------------------------------------------------------
// Plugins files that cannot be used

cliTest("prepare: an invalid plugins file → exit 1, one line at file:line:col", async (entry) => {
  await withScratch(async (dir) => {
    const file = `${dir}/plugins.yml`;
    await Deno.writeTextFile(
      file,
      [
        "version: 1",
        "plugins:",
        "  - name: fx",
        `    comand: ${JSON.stringify(fixture("ok"))}`,
        "    sections:",
        '      - { id: fx-notes, title: "Fx notes", order: 350 }',
        "",
      ].join("\n"),
    );
    const expected = `kaizen: error: ${file}:4:5: unknown key 'comand' in a plugin ` +
      "(did you mean 'command'?); allowed: name, command, timeout_ms, env_passthrough, sections, sinks";
    const r = await prepare(entry, ["coach", "--target", PILOT, "--now", NOW, "--plugins", file]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assertNoStackTrace(r.stderr);
    assertOneLine(r.stderr, expected);

    // The same file found through $XDG_CONFIG_HOME.
    await Deno.mkdir(`${dir}/xdg/kaizen`, { recursive: true });
    const xdgFile = `${dir}/xdg/kaizen/plugins.yml`;
    await Deno.copyFile(file, xdgFile);
    const x = await prepare(entry, ["coach", "--target", PILOT, "--now", NOW], {
      env: { XDG_CONFIG_HOME: `${dir}/xdg` },
    });
    assert.equal(x.code, 1);
    assert.equal(x.stdout, "");
    assertOneLine(x.stderr, expected.replace(file, xdgFile));

    // plugins list stops the same way.
    const l = await pluginsList(entry, ["--target", PILOT, "--plugins", file]);
    assert.equal(l.code, 1);
    assert.equal(l.stdout, "");
    assertOneLine(l.stderr, expected);
  });
});

cliTest("prepare: a plugins file with broken YAML → exit 1 at file:line:col", async (entry) => {
  await withScratch(async (dir) => {
    const file = `${dir}/plugins.yml`;
    await Deno.writeTextFile(file, 'version: 1\nplugins:\n  - name: fx\n    command: ["a", "b"\n');
    const r = await prepare(entry, ["coach", "--target", PILOT, "--plugins", file]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assertNoStackTrace(r.stderr);
    assertOneLine(r.stderr, new RegExp(`^kaizen: error: ${file}:\\d+:\\d+: `));
  });
});

cliTest("prepare: --plugins pointing to a missing file → exit 1, one line", async (entry) => {
  await withScratch(async (dir) => {
    const missing = `${dir}/nope/plugins.yml`;
    const r = await prepare(entry, ["coach", "--target", PILOT, "--plugins", missing]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assertNoStackTrace(r.stderr);
    assertOneLine(r.stderr, `kaizen: error: plugins file '${missing}' does not exist`);

    const l = await pluginsList(entry, ["--target", PILOT, "--plugins", missing]);
    assert.equal(l.code, 1);
    assertOneLine(l.stderr, `kaizen: error: plugins file '${missing}' does not exist`);
  });
});

// ---------------------------------------------------------------------------
// The repository's own plugins file

/** A target repo whose `.kaizen/plugins.yml` runs `.kaizen/mark.sh`, which touches `marker`. */
async function repoWithPlugins(marker: string): Promise<string> {
  const dir = await Deno.realPath(
    await tempRepo({
      ".kaizen/schedule.yml": MANIFEST,
      "TODO.md": "# TODO\n\n- [ ] Ship it\n",
      ".kaizen/plugins.yml": pluginsYaml([{
        name: "repo-notes",
        command: ["./mark.sh"],
        sections: [{ id: "repo-notes", title: "Repo notes", order: 350 }],
      }]),
      ".kaizen/mark.sh": `#!/bin/sh\ncat >/dev/null\ntouch "${marker}"\nprintf '%s\\n' '${
        JSON.stringify({ protocol: PROTOCOL, content: "notes from the repository plugin" })
      }'\n`,
    }),
  );
  await Deno.chmod(`${dir}/.kaizen/mark.sh`, 0o755);
  return dir;
}

const ignoredNotice = (root: string) =>
  `kaizen: notice: ignoring ${root}/.kaizen/plugins.yml: repository plugins run code on this host; pass --trust-repo-plugins to allow`;

cliTest(
  "prepare: a repo .kaizen/plugins.yml is ignored with a notice (its plugin does not run); --trust-repo-plugins loads it",
  async (entry) => {
    await withScratch(async (scratch) => {
      const marker = `${scratch}/ran`;
      const repo = await repoWithPlugins(marker);
      try {
        const r = await prepare(entry, ["coach", "--target", repo, "--now", NOW]);
        assert.equal(r.code, 0, r.stderr);
        assertOneLine(r.stderr, ignoredNotice(repo));
        assert.ok(!r.stdout.includes("## Repo notes"), "the repo's section is absent");
        assert.ok(!r.stdout.includes("notes from the repository plugin"));
        assert.equal(await exists(marker), false, "the repo's plugin must not run");

        // Also ignored alongside a host file, and under --strict (a notice is not a failure).
        const host = await writePlugins(scratch, [fxSection(fixture("ok"))]);
        const h = await prepare(entry, [
          "coach",
          "--target",
          repo,
          "--now",
          NOW,
          "--plugins",
          host,
          "--strict",
        ]);
        assert.equal(h.code, 0, h.stderr);
        assertOneLine(h.stderr, ignoredNotice(repo));
        assert.ok(h.stdout.includes("## Fx notes"));
        assert.ok(!h.stdout.includes("## Repo notes"));
        assert.equal(await exists(marker), false, "the repo's plugin must not run");

        const t = await prepare(entry, [
          "coach",
          "--target",
          repo,
          "--now",
          NOW,
          "--trust-repo-plugins",
          "--format",
          "json",
        ]);
        assert.equal(t.code, 0, t.stderr);
        assert.equal(t.stderr, "");
        assert.equal(await exists(marker), true, "trusted: the repo's plugin ran");
        const json = parseJson(t.stdout);
        const s = sectionOf(json, "repo-notes");
        assert.equal(s.plugin, "repo-notes");
        assert.equal(s.status, "ok");
        assert.equal(s.content, "notes from the repository plugin");
        const ids: string[] = json.sections.map((x: { id: string }) => x.id);
        assert.ok(ids.indexOf("repo-notes") > ids.indexOf("metrics"), ids.join());
        assert.ok(ids.indexOf("repo-notes") < ids.indexOf("pointers"), ids.join());
      } finally {
        await Deno.remove(repo, { recursive: true });
      }
    });
  },
);

cliTest(
  "prepare: a trusted repo plugins file may not run a command outside the repository",
  async (entry) => {
    const repo = await Deno.realPath(
      await tempRepo({
        ".kaizen/schedule.yml": MANIFEST,
        ".kaizen/plugins.yml": pluginsYaml([{
          name: "escape",
          command: ["../../bin/evil"],
          sections: [{ id: "escape", title: "Escape", order: 350 }],
        }]),
      }),
    );
    try {
      const r = await prepare(entry, ["coach", "--target", repo, "--trust-repo-plugins"]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assertNoStackTrace(r.stderr);
      assertOneLine(
        r.stderr,
        new RegExp(
          `^kaizen: error: ${repo}/\\.kaizen/plugins\\.yml:\\d+:\\d+: command '\\.\\./\\.\\./bin/evil' resolves outside the repository`,
        ),
      );
    } finally {
      await Deno.remove(repo, { recursive: true });
    }
  },
);

// ---------------------------------------------------------------------------
// External sinks

cliTest("prepare: --sink stdout,<external> hands the bundle to the sink", async (entry) => {
  await withScratch(async (dir) => {
    const got = `${dir}/got.json`;
    const file = await writePlugins(dir, [{
      name: "fx",
      command: fixture("sink-ok", got),
      sinks: [{ name: "fx-sink" }],
    }]);
    const base = ["coach", "--target", PILOT, "--now", NOW, "--plugins", file];
    const r = await prepare(entry, [...base, "--sink", "stdout,fx-sink"]);
    assert.equal(r.code, 0, r.stderr);
    // Sinks chosen with --sink each report one line.
    assert.equal(
      r.stderr,
      "kaizen: notice: sink 'stdout': ok\nkaizen: notice: sink 'fx-sink': ok\n",
    );
    assert.ok(r.stdout.startsWith("# Orientation: coach in "), r.stdout.slice(0, 100));
    const req = parseJson(await Deno.readTextFile(got));
    assert.equal(req.protocol, PROTOCOL);
    assert.equal(req.hook, "emit");
    assert.equal(req.sink, "fx-sink");
    assert.equal(req.format, "markdown");
    assert.equal(req.rendered, r.stdout, "the sink sees exactly what stdout got");
    assert.equal(req.bundle.schema, "kaizen.bundle/v1");
    assert.equal(req.bundle.agent, "coach");
    assert.equal(req.bundle.root, PILOT_REAL);
    assert.deepEqual(req.bundle.sections.map((s: { id: string }) => s.id), BUILTIN_IDS);

    // The sink alone: nothing on stdout; JSON format reaches it as such.
    await Deno.remove(got);
    const only = await prepare(entry, [...base, "--sink", "fx-sink", "--format", "json"]);
    assert.equal(only.code, 0, only.stderr);
    assert.equal(only.stdout, "");
    const req2 = parseJson(await Deno.readTextFile(got));
    assert.equal(req2.format, "json");
    assert.equal(parseJson(req2.rendered).sha256, req2.bundle.sha256);
  });
});

cliTest(
  "prepare: a failing external sink → exit 1, one error line naming the sink",
  async (entry) => {
    await withScratch(async (dir) => {
      const file = await writePlugins(dir, [
        { name: "fx", command: fixture("sink-fail"), sinks: [{ name: "fx-sink" }] },
        { name: "fz", command: fixture("sink-silent"), sinks: [{ name: "fz-sink" }] },
        { name: "fw", command: fixture("exit-3"), sinks: [{ name: "fw-sink" }] },
      ]);
      const base = ["coach", "--target", PILOT, "--now", NOW, "--plugins", file];
      const r = await prepare(entry, [...base, "--sink", "stdout,fx-sink"]);
      assert.equal(r.code, 1);
      assertNoStackTrace(r.stderr);
      assert.equal(
        r.stderr,
        "kaizen: notice: sink 'stdout': ok\n" +
          "kaizen: error: plugin 'fx', sink 'fx-sink' failed: webhook answered 503\n",
      );
      assert.ok(r.stdout.startsWith("# Orientation: coach in "), "stdout sink still ran");

      const z = await prepare(entry, [...base, "--sink", "fz-sink"]);
      assert.equal(z.code, 1);
      assert.equal(z.stdout, "");
      assertOneLine(
        z.stderr,
        `kaizen: error: plugin 'fz', sink 'fz-sink' failed: response has neither "ok": true nor "error"`,
      );

      const w = await prepare(entry, [...base, "--sink", "fw-sink"]);
      assert.equal(w.code, 1);
      assertNoStackTrace(w.stderr);
      assertOneLine(
        w.stderr,
        /^kaizen: error: plugin 'fw', sink 'fw-sink' failed: exited with code 3: boom: cannot open /,
      );
    });
  },
);

cliTest("prepare: --sink nope → exit 2 listing the available sinks", async (entry) => {
  await withScratch(async (dir) => {
    const file = await writePlugins(dir, [{
      name: "fx",
      command: fixture("sink-ok"),
      sinks: [{ name: "fx-sink" }],
    }]);
    const r = await prepare(entry, [
      "coach",
      "--target",
      PILOT,
      "--plugins",
      file,
      "--sink",
      "nope",
    ]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assertNoStackTrace(r.stderr);
    assertOneLine(
      r.stderr,
      /^kaizen: error: unknown sink 'nope'.*; available: stdout, file, nats, artifact-store, fx-sink$/,
    );
  });
});

// ---------------------------------------------------------------------------
// plugins list

cliTest(
  "plugins list --plugins FILE: the external plugin with its origin, sections and sinks",
  async (entry) => {
    await withScratch(async (dir) => {
      const marker = `${dir}/ran`;
      const cmd = await script(dir, "p.sh", `#!/bin/sh\ntouch "${marker}"\nexit 1\n`);
      const file = await writePlugins(dir, [{
        name: "fx",
        command: [cmd, "--flag"],
        timeout_ms: 5000,
        sections: [FX_SECTION, { id: "fx-more", title: "Fx more", order: 950 }],
        sinks: [{ name: "fx-sink" }],
      }]);
      const t = await pluginsList(entry, ["--target", PILOT, "--plugins", file]);
      assert.equal(t.code, 0, t.stderr);
      assert.equal(t.stderr, "");
      const lines = t.stdout.trimEnd().split("\n");
      assert.match(lines[0], /^PLUGIN\s+VERSION\s+ORIGIN\s+SECTIONS \(ORDER\)\s+SINKS$/);
      assert.ok(lines.some((l) => /^builtin\s+\S+\s+built-in\s/.test(l)), t.stdout);
      const row = lines.find((l) => l.startsWith("fx "));
      assert.ok(row, t.stdout);
      assert.match(
        row,
        new RegExp(
          `^fx\\s+-\\s+external: ${file}\\s+fx-notes \\(350\\), fx-more \\(950\\)\\s+fx-sink$`,
        ),
      );

      const j = await pluginsList(entry, [
        "--target",
        PILOT,
        "--plugins",
        file,
        "--format",
        "json",
      ]);
      assert.equal(j.code, 0, j.stderr);
      assert.equal(j.stderr, "");
      const json = parseJson(j.stdout);
      assert.deepEqual(json.notices, []);
      assert.deepEqual(json.plugins.map((p: { name: string }) => p.name), ["builtin", "fx"]);
      const fx = json.plugins[1];
      assert.deepEqual(fx, {
        name: "fx",
        version: null,
        api_version: 1,
        origin: { kind: "external", file, command: [cmd, "--flag"] },
        sections: [
          { id: "fx-notes", title: "Fx notes", order: 350, priority: 15, required: false },
          { id: "fx-more", title: "Fx more", order: 950, priority: null, required: false },
        ],
        sinks: [{ name: "fx-sink" }],
      });
      assert.equal(await exists(marker), false, "listing never runs a plugin");
    });
  },
);

cliTest(
  "plugins list: the host file via $XDG_CONFIG_HOME, and the repo-file notice (table and json)",
  async (entry) => {
    await withScratch(async (scratch) => {
      const marker = `${scratch}/ran`;
      const repo = await repoWithPlugins(marker);
      try {
        await Deno.mkdir(`${scratch}/xdg/kaizen`, { recursive: true });
        const host = await writePlugins(`${scratch}/xdg/kaizen`, [fxSection(fixture("ok"))]);
        const env = { XDG_CONFIG_HOME: `${scratch}/xdg` };

        const t = await pluginsList(entry, ["--target", repo], { env });
        assert.equal(t.code, 0, t.stderr);
        assertOneLine(t.stderr, ignoredNotice(repo));
        assert.match(
          t.stdout,
          new RegExp(`^fx\\s+-\\s+external: ${host}\\s+fx-notes \\(350\\)\\s+-$`, "m"),
        );
        assert.ok(!t.stdout.includes("repo-notes"), t.stdout);

        const j = await pluginsList(entry, ["--target", repo, "--format", "json"], { env });
        assert.equal(j.code, 0, j.stderr);
        assertOneLine(j.stderr, ignoredNotice(repo));
        const json = parseJson(j.stdout);
        assert.deepEqual(json.notices, [ignoredNotice(repo).slice("kaizen: notice: ".length)]);
        assert.deepEqual(json.plugins.map((p: { name: string }) => p.name), ["builtin", "fx"]);
        assert.equal(json.plugins[1].origin.file, host);

        const trusted = await pluginsList(entry, [
          "--target",
          repo,
          "--trust-repo-plugins",
          "--format",
          "json",
        ], { env });
        assert.equal(trusted.code, 0, trusted.stderr);
        assert.equal(trusted.stderr, "");
        const tj = parseJson(trusted.stdout);
        assert.deepEqual(tj.notices, []);
        assert.deepEqual(tj.plugins.map((p: { name: string }) => p.name), [
          "builtin",
          "fx",
          "repo-notes",
        ]);
        assert.deepEqual(tj.plugins[2].origin, {
          kind: "external",
          file: `${repo}/.kaizen/plugins.yml`,
          command: [`${repo}/.kaizen/mark.sh`],
        });
        assert.equal(await exists(marker), false, "listing never runs a plugin");
      } finally {
        await Deno.remove(repo, { recursive: true });
      }
    });
  },
);

// ---------------------------------------------------------------------------
// The shipped example: examples/plugins/recent-commits

async function git(cwd: string, args: string[], date?: string) {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.email=t@t", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args],
    cwd,
    env: date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {},
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

cliTest(
  "prepare: examples/plugins/recent-commits lists the commits since the agent's last run",
  async (entry) => {
    await withScratch(async (dir) => {
      const repo = `${dir}/pilot`;
      await copyDir(PILOT, repo);
      await git(repo, ["init", "-q"]);
      // Before coach's last recorded run (2026-11-16T09:18:03Z): not listed.
      await git(repo, ["add", "-A"]);
      await git(repo, ["commit", "-q", "-m", "Initial import"], "2026-11-10T10:00:00Z");
      await Deno.writeTextFile(`${repo}/NOTES.md`, "notes\n");
      await git(repo, ["add", "-A"]);
      await git(repo, ["commit", "-q", "-m", "Add release notes"], "2026-11-18T10:00:00Z");
      await Deno.writeTextFile(`${repo}/NOTES.md`, "notes, fixed\n");
      await git(
        repo,
        ["commit", "-q", "-am", "Fix VAT rounding for reduced rates"],
        "2026-11-20T10:00:00Z",
      );

      // The script runs through its shebang (`deno run ...`), so deno must be on PATH.
      const file = await writePlugins(dir, [{
        name: "recent-commits",
        command: [RECENT_COMMITS],
        timeout_ms: 30_000,
        sections: [{ id: "recent-commits", title: "Recent commits", order: 350, priority: 15 }],
      }]);
      const env = {
        PATH: `${DENO.slice(0, DENO.lastIndexOf("/"))}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      };
      const base = ["coach", "--target", repo, "--now", NOW, "--plugins", file];
      const r = await prepare(entry, base, { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.deepEqual(headings(r.stdout), PILOT_HEADINGS_WITH("Recent commits"));
      const body = sectionBody(r.stdout, "Recent commits");
      assert.ok(
        body.includes("2 commits since coach's last recorded run (2026-11-16T09:18:03Z):"),
        body,
      );
      assert.match(body, /^- `[0-9a-f]{7,}` 2026-11-20 Fix VAT rounding for reduced rates$/m);
      assert.match(body, /^- `[0-9a-f]{7,}` 2026-11-18 Add release notes$/m);
      assert.ok(!body.includes("Initial import"), body);

      const j = await prepare(entry, [...base, "--format", "json"], { env });
      assert.equal(j.code, 0, j.stderr);
      const s = sectionOf(parseJson(j.stdout), "recent-commits");
      assert.equal(s.plugin, "recent-commits");
      assert.equal(s.status, "ok");
      assert.equal(s.data.total, 2);
      assert.deepEqual(s.data.commits.map((c: { subject: string }) => c.subject), [
        "Fix VAT rounding for reduced rates",
        "Add release notes",
      ]);

      // Not a git repository: the plugin's error is a warning section (exit 0), exit 1 under --strict.
      const plain = `${dir}/plain`;
      await copyDir(PILOT, plain);
      const n = await prepare(
        entry,
        ["coach", "--target", plain, "--now", NOW, "--plugins", file],
        {
          env,
        },
      );
      assert.equal(n.code, 0, n.stderr);
      assertOneLine(
        n.stderr,
        new RegExp(
          `^kaizen: warning: plugin 'recent-commits', hook collect \\(section 'recent-commits'\\): ${plain} is not a git repository`,
        ),
      );
      assert.ok(sectionBody(n.stdout, "Recent commits").includes("_This section failed"));
      const ns = await prepare(entry, [
        "coach",
        "--target",
        plain,
        "--now",
        NOW,
        "--plugins",
        file,
        "--strict",
      ], { env });
      assert.equal(ns.code, 1);
      assert.equal(ns.stdout, "");
    });
  },
);

// ---------------------------------------------------------------------------
// The shipped example: examples/custom-binary.ts

async function run(argv: string[], cwd: string) {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    env: { NO_COLOR: "1", XDG_CONFIG_HOME: XDG_EMPTY, KAIZEN_REPO: "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Checks a team binary (any argv prefix) prepares with its section and lists it as embedded. */
async function checkTeamBinary(prefix: string[], cwd: string) {
  const p = await run(
    [...prefix, "schedule", "prepare", "coach", "--target", PILOT, "--now", NOW],
    cwd,
  );
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stderr, "");
  assertNoStackTrace(p.stderr);
  assert.deepEqual(headings(p.stdout), [
    "## Agent prompt",
    "## Project memory",
    "## Metrics",
    "## Repository pointers",
    "## Team conventions",
    "## Before you finish",
  ]);
  const body = sectionBody(p.stdout, "Team conventions");
  assert.ok(body.includes("- Small pull requests, one concern each; link the issue."), body);
  assert.ok(body.includes("- Ask in #eng-pilot before changing public APIs."), body);

  const t = await run([...prefix, "plugins", "list", "--target", PILOT], cwd);
  assert.equal(t.code, 0, t.stderr);
  assert.match(
    t.stdout,
    /^team-conventions\s+1\.0\.0\s+embedded\s+team-conventions \(450\)\s+-$/m,
  );
  const j = await run([...prefix, "plugins", "list", "--target", PILOT, "--format", "json"], cwd);
  assert.equal(j.code, 0, j.stderr);
  const team = parseJson(j.stdout).plugins.find((x: { name: string }) =>
    x.name === "team-conventions"
  );
  assert.deepEqual(team.origin, { kind: "embedded" });
  assert.equal(team.version, "1.0.0");
}

Deno.test("examples/custom-binary.ts: prepare shows the team section; plugins list says embedded", async () => {
  await checkTeamBinary([DENO, "run", "-A", "examples/custom-binary.ts"], REPO_ROOT);
});

Deno.test(
  "examples/custom-binary.ts: `deno bundle` builds a self-contained team.js that runs the same",
  async () => {
    await withScratch(async (dir) => {
      const team = `${dir}/team.js`;
      const b = await run([
        DENO,
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--output",
        team,
        CUSTOM_BINARY,
      ], REPO_ROOT);
      assert.equal(b.code, 0, b.stderr);
      assert.ok((await Deno.stat(team)).isFile);
      // Run from the scratch folder, away from the repo's deno.json and sources.
      await checkTeamBinary([DENO, "run", "-A", "--no-config", team], dir);
    });
  },
);
