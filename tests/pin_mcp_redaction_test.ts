/**
 * Pins (issue 16) that `kaizen mcp` redacts what it sends besides bundles:
 * the message of a JSON-RPC error, and a tool's structured JSON result (with
 * its text twin). The server runs as a subprocess, from source and from the
 * bundle, driven over stdio by the MCP SDK's own client.
 *
 * The planted token is assembled at run time.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { type CliEntry, cliTest, EMPTY_CONFIG_HOME, REPO_ROOT } from "./_cli.ts";
import { ALNUM, fake } from "./_fake_secrets.ts";

const NOW = "2026-11-23T08:00:00Z";
/** A GitHub-token-shaped value: lower case and `_` make it no agent name either. */
const GHP = "gh" + "p_" + fake(36, ALNUM, 81);

interface Session {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

async function connect(entry: CliEntry, dir: string): Promise<Session> {
  const [command, ...args] = entry.argv;
  const transport = new StdioClientTransport({
    command,
    args: [...args, "mcp", "--target", dir, "--now", NOW],
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      NO_COLOR: "1",
      XDG_CONFIG_HOME: EMPTY_CONFIG_HOME,
      KAIZEN_REPO: "",
    },
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (d: Uint8Array) => (err += new TextDecoder().decode(d)));
  const client = new Client({ name: "kaizen-pin-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, stderr: () => err, close: () => client.close() };
}

/** Runs `fn` on a server bound to a fresh copy of examples/pilot; removes both after. */
async function withServer(
  entry: CliEntry,
  setup: (dir: string) => Promise<void>,
  fn: (s: Session) => Promise<void>,
): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-pin-mcp-" }));
  try {
    const cp = await new Deno.Command("cp", { args: ["-r", `${REPO_ROOT}/examples/pilot/.`, dir] })
      .output();
    assert.equal(cp.code, 0);
    await setup(dir);
    const s = await connect(entry, dir);
    try {
      await fn(s);
      assert.ok(!s.stderr().includes(GHP), "the token reached the server's log");
    } finally {
      await s.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The error `work` rejects with; its message must show the token redacted. */
async function redactedError(work: Promise<unknown>, expected: RegExp): Promise<void> {
  let error: unknown;
  try {
    await work;
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof Error, "expected a JSON-RPC error");
  const message = error.message;
  assert.ok(
    !message.includes(GHP),
    `the token leaked in an error: ${message.replace(GHP, "<GHP>")}`,
  );
  assert.match(message, expected);
}

cliTest("pin: mcp error messages are redacted", async (entry) => {
  await withServer(entry, () => Promise.resolve(), async (s) => {
    // A URI naming no agent is quoted back in the "not found" error.
    await redactedError(
      s.client.readResource({ uri: `kaizen://agents/${GHP}/memory` }),
      /'\[REDACTED:[a-z0-9-]+\]' is not an agent name/,
    );
    await redactedError(
      s.client.readResource({ uri: `kaizen://elsewhere/${GHP}` }),
      /unknown resource 'kaizen:\/\/elsewhere\/\[REDACTED:[a-z0-9-]+\]'/,
    );
    // So is a tool name nobody registered.
    await redactedError(
      s.client.callTool({ name: GHP, arguments: {} }),
      /unknown tool '\[REDACTED:[a-z0-9-]+\]'/,
    );
  });
});

cliTest("pin: mcp structured JSON results (and their text) are redacted", async (entry) => {
  const manifest = (dir: string) =>
    Deno.writeTextFile(
      `${dir}/.kaizen/schedule.yml`,
      `version: "1"\ntimezone: ${GHP}\nagents:\n  coach:\n    cadence: weekly\n`,
    );
  await withServer(entry, manifest, async (s) => {
    const r = await s.client.callTool({ name: "schedule_status", arguments: {} });
    const st = r.structuredContent as {
      valid: boolean;
      diagnostics: { severity: string; code: string; message: string; line: number }[];
    };
    assert.ok(st, "schedule_status returns structured content");
    const everything = JSON.stringify(r);
    assert.ok(!everything.includes(GHP), "the token leaked in schedule_status");
    assert.equal(st.valid, false);
    const zone = st.diagnostics.find((d) => d.line === 2);
    assert.ok(zone, JSON.stringify(st.diagnostics).replace(GHP, "<GHP>"));
    assert.match(zone.message, /timezone '\[REDACTED:[a-z0-9-]+\]' is not an IANA time zone/);
    const text = (r.content as { type: string; text: string }[])[0].text;
    assert.deepEqual(JSON.parse(text), st, "the text twin is the same redacted JSON");
  });
});
