/**
 * The one error type (core/errors.ts): every code's exit code and MCP
 * answer, the place (plugin, hook, section, sink) stamped as data and
 * composed once, the CLI's option names put on library messages, `cause`
 * kept when an error is wrapped, and every former error class still an
 * `instanceof` of its own name.
 */
import assert from "node:assert/strict";
import { BudgetExceededError } from "../core/bundle/budget.ts";
import { emitToSinks, renderSafely } from "../core/bundle/emit.ts";
import { errorMessage, runPipeline } from "../core/bundle/pipeline.ts";
import { PrepareError } from "../core/bundle/prepare.ts";
import type { Redactor } from "../core/bundle/scan.ts";
import { UsageError } from "../core/cli/framework.ts";
import { asCliError, CliError } from "../core/cli/io.ts";
import {
  exitCodeOf,
  KAIZEN_ERROR_CODES,
  KaizenError,
  type KaizenErrorCode,
  MCP_INTERNAL_ERROR,
  MCP_INVALID_PARAMS,
  MCP_RESOURCE_NOT_FOUND,
  mcpErrorOf,
  placeOf,
  renderForCli,
} from "../core/errors.ts";
import { ArtifactStoreError } from "../core/artifact_store/errors.ts";
import { ExpectedRunsError } from "../core/fleet/expected.ts";
import { FleetReadError } from "../core/fleet/read.ts";
import { FleetStatusError } from "../core/fleet/status.ts";
import { StreamSetupError } from "../core/events/stream.ts";
import { TailError } from "../core/events/tail.ts";
import { createDeadline, DeadlineError } from "../core/fs/deadline.ts";
import { createSafeReader } from "../core/fs/safe_read.ts";
import type { LoadedSchedule } from "../core/manifest/load.ts";
import { NatsPublishError } from "../core/nats/publish.ts";
import { NatsUrlError } from "../core/nats/url.ts";
import { PluginDefinitionError } from "../core/plugin/define.ts";
import { ExternalPluginError } from "../core/plugin/external.ts";
import { PluginRegistry } from "../core/plugin/registry.ts";
import { SinkOptionError } from "../core/plugin/sink_options.ts";
import type { SectionPlugin } from "../core/plugin/types.ts";
import { RosterSourceError } from "../core/roster/discover.ts";
import { HubError } from "../core/roster/hub.ts";
import { MetricsError } from "../core/state/metrics/record.ts";
import { main } from "../cli.ts";

/** The documented exit code of every code (docs/operations.md): 2 for the caller's input, 1 else. */
const EXPECTED_EXIT: Record<KaizenErrorCode, 1 | 2> = {
  usage: 2,
  "invalid-input": 2,
  "nats-url": 2,
  failed: 1,
  "invalid-target": 1,
  "unknown-agent": 1,
  "over-budget": 1,
  "plugin-definition": 1,
  "plugin-hook": 1,
  "sink-option": 1,
  "unsafe-path": 1,
  locked: 1,
  "not-found": 1,
  exists: 1,
  io: 1,
  deadline: 1,
  config: 1,
  http: 1,
  network: 1,
  timeout: 1,
  aborted: 1,
  response: 1,
  hub: 1,
  "roster-source": 1,
  "nats-publish": 1,
  "stream-setup": 1,
  tail: 1,
  "fleet-read": 1,
  "fleet-status": 1,
  "expected-runs": 1,
};

/** The JSON-RPC code of each refusal; every other code is an internal error. */
const EXPECTED_MCP: Partial<Record<KaizenErrorCode, number>> = {
  usage: MCP_INVALID_PARAMS,
  "invalid-input": MCP_INVALID_PARAMS,
  "invalid-target": MCP_INVALID_PARAMS,
  "unknown-agent": MCP_INVALID_PARAMS,
  "over-budget": MCP_INVALID_PARAMS,
  exists: MCP_INVALID_PARAMS,
  "not-found": MCP_RESOURCE_NOT_FOUND,
  "unsafe-path": MCP_RESOURCE_NOT_FOUND,
  locked: MCP_RESOURCE_NOT_FOUND,
  io: MCP_RESOURCE_NOT_FOUND,
};

Deno.test("exitCodeOf: every code has its documented exit code", () => {
  assert.deepEqual([...KAIZEN_ERROR_CODES].sort(), Object.keys(EXPECTED_EXIT).sort());
  for (const code of KAIZEN_ERROR_CODES) {
    const err = new KaizenError(code, "x");
    assert.equal(exitCodeOf(err), EXPECTED_EXIT[code], code);
    assert.equal(err.exitCode, EXPECTED_EXIT[code], code);
  }
});

Deno.test("exitCodeOf: a closed pipe 0, a denied permission 1, anything else a bug (70)", () => {
  assert.equal(exitCodeOf(new Deno.errors.BrokenPipe("gone")), 0);
  assert.equal(exitCodeOf(new Deno.errors.PermissionDenied("no")), 1);
  assert.equal(exitCodeOf(new Deno.errors.NotCapable("no")), 1);
  assert.equal(exitCodeOf(new TypeError("x is undefined")), 70);
  assert.equal(exitCodeOf("a string"), 70);
});

Deno.test("mcpErrorOf: refusals keep their message under their code; the rest is internal", () => {
  for (const code of KAIZEN_ERROR_CODES) {
    const answer = mcpErrorOf(new KaizenError(code, "first line\nsecond"));
    const expected = EXPECTED_MCP[code];
    assert.deepEqual(
      answer,
      expected === undefined
        ? { code: MCP_INTERNAL_ERROR, message: "first line", internal: true }
        : { code: expected, message: "first line", internal: false },
      code,
    );
    // A resource read answers every refusal as "resource not found".
    const read = mcpErrorOf(new KaizenError(code, "x"), "resource");
    assert.equal(read.code, expected === undefined ? MCP_INTERNAL_ERROR : MCP_RESOURCE_NOT_FOUND);
  }
  assert.deepEqual(mcpErrorOf(new Error("boom")), {
    code: MCP_INTERNAL_ERROR,
    message: "boom",
    internal: true,
  });
});

Deno.test("every former error class is a KaizenError with its code, and still its own class", () => {
  const cases: [Error, KaizenErrorCode, number][] = [
    [new UsageError("unknown option --x", ["schedule"]), "usage", 2],
    [new CliError("bad --now", 2), "usage", 2],
    [new CliError("refused"), "failed", 1],
    [new PrepareError("target 'x' is not a directory", "invalid-target"), "invalid-target", 1],
    [new PrepareError("unknown agent 'x'", "unknown-agent"), "unknown-agent", 1],
    [new BudgetExceededError(120, 100), "over-budget", 1],
    [new MetricsError("quality must be from 0 to 1", "invalid", "quality"), "invalid-input", 2],
    [new MetricsError("unknown agent 'x'", "unknown-agent"), "unknown-agent", 1],
    [new MetricsError("x is a symlink", "unsafe-path"), "unsafe-path", 1],
    [new MetricsError("busy", "locked"), "locked", 1],
    [new MetricsError("no space", "io"), "io", 1],
    [new PluginDefinitionError("team", "needs a title"), "plugin-definition", 1],
    [new ExternalPluginError("team", "collect", "exited 3"), "plugin-hook", 1],
    [new SinkOptionError("--x must be a number"), "sink-option", 1],
    [new DeadlineError("reading TODO.md", 10_000), "deadline", 1],
    [new ArtifactStoreError("answered 500", { code: "http", retryable: true }), "http", 1],
    [new HubError("hub answered 500"), "hub", 1],
    [new RosterSourceError("roster file x does not exist"), "roster-source", 1],
    [new NatsUrlError("'x' is not a NATS URL"), "nats-url", 2],
    [new NatsPublishError("connection refused", true), "nats-publish", 1],
    [new StreamSetupError("stream x stores other subjects"), "stream-setup", 1],
    [new TailError("no stream named x"), "tail", 1],
    [new FleetReadError("JetStream is not available"), "fleet-read", 1],
    [new FleetStatusError("no runs"), "fleet-status", 1],
    [new ExpectedRunsError("runs file x: not JSON"), "expected-runs", 1],
  ];
  for (const [err, code, exit] of cases) {
    assert.ok(err instanceof KaizenError, err.name);
    assert.equal(err.code, code, err.name);
    assert.equal(exitCodeOf(err), exit, err.name);
  }
  // The names users test for (`err.name`, `instanceof`) stay.
  assert.equal(new PrepareError("x", "unknown-agent").name, "PrepareError");
  assert.ok(new UsageError("x") instanceof UsageError);
  assert.equal(new StreamSetupError("x").name, "StreamSetupError");
  // MetricsError keeps the words of the first releases next to its code.
  const m = new MetricsError("notes are long", "invalid", "notes");
  assert.equal(m.kind, "invalid");
  assert.equal(m.value, "notes");
});

Deno.test("the place is data, composed once: plugin, hook, section, sink", () => {
  assert.equal(
    placeOf({ plugin: "team", hook: "collect", section: "oncall" }),
    "plugin 'team', hook collect (section 'oncall')",
  );
  assert.equal(placeOf({ plugin: "team", section: "oncall" }), "plugin 'team', section 'oncall'");
  assert.equal(placeOf({ plugin: "team", sink: "memo" }), "plugin 'team', sink 'memo'");
  assert.equal(placeOf({}), "");

  const hook = new ExternalPluginError("team", "emit", "exited with status 3");
  assert.equal(hook.message, "plugin 'team', hook emit: exited with status 3");
  assert.equal(hook.detail, "exited with status 3");
  assert.equal(hook.plugin, "team");
  assert.equal(hook.hook, "emit");
  const def = new PluginDefinitionError("team", "section 'x' needs a title");
  assert.equal(def.message, "plugin 'team': section 'x' needs a title");
  assert.equal(def.plugin, "team");
  assert.equal(def.detail, "section 'x' needs a title");
  const plain = new KaizenError("failed", "no place");
  assert.equal(plain.message, "no place");
});

Deno.test("errorMessage reads the structured detail; it no longer duck-types `.detail`", () => {
  assert.equal(errorMessage(new ExternalPluginError("team", "collect", "bad JSON")), "bad JSON");
  assert.equal(errorMessage(new Error("first\nsecond")), "first");
  // Any object with a `detail` is not taken for a place-stamped error any more.
  const lookalike = Object.assign(new Error("the real message"), { detail: "not this" });
  assert.equal(errorMessage(lookalike), "the real message");
  assert.equal(errorMessage("thrown text"), "thrown text");
});

Deno.test("renderForCli: the library names the value; the CLI puts its option in its place", () => {
  const budget = new BudgetExceededError(120, 100);
  assert.equal(
    budget.message,
    "the sections that are never cut (prompt, session-close) need 120 tokens, over the token budget 100",
  );
  assert.equal(
    renderForCli(budget),
    "the sections that are never cut (prompt, session-close) need 120 tokens, over --max-tokens 100",
  );
  const time = new MetricsError("time_seconds must be from 0 to 604800", "invalid", "time_seconds");
  assert.equal(renderForCli(time), "--time must be from 0 to 604800");
  assert.equal(time.message, "time_seconds must be from 0 to 604800");
  // A message that does not say its subject gets the option at the end.
  const terse = new KaizenError("invalid-input", "too long", { subject: "notes", option: "notes" });
  assert.equal(renderForCli(terse), "too long (--notes)");
  assert.equal(renderForCli(new KaizenError("failed", "plain")), "plain");
  // A command that answers with a CliError says the same, with the same exit code.
  const cli = asCliError(time);
  assert.ok(cli instanceof CliError);
  assert.equal(cli.message, "--time must be from 0 to 604800");
  assert.equal(cli.exitCode, 2);
  assert.equal(cli.cause, time);
});

Deno.test("cause: a wrapped error keeps the original as ES2022 cause", () => {
  const hub = new HubError("hub https://hub.example answered 503");
  const roster = new RosterSourceError(hub.message, hub);
  assert.equal(roster.cause, hub);
  const status = new FleetStatusError(roster.message, roster);
  assert.equal((status.cause as RosterSourceError).cause, hub);
  const budget = new BudgetExceededError(9, 1);
  const prepare = new PrepareError(budget.detail, "over-budget", {
    subject: budget.subject,
    option: budget.option,
    cause: budget,
  });
  assert.equal(prepare.cause, budget);
  assert.match(renderForCli(prepare), /over --max-tokens 1$/);
  assert.equal(new KaizenError("failed", "x").cause, undefined);
  assert.ok(!("cause" in new KaizenError("failed", "x")));
});

/** `SECRET` followed by word characters is a secret (a deterministic stand-in for the detector). */
const fakeRedact: Redactor = (text) => {
  const out = text.replace(/SECRET\w+/g, "[REDACTED:fake]");
  return Promise.resolve({ text: out, count: out === text ? 0 : 1, findings: [] });
};

async function bundleWith(sections: SectionPlugin[], deadlineMs?: number) {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-errors-" });
  try {
    const files = await createSafeReader(
      dir,
      undefined,
      deadlineMs === undefined ? undefined : createDeadline(deadlineMs),
    );
    const registry = new PluginRegistry();
    if (sections.length > 0) {
      registry.add({ name: "team", apiVersion: 1, sections }, { kind: "embedded" });
    }
    const loaded: LoadedSchedule = {
      root: files.root,
      file: `${files.root}/.kaizen/schedule.yml`,
      exists: false,
      diagnostics: [],
      knownAgents: ["coach"],
    };
    return await runPipeline({
      agent: "coach",
      repo: "demo",
      files,
      loaded,
      registry,
      now: new Date("2026-11-23T08:00:00Z"),
      format: "markdown",
      program: "kaizen",
      prepareCommand: "kaizen schedule prepare coach",
      countTokens: false,
      redact: fakeRedact,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("pipeline: a hook's failure names plugin, hook and section once", async () => {
  const { bundle } = await bundleWith([
    {
      id: "stuck",
      title: "Stuck",
      order: 300,
      collect: () => new Promise(() => {}),
    },
    {
      id: "broken",
      title: "Broken",
      order: 400,
      collect: () => {
        throw new ExternalPluginError("team", "collect", "exited with status 3");
      },
    },
  ], 200);
  assert.deepEqual(bundle.warnings.slice(0, 2), [
    "plugin 'team', hook collect (section 'stuck'): the hook did not finish within the 0.2 s prepare deadline",
    "plugin 'team', hook collect (section 'broken'): exited with status 3",
  ]);
  const broken = bundle.sections.find((s) => s.id === "broken")!;
  assert.equal(broken.content, "_This section failed and was left out:_ exited with status 3");
});

Deno.test("emit: only kaizen's own deadline reads 'timed out after'; a sink's timeout keeps its words", async () => {
  const { bundle } = await bundleWith([]);
  const rendering = await renderSafely(bundle, "markdown", fakeRedact);
  const lines: string[] = [];
  const results = await emitToSinks(rendering, {
    sinks: [
      { plugin: "team", sink: { name: "slow", emit: () => new Promise(() => {}) } },
      {
        plugin: "team",
        sink: {
          name: "store",
          emit: () => {
            throw new ArtifactStoreError("artifact store: POST x timed out after 5000 ms", {
              code: "timeout",
              retryable: true,
            });
          },
        },
      },
    ],
    format: "markdown",
    redact: fakeRedact,
    report: (m) => lines.push(m),
    timeoutMs: 100,
  });
  assert.deepEqual(results.map((r) => r.detail), [
    "timed out after 100 ms",
    "artifact store: POST x timed out after 5000 ms",
  ]);
  assert.deepEqual(lines, [
    "plugin 'team', sink 'slow' failed: timed out after 100 ms",
    "plugin 'team', sink 'store' failed: artifact store: POST x timed out after 5000 ms",
  ]);
});

/** Runs the CLI in-process with stderr captured. */
async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  const decoder = new TextDecoder();
  let err = "";
  const e = Deno.stderr.writeSync;
  Deno.stderr.writeSync = (b: Uint8Array) => (err += decoder.decode(b), b.length);
  try {
    return { code: await main(argv), err };
  } finally {
    Deno.stderr.writeSync = e;
  }
}

Deno.test("cli: a usage error exits 2 with its help hint; a command's error exits by its code", async () => {
  const usage = await cli(["schedule", "list", "--no-such-option"]);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /error: .*--no-such-option/);
  assert.match(usage.err, /Run '\S+ schedule list --help' for usage\.\n$/);

  const dir = await Deno.makeTempDir({ prefix: "kaizen-errors-" });
  try {
    // An unknown agent is the library's refusal: exit 1, no help hint.
    const agent = await cli([
      "metrics",
      "record",
      "nobody",
      "--target",
      dir,
      "--success",
      "--time",
      "5",
      "--quality",
      "1",
    ]);
    assert.equal(agent.code, 1, agent.err);
    assert.match(agent.err, /error: unknown agent 'nobody'/);
    assert.doesNotMatch(agent.err, /--help/);
    // A value the library refuses is named by its option on the command line.
    const notes = await cli([
      "metrics",
      "record",
      "coach",
      "--target",
      dir,
      "--success",
      "--time",
      "5",
      "--quality",
      "1",
      "--notes",
      "n".repeat(4001),
    ]);
    assert.equal(notes.code, 2, notes.err);
    assert.match(notes.err, /error: --notes are 4001 characters, over the 4000-character limit\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream setup: the library names the stream option, the CLI says --stream", async () => {
  const { DEFAULT_STREAM_OPTIONS, setupEventStream } = await import("../core/events/stream.ts");
  // A server where stream OLD already stores kaizen's subjects.
  const streams = {
    info: () => Promise.reject(Object.assign(new Error("stream not found"), { code: 10059 })),
    add: () => Promise.reject(new Error("not reached")),
    update: () => Promise.reject(new Error("not reached")),
    async *names() {
      yield "OLD";
    },
  };
  await assert.rejects(setupEventStream(streams, DEFAULT_STREAM_OPTIONS), (err) => {
    assert.ok(err instanceof StreamSetupError);
    assert.match(err.message, /pass the stream name OLD to manage it/);
    assert.doesNotMatch(err.message, /--/);
    assert.match(renderForCli(err), /pass --stream OLD to manage it/);
    return true;
  });
});

Deno.test("fleet status: a wrapped read error keeps naming its option for the CLI", () => {
  const read = new FleetReadError("no stream stores x (or pass the stream name NAME)", {
    subject: "the stream name",
    option: "stream",
  });
  const status = new FleetStatusError(read.message, read);
  assert.equal(status.message, "no stream stores x (or pass the stream name NAME)");
  assert.equal(renderForCli(status), "no stream stores x (or pass --stream NAME)");
  assert.equal(status.cause, read);
});

Deno.test("mcp server: each refusal keeps its JSON-RPC code (prompts -32602, resources -32002)", async () => {
  const { Client } = await import("@modelcontextprotocol/sdk/client");
  const { InMemoryTransport } = await import("@modelcontextprotocol/sdk/inMemory.js");
  const { createKaizenMcpServer } = await import("../core/mcp/server.ts");
  const { builtinPlugin } = await import("../plugins/builtin/mod.ts");
  const registry = new PluginRegistry();
  registry.add(builtinPlugin, { kind: "builtin" });
  const logged: string[] = [];
  const server = createKaizenMcpServer({
    root: await Deno.realPath(new URL("../examples/pilot", import.meta.url).pathname),
    registry,
    program: "kaizen",
    allowRecord: false,
    allowSinks: [],
    now: () => new Date("2026-11-23T08:00:00Z"),
    env: () => undefined,
    log: (m) => logged.push(m),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "errors-test", version: "1.0.0" });
  await client.connect(clientSide);
  const refusal = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (err) {
      const { code, message } = err as { code: number; message: string };
      return { code, message: message.replace(/^MCP error -?\d+: /, "") };
    }
    throw new Error("expected a JSON-RPC error");
  };
  try {
    const agent = await refusal(client.getPrompt({ name: "nobody" }));
    assert.equal(agent.code, -32602);
    assert.match(agent.message, /^unknown agent 'nobody'/);
    const budget = await refusal(
      client.getPrompt({ name: "coach", arguments: { max_tokens: "1" } }),
    );
    assert.equal(budget.code, -32602);
    assert.match(budget.message, /need \d+ tokens, over the token budget 1$/);
    const bad = await refusal(client.getPrompt({ name: "coach", arguments: { max_tokens: "x" } }));
    assert.deepEqual(bad, { code: -32602, message: "max_tokens must be a positive whole number" });
    // An unknown agent's summary is a resource that is not there.
    const summary = await refusal(client.readResource({ uri: "kaizen://metrics/nobody/summary" }));
    assert.equal(summary.code, -32002);
    const unknown = await refusal(client.readResource({ uri: "file:///etc/passwd" }));
    assert.deepEqual(unknown, { code: -32002, message: "unknown resource 'file:///etc/passwd'" });
    const tool = await refusal(client.callTool({ name: "no_such_tool", arguments: {} }));
    assert.deepEqual(tool, { code: -32602, message: "unknown tool 'no_such_tool'" });
    // Refusals are answers, not failures: nothing was logged.
    assert.deepEqual(logged, []);
  } finally {
    await client.close();
  }
});
