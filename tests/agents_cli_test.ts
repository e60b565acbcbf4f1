/**
 * `kaizen agents list | show | install`, through the command tree in process
 * (parsing, options, exit codes and messages as `main` renders them) and
 * through `core/state/agents.ts` directly; `--sink nats` against a real
 * `nats-server` on loopback.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NatsConnectionImpl, setTransportFactory } from "@nats-io/nats-core/internal";
import { DenoTcpTransport } from "../core/nats/transport.ts";
import { AgentInstalledModel } from "../core/events/model.ts";
import { type CommandSpec, parseArgv, UsageError } from "../core/cli/framework.ts";
import { CliError } from "../core/cli/io.ts";
import { agentsCommand, agentsCommandWith, type AgentsIo } from "../core/commands/agents.ts";
import { TARGET } from "../core/commands/options.ts";
import { installAgent, listAgents } from "../core/state/agents.ts";
import { packagedAgentNames, packagedPrompt } from "../core/agents/catalog.ts";
import { memoryTemplate } from "../core/state/memory.ts";
import { tempRepo } from "./_cli.ts";
import { haveNatsServer, startNatsServer } from "./_nats_server.ts";

const PROMPT = "agents/agent-coach.md";
const MEMORY = ".kaizen/agents/coach/memory.md";
const NOW = "2026-11-23T08:00:00Z";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `kaizen <argv>` against the agents group in process, rendering errors
 * the way `main` in cli.ts does (usage errors exit 2).
 */
async function kaizen(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  let out = "";
  let err = "";
  const io: AgentsIo = {
    out: (t) => void (out += t),
    notice: (m) => void (err += `kaizen: notice: ${m}\n`),
    error: (m) => void (err += `kaizen: error: ${m}\n`),
    env: (name) => env[name],
  };
  const tree: CommandSpec = {
    name: "kaizen",
    description: "",
    subcommands: [agentsCommandWith(io)],
  };
  try {
    const outcome = parseArgv(tree, argv);
    assert.equal(outcome.kind, "run");
    if (outcome.kind !== "run") throw new Error("unreachable");
    return { code: await outcome.command.run!(outcome.invocation), stdout: out, stderr: err };
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, stdout: out, stderr: `${err}${e.message}\n` };
    if (e instanceof CliError) {
      return { code: e.exitCode, stdout: out, stderr: `${err}${e.message}\n` };
    }
    throw e;
  }
}

async function withRepo(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await tempRepo({ "README.md": "# widgets\n" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("agentsCommand is a group named agents with list, show and install", () => {
  assert.equal(agentsCommand.name, "agents");
  assert.deepEqual(agentsCommand.subcommands?.map((c) => c.name), ["list", "show", "install"]);
  for (const c of agentsCommand.subcommands ?? []) {
    assert.equal(typeof c.run, "function");
    assert.ok(c.options?.includes(TARGET), "the shared --target (default '.')");
  }
});

Deno.test("list: a repo with nothing installed shows the packaged agents", async () => {
  await withRepo(async (dir) => {
    const json = await kaizen(["agents", "list", "--target", dir, "--format", "json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(
      JSON.parse(json.stdout),
      {
        agents: packagedAgentNames().map((name) => ({
          name,
          source: "packaged",
          location: `packaged:${name}`,
          shadows_packaged: false,
          differs_from_packaged: null,
        })),
      },
    );
    const table = await kaizen(["agents", "list", "--target", dir]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^NAME\s+SOURCE\s+LOCATION\s+PACKAGED$/);
    assert.match(lines[1], /^coach\s+packaged\s+packaged:coach\s+-$/);
    assert.equal(lines.length, 1 + packagedAgentNames().length);
  });
});

Deno.test("list: installed copies shadow packaged ones (same / differs); installed-only agents", async () => {
  await withRepo(async (dir) => {
    await Deno.mkdir(`${dir}/agents`);
    await Deno.writeTextFile(`${dir}/agents/agent-coach.md`, packagedPrompt("coach")!);
    await Deno.writeTextFile(`${dir}/agents/agent-optimization.md`, "# our optimizer\n");
    await Deno.writeTextFile(`${dir}/agents/agent-docs.md`, "# docs agent\n");
    const rows = await listAgents(dir);
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    assert.deepEqual(rows.map((r) => r.name), [
      "coach",
      "docs",
      "optimization",
      "tdd-workflow",
    ]);
    assert.deepEqual(byName.coach, {
      name: "coach",
      source: "both",
      location: PROMPT,
      shadows_packaged: true,
      differs_from_packaged: false,
    });
    assert.equal(byName.optimization.source, "both");
    assert.equal(byName.optimization.differs_from_packaged, true);
    assert.deepEqual(byName.docs, {
      name: "docs",
      source: "installed",
      location: "agents/agent-docs.md",
      shadows_packaged: false,
      differs_from_packaged: null,
    });
    assert.equal(byName["tdd-workflow"].source, "packaged");

    const table = await kaizen(["agents", "list", "--target", dir]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^coach\s+both\s+agents\/agent-coach\.md\s+shadowed, same$/m);
    assert.match(
      table.stdout,
      /^optimization\s+both\s+agents\/agent-optimization\.md\s+shadowed, differs$/m,
    );
    assert.match(table.stdout, /^docs\s+installed\s+agents\/agent-docs\.md\s+-$/m);
  });
});

Deno.test("show: the packaged prompt, an installed copy wins, control characters stripped", async () => {
  await withRepo(async (dir) => {
    const packaged = await kaizen(["agents", "show", "coach", "--target", dir]);
    assert.equal(packaged.code, 0, packaged.stderr);
    const want = packagedPrompt("coach")!;
    assert.equal(packaged.stdout, want.endsWith("\n") ? want : `${want}\n`);

    await Deno.mkdir(`${dir}/agents`);
    await Deno.writeTextFile(`${dir}/agents/agent-coach.md`, "# ours\u001b[2J\nbe kind\r\n");
    const installed = await kaizen(["agents", "show", "coach", "--target", dir]);
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal(installed.stdout, "# ours\nbe kind\n");
  });
});

Deno.test("show: an unknown agent exits 1 with a did-you-mean", async () => {
  await withRepo(async (dir) => {
    const r = await kaizen(["agents", "show", "coahc", "--target", dir]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /unknown agent 'coahc' \(did you mean 'coach'\?\); known agents: coach/);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1);
  });
});

Deno.test("install: writes the packaged prompt and scaffolds memory; refuses without --force", async () => {
  await withRepo(async (dir) => {
    const first = await kaizen(["agents", "install", "coach", "--target", dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `installed ${PROMPT}\ncreated ${MEMORY}\n`);
    assert.equal(await Deno.readTextFile(`${dir}/${PROMPT}`), packagedPrompt("coach"));
    assert.equal(await Deno.readTextFile(`${dir}/${MEMORY}`), memoryTemplate("coach"));

    // An edited copy and a memory with notes: a second install touches neither.
    await Deno.writeTextFile(`${dir}/${PROMPT}`, "# adapted\n");
    await Deno.writeTextFile(`${dir}/${MEMORY}`, "# Memory: coach\n- 2026-11-20: a lesson\n");
    const again = await kaizen(["agents", "install", "coach", "--target", dir]);
    assert.equal(again.code, 1);
    assert.equal(again.stdout, "");
    assert.match(
      again.stderr,
      /agents\/agent-coach\.md already exists; not overwriting \(pass --force/,
    );
    assert.equal(await Deno.readTextFile(`${dir}/${PROMPT}`), "# adapted\n");

    const forced = await kaizen(["agents", "install", "coach", "--target", dir, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.stdout, `replaced ${PROMPT}\n`);
    assert.match(forced.stderr, /notice: kept the existing \.kaizen\/agents\/coach\/memory\.md/);
    assert.equal(await Deno.readTextFile(`${dir}/${PROMPT}`), packagedPrompt("coach"));
    assert.equal(
      await Deno.readTextFile(`${dir}/${MEMORY}`),
      "# Memory: coach\n- 2026-11-20: a lesson\n",
    );
    // No temporary files left next to the prompt.
    assert.deepEqual([...Deno.readDirSync(`${dir}/agents`)].map((e) => e.name), [
      "agent-coach.md",
    ]);
  });
});

Deno.test("install: the result carries the sha256 of the prompt and whether it replaced one", async () => {
  await withRepo(async (dir) => {
    const r = await installAgent(dir, "tdd-workflow", { now: new Date(NOW) });
    assert.ok(r.ok);
    if (!r.ok) return;
    const bytes = new TextEncoder().encode(packagedPrompt("tdd-workflow")!);
    const hex = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    assert.equal(r.sha256, hex);
    assert.equal(r.path, "agents/agent-tdd-workflow.md");
    assert.equal(r.root, dir);
    assert.equal(r.replaced, false);
    assert.equal(r.occurred_at, NOW);
    assert.deepEqual(r.memory, {
      status: "created",
      path: ".kaizen/agents/tdd-workflow/memory.md",
    });
    const forced = await installAgent(dir, "tdd-workflow", { force: true, now: new Date(NOW) });
    assert.ok(forced.ok && forced.replaced);
  });
});

Deno.test("install: unknown and installed-only agents exit 1 and write nothing", async () => {
  await withRepo(async (dir) => {
    const typo = await kaizen(["agents", "install", "coachh", "--target", dir]);
    assert.equal(typo.code, 1);
    assert.match(
      typo.stderr,
      /unknown agent 'coachh' \(did you mean 'coach'\?\); packaged agents: coach, optimization, tdd-workflow/,
    );
    const bad = await kaizen(["agents", "install", "../x", "--target", dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown agent '\.\.\/x'/);
    assert.equal(await exists(`${dir}/agents`), false);
    assert.equal(await exists(`${dir}/.kaizen`), false);

    await Deno.mkdir(`${dir}/agents`);
    await Deno.writeTextFile(`${dir}/agents/agent-docs.md`, "# docs\n");
    const own = await kaizen(["agents", "install", "docs", "--target", dir, "--force"]);
    assert.equal(own.code, 1);
    assert.match(own.stderr, /'docs' is not a packaged agent .*packaged agents: coach/);
    assert.equal(await Deno.readTextFile(`${dir}/agents/agent-docs.md`), "# docs\n");
    assert.equal(await exists(`${dir}/.kaizen`), false);
  });
});

Deno.test("install: an agents/ folder symlinked out of the repository is refused", async () => {
  await withRepo(async (dir) => {
    const outside = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-outside-" }));
    try {
      await Deno.symlink(outside, `${dir}/agents`);
      const r = await kaizen(["agents", "install", "coach", "--target", dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /agents is a symlink leading outside the repository/);
      assert.deepEqual([...Deno.readDirSync(outside)], []);
      assert.equal(await exists(`${dir}/${MEMORY}`), false);
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  });
});

Deno.test("install: an agent-<name>.md symlink is replaced with --force, not written through", async () => {
  await withRepo(async (dir) => {
    const outside = await Deno.realPath(await Deno.makeTempFile({ prefix: "kaizen-outside-" }));
    try {
      await Deno.writeTextFile(outside, "outside\n");
      await Deno.mkdir(`${dir}/agents`);
      await Deno.symlink(outside, `${dir}/${PROMPT}`);
      const refused = await kaizen(["agents", "install", "coach", "--target", dir]);
      assert.equal(refused.code, 1);
      const forced = await kaizen(["agents", "install", "coach", "--target", dir, "--force"]);
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal(await Deno.readTextFile(outside), "outside\n");
      assert.ok((await Deno.lstat(`${dir}/${PROMPT}`)).isFile);
      assert.equal(await Deno.readTextFile(`${dir}/${PROMPT}`), packagedPrompt("coach"));
    } finally {
      await Deno.remove(outside);
    }
  });
});

Deno.test("install: a bad --sink or --now is a usage error and writes nothing", async () => {
  await withRepo(async (dir) => {
    const sink = await kaizen(["agents", "install", "coach", "--target", dir, "--sink", "kafka"]);
    assert.equal(sink.code, 2);
    const now = await kaizen(["agents", "install", "coach", "--target", dir, "--now", "soon"]);
    assert.equal(now.code, 2);
    assert.equal(await exists(`${dir}/agents`), false);
  });
});

async function natsClient(url: string) {
  setTransportFactory({ factory: () => new DenoTcpTransport() });
  return await NatsConnectionImpl.connect({ servers: url, reconnect: false });
}

Deno.test({
  name: "install --sink nats: a kaizen.agent.installed v1 event the model accepts",
  ignore: !haveNatsServer(),
  async fn() {
    await withRepo(async (dir) => {
      const server = await startNatsServer({ jetstream: false });
      try {
        const nc = await natsClient(server.url);
        const sub = nc.subscribe("kaizen.agent.installed", { max: 1 });
        await nc.flush();
        const r = await kaizen([
          "agents",
          "install",
          "coach",
          "--target",
          dir,
          "--now",
          NOW,
          "--sink",
          "nats",
          "--nats-url",
          server.url,
        ], { KAIZEN_REPO: "acme/widgets" });
        assert.equal(r.code, 0, r.stderr);
        assert.match(
          r.stderr,
          /kaizen: notice: sink 'nats': published to kaizen\.agent\.installed/,
        );
        let event: unknown;
        for await (const m of sub) event = m.json();
        await nc.close();
        const parsed = AgentInstalledModel.parse(event);
        const installed = await installAgent(dir, "coach", { force: true, now: new Date(NOW) });
        assert.ok(installed.ok);
        assert.deepEqual(parsed, {
          event: "kaizen.agent.installed",
          version: "1",
          occurred_at: NOW,
          repo: "acme/widgets",
          root: dir,
          agent: "coach",
          path: PROMPT,
          sha256: installed.ok ? installed.sha256 : "",
          replaced: false,
        });
      } finally {
        await server.stop();
      }
    });
  },
});

Deno.test("install --sink nats: a server that is down → exit 1, the prompt stays installed", async () => {
  await withRepo(async (dir) => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    const r = await kaizen(["agents", "install", "coach", "--target", dir, "--sink", "nats"], {
      NATS_URL: `nats://127.0.0.1:${port}`,
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /kaizen: error: sink 'nats' failed: .*\(agents\/agent-coach\.md is installed and stays installed\)/,
    );
    assert.equal(await Deno.readTextFile(`${dir}/${PROMPT}`), packagedPrompt("coach"));
  });
});
