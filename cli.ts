/**
 * kaizen command-line entry point: the command tree only. Each command's
 * implementation is imported when that command runs, so `--help` and cheap
 * commands never load YAML, cron or network code they do not use.
 *
 * @module
 */
import { type CommandSpec, parseArgv, renderHelp, typed } from "./core/cli/framework.ts";
import { stderr, stdout, warn } from "./core/cli/io.ts";
import { programName } from "./core/cli/program.ts";
import {
  exitCodeOf,
  firstLine,
  isPermissionError,
  KaizenError,
  renderForCli,
} from "./core/errors.ts";
import { inProcessRegistry, type PluginSources } from "./core/plugin/build.ts";
import type { Plugin } from "./core/plugin/types.ts";
import { printable } from "./core/text/printable.ts";
import { VERSION } from "./core/version.ts";
import { agentsCommand } from "./core/commands/agents.ts";
import { eventsCommand } from "./core/commands/events.ts";
import { memoryCommand } from "./core/commands/memory.ts";
import { metricsCommand } from "./core/commands/metrics.ts";
import { fleetCommand } from "./core/commands/fleet.ts";
import {
  DISCOVER_OPTIONS,
  DOCTOR_OPTIONS,
  INIT_OPTIONS,
  LIST_OPTIONS,
  MCP_OPTIONS,
  PLUGINS_LIST_OPTIONS,
  PREPARE_OPTIONS,
  VALIDATE_OPTIONS,
  withSinkOptions,
} from "./core/commands/options.ts";

/** Options for embedding the CLI in a team's own entry point. */
export interface RunCliOptions {
  /** In-process plugins to register next to the built-ins (see docs/plugins.md). */
  plugins?: readonly Plugin[];
}

/** kaizen's own plugins, loaded when a command needs them (start-up of the others stays lean). */
async function loadBuiltins(): Promise<readonly Plugin[]> {
  return [(await import("./plugins/builtin/mod.ts")).builtinPlugin];
}

/** Words that name a command whose options include the sinks' (or that prints every option). */
const SINK_OPTION_COMMANDS = new Set(["prepare", "mcp", "doctor", "completions"]);

/**
 * The whole command tree; `completions` walks it too. `plugins` are a team
 * binary's own, registered after `builtins`, kaizen's built-in plugin. The
 * in-process sinks' declared options are part of the tree, so they parse,
 * show in `--help` and complete like any other. `builtins` may be left out
 * when no sink option is needed (`schedule validate`): commands that run
 * plugins then load them themselves.
 */
export function commandTree(
  program = "kaizen",
  plugins: readonly Plugin[] = [],
  builtins?: readonly Plugin[],
): CommandSpec {
  const known: PluginSources = { builtins: builtins ?? [], embedded: plugins };
  const sinks = inProcessRegistry(known).sinks();
  const loadSources = async (): Promise<PluginSources> => ({
    builtins: builtins ?? await loadBuiltins(),
    embedded: plugins,
  });
  const prepareOptions = withSinkOptions(PREPARE_OPTIONS, sinks);
  const mcpOptions = withSinkOptions(MCP_OPTIONS, sinks.filter((o) => !o.sink.writes));
  const doctorOptions = withSinkOptions(DOCTOR_OPTIONS, sinks.filter((o) => o.sink.check));
  const tree: CommandSpec = {
    name: "kaizen",
    description:
      "Scheduled coding-agent runs: declare them in .kaizen/schedule.yml and prepare each run's bundle.",
    subcommands: [
      {
        name: "schedule",
        description: "Declare, check, preview and prepare scheduled agent runs",
        subcommands: [
          {
            name: "init",
            description: "Scaffold a commented .kaizen/schedule.yml",
            options: INIT_OPTIONS,
            run: async (inv) =>
              (await import("./core/commands/schedule_init.ts")).initCommand(
                typed(inv, INIT_OPTIONS),
              ),
          },
          {
            name: "validate",
            description: "Check .kaizen/schedule.yml (or FILE); exit 0 valid, 1 invalid",
            args: [{
              name: "file",
              description: "A manifest to check instead of <target>/.kaizen/schedule.yml",
              required: false,
            }],
            options: VALIDATE_OPTIONS,
            run: async (inv) =>
              (await import("./core/commands/schedule_validate.ts")).validateCommand(
                typed(inv, VALIDATE_OPTIONS),
              ),
          },
          {
            name: "list",
            description: "Show scheduled agents with effective cron and next run",
            options: LIST_OPTIONS,
            run: async (inv) =>
              (await import("./core/commands/schedule_list.ts")).listCommand(
                typed(inv, LIST_OPTIONS),
              ),
          },
          {
            name: "prepare",
            description: "Assemble the orientation bundle for one agent run (offline)",
            args: [{
              name: "agent",
              description: "Agent to prepare (installed or packaged)",
              required: true,
            }],
            options: prepareOptions,
            run: async (inv) =>
              (await import("./core/commands/prepare.ts")).prepareCommand(
                typed(inv, PREPARE_OPTIONS),
                { program, plugins: await loadSources() },
              ),
          },
        ],
      },
      agentsCommand,
      memoryCommand,
      metricsCommand,
      fleetCommand,
      eventsCommand,
      {
        name: "roster",
        description: "Resolve which (repo, agent) runs exist on this host",
        subcommands: [
          {
            name: "discover",
            description:
              "Roster ∩ repos with a valid manifest: scheduled runs, skipped repos, due runs",
            options: DISCOVER_OPTIONS,
            run: async (inv) =>
              (await import("./core/commands/roster_discover.ts")).discoverCommand(
                typed(inv, DISCOVER_OPTIONS),
              ),
          },
        ],
      },
      {
        name: "plugins",
        description: "Inspect section and sink plugins",
        subcommands: [{
          name: "list",
          description: "Show loaded plugins and where they come from",
          options: PLUGINS_LIST_OPTIONS,
          run: async (inv) =>
            (await import("./core/commands/plugins.ts")).pluginsList(
              typed(inv, PLUGINS_LIST_OPTIONS),
              { program, plugins: await loadSources() },
            ),
        }],
      },
      {
        name: "mcp",
        description: "Serve this repo's agents, bundle and records over MCP (stdio)",
        options: mcpOptions,
        epilog: "Register it in a coding client's MCP configuration: see docs/mcp.md",
        run: async (inv) =>
          (await import("./core/commands/mcp.ts")).mcpCommand(typed(inv, MCP_OPTIONS), {
            plugins: await loadSources(),
          }),
      },
      {
        name: "doctor",
        description: "Check this runner host and repo are ready for scheduled runs",
        options: doctorOptions,
        epilog: "Exit 0 when no check failed, 1 otherwise; see docs/operations.md",
        run: async (inv) =>
          (await import("./core/commands/doctor.ts")).doctorCommand(
            typed(inv, DOCTOR_OPTIONS),
            { plugins: await loadSources() },
          ),
      },
      {
        name: "completions",
        description: "Print a shell completion script",
        args: [{ name: "shell", description: "bash, zsh or fish", required: true }],
        epilog: "Install, e.g.: kaizen completions bash > /etc/bash_completion.d/kaizen",
        run: async (inv) =>
          (await import("./core/commands/completions.ts")).completionsCommand(inv, tree),
      },
    ],
  };
  return tree;
}

/**
 * Runs the CLI with `argv`; returns the exit code. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCli } from "./mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${repo}/.kaizen`);
 *   const manifest = `${repo}/.kaizen/schedule.yml`;
 *   await Deno.writeTextFile(manifest, 'version: "1"\nagents:\n  coach:\n    cadence: weekly\n');
 *   assert.equal(await runCli(["schedule", "validate", "--target", repo]), 0);
 *
 *   await Deno.writeTextFile(manifest, 'version: "1"\nagents:\n  coach:\n    cadense: weekly\n');
 *   assert.equal(await runCli(["schedule", "validate", "--target", repo]), 1); // see stderr
 *   assert.equal(await runCli(["schedule", "valdiate"]), 2); // a usage error
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function main(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const prog = programName();
  try {
    // The built-in sinks' options are needed to parse only the commands that take them.
    const builtins = argv.some((a) => SINK_OPTION_COMMANDS.has(a))
      ? await loadBuiltins()
      : undefined;
    const outcome = parseArgv(commandTree(prog, options.plugins ?? [], builtins), argv);
    if (outcome.kind === "version") {
      stdout(`${prog} ${VERSION}\n`);
      return 0;
    }
    if (outcome.kind === "help") {
      stdout(renderHelp(prog, outcome.command, outcome.path));
      return 0;
    }
    return await outcome.command.run!(outcome.invocation);
  } catch (err) {
    return reportError(prog, err);
  }
}

/**
 * Prints what a command threw, one line on stderr, and returns its exit code
 * ({@link exitCodeOf} decides, for every error alike).
 */
function reportError(prog: string, err: unknown): number {
  const code = exitCodeOf(err);
  if (err instanceof KaizenError) {
    warn(prog, renderForCli(err), "error");
    if (err.helpPath !== undefined) {
      stderr(`Run '${[prog, ...err.helpPath].join(" ")} --help' for usage.\n`);
    }
    return code;
  }
  // `kaizen ... | head`: the reader left; stop quietly like other Unix tools.
  if (err instanceof Deno.errors.BrokenPipe) return code;
  if (isPermissionError(err)) {
    warn(prog, `permission denied: ${(err as Error).message}`, "error");
    return code;
  }
  // Unexpected: still one line, never a stack trace (KAIZEN_DEBUG=1 shows it).
  warn(prog, `internal error: ${printable(firstLine(err), 300)}`, "error");
  if (debugEnabled()) stderr(`${(err as Error)?.stack ?? ""}\n`);
  return code;
}

function debugEnabled(): boolean {
  try {
    return Deno.env.get("KAIZEN_DEBUG") === "1";
  } catch {
    return false;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
