/**
 * `kaizen agents list | show | install`: the command-line shell around
 * `core/state/agents.ts`. This module only parses and prints; it is cheap to
 * import (the state module, the agent catalog and the NATS client load when
 * an agents command runs), so the command tree can import it at start-up.
 *
 * @module
 */
import { eventSink, LISTING_OPTIONS, NATS_URL, nowOption, TARGET } from "./options.ts";
import { printRedacted } from "./print.ts";
import { processEnv } from "../env.ts";
import {
  type CommandSpec,
  defineCommand,
  flag,
  type OptionSpec,
  type TypedInvocation,
} from "../cli/framework.ts";
import { CliError, stdout, warn } from "../cli/io.ts";
import { programName } from "../cli/program.ts";
import { printable } from "../text/printable.ts";
import { resolveTarget } from "./target.ts";
import type { AgentListing, InstallAgentResult } from "../state/agents.ts";
import { type KaizenError, renderForCli } from "../errors.ts";

/** What the agents commands need from the outside world; tests pass their own. */
export interface AgentsIo {
  /** Data (stdout). */
  out(text: string): void;
  /** A one-line notice (stderr). */
  notice(message: string): void;
  /** A one-line error that does not end the command by itself (stderr). */
  error(message: string): void;
  /** An environment variable, or undefined when unset or not readable. */
  env(name: string): string | undefined;
}

/** The real terminal and environment. */
export const processIo: AgentsIo = {
  out: stdout,
  notice: (message) => warn(programName(), message, "notice"),
  error: (message) => warn(programName(), message, "error"),
  env: processEnv,
};

const INSTALL_OPTIONS = [
  TARGET,
  flag("force", "Replace an installed copy"),
  nowOption("Date the install event from this instant instead of the clock"),
  eventSink("kaizen.agent.installed"),
  NATS_URL,
] as const satisfies readonly OptionSpec[];

const nameArg = { name: "name", description: "Agent name", required: true };

/**
 * A state-layer problem as a one-line error: its exit code is the one error
 * mapping's (1 for every agent problem), its option names the CLI's (`--force`).
 */
function fail(err: KaizenError): never {
  throw new CliError(printable(renderForCli(err), 500), err.exitCode, { cause: err });
}

/** `kaizen agents install <name>`. */
async function agentsInstall(
  inv: TypedInvocation<typeof INSTALL_OPTIONS>,
  io: AgentsIo,
): Promise<number> {
  const root = await resolveTarget(inv.opts.target);
  const now = inv.opts.now ?? new Date();
  const state = await import("../state/agents.ts");
  const r = await state.installAgent(root, inv.args[0], { force: inv.opts.force, now });
  if (!r.ok) fail(state.agentError(r));
  io.out(`${r.replaced ? "replaced" : "installed"} ${r.path}\n`);
  let code = 0;
  const memory = r.memory;
  if (memory.status === "created") io.out(`created ${memory.path}\n`);
  else if (memory.status === "kept") io.notice(`kept the existing ${memory.path}`);
  else {
    io.error(
      `${r.path} is installed, but its memory file was not scaffolded: ${
        printable(memory.message, 300)
      }`,
    );
    code = 1;
  }
  if (inv.opts.sink !== "nats") return code;
  return Math.max(code, await publish(inv.opts["nats-url"], io, r, state.agentInstalled));
}

/**
 * `--sink nats`: publishes `kaizen.agent.installed`. The prompt is already
 * installed; a failed publish exits 1 so a runner notices, and says that the
 * file stays (installing again would need --force).
 */
async function publish(
  url: string | undefined,
  io: AgentsIo,
  r: Extract<InstallAgentResult, { ok: true }>,
  build: typeof import("../state/agents.ts").agentInstalled,
): Promise<number> {
  const { AGENT_INSTALLED } = await import("../events/subjects.ts");
  const { eventMessageId } = await import("../events/payloads.ts");
  const { eventRepo, publishAndReport } = await import("../events/publish_report.ts");
  return await publishAndReport(async () => {
    const repo = await eventRepo(r.root, io.env);
    return {
      url,
      subject: AGENT_INSTALLED,
      // Same repo, agent, prompt and kind of install → same id: a retried
      // publish is stored once, while a `--force` replacement is not taken for
      // the first install of the same prompt (issue 17).
      msgId: await eventMessageId(
        AGENT_INSTALLED,
        repo.root,
        r.agent,
        r.sha256,
        r.replaced ? "replaced" : "installed",
      ),
      payload: build(r, repo),
      env: io.env,
    };
  }, { ...io, kept: `${r.path} is installed and stays installed` });
}

/** Builds the `agents` command group around `io` (tests pass a captured one). */
export function agentsCommandWith(io: AgentsIo): CommandSpec {
  const notice = (m: string) => io.notice(printable(m, 300));
  return {
    name: "agents",
    description: "List, show and install agent prompts (packaged, or in agents/agent-<name>.md)",
    subcommands: [
      defineCommand({
        name: "list",
        description: "List packaged and installed agents, and which installed copies shadow one",
        options: LISTING_OPTIONS,
        run: async (inv) => {
          const root = await resolveTarget(inv.opts.target);
          const { listAgents } = await import("../state/agents.ts");
          const rows = await listAgents(root, notice);
          io.out(
            inv.opts.format === "json"
              ? JSON.stringify({ agents: rows }, null, 2) + "\n"
              : (await import("../text/table.ts")).renderTable(
                ["NAME", "SOURCE", "LOCATION", "PACKAGED"],
                rows.map((r) => [r.name, r.source, printable(r.location, 120), packagedCell(r)]),
              ),
          );
          return 0;
        },
      }),
      defineCommand({
        name: "show",
        description: "Print the prompt 'schedule prepare' would use (an installed copy wins)",
        args: [nameArg],
        options: [TARGET],
        run: async (inv) => {
          const state = await import("../state/agents.ts");
          const r = await state.readAgentPrompt(
            await resolveTarget(inv.opts.target),
            inv.args[0],
            notice,
          );
          if (!r.ok) fail(state.agentError(r));
          await printRedacted(io, r.text, r.location);
          return 0;
        },
      }),
      defineCommand({
        name: "install",
        description:
          "Copy a packaged prompt to agents/agent-<name>.md and scaffold its memory file",
        args: [nameArg],
        options: INSTALL_OPTIONS,
        run: (inv) => agentsInstall(inv, io),
      }),
    ],
  };
}

/** How an installed copy stands to the packaged prompt of the same name. */
function packagedCell(r: AgentListing): string {
  if (!r.shadows_packaged) return "-";
  if (r.differs_from_packaged === null) return "shadowed (not compared)";
  return r.differs_from_packaged ? "shadowed, differs" : "shadowed, same";
}

/** The `agents` command group, wired to the real terminal. */
export const agentsCommand: CommandSpec = agentsCommandWith(processIo);
