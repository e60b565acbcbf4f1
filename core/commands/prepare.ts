/**
 * `kaizen schedule prepare <agent>`: assemble the orientation bundle offline
 * from the target repo's own state and hand it to the selected sinks.
 *
 * @module
 */
import { emitToSinks } from "../bundle/emit.ts";
import { prepareBundle } from "../bundle/prepare.ts";
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
import { resolveTarget } from "./target.ts";

/** What the CLI passes besides the parsed arguments. */
export interface PrepareRuntime {
  program: string;
  /** The built-ins, and plugins registered by a custom entry point (examples/custom-binary.ts). */
  plugins: PluginSources;
}

/** Runs prepare; returns the exit code. */
export async function prepareCommand(
  inv: TypedInvocation<typeof PREPARE_OPTIONS>,
  runtime: PrepareRuntime,
): Promise<number> {
  const prog = runtime.program;
  const agent = inv.args[0];
  const rootPath = await resolveTarget(inv.opts.target);
  const now = inv.opts.now ?? new Date();
  const format = inv.opts.format;
  const out = inv.opts.out !== undefined ? resolve(inv.opts.out) : undefined;

  const registry = await buildRegistry(runtime.plugins, {
    root: rootPath,
    ...pluginFlags(inv.opts),
    notice: (m) => warn(prog, m, "notice"),
  });
  const available = registry.sinks().map((s) => s.sink.name);
  // Without --sink: the first sink that writes where the bundle is asked for.
  const byDefault = registry.sinks().find((o) => o.sink.writes === (out ? "out" : "stdout"));
  const sinkNames = inv.opts.sink !== undefined
    ? inv.opts.sink.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : byDefault
    ? [byDefault.sink.name]
    : [];
  const added: string[] = [];
  // Notification sinks add, content sinks replace: when every chosen sink
  // only announces the bundle, it still goes where it would go by default.
  // (A dry run delivers nothing: stdout is the description's.)
  if (
    !inv.opts["dry-run"] &&
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
      repo: inv.opts.repo,
      maxTokens: inv.opts["max-tokens"],
      maxFileBytes: inv.opts["max-file-bytes"],
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
  if (inv.opts.strict && prepared.pluginFailures > 0) {
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
    timeoutMs: inv.opts["sink-timeout"],
    print: stdout,
    everySink: inv.opts.sink !== undefined,
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
  opts: { readonly plugins?: string; readonly "trust-repo-plugins": boolean },
): Promise<string[]> {
  const { shellQuote } = await import("../text/shell_quote.ts");
  const words: string[] = [];
  const file = opts.plugins !== undefined
    ? resolve(opts.plugins)
    : existingHostPluginsFile(processEnv);
  if (file !== undefined) words.push("--plugins", shellQuote(file));
  if (opts["trust-repo-plugins"]) words.push("--trust-repo-plugins");
  return words;
}
