/**
 * `kaizen mcp` end to end: the server runs as a subprocess (from source and
 * from the bundle) and the MCP SDK's own `Client` drives it over stdio, as a
 * coding client would. A second group speaks raw JSON-RPC lines to check
 * what the SDK client would never send: garbage, oversized and unknown
 * requests.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { type CliEntry, cliTest, EMPTY_CONFIG_HOME, REPO_ROOT, runCli } from "./_cli.ts";
import { haveNatsServer, startNatsServer } from "./_nats_server.ts";

const NOW = "2026-11-23T08:00:00Z";

/** A fresh alphanumeric value per run: nothing secret-shaped is committed. */
function randomValue(length: number): string {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...crypto.getRandomValues(new Uint8Array(length))].map((b) => abc[b % abc.length])
    .join("");
}

/** A copy of examples/pilot with a GitHub token planted in places a bundle or resource reads. */
async function pilotCopy(): Promise<{ dir: string; secret: string }> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-mcp-" }));
  await new Deno.Command("cp", { args: ["-r", `${REPO_ROOT}/examples/pilot/.`, dir] }).output();
  const secret = `ghp_${randomValue(36)}`;
  await Deno.writeTextFile(
    `${dir}/.kaizen/agents/coach/memory.md`,
    `\n- 2026-11-01: the deploy token is ${secret} (rotate it)\n`,
    { append: true },
  );
  await Deno.writeTextFile(`${dir}/TODO.md`, `\n- call the API with token=${secret}\n`, {
    append: true,
  });
  return { dir, secret };
}

interface Session {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

async function connect(
  entry: CliEntry,
  dir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<Session> {
  const [command, ...args] = entry.argv;
  const transport = new StdioClientTransport({
    command,
    args: [...args, "mcp", "--target", dir, "--now", NOW, ...extra],
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      NO_COLOR: "1",
      XDG_CONFIG_HOME: EMPTY_CONFIG_HOME,
      KAIZEN_REPO: "",
      ...env,
    },
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (d: Uint8Array) => (err += new TextDecoder().decode(d)));
  const client = new Client({ name: "kaizen-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, stderr: () => err, close: () => client.close() };
}

/** Every text a response carries, flattened, to search for leaks. */
function allText(value: unknown): string {
  return JSON.stringify(value);
}

async function withPilot(fn: (dir: string, secret: string) => Promise<void>) {
  const { dir, secret } = await pilotCopy();
  try {
    await fn(dir, secret);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

cliTest("mcp: prompts are the agents, and the coach prompt is prepare's bundle", async (entry) => {
  await withPilot(async (dir, secret) => {
    const s = await connect(entry, dir, ["--allow-record"]);
    const seen: unknown[] = [];
    try {
      assert.match(s.client.getInstructions() ?? "", /record_run/);
      assert.equal(s.client.getServerVersion()?.name, "kaizen");
      const prompts = await s.client.listPrompts();
      seen.push(prompts);
      assert.deepEqual(prompts.prompts.map((p) => p.name).sort(), [
        "coach",
        "optimization",
        "tdd-workflow",
      ]);
      const coach = prompts.prompts.find((p) => p.name === "coach")!;
      assert.match(coach.description ?? "", /^Coach/);
      assert.ok((coach.description ?? "").length <= 300);

      const got = await s.client.getPrompt({ name: "coach" });
      seen.push(got);
      assert.equal(got.messages.length, 1);
      assert.equal(got.messages[0].role, "user");
      const text = (got.messages[0].content as { text: string }).text;
      const cli = await runCli(entry, [
        "schedule",
        "prepare",
        "coach",
        "--target",
        dir,
        "--now",
        NOW,
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(text, cli.stdout, "prompts/get differs from `schedule prepare`");
      assert.match(text, /\[REDACTED:/, "the planted token should show as redacted");

      const small = await s.client.getPrompt({ name: "coach", arguments: { max_tokens: "1500" } });
      seen.push(small);
      const smallText = (small.messages[0].content as { text: string }).text;
      assert.ok(smallText.length < text.length, "max_tokens should trim the bundle");

      await assert.rejects(s.client.getPrompt({ name: "nobody" }), /unknown agent 'nobody'/);
      await assert.rejects(
        s.client.getPrompt({ name: "coach", arguments: { max_tokens: "-3" } }),
        /max_tokens must be a positive whole number/,
      );
      assert.ok(!allText(seen).includes(secret), "a prompt leaked the planted secret");
    } finally {
      await s.close();
    }
  });
});

cliTest(
  "mcp: every tool, valid and invalid input; records change the next bundle",
  async (entry) => {
    await withPilot(async (dir, secret) => {
      const s = await connect(entry, dir, ["--allow-record"]);
      const seen: unknown[] = [];
      const call = async (name: string, args: Record<string, unknown>) => {
        const r = await s.client.callTool({ name, arguments: args });
        seen.push(r);
        return r as {
          isError?: boolean;
          content: { type: string; text: string }[];
          structuredContent?: Record<string, unknown>;
        };
      };
      try {
        const tools = (await s.client.listTools()).tools;
        assert.deepEqual(tools.map((t) => t.name).sort(), [
          "add_memory",
          "prepare_bundle",
          "record_run",
          "schedule_status",
        ]);
        const record = tools.find((t) => t.name === "record_run")!;
        assert.deepEqual(record.inputSchema.required?.sort(), [
          "agent",
          "quality",
          "success",
          "time_seconds",
        ]);
        assert.equal(
          (record.inputSchema.properties as Record<string, { maximum?: number }>)
            .quality.maximum,
          1,
        );

        // prepare_bundle: markdown equals the prompt; JSON comes as structured content.
        const md = await call("prepare_bundle", { agent: "coach" });
        assert.equal(md.isError, undefined);
        const prompt = await s.client.getPrompt({ name: "coach" });
        assert.equal(md.content[0].text, (prompt.messages[0].content as { text: string }).text);
        const json = await call("prepare_bundle", { agent: "coach", format: "json" });
        assert.equal(json.structuredContent?.agent, "coach");
        assert.equal(json.structuredContent?.generated_at, NOW);
        assert.deepEqual(JSON.parse(json.content[0].text), json.structuredContent);

        // schedule_status: validity, cron, zone and next runs.
        const status = await call("schedule_status", {});
        const st = status.structuredContent as {
          valid: boolean;
          diagnostics: unknown[];
          agents: { agent: string; cron: string; timezone: string; next_runs: string[] }[];
        };
        assert.equal(st.valid, true);
        assert.deepEqual(st.diagnostics, []);
        const coach = st.agents.find((a) => a.agent === "coach")!;
        assert.equal(coach.cron, "0 9 * * 1");
        assert.equal(coach.timezone, "Europe/Berlin");
        assert.equal(
          (coach.next_runs[0] as unknown as { utc: string }).utc,
          "2026-11-30T08:00:00Z",
        );

        // Invalid inputs are tool errors with a clear message; nothing is written.
        const log = `${dir}/.kaizen/metrics/coach/executions.jsonl`;
        const before = await Deno.readTextFile(log);
        const bad = [
          [
            { agent: "coach", success: true, time_seconds: 60, quality: 1.5 },
            /quality: must be at most 1/,
          ],
          [{ agent: "nobody", success: true, time_seconds: 60, quality: 0.5 }, /unknown agent/],
          [
            { agent: "../x", success: true, time_seconds: 60, quality: 0.5 },
            /agent: must be an agent name/,
          ],
          [{ agent: "coach", success: "yes", time_seconds: 60, quality: 0.5 }, /success:/],
          [
            { agent: "coach", success: true, time_seconds: -1, quality: 0.5 },
            /time_seconds: must be at least 0/,
          ],
          [{ agent: "coach", success: true, quality: 0.5 }, /time_seconds:/],
          [
            { agent: "coach", success: true, time_seconds: 1, quality: 0.5, path: "/etc" },
            /unknown field path/,
          ],
        ] as const;
        for (const [args, message] of bad) {
          const r = await call("record_run", args);
          assert.equal(r.isError, true, JSON.stringify(args));
          assert.match(r.content[0].text, message);
        }
        for (const args of [{ agent: "../x", note: "n" }, { agent: "coach", note: "" }]) {
          const r = await call("add_memory", args);
          assert.equal(r.isError, true);
        }
        assert.equal(await Deno.readTextFile(log), before, "a refused record wrote something");
        assert.ok(!(await exists(`${dir}/x`)) && !(await exists(`${dir}/../x`)));
        const unknownTool = s.client.callTool({ name: "rm_rf", arguments: {} });
        await assert.rejects(unknownTool, /unknown tool 'rm_rf'/);

        // record_run + add_memory feed the next bundle.
        const runsBefore = before.split("\n").filter((l) => l.trim() !== "").length;
        const rec = await call("record_run", {
          agent: "coach",
          success: true,
          time_seconds: 600,
          quality: 0.9,
          notes: `pushed with password=${secret}`,
        });
        assert.equal(rec.isError, undefined, rec.content[0].text);
        const summary = rec.structuredContent?.summary as { runs: number; agent: string };
        assert.equal(summary.agent, "coach");
        assert.equal(summary.runs, runsBefore + 1);
        assert.equal(rec.structuredContent?.redactions, 1);
        assert.ok(!(await Deno.readTextFile(log)).includes(secret), "the secret was written");

        const mem = await call("add_memory", {
          agent: "coach",
          note: "the flaky payment test needs TZ=UTC",
        });
        assert.equal(mem.isError, undefined, mem.content[0].text);
        const next = await s.client.getPrompt({ name: "coach" });
        const nextText = (next.messages[0].content as { text: string }).text;
        assert.notEqual(nextText, (prompt.messages[0].content as { text: string }).text);
        assert.match(nextText, /the flaky payment test needs TZ=UTC/);
        assert.match(nextText, new RegExp(`\\b${runsBefore + 1} runs?\\b`));

        // Resources: read-only, redacted.
        const listed = (await s.client.listResources()).resources.map((r) => r.uri);
        assert.ok(listed.includes("kaizen://schedule"));
        assert.ok(listed.includes("kaizen://agents/coach/memory"));
        assert.ok(listed.includes("kaizen://metrics/coach/summary"));
        const schedule = await s.client.readResource({ uri: "kaizen://schedule" });
        seen.push(schedule);
        assert.equal(
          (schedule.contents[0] as { text: string }).text,
          await Deno.readTextFile(`${dir}/.kaizen/schedule.yml`),
        );
        const memory = await s.client.readResource({ uri: "kaizen://agents/coach/memory" });
        seen.push(memory);
        assert.match((memory.contents[0] as { text: string }).text, /needs TZ=UTC/);
        const sum = await s.client.readResource({ uri: "kaizen://metrics/coach/summary" });
        assert.equal(JSON.parse((sum.contents[0] as { text: string }).text).runs, runsBefore + 1);
        await assert.rejects(
          s.client.readResource({ uri: "kaizen://agents/..%2F..%2Fetc/memory" }),
          /not an agent name/,
        );
        await assert.rejects(
          s.client.readResource({ uri: "file:///etc/passwd" }),
          /unknown resource/,
        );

        seen.push(next, await s.client.listResources());
        assert.ok(!allText(seen).includes(secret), "a response leaked the planted secret");
        assert.ok(!s.stderr().includes(secret), "stderr leaked the planted secret");
      } finally {
        await s.close();
      }
    });
  },
);

cliTest("mcp: without --allow-record the server is read-only", async (entry) => {
  await withPilot(async (dir) => {
    const s = await connect(entry, dir);
    try {
      assert.match(s.client.getInstructions() ?? "", /read-only/);
      const names = (await s.client.listTools()).tools.map((t) => t.name).sort();
      assert.deepEqual(names, ["prepare_bundle", "schedule_status"]);
      const log = `${dir}/.kaizen/metrics/coach/executions.jsonl`;
      const memory = `${dir}/.kaizen/agents/coach/memory.md`;
      const [logBefore, memBefore] = [
        await Deno.readTextFile(log),
        await Deno.readTextFile(memory),
      ];
      const r = await s.client.callTool({
        name: "record_run",
        arguments: { agent: "coach", success: true, time_seconds: 1, quality: 1 },
      });
      assert.equal(r.isError, true);
      assert.match((r.content as { text: string }[])[0].text, /--allow-record/);
      const m = await s.client.callTool({
        name: "add_memory",
        arguments: { agent: "coach", note: "x" },
      });
      assert.equal(m.isError, true);
      const e = await s.client.callTool({ name: "emit_prepared", arguments: { agent: "coach" } });
      assert.equal(e.isError, true);
      assert.match((e.content as { text: string }[])[0].text, /--allow-sinks/);
      assert.equal(await Deno.readTextFile(log), logBefore);
      assert.equal(await Deno.readTextFile(memory), memBefore);
    } finally {
      await s.close();
    }
  });
});

/** Runs `kaizen mcp` with raw stdin lines; returns stdout lines (parsed) and stderr. */
async function rawSession(entry: CliEntry, dir: string, input: string, extra: string[] = []) {
  const [cmd, ...rest] = entry.argv;
  const child = new Deno.Command(cmd, {
    args: [...rest, "mcp", "--target", dir, ...extra],
    env: { NO_COLOR: "1", XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, KAIZEN_REPO: "" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(out.stdout);
  return {
    code: out.code,
    stdout,
    messages: stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "1" },
  },
});

cliTest(
  "mcp: malformed, oversized and unknown requests get errors; the server keeps serving",
  async (entry) => {
    await withPilot(async (dir) => {
      const lines = [
        INIT,
        JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
        "{not json",
        JSON.stringify({ id: 5, hello: "world" }),
        "x".repeat(2 * 1024 * 1024),
        JSON.stringify({ jsonrpc: "2.0", id: 6, method: "no/such/method" }),
        JSON.stringify({ jsonrpc: "2.0", id: 7, method: "prompts/get", params: {} }),
        JSON.stringify({ jsonrpc: "2.0", id: 8, method: "ping" }),
      ];
      const r = await rawSession(entry, dir, lines.join("\n") + "\n");
      assert.equal(r.code, 0, r.stderr);
      const byId = new Map(r.messages.filter((m) => m.id !== null).map((m) => [m.id, m]));
      const anonymous = r.messages.filter((m) => m.id === null);
      assert.equal(byId.get(1)?.result?.serverInfo?.name, "kaizen");
      assert.deepEqual(anonymous.map((m) => m.error.code).sort(), [-32700, -32600].sort());
      assert.match(anonymous.find((m) => m.error.code === -32600).error.message, /larger than/);
      assert.equal(byId.get(5)?.error?.code, -32600);
      assert.equal(byId.get(6)?.error?.code, -32601);
      assert.equal(byId.get(7)?.error?.code, -32602);
      assert.deepEqual(byId.get(8)?.result, {});
      assert.equal(r.messages.length, 7, "every stdout line is one protocol message");
    });
  },
);

cliTest("mcp: bad options are usage errors before anything is served", async (entry) => {
  const bogus = await runCli(entry, ["mcp", "--allow-sinks", "stdout"]);
  assert.equal(bogus.code, 2);
  assert.match(bogus.stderr, /--allow-sinks: unknown sink 'stdout'/);
  assert.equal(bogus.stdout, "");
  const missing = await runCli(entry, ["mcp", "--target", "/nonexistent/kaizen-mcp"]);
  assert.notEqual(missing.code, 0);
  assert.equal(missing.stdout, "");
  assert.equal(missing.stderr.trim().split("\n").length, 1);
});

Deno.test({
  name: "mcp: emit_prepared delivers to NATS when --allow-sinks names it",
  ignore: !haveNatsServer(),
  async fn() {
    const nats = await startNatsServer();
    const { CLI_ENTRIES } = await import("./_cli.ts");
    try {
      await withPilot(async (dir, secret) => {
        const s = await connect(CLI_ENTRIES[0], dir, ["--allow-sinks", "nats"], {
          NATS_URL: nats.url,
        });
        try {
          const names = (await s.client.listTools()).tools.map((t) => t.name);
          assert.ok(names.includes("emit_prepared"));
          assert.ok(!names.includes("record_run"));
          const r = await s.client.callTool({
            name: "emit_prepared",
            arguments: { agent: "coach" },
          });
          assert.equal(r.isError, undefined, JSON.stringify(r));
          const results = (r.structuredContent as { results: { sink: string; ok: boolean }[] })
            .results;
          assert.deepEqual(results.map((x) => [x.sink, x.ok]), [["nats", true]]);
          assert.ok(!JSON.stringify(r).includes(secret));
        } finally {
          await s.close();
        }
      });
    } finally {
      await nats.stop();
    }
  },
});

cliTest("mcp: the repo's own plugins file runs only with --trust-repo-plugins", async (entry) => {
  await withPilot(async (dir) => {
    const marker = `${dir}/plugin-ran`;
    await Deno.writeTextFile(
      `${dir}/.kaizen/plugins.yml`,
      [
        "version: 1",
        "plugins:",
        "  - name: planted",
        `    command: ["/bin/sh", "-c", "touch ${marker}; exit 1"]`,
        "    sections:",
        "      - { id: planted, title: Planted, order: 900 }",
        "",
      ].join("\n"),
    );
    for (const trust of [false, true]) {
      const s = await connect(entry, dir, trust ? ["--trust-repo-plugins"] : []);
      try {
        const got = await s.client.getPrompt({ name: "coach" });
        assert.equal(got.messages.length, 1);
        assert.equal(await exists(marker), trust, `trust=${trust}`);
      } finally {
        await s.close();
      }
    }
  });
});

cliTest("mcp: schedule_status reports an invalid manifest with its diagnostics", async (entry) => {
  await withPilot(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/.kaizen/schedule.yml`,
      'version: "1"\ntimezone: Europe/Berlin\nagents:\n  coach:\n    cadence: weekly\n    cron: "0 9 31 2 *"\n',
    );
    const s = await connect(entry, dir);
    try {
      const r = await s.client.callTool({ name: "schedule_status", arguments: {} });
      assert.equal(r.isError, undefined);
      const st = r.structuredContent as {
        valid: boolean;
        diagnostics: { severity: string; line: number; col: number; message: string }[];
        agents?: unknown;
      };
      assert.equal(st.valid, false);
      assert.equal(st.agents, undefined);
      const error = st.diagnostics.find((d) => d.severity === "error")!;
      assert.equal(error.line, 6);
      assert.match(error.message, /never/);
    } finally {
      await s.close();
    }
  });
});
