/**
 * `kaizen mcp`: serves the Model Context Protocol on stdin/stdout for one
 * repository until the client closes stdin. The SDK is imported here only,
 * so no other command pays for loading it.
 *
 * stdout belongs to the protocol: `console.log` and friends are pointed at
 * stderr for the server's lifetime, so a stray print from a plugin or a
 * dependency cannot corrupt the message stream.
 *
 * @module
 */
import type { TypedInvocation } from "../cli/framework.ts";
import { CliError, stderr, warn } from "../cli/io.ts";
import { programName } from "../cli/program.ts";
import { processEnv } from "../env.ts";
import { buildRegistry, pluginFlags, type PluginSources } from "../plugin/build.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import { printable } from "../text/printable.ts";
import { didYouMean } from "../text/suggest.ts";
import type { MCP_OPTIONS } from "./options.ts";
import { resolveTarget } from "./target.ts";

/** Runs the server; resolves with 0 when the client closes the connection. */
export async function mcpCommand(
  inv: TypedInvocation<typeof MCP_OPTIONS>,
  runtime: { plugins: PluginSources },
): Promise<number> {
  const prog = programName();
  const { createKaizenMcpServer } = await import("../mcp/server.ts");
  const root = await Deno.realPath(await resolveTarget(inv.opts.target));
  const pinned = inv.opts.now;
  const log = (m: string) => warn(prog, printable(m, 500), "notice");
  const registry = await buildRegistry(runtime.plugins, {
    root,
    ...pluginFlags(inv.opts),
    notice: log,
  });
  const allowSinks = parseSinks(inv.opts["allow-sinks"], registry);
  const { LineTransport } = await import("../mcp/stdio.ts");

  const toStderr = (...args: unknown[]) => stderr(args.map(String).join(" ") + "\n");
  console.log = console.info = console.debug = toStderr;

  const server = createKaizenMcpServer({
    root,
    registry,
    program: prog,
    allowRecord: inv.opts["allow-record"],
    allowSinks,
    // Every option as parsed: each allowed sink picks its own declared ones.
    sinkOptions: inv.opts,
    now: () => pinned ?? new Date(),
    env: processEnv,
    log,
  });
  server.onerror = (err) => log(`protocol: ${err.message}`);
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  await server.connect(new LineTransport());
  await closed;
  return 0;
}

/**
 * `--allow-sinks`: any loaded sink that delivers somewhere of its own. Sinks
 * that write kaizen's stdout or `--out` cannot be offered: stdout belongs to
 * the protocol, and the server has no `--out`.
 */
function parseSinks(value: string | undefined, registry: PluginRegistry): string[] {
  if (value === undefined) return [];
  const allowed = registry.sinks().filter((o) => !o.sink.writes).map((o) => o.sink.name);
  const names = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const n of names) {
    if (!allowed.includes(n)) {
      throw new CliError(
        `--allow-sinks: unknown sink '${printable(n)}'${didYouMean(n, allowed)}; choose from ${
          allowed.join(", ") || "(no sink that delivers elsewhere is loaded)"
        }`,
        2,
      );
    }
  }
  return [...new Set(names)];
}
