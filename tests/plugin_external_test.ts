import assert from "node:assert/strict";
import type { Bundle } from "../core/bundle/types.ts";
import { createSafeReader } from "../core/fs/safe_read.ts";
import {
  externalPlugin,
  type ExternalPluginDecl,
  ExternalPluginError,
  resolveCommand,
  scrubEnv,
} from "../core/plugin/external.ts";
import type { SectionContext, SinkContext } from "../core/plugin/types.ts";

const FIXTURES = decodeURIComponent(new URL("./fixtures/plugins/", import.meta.url).pathname);
const FIXTURE = `${FIXTURES}fixture_plugin.ts`;
const SLEEP = `${FIXTURES}sleep.sh`;
const NOW = new Date("2026-03-02T08:00:00Z");

function fixtureDecl(
  mode: string,
  extra: Partial<ExternalPluginDecl> = {},
  arg?: string,
): ExternalPluginDecl {
  return {
    name: "fixture",
    command: [Deno.execPath(), "run", "-A", "--no-config", FIXTURE, mode, ...(arg ? [arg] : [])],
    sections: [{ id: "fixture-notes", title: "Fixture notes", order: 350, priority: 15 }],
    sinks: [{ name: "fixture-sink" }],
    ...extra,
  };
}

async function sectionContext(root: string): Promise<SectionContext> {
  return {
    agent: "coach",
    root,
    repo: "acme/widgets",
    schedule: {
      version: "1",
      timezone: "Europe/Berlin",
      agents: { coach: { cadence: "weekly", enabled: true } },
    },
    agentSchedule: { cadence: "weekly", enabled: true },
    now: NOW,
    program: "kaizen",
    files: await createSafeReader(root),
    warn: () => {},
  };
}

async function collect(decl: ExternalPluginDecl, env?: () => Record<string, string>) {
  const root = await Deno.makeTempDir();
  try {
    const plugin = externalPlugin(decl, "/etc/kaizen/plugins.yml", env ? { env } : {});
    return await plugin.sections![0].collect(await sectionContext(root));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function collectError(decl: ExternalPluginDecl): Promise<ExternalPluginError> {
  try {
    await collect(decl);
  } catch (err) {
    assert.ok(err instanceof ExternalPluginError, `expected ExternalPluginError, got ${err}`);
    assert.equal(err.plugin, "fixture");
    assert.equal(err.hook, "collect");
    assert.ok(err.message.startsWith("plugin 'fixture', hook collect: "), err.message);
    assert.ok(!err.message.includes("\n"), "one line");
    assert.ok(!/\bat .*:\d+:\d+/.test(err.message), "no stack trace");
    return err;
  }
  throw new Error("collect should have failed");
}

function fakeBundle(root: string): Bundle {
  return {
    schema: "kaizen.bundle/v1",
    agent: "coach",
    repo: "acme/widgets",
    root,
    cadence: "weekly",
    schedule: { manifest: "valid", listed: true, enabled: true, cron: null, timezone: null },
    generated_at: "2026-03-02T08:00:00Z",
    prepare_command: "kaizen schedule prepare coach",
    format: "markdown",
    agent_prompt_found: true,
    agent_prompt_source: "packaged",
    has_memory: false,
    has_metrics: false,
    pointers: [],
    bytes: 5,
    session_close: [],
    sections: [],
    tokens: null,
    token_encoding: null,
    max_tokens: null,
    redactions: 0,
    warnings: [],
    sha256: "0".repeat(64),
    kaizen_version: "0.1.0",
  };
}

/** True while `pid` is a live (non-zombie) process. */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

Deno.test("collect: a good response becomes the section output, with the documented request", async () => {
  const out = await collect(fixtureDecl("ok"));
  assert.ok(out);
  assert.equal(out.content, "hello coach from fixture-notes");
  assert.equal(out.source, "notes/hello.md");
  const req = (out.data as { request: Record<string, unknown> }).request;
  assert.equal(req.protocol, "kaizen.plugin/v1");
  assert.equal(req.hook, "collect");
  assert.equal(req.section, "fixture-notes");
  const ctx = req.context as Record<string, unknown>;
  assert.deepEqual(Object.keys(ctx).sort(), [
    "agent",
    "cadence",
    "cron",
    "enabled",
    "now",
    "program",
    "repo",
    "root",
    "timezone",
  ]);
  assert.equal(ctx.now, "2026-03-02T08:00:00Z");
  assert.equal(ctx.cadence, "weekly");
  assert.equal(ctx.enabled, true);
  assert.equal(typeof ctx.cron, "string");
  assert.equal(ctx.timezone, "Europe/Berlin");
  assert.equal(ctx.repo, "acme/widgets");
});

Deno.test("collect: the section keeps the declared id, title, order and priority", () => {
  const p = externalPlugin(fixtureDecl("ok"), "/x/plugins.yml");
  const s = p.sections![0];
  assert.equal(p.name, "fixture");
  assert.equal(p.apiVersion, 1);
  assert.deepEqual([s.id, s.title, s.order, s.priority], [
    "fixture-notes",
    "Fixture notes",
    350,
    15,
  ]);
});

Deno.test("collect: an error response is thrown as the plugin's own message", async () => {
  const err = await collectError(fixtureDecl("error"));
  assert.equal(err.detail, "the team wiki is unreachable");
});

Deno.test("collect: invalid JSON", async () => {
  const err = await collectError(fixtureDecl("bad-json"));
  assert.match(err.detail, /^invalid JSON on stdout/);
});

Deno.test("collect: wrong or missing protocol", async () => {
  let err = await collectError(fixtureDecl("wrong-protocol"));
  assert.match(err.detail, /"protocol" must be "kaizen\.plugin\/v1"; got "kaizen\.plugin\/v9"/);
  err = await collectError(fixtureDecl("no-protocol"));
  assert.match(err.detail, /it is missing/);
});

Deno.test("collect: content that is not a string", async () => {
  const err = await collectError(fixtureDecl("content-number"));
  assert.match(err.detail, /"content" must be a string, got a number/);
});

Deno.test("collect: non-zero exit reports the code and the last stderr line, cut and escaped", async () => {
  const err = await collectError(fixtureDecl("exit-3"));
  assert.match(err.detail, /^exited with code 3: boom: cannot open \\u001b\[31mconfig/);
  assert.ok(!err.message.includes("\x1b"), "no raw escape characters");
  assert.ok(err.detail.length < 260, `cut: ${err.detail.length}`);
  assert.ok(err.detail.endsWith("..."));
});

Deno.test("collect: a missing command", async () => {
  const err = await collectError({
    ...fixtureDecl("ok"),
    command: ["/nonexistent/kaizen-plugin-x"],
  });
  assert.equal(err.detail, "command not found: /nonexistent/kaizen-plugin-x");
});

Deno.test("collect: output over 4 MiB stops the plugin", async () => {
  const err = await collectError(fixtureDecl("huge"));
  assert.match(err.detail, /^output exceeded 4194304 bytes \(process killed\)$/);
});

for (const variant of ["plain", "ignore-term"]) {
  Deno.test(`collect: a timeout kills the plugin and what it started (${variant})`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const pidFile = `${dir}/pids`;
      const decl: ExternalPluginDecl = {
        ...fixtureDecl("ok"),
        command: ["sh", SLEEP, pidFile, variant],
        timeout_ms: 300,
      };
      const started = Date.now();
      const err = await collectError(decl);
      const elapsed = Date.now() - started;
      assert.match(err.detail, /^timed out after 300 ms/);
      // The fixture sleeps 30 s; returning long before that proves it was stopped.
      assert.ok(elapsed < 15_000, `returned after ${elapsed} ms`);
      const pids = (await Deno.readTextFile(pidFile)).trim().split("\n").map(Number);
      assert.equal(pids.length, 2);
      // A signal is delivered asynchronously: give the kernel a moment.
      for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
      for (const pid of pids) assert.ok(!alive(pid), `process ${pid} is still running`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("collect: secret-looking variables are withheld unless passed through", async () => {
  const env = () => ({
    ...Deno.env.toObject(),
    FOO_TOKEN: "t0ken",
    MY_SECRET: "s",
    DB_PASSWORD: "p",
    api_key: "k",
    KAIZEN_PLAIN: "visible",
    WEBHOOK_TOKEN: "allowed",
  });
  const out = await collect(fixtureDecl("env", { env_passthrough: ["WEBHOOK_TOKEN"] }), env);
  const seen = out!.data as Record<string, string>;
  assert.equal(seen.KAIZEN_PLAIN, "visible");
  assert.equal(seen.WEBHOOK_TOKEN, "allowed");
  for (const k of ["FOO_TOKEN", "MY_SECRET", "DB_PASSWORD", "api_key"]) {
    assert.equal(seen[k], undefined, k);
  }
});

Deno.test("scrubEnv and resolveCommand", () => {
  assert.deepEqual(scrubEnv({ A: "1", GH_TOKEN: "x", KEYBOARD: "y" }, new Set()), { A: "1" });
  assert.deepEqual(resolveCommand(["./bin/p", "./arg"], "/etc/kaizen/plugins.yml"), [
    "/etc/kaizen/bin/p",
    "./arg",
  ]);
  assert.deepEqual(resolveCommand(["../p"], "/etc/kaizen/plugins.yml"), ["/etc/p"]);
  assert.deepEqual(resolveCommand(["deno", "run"], "/etc/kaizen/plugins.yml"), ["deno", "run"]);
  assert.deepEqual(resolveCommand(["/usr/bin/p"], "/etc/kaizen/plugins.yml"), ["/usr/bin/p"]);
});

Deno.test("emit: success sends the bundle, format and rendered text", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const seen = `${dir}/request.json`;
    const plugin = externalPlugin(fixtureDecl("sink-ok", {}, seen), "/x/plugins.yml");
    const ctx: SinkContext = { rendered: "# hi\n", format: "markdown", warn: () => {} };
    await plugin.sinks![0].emit(fakeBundle(dir), ctx);
    const req = JSON.parse(await Deno.readTextFile(seen));
    assert.equal(req.protocol, "kaizen.plugin/v1");
    assert.equal(req.hook, "emit");
    assert.equal(req.sink, "fixture-sink");
    assert.equal(req.format, "markdown");
    assert.equal(req.rendered, "# hi\n");
    assert.equal(req.bundle.agent, "coach");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("emit: an error response, or no ok, fails the hook", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ctx: SinkContext = { rendered: "{}", format: "json", warn: () => {} };
    for (
      const [mode, detail] of [
        ["sink-fail", "webhook answered 503"],
        ["sink-silent", 'response has neither "ok": true nor "error"'],
      ]
    ) {
      const plugin = externalPlugin(fixtureDecl(mode), "/x/plugins.yml");
      await assert.rejects(
        async () => await plugin.sinks![0].emit(fakeBundle(dir), ctx),
        (err: unknown) => {
          assert.ok(err instanceof ExternalPluginError);
          assert.equal(err.hook, "emit");
          assert.equal(err.detail, detail);
          return true;
        },
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
