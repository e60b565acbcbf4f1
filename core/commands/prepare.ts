/**
 * `kaizen schedule prepare <agent>`: assemble the orientation bundle offline
 * from the target repo's own state and hand it to the selected sinks.
 *
 * @module
 */
import { emitToSinks } from "../bundle/emit.ts";
import { prepareBundle, PrepareError } from "../bundle/prepare.ts";
import type { BundleFormat } from "../bundle/types.ts";
import type { TypedInvocation } from "../cli/framework.ts";
import type { PREPARE_OPTIONS } from "./options.ts";
import { CliError, stdout, warn } from "../cli/io.ts";
import { resolve } from "../fs/paths.ts";
import type { Plugin } from "../plugin/types.ts";
import { didYouMean } from "../text/suggest.ts";
import { printable } from "../text/printable.ts";
import { buildRegistry } from "./plugins_setup.ts";
import { resolveNow, resolveTarget } from "./target.ts";

/** What the CLI passes besides the parsed arguments. */
export interface PrepareRuntime {
  program: string;
  /** Plugins registered by a custom entry point (see examples/custom-binary.ts). */
  plugins: readonly Plugin[];
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

  const registry = await buildRegistry(
    inv,
    rootPath,
    runtime.plugins,
    (m) => warn(prog, m, "notice"),
  );
  const sinkNames = typeof inv.opts.sink === "string"
    ? inv.opts.sink.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : [out ? "file" : "stdout"];
  const available = registry.sinks().map((s) => s.sink.name);
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
  if (sinkNames.includes("file") && !out) throw new CliError("the file sink needs --out FILE", 2);

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
      onWarning: (m, level) => warn(prog, m, level),
    });
  } catch (err) {
    if (err instanceof PrepareError) throw new CliError(err.message, 1);
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
    options: {
      "nats-url": inv.opts["nats-url"],
      subject: inv.opts.subject,
      "retention-class": inv.opts["retention-class"],
      "dry-run": inv.opts["dry-run"] === true,
    },
    timeoutMs: sinkTimeout,
    print: stdout,
    everySink: typeof inv.opts.sink === "string",
  });
  return results.some((r) => !r.ok) ? 1 : 0;
}
