/**
 * `kaizen schedule prepare <agent>`: assemble the orientation bundle offline
 * from the target repo's own state and hand it to the selected sinks.
 *
 * @module
 */
import { BudgetExceededError } from "../bundle/budget.ts";
import { emitToSinks, renderSafely } from "../bundle/emit.ts";
import { runPipeline } from "../bundle/pipeline.ts";
import { defaultRedactor } from "../bundle/scan.ts";
import { loadTokenCounter } from "../bundle/tokens.ts";
import type { BundleFormat } from "../bundle/types.ts";
import type { Invocation } from "../cli/framework.ts";
import { CliError, stdout, warn } from "../cli/io.ts";
import { createDeadline, DEFAULT_DEADLINE_MS } from "../fs/deadline.ts";
import { createSafeReader, DEFAULT_MAX_FILE_BYTES } from "../fs/safe_read.ts";
import { resolve } from "../fs/paths.ts";
import { AGENT_NAME_RE } from "../manifest/constants.ts";
import { loadSchedule } from "../manifest/load.ts";
import type { Plugin } from "../plugin/types.ts";
import { resolveRepoSlug } from "../repo/slug.ts";
import { didYouMean } from "../text/suggest.ts";
import { printable } from "../text/printable.ts";
import { shellQuote } from "../../plugins/builtin/session_close.ts";
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
export async function prepareCommand(inv: Invocation, runtime: PrepareRuntime): Promise<number> {
  // One deadline for everything that touches the target repo (reads, section
  // hooks), so no file or plugin can hang a scheduled run.
  const deadline = createDeadline(DEFAULT_DEADLINE_MS);
  const prog = runtime.program;
  const agent = inv.args[0];
  const rootPath = await resolveTarget(inv.opts.target).catch((err) => {
    // Its message quotes --target as given; a folder name can hold escape sequences.
    throw err instanceof CliError ? new CliError(printable(err.message, 500), err.exitCode) : err;
  });
  const now = resolveNow(inv.opts.now);
  const format = (inv.opts.format ?? "markdown") as BundleFormat;
  const maxTokens = positiveInt(inv.opts["max-tokens"], "--max-tokens");
  const maxFileBytes = positiveInt(inv.opts["max-file-bytes"], "--max-file-bytes") ??
    DEFAULT_MAX_FILE_BYTES;
  const out = typeof inv.opts.out === "string" ? resolve(inv.opts.out) : undefined;
  const strict = inv.opts.strict === true;
  // The tokenizer takes tens of ms to load; start now so its load overlaps
  // the file reads below instead of following them.
  if (format === "json" || maxTokens !== undefined) loadTokenCounter().catch(() => {});

  // The manifest loader already knows the target's agents (installed + packaged).
  const loaded = await loadSchedule(rootPath);
  const catalog = loaded.knownAgents;
  if (!AGENT_NAME_RE.test(agent) || !catalog.includes(agent)) {
    throw new CliError(
      `unknown agent '${printable(agent)}'${didYouMean(agent, catalog)}; known agents: ${
        catalog.join(", ")
      }`,
      1,
    );
  }

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
  const sinkTimeout = positiveInt(inv.opts["sink-timeout"], "--sink-timeout");

  const entry = loaded.schedule?.agents[agent];
  // The path comes from --target: a folder name can hold escape sequences.
  const manifestFile = printable(loaded.file, 300);
  if (loaded.exists && !loaded.schedule) {
    warn(
      prog,
      `${manifestFile} is invalid; preparing without schedule data (run '${prog} schedule validate')`,
    );
  } else if (!loaded.exists) {
    warn(prog, `no ${manifestFile}; the bundle has no cadence`, "notice");
  } else if (!entry) {
    warn(prog, `agent '${agent}' is not listed in ${manifestFile}; the bundle has no cadence`);
  } else if (!entry.enabled) {
    warn(prog, `agent '${agent}' is disabled in ${manifestFile}; preparing anyway`);
  }

  const files = await createSafeReader(rootPath, maxFileBytes, deadline);
  const redact = defaultRedactor;
  const { slug } = await resolveRepoSlug(
    files,
    typeof inv.opts.repo === "string" ? inv.opts.repo : undefined,
    envGet,
  );
  const command = [prog, "schedule", "prepare", agent, "--target", shellQuote(files.root)];
  if (format !== "markdown") command.push("--format", format);

  let result;
  try {
    result = await runPipeline({
      agent,
      repo: slug,
      files,
      loaded,
      registry,
      now,
      format,
      program: prog,
      prepareCommand: command.join(" "),
      countTokens: format === "json",
      maxTokens,
      onWarning: (m) => warn(prog, m),
      redact,
    });
  } catch (err) {
    if (err instanceof BudgetExceededError) throw new CliError(err.message, 1);
    throw err;
  }
  if (strict && result.pluginFailures > 0) {
    throw new CliError(
      `${result.pluginFailures} plugin hook${
        result.pluginFailures === 1 ? "" : "s"
      } failed; --strict writes no bundle`,
      1,
    );
  }
  // Every sink gets the same rendering, scanned once more as a whole.
  const rendering = await renderSafely(result.bundle, format, redact);
  if (rendering.caught > 0) {
    warn(prog, rendering.bundle.warnings[rendering.bundle.warnings.length - 1]);
  }
  if (rendering.bundle.redactions > 0) {
    warn(
      prog,
      `redacted ${rendering.bundle.redactions} secret${
        rendering.bundle.redactions === 1 ? "" : "s"
      } from the bundle`,
      "notice",
    );
  }
  const results = await emitToSinks(rendering, {
    sinks: sinkNames.map((name) => registry.sink(name)!),
    format,
    out,
    redact,
    report: (m, level) => warn(prog, m, level ?? "warning"),
    options: {
      "nats-url": inv.opts["nats-url"],
      subject: inv.opts.subject,
      "retention-class": inv.opts["retention-class"],
      "dry-run": inv.opts["dry-run"] === true,
    },
    timeoutMs: sinkTimeout,
    print: stdout,
  });
  return results.some((r) => !r.ok) ? 1 : 0;
}

function envGet(key: string): string | undefined {
  try {
    return Deno.env.get(key);
  } catch {
    return undefined;
  }
}
