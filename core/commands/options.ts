/**
 * Every option of the built-in commands, declared once: the parser reads
 * them (through cli.ts), and each command's implementation types its
 * invocation from them, so a misspelt option name does not compile. Data
 * only: cli.ts imports this at start-up.
 *
 * @module
 */
import { flag, integer, type OptionSpec, text } from "../cli/framework.ts";
import type { OwnedSink } from "../plugin/registry.ts";
import { sinkOptionSpecs } from "../plugin/sink_options.ts";

/** The longest `--due` or `fleet status` window: a year, leap day included. */
export const MAX_WINDOW_MS = 366 * 86_400_000;

/** The longest `--scatter`: runs spread over more than a week would miss their cadence. */
export const MAX_SCATTER_MS = 7 * 86_400_000;

/** `--target PATH`, shared by every command that acts on a repository. */
export const TARGET = {
  name: "target",
  type: "string",
  valueName: "PATH",
  description: "Repository to act on",
  default: ".",
} as const satisfies OptionSpec;

/** `--format table|json`, table by default: listings. */
export const TABLE_FORMAT = {
  name: "format",
  type: "string",
  choices: ["table", "json"],
  default: "table",
  description: "Output format",
} as const satisfies OptionSpec;

/** `--target` and `--format table|json`: commands that list or show a repository's state. */
export const LISTING_OPTIONS = [TARGET, TABLE_FORMAT] as const satisfies readonly OptionSpec[];

/** `--format text|json`, text by default: commands that report one result. */
export function textFormat(description = "Output format") {
  return {
    name: "format",
    type: "string",
    choices: ["text", "json"],
    default: "text",
    description,
  } as const satisfies OptionSpec;
}

/** `--now ISO`: pins the clock; `description` says what the instant is used for. */
export function nowOption(description: string) {
  return {
    name: "now",
    type: "instant",
    valueName: "ISO",
    description,
  } as const satisfies OptionSpec;
}

/** `--sink nats` on a command that publishes one event on `subject`. */
export function eventSink(subject: string) {
  return {
    name: "sink",
    type: "string",
    choices: ["nats"],
    description: `Also publish ${subject}`,
  } as const satisfies OptionSpec;
}

/** `--nats-url URL`: the commands that talk to NATS only (`events`, `fleet`). */
export const NATS_SERVER = text(
  "nats-url",
  "URL",
  "NATS server (default: $NATS_URL, else nats://127.0.0.1:4222)",
);

/** `--nats-url URL`: every command with a NATS sink. */
export const NATS_URL = text(
  "nats-url",
  "URL",
  "NATS server for --sink nats (default: $NATS_URL, else nats://127.0.0.1:4222)",
);

/** `--plugins FILE` and `--trust-repo-plugins`: every command that loads plugins. */
export const PLUGIN_OPTIONS = [
  text("plugins", "FILE", "Plugins file (default: $XDG_CONFIG_HOME/kaizen/plugins.yml)"),
  flag("trust-repo-plugins", "Also run plugins declared in the target's .kaizen/plugins.yml"),
] as const satisfies readonly OptionSpec[];

/** `schedule init` */
export const INIT_OPTIONS = [
  TARGET,
  text("timezone", "TZ", "IANA zone (default: this host's)"),
  flag("force", "Replace an existing manifest"),
  flag("engagement", "Scaffold a bootstrap schedule for a new engagement"),
  text("agents", "A,B", "Agents to scaffold (default: coach,optimization with --engagement)"),
  {
    name: "bootstrap-cadence",
    type: "string",
    choices: ["hourly", "daily", "weekly"],
    description: "With --engagement: how often to run (default: daily)",
  },
] as const satisfies readonly OptionSpec[];

/** `schedule validate` */
export const VALIDATE_OPTIONS = [TARGET, textFormat()] as const satisfies readonly OptionSpec[];

/** `schedule list` */
export const LIST_OPTIONS = [
  TARGET,
  flag("all", "Include disabled agents"),
  TABLE_FORMAT,
  nowOption("Compute next runs from this instant instead of the clock"),
  integer("count", "N", "Show the next N runs of each agent, 1-1000", {
    min: 1,
    max: 1000,
    default: 1,
  }),
] as const satisfies readonly OptionSpec[];

/** `schedule prepare` */
export const PREPARE_OPTIONS = [
  TARGET,
  {
    name: "format",
    type: "string",
    choices: ["markdown", "json"],
    default: "markdown",
    description: "Bundle format",
  },
  text("out", "FILE", "Write the bundle to FILE (atomically)"),
  text("repo", "SLUG", "Roster slug (default: $KAIZEN_REPO, git remote, dir name)"),
  nowOption("Pin the clock (reproducible output)"),
  integer("max-tokens", "N", "Trim low-priority sections to fit N tokens", { min: 1 }),
  integer("max-file-bytes", "N", "Per-file read cap in bytes (default: 1048576)", { min: 1 }),
  {
    name: "sink",
    type: "string",
    valueName: "NAME[,NAME]",
    repeatable: true,
    description: "Where to send the bundle (repeatable; 'kaizen plugins list' shows the sinks)",
  },
  flag("dry-run", "Network sinks print what they would send and connect to nothing"),
  integer("sink-timeout", "MS", "Deadline for each sink in milliseconds (default: 10000)", {
    min: 1,
  }),
  flag("strict", "Exit 1 and write nothing if any plugin fails"),
  ...PLUGIN_OPTIONS,
] as const satisfies readonly OptionSpec[];

/**
 * Where the roster comes from and which runs of it: `roster discover` and
 * both fleet commands.
 */
export const ROSTER_OPTIONS = [
  text("hub", "URL", "State hub (default: $STATE_HUB_URL)"),
  text("roster", "FILE", "A roster.yml instead of the hub"),
  text("scan", "DIR", "Every git checkout under DIR (the default without a hub)"),
  text("host", "NAME", "Whose host_paths to use (default: this hostname)"),
  text("domain", "D", "Only repos of this domain"),
  text("agent", "A", "Only runs of this agent"),
  flag("hub-filter", "Ask the hub for flagged repos only (v2 pre-filter)"),
] as const satisfies readonly OptionSpec[];

/** `roster discover` */
export const DISCOVER_OPTIONS = [
  ...ROSTER_OPTIONS,
  {
    name: "due",
    type: "interval",
    max: MAX_WINDOW_MS,
    valueName: "START/END",
    description:
      "Only runs due in this window (END may be a duration, e.g. PT1H; at most 366 days); lists at most 100 due_at per run, with due_count",
  },
  {
    name: "scatter",
    type: "duration",
    max: MAX_SCATTER_MS,
    zero: "none",
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
  integer("concurrency", "N", "Repos checked at once (1-256, default 16)", { min: 1, max: 256 }),
] as const satisfies readonly OptionSpec[];

/** `plugins list` */
export const PLUGINS_LIST_OPTIONS = [
  TARGET,
  ...PLUGIN_OPTIONS,
  TABLE_FORMAT,
] as const satisfies readonly OptionSpec[];

/** `mcp` */
export const MCP_OPTIONS = [
  TARGET,
  ...PLUGIN_OPTIONS,
  flag("allow-record", "Offer the write tools record_run and add_memory (off: a read-only server)"),
  text("allow-sinks", "LIST", "Offer emit_prepared, delivering to these sinks"),
  nowOption("Pin the clock for every bundle and record (reproducible sessions, tests)"),
] as const satisfies readonly OptionSpec[];

/** `doctor` */
export const DOCTOR_OPTIONS = [
  {
    name: TARGET.name,
    type: TARGET.type,
    valueName: TARGET.valueName,
    description: "Repository to check (default: the current folder, when it has .kaizen/)",
  },
  text("host", "NAME", "This runner host's name in the hub's host_paths (default: this hostname)"),
  text("hub", "URL", "State hub to check (default: $STATE_HUB_URL)"),
  text("agent", "A", "Check this agent only (default: every enabled agent)"),
  flag("offline", "Skip every network check"),
  ...PLUGIN_OPTIONS,
  textFormat(),
] as const satisfies readonly OptionSpec[];

/**
 * A command's options with the loaded sinks' in place: `--sink` and
 * `--allow-sinks` name the sinks there are, and every sink's declared
 * options follow the command's own (see `SinkOption`). A sink option that
 * reuses one of the command's flags throws `PluginDefinitionError`.
 */
export function withSinkOptions(
  options: readonly OptionSpec[],
  sinks: readonly OwnedSink[],
): OptionSpec[] {
  const names = sinks.map((o) => o.sink.name);
  const first = (w: "stdout" | "out") => sinks.find((o) => o.sink.writes === w)?.sink.name;
  const stdoutSink = first("stdout");
  const outSink = first("out");
  const defaults = [stdoutSink, outSink && `${outSink} with --out`].filter(Boolean).join(", or ");
  const own = options.map((o): OptionSpec => {
    if (o.name === "sink") {
      return {
        ...o,
        description: `Where to send the bundle: ${
          names.join(", ")
        } or a plugins file's (repeatable${defaults ? `; default: ${defaults}` : ""})`,
      };
    }
    if (o.name === "allow-sinks") {
      return {
        ...o,
        description: `Offer emit_prepared, delivering to these sinks: ${
          names.join(", ") || "(none loaded)"
        }`,
      };
    }
    return o;
  });
  return [...own, ...sinkOptionSpecs(sinks, options)];
}
