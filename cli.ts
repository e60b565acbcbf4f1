/**
 * kaizen command-line entry point: the command tree only. Each command's
 * implementation is imported when that command runs, so `--help` and cheap
 * commands never load YAML, cron or network code they do not use.
 *
 * @module
 */
import {
  type CommandSpec,
  type OptionSpec,
  parseArgv,
  renderHelp,
  UsageError,
} from "./core/cli/framework.ts";
import { CliError, stderr, stdout, warn } from "./core/cli/io.ts";
import { programName } from "./core/cli/program.ts";
import { PluginDefinitionError } from "./core/plugin/define.ts";
import type { Plugin } from "./core/plugin/types.ts";
import { printable } from "./core/text/printable.ts";
import { VERSION } from "./core/version.ts";
import { agentsCommand } from "./core/commands/agents.ts";
import { memoryCommand } from "./core/commands/memory.ts";
import { metricsCommand } from "./core/commands/metrics.ts";

/** Options for embedding the CLI in a team's own entry point. */
export interface RunCliOptions {
  /** In-process plugins to register next to the built-ins (see docs/plugins.md). */
  plugins?: readonly Plugin[];
}

const target: OptionSpec = {
  name: "target",
  type: "string",
  valueName: "PATH",
  description: "Repository to act on",
  default: ".",
};

const pluginOptions: OptionSpec[] = [
  {
    name: "plugins",
    type: "string",
    valueName: "FILE",
    description: "Plugins file (default: $XDG_CONFIG_HOME/kaizen/plugins.yml)",
  },
  {
    name: "trust-repo-plugins",
    type: "boolean",
    description: "Also run plugins declared in the target's .kaizen/plugins.yml",
  },
];

/** The whole command tree; `completions` walks it too. */
export function commandTree(program = "kaizen", plugins: readonly Plugin[] = []): CommandSpec {
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
            options: [
              target,
              {
                name: "timezone",
                type: "string",
                valueName: "TZ",
                description: "IANA zone (default: this host's)",
              },
              { name: "force", type: "boolean", description: "Replace an existing manifest" },
              {
                name: "engagement",
                type: "boolean",
                description: "Scaffold a bootstrap schedule for a new engagement",
              },
              {
                name: "agents",
                type: "string",
                valueName: "A,B",
                description: "Agents to scaffold (default: coach,optimization with --engagement)",
              },
              {
                name: "bootstrap-cadence",
                type: "string",
                choices: ["hourly", "daily", "weekly"],
                description: "With --engagement: how often to run (default: daily)",
              },
            ],
            run: async (inv) => (await import("./core/commands/schedule_init.ts")).initCommand(inv),
          },
          {
            name: "validate",
            description: "Check .kaizen/schedule.yml; exit 0 valid, 1 invalid",
            options: [target, {
              name: "format",
              type: "string",
              choices: ["text", "json"],
              default: "text",
              description: "Output format",
            }],
            run: async (inv) =>
              (await import("./core/commands/schedule_validate.ts")).validateCommand(inv),
          },
          {
            name: "list",
            description: "Show scheduled agents with effective cron and next run",
            options: [
              target,
              { name: "all", type: "boolean", description: "Include disabled agents" },
              {
                name: "format",
                type: "string",
                choices: ["table", "json"],
                default: "table",
                description: "Output format",
              },
              {
                name: "now",
                type: "string",
                valueName: "ISO",
                description: "Compute next runs from this instant instead of the clock",
              },
              {
                name: "count",
                type: "string",
                number: { min: 1, max: 1000, integer: true },
                valueName: "N",
                description: "Show the next N runs of each agent (1-1000, default 1)",
              },
            ],
            run: async (inv) => (await import("./core/commands/schedule_list.ts")).listCommand(inv),
          },
          {
            name: "prepare",
            description: "Assemble the orientation bundle for one agent run (offline)",
            args: [{
              name: "agent",
              description: "Agent to prepare (installed or packaged)",
              required: true,
            }],
            options: [
              target,
              {
                name: "format",
                type: "string",
                choices: ["markdown", "json"],
                default: "markdown",
                description: "Bundle format",
              },
              {
                name: "out",
                type: "string",
                valueName: "FILE",
                description: "Write the bundle to FILE (atomically)",
              },
              {
                name: "repo",
                type: "string",
                valueName: "SLUG",
                description: "Roster slug (default: $KAIZEN_REPO, git remote, dir name)",
              },
              {
                name: "now",
                type: "string",
                valueName: "ISO",
                description: "Pin the clock (reproducible output)",
              },
              {
                name: "max-tokens",
                type: "string",
                number: { min: 1, integer: true },
                valueName: "N",
                description: "Trim low-priority sections to fit N tokens",
              },
              {
                name: "max-file-bytes",
                type: "string",
                number: { min: 1, integer: true },
                valueName: "N",
                description: "Per-file read cap in bytes (default: 1048576)",
              },
              {
                name: "sink",
                type: "string",
                valueName: "NAME[,NAME]",
                repeatable: true,
                description:
                  "Where to send the bundle: stdout, file, nats, artifact-store or a plugin's (repeatable; default: stdout, or file with --out)",
              },
              {
                name: "nats-url",
                type: "string",
                valueName: "URL",
                description:
                  "NATS server for --sink nats (default: $NATS_URL, else nats://127.0.0.1:4222)",
              },
              {
                name: "subject",
                type: "string",
                valueName: "SUBJECT",
                description: "Subject for --sink nats (default: kaizen.schedule.prepared)",
              },
              {
                name: "retention-class",
                type: "string",
                valueName: "CLASS",
                description: "Retention class for --sink artifact-store (default: bundle)",
              },
              {
                name: "dry-run",
                type: "boolean",
                description: "Network sinks print what they would send and connect to nothing",
              },
              {
                name: "sink-timeout",
                type: "string",
                number: { min: 1, integer: true },
                valueName: "MS",
                description: "Deadline for each sink in milliseconds (default: 10000)",
              },
              {
                name: "strict",
                type: "boolean",
                description: "Exit 1 and write nothing if any plugin fails",
              },
              ...pluginOptions,
            ],
            run: async (inv) =>
              (await import("./core/commands/prepare.ts")).prepareCommand(inv, {
                program,
                plugins,
              }),
          },
        ],
      },
      agentsCommand,
      memoryCommand,
      metricsCommand,
      {
        name: "roster",
        description: "Resolve which (repo, agent) runs exist on this host",
        subcommands: [
          {
            name: "discover",
            description:
              "Roster ∩ repos with a valid manifest: scheduled runs, skipped repos, due runs",
            options: [
              {
                name: "hub",
                type: "string",
                valueName: "URL",
                description: "State hub (default: $STATE_HUB_URL)",
              },
              {
                name: "roster",
                type: "string",
                valueName: "FILE",
                description: "A roster.yml instead of the hub",
              },
              {
                name: "scan",
                type: "string",
                valueName: "DIR",
                description: "Every git checkout under DIR (the default without a hub)",
              },
              {
                name: "host",
                type: "string",
                valueName: "NAME",
                description: "Whose host_paths to use (default: this hostname)",
              },
              {
                name: "domain",
                type: "string",
                valueName: "D",
                description: "Only repos of this domain",
              },
              {
                name: "agent",
                type: "string",
                valueName: "A",
                description: "Only runs of this agent",
              },
              {
                name: "hub-filter",
                type: "boolean",
                description: "Ask the hub for flagged repos only (v2 pre-filter)",
              },
              {
                name: "due",
                type: "string",
                valueName: "START/END",
                description: "Only runs due in this window (END may be a duration, e.g. PT1H)",
              },
              {
                name: "scatter",
                type: "string",
                valueName: "DURATION",
                description: "Spread due times per (repo, agent) over this span",
              },
              {
                name: "format",
                type: "string",
                choices: ["json", "jsonl", "table"],
                default: "json",
                description: "Output format",
              },
              {
                name: "concurrency",
                type: "string",
                number: { min: 1, max: 256, integer: true },
                valueName: "N",
                description: "Repos checked at once (1-256, default 16)",
              },
            ],
            run: async (inv) =>
              (await import("./core/commands/roster_discover.ts")).discoverCommand(inv),
          },
        ],
      },
      {
        name: "plugins",
        description: "Inspect section and sink plugins",
        subcommands: [{
          name: "list",
          description: "Show loaded plugins and where they come from",
          options: [
            target,
            ...pluginOptions,
            {
              name: "format",
              type: "string",
              choices: ["table", "json"],
              default: "table",
              description: "Output format",
            },
          ],
          run: async (inv) =>
            (await import("./core/commands/plugins.ts")).pluginsList(inv, { program, plugins }),
        }],
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

/** Runs the CLI with `argv`; returns the exit code. Never throws. */
export async function main(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const prog = programName();
  try {
    const outcome = parseArgv(commandTree(prog, options.plugins ?? []), argv);
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
    if (err instanceof UsageError) {
      warn(prog, err.message, "error");
      stderr(`Run '${[prog, ...err.helpPath].join(" ")} --help' for usage.\n`);
      return 2;
    }
    if (err instanceof CliError) {
      warn(prog, err.message, "error");
      return err.exitCode;
    }
    // A malformed in-process plugin (custom entry points) is a setup error, not a crash.
    if (err instanceof PluginDefinitionError) {
      warn(prog, printable(err.message, 300), "error");
      return 1;
    }
    // `kaizen ... | head`: the reader left; stop quietly like other Unix tools.
    if (err instanceof Deno.errors.BrokenPipe) return 0;
    if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
      warn(prog, `permission denied: ${(err as Error).message}`, "error");
      return 1;
    }
    // Unexpected: still one line, never a stack trace (KAIZEN_DEBUG=1 shows it).
    const message = String((err as Error)?.message ?? err).split("\n")[0];
    warn(prog, `internal error: ${printable(message, 300)}`, "error");
    if (debugEnabled()) stderr(`${(err as Error)?.stack ?? ""}\n`);
    return 70;
  }
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
