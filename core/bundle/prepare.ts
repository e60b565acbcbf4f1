/**
 * `prepareBundle`: everything `kaizen schedule prepare` does before the
 * sinks, as one library call — resolve the target and agent, read the
 * manifest, run the sections under one deadline, redact, render and scan.
 * The CLI is a thin shell around it; an orchestrator or the MCP server calls
 * it directly.
 *
 * @module
 */
import { processEnv } from "../env.ts";
import { type ErrorFields, KaizenError, type KaizenErrorCode } from "../errors.ts";
import { BudgetExceededError } from "./budget.ts";
import { renderSafely, type SafeRendering } from "./emit.ts";
import { runPipeline } from "./pipeline.ts";
import { defaultRedactor, type Redactor } from "./scan.ts";
import { loadTokenCounter } from "./tokens.ts";
import type { Bundle, BundleFormat } from "./types.ts";
import { createDeadline, DEFAULT_DEADLINE_MS } from "../fs/deadline.ts";
import { resolve } from "../fs/paths.ts";
import { createSafeReader, DEFAULT_MAX_FILE_BYTES } from "../fs/safe_read.ts";
import { AGENT_NAME_RE } from "../manifest/constants.ts";
import { loadSchedule } from "../manifest/load.ts";
import { inProcessRegistry } from "../plugin/build.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { Plugin } from "../plugin/types.ts";
import { resolveRepoSlug } from "../repo/slug.ts";
import { printable } from "../text/printable.ts";
import { didYouMean } from "../text/suggest.ts";
import { shellQuote } from "../text/shell_quote.ts";

/** What to prepare. Only `target` and `agent` are required. */
export interface PrepareOptions {
  /** The repository checkout. */
  target: string;
  agent: string;
  format?: BundleFormat;
  /** The clock (default: now); pins `generated_at`. */
  now?: Date;
  /** Roster slug (default: `KAIZEN_REPO`, the git remote, the folder name). */
  repo?: string;
  maxTokens?: number;
  /** Per-file read cap (default 1 MiB). */
  maxFileBytes?: number;
  /** Deadline for all reads and section hooks (default 10 s). */
  deadlineMs?: number;
  /**
   * kaizen's own plugins (ignored when `registry` is given). Core does not
   * know them: `mod.ts`'s `prepareBundle` passes the built-in plugin here.
   */
  builtins?: readonly Plugin[];
  /** Plugins besides the built-ins (ignored when `registry` is given). */
  plugins?: readonly Plugin[];
  /** A registry built by the caller (the CLI adds plugins-file plugins). */
  registry?: PluginRegistry;
  /** Program name used in `prepare_command` and session-close commands (default `kaizen`). */
  program?: string;
  /**
   * Shell words the front end adds to `prepare_command` for options that
   * shape the bundle but that this function does not see (the CLI's
   * `--plugins FILE`, `--trust-repo-plugins`), already quoted, in order.
   */
  commandArgs?: readonly string[];
  /** Warnings and notices, one line each, already printable. */
  onWarning?: (message: string, level: "warning" | "notice") => void;
  /** Environment lookups (`KAIZEN_REPO`); default: the process's. */
  env?: (name: string) => string | undefined;
}

/** A prepared bundle, rendered in its format and scanned: what every sink receives. */
export interface PreparedBundle {
  bundle: Bundle;
  rendering: SafeRendering;
  /** Section hooks that failed (their sections carry a warning). */
  pluginFailures: number;
  /** Sinks and renderings of other formats use the same redactor. */
  redact: Redactor;
  registry: PluginRegistry;
}

/** Why {@link prepareBundle} refused: the target, the agent, or the token budget. */
export type PrepareErrorCode = Extract<
  KaizenErrorCode,
  "invalid-target" | "unknown-agent" | "over-budget"
>;

/**
 * Bad input to {@link prepareBundle}: one printable line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PrepareError, prepareBundle } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await assert.rejects(prepareBundle({ target: repo, agent: "coahc" }), (err) => {
 *     assert.ok(err instanceof PrepareError);
 *     assert.equal(err.code, "unknown-agent");
 *     assert.equal(err.exitCode, 1);
 *     assert.match(err.message, /unknown agent 'coahc' \(did you mean 'coach'\?\)/);
 *     return true;
 *   });
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export class PrepareError extends KaizenError {
  override name = "PrepareError";
  declare readonly code: PrepareErrorCode;
  constructor(message: string, code: PrepareErrorCode, fields: ErrorFields = {}) {
    super(code, message, fields);
  }
}

/**
 * Assembles the orientation bundle for `agent` in `target`.
 *
 * The core function takes kaizen's own plugins as `builtins` (core does not
 * import `plugins/`); `mod.ts`'s `prepareBundle` passes the built-in plugin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { definePlugin } from "../../mod.ts";
 * import { prepareBundle } from "./prepare.ts";
 *
 * const notes = definePlugin({
 *   name: "notes",
 *   apiVersion: 1,
 *   sections: [{
 *     id: "notes",
 *     title: "Notes",
 *     order: 450,
 *     collect: () => ({ content: "Ship on Fridays." }),
 *   }],
 * });
 * const repo = await Deno.makeTempDir();
 * try {
 *   const { bundle, rendering } = await prepareBundle({
 *     target: repo,
 *     agent: "coach",
 *     repo: "acme/widgets",
 *     plugins: [notes], // no builtins: only this section
 *   });
 *   assert.deepEqual(bundle.sections.map((s) => s.id), ["notes"]);
 *   assert.match(rendering.text, /## Notes\n\nShip on Fridays\./);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function prepareBundle(options: PrepareOptions): Promise<PreparedBundle> {
  const deadline = createDeadline(options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  const format = options.format ?? "markdown";
  const program = options.program ?? "kaizen";
  const notify = options.onWarning ?? (() => {});
  const env = options.env ?? processEnv;
  // The tokenizer takes tens of ms to load; start now so its load overlaps
  // the file reads below instead of following them.
  if (format === "json" || options.maxTokens !== undefined) loadTokenCounter().catch(() => {});

  const rootPath = resolve(options.target);
  try {
    if (!(await Deno.stat(rootPath)).isDirectory) throw new Error("not a directory");
  } catch {
    throw new PrepareError(
      `target '${printable(options.target, 300)}' is not a directory`,
      "invalid-target",
    );
  }

  // The manifest loader already knows the target's agents (installed + packaged).
  const loaded = await loadSchedule(rootPath);
  const catalog = loaded.knownAgents;
  const agent = options.agent;
  if (!AGENT_NAME_RE.test(agent) || !catalog.includes(agent)) {
    throw new PrepareError(
      `unknown agent '${printable(agent)}'${didYouMean(agent, catalog)}; known agents: ${
        catalog.join(", ")
      }`,
      "unknown-agent",
    );
  }
  const registry = options.registry ??
    inProcessRegistry({ builtins: options.builtins ?? [], embedded: options.plugins ?? [] });

  const entry = loaded.schedule?.agents[agent];
  // The path comes from --target: a folder name can hold escape sequences.
  const manifestFile = printable(loaded.file, 300);
  if (loaded.exists && !loaded.schedule) {
    notify(
      `${manifestFile} is invalid; preparing without schedule data (run '${program} schedule validate')`,
      "warning",
    );
  } else if (!loaded.exists) {
    notify(`no ${manifestFile}; the bundle has no cadence`, "notice");
  } else if (!entry) {
    notify(
      `agent '${agent}' is not listed in ${manifestFile}; the bundle has no cadence`,
      "warning",
    );
  } else if (!entry.enabled) {
    notify(`agent '${agent}' is disabled in ${manifestFile}; preparing anyway`, "warning");
  }

  const files = await createSafeReader(
    rootPath,
    options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    deadline,
  );
  const redact = defaultRedactor;
  const { slug } = await resolveRepoSlug(files, options.repo, env);
  const command = reproducingCommand({
    program,
    agent,
    root: files.root,
    repo: slug,
    format,
    maxTokens: options.maxTokens,
    maxFileBytes: options.maxFileBytes,
    extra: options.commandArgs ?? [],
  });

  let result;
  try {
    result = await runPipeline({
      agent,
      repo: slug,
      files,
      loaded,
      registry,
      now: options.now ?? new Date(),
      format,
      program,
      prepareCommand: command,
      countTokens: format === "json",
      maxTokens: options.maxTokens,
      onWarning: (m) => notify(m, "warning"),
      redact,
    });
  } catch (err) {
    if (err instanceof BudgetExceededError) {
      throw new PrepareError(err.detail, "over-budget", {
        subject: err.subject,
        option: err.option,
        cause: err,
      });
    }
    throw err;
  }
  // Every sink gets the same rendering, scanned once more as a whole.
  const rendering = await renderSafely(result.bundle, format, redact);
  if (rendering.caught > 0) notify(rendering.bundle.warnings.at(-1)!, "warning");
  if (rendering.bundle.redactions > 0) {
    const n = rendering.bundle.redactions;
    notify(`redacted ${n} secret${n === 1 ? "" : "s"} from the bundle`, "notice");
  }
  return {
    bundle: rendering.bundle,
    rendering,
    pluginFailures: result.pluginFailures,
    redact,
    registry,
  };
}

/**
 * The `prepare_command` of a bundle: every option that shapes the bundle,
 * in one canonical order (agent, `--target`, `--repo`, `--format`,
 * `--max-tokens`, `--max-file-bytes`, then the front end's plugin options),
 * shell-quoted, so that running it again with the same `--now` prints the
 * same bytes. `--repo` is always there: the slug it names would otherwise
 * depend on the environment (`KAIZEN_REPO`) or the remote of the moment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reproducingCommand } from "./prepare.ts";
 *
 * const command = reproducingCommand({
 *   program: "kaizen",
 *   agent: "coach",
 *   root: "/srv/alpha",
 *   repo: "acme-invoices",
 *   format: "markdown",
 *   extra: [],
 * });
 * assert.equal(command, "kaizen schedule prepare coach --target /srv/alpha --repo acme-invoices");
 * ```
 */
export function reproducingCommand(parts: {
  program: string;
  agent: string;
  root: string;
  repo: string;
  format: BundleFormat;
  maxTokens?: number;
  maxFileBytes?: number;
  extra: readonly string[];
}): string {
  const words = [
    parts.program,
    "schedule",
    "prepare",
    parts.agent,
    "--target",
    shellQuote(parts.root),
    "--repo",
    shellQuote(parts.repo),
  ];
  if (parts.format !== "markdown") words.push("--format", parts.format);
  if (parts.maxTokens !== undefined) words.push("--max-tokens", String(parts.maxTokens));
  if (parts.maxFileBytes !== undefined && parts.maxFileBytes !== DEFAULT_MAX_FILE_BYTES) {
    words.push("--max-file-bytes", String(parts.maxFileBytes));
  }
  return [...words, ...parts.extra].join(" ");
}
