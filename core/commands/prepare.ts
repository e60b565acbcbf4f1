/**
 * `kaizen schedule prepare <agent>`: assemble the orientation bundle offline
 * from the target repo's own state and hand it to the selected sinks.
 *
 * @module
 */
import { emitToSinks } from "../bundle/emit.ts";
import { prepareBundle } from "../bundle/prepare.ts";
import type { BundleFormat } from "../bundle/types.ts";
import type { TypedInvocation } from "../cli/framework.ts";
import type { PREPARE_OPTIONS } from "./options.ts";
import { asCliError, CliError, stdout, warn } from "../cli/io.ts";
import { KaizenError } from "../errors.ts";
import { resolve } from "../fs/paths.ts";
import { processEnv } from "../env.ts";
import {
  buildRegistry,
  existingHostPluginsFile,
  pluginFlags,
  type PluginSources,
} from "../plugin/build.ts";
import { didYouMean } from "../text/suggest.ts";
import { printable } from "../text/printable.ts";
import { resolveNow, resolveTarget } from "./target.ts";

/** What the CLI passes besides the parsed arguments. */
export interface PrepareRuntime {
  program: string;
  /** The built-ins, and plugins registered by a custom entry point (examples/custom-binary.ts). */
  plugins: PluginSources;
}

function positiveInt(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const s = String(value);
  if (!/^\d+$/.test(s) || Number(s) <= 0 || !Number.isSafeInteger(Number(s))) {
    throw new CliError(`${flag} must be a positive whole number, got '${printable(s)}'`, 2);
  }
  return Number(s);
}

/** Runs prepare; returns the exit code. */
export async function prepareCommand(
  inv: TypedInvocation<typeof PREPARE_OPTIONS>,
  runtime: PrepareRuntime,
): Promise<number> {
  const prog = runtime.program;
  const agent = inv.args[0];
  const rootPath = await resolveTarget(inv.opts.target).catch((err) => {
    // Its message quotes --target as given; a folder name can hold escape sequences.
    throw err instanceof CliError ? new CliError(printable(err.message, 500), err.exitCode) : err;
  });
  const now = resolveNow(inv.opts.now);
  const format = (inv.opts.format ?? "markdown") as BundleFormat;
  const maxTokens = positiveInt(inv.opts["max-tokens"], "--max-tokens");
  const maxFileBytes = positiveInt(inv.opts["max-file-bytes"], "--max-file-bytes");
  const sinkTimeout = positiveInt(inv.opts["sink-timeout"], "--sink-timeout");
  const out = typeof inv.opts.out === "string" ? resolve(inv.opts.out) : undefined;
  const strict = inv.opts.strict === true;

  const registry = await buildRegistry(runtime.plugins, {
    root: rootPath,
    ...pluginFlags(inv.opts),
    notice: (m) => warn(prog, m, "notice"),
  });
  const available = registry.sinks().map((s) => s.sink.name);
  // Without --sink: the first sink that writes where the bundle is asked for.
  const byDefault = registry.sinks().find((o) => o.sink.writes === (out ? "out" : "stdout"));
  const sinkNames = typeof inv.opts.sink === "string"
    ? inv.opts.sink.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : byDefault
    ? [byDefault.sink.name]
    : [];
  const added: string[] = [];
  // Notification sinks add, content sinks replace: when every chosen sink
  // only announces the bundle, it still goes where it would go by default.
  // (A dry run delivers nothing: stdout is the description's.)
  if (
    inv.opts["dry-run"] !== true &&
    sinkNames.length > 0 && byDefault && !sinkNames.includes(byDefault.sink.name) &&
    sinkNames.every((name) => registry.sink(name)?.sink.announces === true)
  ) {
    sinkNames.unshift(byDefault.sink.name);
    added.push(byDefault.sink.name);
  }
  if (sinkNames.length === 0) {
    throw new CliError(`no sink writes ${out ? "--out" : "to stdout"}: choose one with --sink`, 2);
  }
  for (const name of sinkNames) {
    if (!registry.sink(name)) {
      throw new CliError(
        `unknown sink '${printable(name)}'${didYouMean(name, available)}; available: ${
          available.join(", ")
        }`,
        2,
      );
    }
  }
  for (const name of sinkNames) {
    if (registry.sink(name)?.sink.writes === "out" && !out) {
      throw new CliError(`the ${name} sink needs --out FILE`, 2);
    }
  }

  let prepared;
  try {
    prepared = await prepareBundle({
      target: rootPath,
      agent,
      format,
      now,
      repo: typeof inv.opts.repo === "string" ? inv.opts.repo : undefined,
      maxTokens,
      maxFileBytes,
      registry,
      program: prog,
      commandArgs: await pluginCommandArgs(inv.opts),
      onWarning: (m, level) => warn(prog, m, level),
    });
  } catch (err) {
    // The CLI's words for the library's: `--max-tokens` where it says "the token budget".
    if (err instanceof KaizenError) throw asCliError(err);
    throw err;
  }
  if (strict && prepared.pluginFailures > 0) {
    throw new CliError(
      `${prepared.pluginFailures} plugin hook${
        prepared.pluginFailures === 1 ? "" : "s"
      } failed; --strict writes no bundle`,
      1,
    );
  }
  const results = await emitToSinks(prepared.rendering, {
    sinks: sinkNames.map((name) => registry.sink(name)!),
    format,
    out,
    redact: prepared.redact,
    report: (m, level) => warn(prog, m, level ?? "warning"),
    // Every option as parsed: each sink picks its own declared ones (and --dry-run).
    options: inv.opts,
    timeoutMs: sinkTimeout,
    print: stdout,
    everySink: typeof inv.opts.sink === "string",
    quiet: added,
  });
  return results.some((r) => !r.ok) ? 1 : 0;
}

/**
 * The plugin options for the bundle's `prepare_command`: the plugins file
 * that was read (given, or the host default that exists now, by absolute
 * path, so the command does not depend on the runner's `XDG_CONFIG_HOME`)
 * and `--trust-repo-plugins`.
 */
async function pluginCommandArgs(
  opts: { readonly plugins?: string; readonly "trust-repo-plugins"?: boolean },
): Promise<string[]> {
  const { shellQuote } = await import("../text/shell_quote.ts");
  const words: string[] = [];
  const file = typeof opts.plugins === "string"
    ? resolve(opts.plugins)
    : existingHostPluginsFile(processEnv);
  if (file !== undefined) words.push("--plugins", shellQuote(file));
  if (opts["trust-repo-plugins"] === true) words.push("--trust-repo-plugins");
  return words;
}
