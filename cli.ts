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
import { VERSION } from "./core/version.ts";

const target: OptionSpec = {
  name: "target",
  type: "string",
  valueName: "PATH",
  description: "Repository to act on",
  default: ".",
};

/** The whole command tree; `completions` walks it too. */
export const COMMANDS: CommandSpec = {
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
          ],
          run: async (inv) => (await import("./core/commands/schedule_list.ts")).listCommand(inv),
        },
      ],
    },
    {
      name: "completions",
      description: "Print a shell completion script",
      args: [{ name: "shell", description: "bash, zsh or fish", required: true }],
      epilog: "Install, e.g.: kaizen completions bash > /etc/bash_completion.d/kaizen",
      run: async (inv) =>
        (await import("./core/commands/completions.ts")).completionsCommand(inv, COMMANDS),
    },
  ],
};

/** Runs the CLI with `argv`; returns the exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const prog = programName();
  try {
    const outcome = parseArgv(COMMANDS, argv);
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
    if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
      warn(prog, `permission denied: ${(err as Error).message}`, "error");
      return 1;
    }
    // Unexpected: still one line, never a stack trace (KAIZEN_DEBUG=1 shows it).
    warn(prog, `internal error: ${(err as Error)?.message ?? String(err)}`, "error");
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
