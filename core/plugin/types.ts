/**
 * The plugin API (version 1): sections add content to a bundle, sinks send a
 * finished bundle somewhere. Built-in sections and sinks use exactly this API.
 *
 * @module
 */
import type { Bundle, BundleFormat, SectionStatus } from "../bundle/types.ts";
import type { AgentSchedule, Schedule } from "../manifest/types.ts";
import type { SafeReader } from "../fs/safe_read.ts";

/**
 * The plugin API version this release implements.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { definePlugin, PLUGIN_API_VERSION, PluginDefinitionError } from "../../mod.ts";
 *
 * const team = definePlugin({ name: "team", apiVersion: PLUGIN_API_VERSION, sections: [] });
 * assert.equal(team.apiVersion, 1);
 * // A plugin written for another API version is refused when it is loaded.
 * const later = JSON.parse('{ "name": "later", "apiVersion": 2 }');
 * assert.throws(() => definePlugin(later), PluginDefinitionError);
 * ```
 */
export const PLUGIN_API_VERSION = 1;

/** What a section's `collect` sees. Read-only; all file access goes through `files`. */
export interface SectionContext {
  /** The agent being prepared, e.g. `coach`. */
  agent: string;
  /** Absolute path of the target repo. */
  root: string;
  /** The roster slug (`--repo`, `KAIZEN_REPO`, the git remote, or the folder name). */
  repo: string;
  /** The validated manifest, when the repo has a valid one. */
  schedule?: Schedule;
  /** This agent's manifest entry, when listed. */
  agentSchedule?: AgentSchedule;
  /** The pinned clock (`--now`) or the real one. */
  now: Date;
  /** Program name to use in commands shown to the session (`kaizen` or `kaizen-agentic`). */
  program: string;
  /** Bounded, symlink-safe reads inside `root`. */
  files: SafeReader;
  /** Adds a warning to the bundle (and stderr). */
  warn(message: string): void;
}

/**
 * What `collect` returns; `null` means "nothing to add" (the section is omitted).
 *
 * Everything here is untrusted: the
 * pipeline strips control characters from and redacts every string (content,
 * every string inside `data`, `source`, `summary`) before a renderer or sink
 * sees it. A view built from data (a table of keys and values) must come from
 * `render`, which is called with the already-redacted data; a table rendered
 * inside `collect` would show values the scanner cannot tie to their keys.
 */
export interface SectionOutput {
  /** Markdown body, without the section heading. Replaced by `render`'s result when given. */
  content: string;
  /**
   * Builds the markdown body from `data` after the pipeline has redacted and
   * bounded it (so the argument may differ from what `collect` returned). Pure.
   */
  render?: (data: unknown) => string;
  /** Path relative to the repo root, `packaged:<agent>`, or omitted. */
  source?: string;
  /**
   * Structured data kept in the JSON bundle: plain JSON values. Nesting deeper
   * than 32 levels or more than 10,000 values is cut (with a warning), and data
   * over 256 KiB as JSON is left out.
   */
  data?: unknown;
  /** `missing` renders a short "not found" note. */
  status?: SectionStatus;
  /** Values of the bundle summary fields this section declared in `summaryFields`. */
  summary?: Partial<BundleSummary>;
}

/**
 * The bundle's top-level summary fields a section may feed (the event's
 * `bundle.*` flags are read from them). Unset fields keep their defaults:
 * `false`, `null`, `[]`.
 */
export type BundleSummary = Pick<
  Bundle,
  | "agent_prompt_found"
  | "agent_prompt_source"
  | "has_memory"
  | "has_metrics"
  | "pointers"
  | "session_close"
>;

/** The name of one {@link BundleSummary} field. */
export type SummaryField = keyof BundleSummary;

/**
 * Every summary field, in bundle order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareBundle, SUMMARY_FIELDS } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const { bundle } = await prepareBundle({ target: repo, agent: "coach", repo: "acme/widgets" });
 *   const summary = Object.fromEntries(SUMMARY_FIELDS.map((field) => [field, bundle[field]]));
 *   assert.equal(summary.agent_prompt_found, true); // the packaged coach prompt
 *   assert.equal(summary.has_memory, false);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export const SUMMARY_FIELDS: readonly SummaryField[] = [
  "agent_prompt_found",
  "agent_prompt_source",
  "has_memory",
  "has_metrics",
  "pointers",
  "session_close",
];

/** A bundle section contributed by a plugin. */
export interface SectionPlugin {
  /** `^[a-z0-9][a-z0-9-]*$`, unique across all loaded plugins. */
  id: string;
  /** The section's markdown heading. */
  title: string;
  /**
   * Position in the bundle; lower comes first. Built-ins: prompt 100,
   * memory 200, metrics 300, pointers 400, session-close 900.
   */
  order: number;
  /**
   * Budget priority under `--max-tokens`: lower is trimmed first. Built-ins:
   * pointers 10, metrics 20, memory 30. Ignored when `required`.
   */
  priority?: number;
  /**
   * Which end survives trimming: `start` (default) keeps the first lines,
   * `end` keeps the last ones — right for logs and memory files that grow
   * at the bottom, where the newest entries are.
   */
  keep?: "start" | "end";
  /** Required sections are never trimmed (prompt, session-close). */
  required?: boolean;
  /**
   * Bundle summary fields this section sets through `SectionOutput.summary`
   * (e.g. the built-in memory section declares `has_memory`). At most one
   * loaded section may declare each field; undeclared values are ignored with
   * a warning.
   */
  summaryFields?: readonly SummaryField[];
  /** Builds the section for one bundle; `null` leaves it out. Sync or async. */
  collect(ctx: SectionContext): Promise<SectionOutput | null> | SectionOutput | null;
}

/** What a sink's `emit` sees besides the bundle. */
export interface SinkContext {
  /** The bundle rendered in `format`, exactly as written to stdout/file. */
  rendered: string;
  /** The format of `rendered`. */
  format: BundleFormat;
  /** `--out` when given. */
  out?: string;
  /** Adds a warning (stderr). */
  warn(message: string): void;
  /**
   * The same bundle rendered in another format, redacted and scanned exactly
   * like `rendered` (e.g. an archive that keeps markdown and JSON).
   */
  render?(format: BundleFormat): Promise<string>;
  /**
   * This sink's declared {@link SinkOption}s, keyed by flag name: the flag's
   * value, else its environment variable's, else its default (`undefined`
   * when none applies). Also `dry-run` (`--dry-run`: print what would be
   * sent, send nothing), which every sink should honour.
   */
  options?: Readonly<Record<string, SinkOptionValue | undefined>>;
  /** Reads an environment variable (injected: tests and library callers pass their own). */
  env?(name: string): string | undefined;
  /** `fetch` for HTTP sinks (injected). */
  fetch?: typeof fetch;
  /** Aborts when this sink's deadline passes; a sink that ignores it is abandoned then. */
  signal?: AbortSignal;
  /** This sink's deadline in milliseconds, to budget retries within. */
  timeoutMs?: number;
  /** Writes to standard output (a dry run's description). */
  print?(text: string): void;
}

/** A sink option's value after parsing: `duration`s are milliseconds. */
export type SinkOptionValue = string | number | boolean;

/**
 * A command-line option a sink declares. `prepare` (and `doctor`, for the
 * sink's check) offers it as `--<flag>`, its help and the shell completions
 * list it, and the value reaches the sink as `ctx.options[flag]`.
 */
export interface SinkOption {
  /** Long flag without dashes, `^[a-z][a-z0-9-]*$`, e.g. `nats-url`. Unique across loaded sinks. */
  flag: string;
  /** Environment variable read when the flag is absent (an empty value counts as absent). */
  env?: string;
  /**
   * `string`, `boolean` (a flag without a value), `number` (decimal), or
   * `duration` (`250ms`, `10s`, `5m`, `1h`, or bare milliseconds; the value
   * is milliseconds).
   */
  kind: "string" | "boolean" | "number" | "duration";
  /** One line for `--help`. */
  description: string;
  /** Placeholder in help, e.g. `URL`. */
  valueName?: string;
  /** Used when neither the flag nor the variable is set. */
  default?: SinkOptionValue;
}

/** One doctor-style check result; ids are `<sink>.<check>`, e.g. `nats.auth`. */
export interface SinkCheckReporter {
  /** Declares the check now running: if the deadline passes, it is the one reported failed. */
  step(id: string, fix: string): void;
  /** The check passed; `detail` says what was found. */
  pass(id: string, detail: string): void;
  /** It works, but look at it; `fix` says what to do. */
  warn(id: string, detail: string, fix: string): void;
  /** A scheduled run would fail; `fix` says what to do. */
  fail(id: string, detail: string, fix: string): void;
  /** Not applicable (e.g. not configured). */
  skip(id: string, detail: string): void;
}

/** What a sink's readiness `check` sees (`kaizen doctor`). */
export interface SinkCheckContext {
  /** The sink's declared options, resolved as for `emit` (flag, else variable, else default). */
  options: Readonly<Record<string, SinkOptionValue | undefined>>;
  /** Reads an environment variable (injected). */
  env(name: string): string | undefined;
  /** Aborts when the check's deadline passes. */
  signal: AbortSignal;
  /** The reference clock. */
  now: Date;
  /** Where results go; every line is scrubbed of known credentials before it is shown. */
  report: SinkCheckReporter;
}

/** A destination for finished bundles. */
export interface SinkPlugin {
  /** `^[a-z0-9][a-z0-9-]*$`, selected with `--sink <name>`. */
  name: string;
  /**
   * Where the sink writes, when that is kaizen's own output: `stdout` (the
   * rendered bundle on standard output; the first such sink is the default
   * without `--out`) or `out` (the `--out` file; the default with `--out`,
   * and refused without it). Omitted for sinks that deliver elsewhere (a
   * server): only those can be offered by `kaizen mcp --allow-sinks`, whose
   * standard output belongs to the protocol.
   */
  writes?: "stdout" | "out";
  /**
   * True for a sink that announces a bundle (an event about it) without
   * delivering its content. Notification sinks add, content sinks replace:
   * when every chosen sink only announces, `prepare` still writes the
   * bundle to stdout (or `--out`), so `--sink nats` alone never loses it.
   */
  announces?: boolean;
  /** Command-line options this sink reads (see {@link SinkOption}). */
  options?: readonly SinkOption[];
  /**
   * Environment variables this sink reads credentials from (`NATS_TOKEN`):
   * `kaizen doctor` masks their values in every line it prints. URLs in the
   * sink's options are masked anyway.
   */
  credentialVariables?: readonly string[];
  /**
   * Readiness check for `kaizen doctor`: is the destination reachable, are
   * the credentials accepted — without delivering anything. Runs under its
   * own deadline ({@link SinkPlugin.checkTimeoutMs}); skipped by
   * `doctor --offline`.
   */
  check?(ctx: SinkCheckContext): Promise<void> | void;
  /** The check's deadline in milliseconds (default 8000). */
  checkTimeoutMs?: number;
  /**
   * Delivers the bundle. A returned string is reported on stderr as the
   * sink's outcome (`stored in stream KAIZEN as seq 4`); a throw is its failure.
   */
  emit(bundle: Bundle, ctx: SinkContext): Promise<string | void> | string | void;
}

/** A plugin: a name, the API version it was written for, and its hooks. */
export interface Plugin {
  /** `^[a-z0-9][a-z0-9-]*$`, unique across all loaded plugins. */
  name: string;
  /** The plugin's own version, shown by `kaizen plugins list`. */
  version?: string;
  /** The plugin API version the plugin was written for ({@link PLUGIN_API_VERSION}). */
  apiVersion: typeof PLUGIN_API_VERSION;
  /** The sections it adds to bundles. */
  sections?: SectionPlugin[];
  /** The sinks it offers to `--sink`. */
  sinks?: SinkPlugin[];
}
