/**
 * `kaizen agents list | show | install`: the command-line shell around
 * `core/state/agents.ts`. This module only parses and prints; it is cheap to
 * import (the state module, the agent catalog and the NATS client load when
 * an agents command runs), so the command tree can import it at start-up.
 *
 * @module
 */
import { eventSink, NATS_URL, nowOption, TABLE_FORMAT, TARGET } from "./options.ts";
import { processEnv } from "../env.ts";
import {
  type CommandSpec,
  type OptionSpec,
  typed,
  type TypedInvocation,
} from "../cli/framework.ts";
import { CliError, stdout, warn } from "../cli/io.ts";
import { programName } from "../cli/program.ts";
import { printable, withFinalNewline } from "../text/printable.ts";
import { resolveTarget } from "./target.ts";
import type { InstallAgentResult } from "../state/agents.ts";
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

const LIST_OPTIONS = [
  TARGET,
  TABLE_FORMAT,
] as const satisfies readonly OptionSpec[];

const SHOW_OPTIONS = [TARGET] as const satisfies readonly OptionSpec[];

const INSTALL_OPTIONS = [
  TARGET,
  { name: "force", type: "boolean", description: "Replace an installed copy" },
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

/** `kaizen agents list`. */
export async function agentsList(
  inv: TypedInvocation<typeof LIST_OPTIONS>,
  io: AgentsIo = processIo,
): Promise<number> {
  const root = await resolveTarget(inv.opts.target);
  const { listAgents } = await import("../state/agents.ts");
  const rows = await listAgents(root, (m) => io.notice(printable(m, 300)));
  if (inv.opts.format === "json") {
    io.out(JSON.stringify({ agents: rows }, null, 2) + "\n");
    return 0;
  }
  const { renderTable } = await import("../text/table.ts");
  io.out(renderTable(
    ["NAME", "SOURCE", "LOCATION", "PACKAGED"],
    rows.map((r) => [
      r.name,
      r.source,
      printable(r.location, 120),
      !r.shadows_packaged
        ? "-"
        : r.differs_from_packaged === null
        ? "shadowed (not compared)"
        : r.differs_from_packaged
        ? "shadowed, differs"
        : "shadowed, same",
    ]),
  ));
  return 0;
}

/** `kaizen agents show <name>`: the prompt `prepare` would use. */
export async function agentsShow(
  inv: TypedInvocation<typeof SHOW_OPTIONS>,
  io: AgentsIo = processIo,
): Promise<number> {
  const root = await resolveTarget(inv.opts.target);
  const { readAgentPrompt, agentError } = await import("../state/agents.ts");
  const r = await readAgentPrompt(root, inv.args[0], (m) => io.notice(printable(m, 300)));
  if (!r.ok) fail(agentError(r));
  const { redactForOutput } = await import("../redact/output.ts");
  io.out(withFinalNewline(redactForOutput(r.text, r.location, io.notice)));
  return 0;
}

/** `kaizen agents install <name>`. */
export async function agentsInstall(
  inv: TypedInvocation<typeof INSTALL_OPTIONS>,
  io: AgentsIo = processIo,
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
  return Math.max(code, await publish(inv, io, r, state.agentInstalled));
}

/**
 * `--sink nats`: publishes `kaizen.agent.installed`. The prompt is already
 * installed; a failed publish exits 1 so a runner notices, and says that the
 * file stays (installing again would need --force).
 */
async function publish(
  inv: TypedInvocation<typeof INSTALL_OPTIONS>,
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
      url: inv.opts["nats-url"],
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
  return {
    name: "agents",
    description: "List, show and install agent prompts (packaged, or in agents/agent-<name>.md)",
    subcommands: [
      {
        name: "list",
        description: "List packaged and installed agents, and which installed copies shadow one",
        options: LIST_OPTIONS,
        run: (inv) => agentsList(typed(inv, LIST_OPTIONS), io),
      },
      {
        name: "show",
        description: "Print the prompt 'schedule prepare' would use (an installed copy wins)",
        args: [nameArg],
        options: SHOW_OPTIONS,
        run: (inv) => agentsShow(typed(inv, SHOW_OPTIONS), io),
      },
      {
        name: "install",
        description:
          "Copy a packaged prompt to agents/agent-<name>.md and scaffold its memory file",
        args: [nameArg],
        options: INSTALL_OPTIONS,
        run: (inv) => agentsInstall(typed(inv, INSTALL_OPTIONS), io),
      },
    ],
  };
}

/** The `agents` command group, wired to the real terminal. */
export const agentsCommand: CommandSpec = agentsCommandWith(processIo);
