/**
 * From a finished bundle to its sinks: render, scan the rendered output one
 * last time, hand it to each sink, report each sink's failure.
 *
 * The pipeline already redacted every string of the bundle, so the final scan
 * should find nothing. It is there so that a renderer written later (or a
 * bug in this one) that joins redacted pieces back into a secret, or prints
 * something it was not given, still cannot leak it: what a sink receives — the
 * markdown, the JSON, the `--out` file — has passed the redactor as a whole.
 * What it finds is counted in `redactions` and reported as a warning.
 *
 * @module
 */
import { processEnv } from "../env.ts";
import { KaizenError, placeOf } from "../errors.ts";
import { resolveSinkOptions } from "../plugin/sink_options.ts";
import type { OwnedSink } from "../plugin/registry.ts";
import { printable, stripControl } from "../text/printable.ts";
import { errorMessage } from "./pipeline.ts";
import { renderBundle } from "./render.ts";
import type { Redactor } from "./scan.ts";
import type { Bundle, BundleFormat } from "./types.ts";

/** The rendered output every sink receives, after the final scan. */
export interface SafeRendering {
  text: string;
  bundle: Bundle;
  /** Secrets the final scan found in the rendered output (0 unless a renderer leaked). */
  caught: number;
}

/**
 * Renders `bundle` in `format` and scans the result. When the scan finds
 * something, the bundle's `redactions` and `warnings` say so, the output is
 * rendered again with them, and the redacted rendering is what is returned.
 * (Then JSON `bytes` may be off by the markers' length; a leak is a bug to
 * fix, not a state to make pretty.)
 */
export async function renderSafely(
  bundle: Bundle,
  format: BundleFormat,
  redact: Redactor,
): Promise<SafeRendering> {
  const first = renderBundle(bundle, format);
  const scan = await redact(stripControl(first.text), { source: `bundle.${format}` });
  if (scan.count === 0 && scan.text === first.text) {
    return { text: first.text, bundle: first.bundle, caught: 0 };
  }
  const caught = scan.count;
  const noted: Bundle = {
    ...bundle,
    redactions: bundle.redactions + caught,
    warnings: caught > 0
      ? [
        ...bundle.warnings,
        `the final scan of the rendered ${format} redacted ${caught} more secret${
          caught === 1 ? "" : "s"
        }`,
      ]
      : bundle.warnings,
  };
  const again = renderBundle(noted, format);
  const rescan = await redact(stripControl(again.text), { source: `bundle.${format}` });
  return { text: rescan.text, bundle: again.bundle, caught };
}

/** Everything {@link emitToSinks} needs besides the bundle. */
export interface EmitOptions {
  sinks: readonly OwnedSink[];
  format: BundleFormat;
  out?: string;
  redact: Redactor;
  /** Reports one line on stderr (`error` for failures, `notice` for a sink's outcome). */
  report: (message: string, level?: "warning" | "error" | "notice") => void;
  /**
   * The command line's options as parsed, keyed by flag: each sink receives
   * its declared ones, resolved with their variables and defaults
   * ({@link resolveSinkOptions}), and `dry-run`.
   */
  options?: Readonly<Record<string, unknown>>;
  /** Environment for sinks; default: the process's (unreadable → undefined). */
  env?: (name: string) => string | undefined;
  /** `fetch` for HTTP sinks; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Standard output for sinks that print (dry runs). */
  print?: (text: string) => void;
  /** Each sink's deadline; default {@link DEFAULT_SINK_TIMEOUT_MS}. */
  timeoutMs?: number;
  /**
   * Report every sink, `ok` included (the CLI sets it when sinks were chosen
   * with `--sink`; the default stdout/file delivery stays quiet).
   */
  everySink?: boolean;
  /** Sinks whose `ok` is not reported even with `everySink` (a default delivery added by the CLI). */
  quiet?: readonly string[];
}

/**
 * A sink's deadline unless `--sink-timeout` says otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SINK_TIMEOUT_MS, emitToSinks, prepareBundle } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const prepared = await prepareBundle({ target: repo, agent: "coach", repo: "acme/widgets" });
 *   const budgets: (number | undefined)[] = [];
 *   const probe = { name: "probe", emit: (_b: unknown, ctx: { timeoutMs?: number }) => {
 *     budgets.push(ctx.timeoutMs); // what the sink may spend on retries
 *   } };
 *   const options = { format: "markdown", redact: prepared.redact, report: () => {} } as const;
 *   const sinks = [{ plugin: "team", sink: probe }];
 *   await emitToSinks(prepared.rendering, { ...options, sinks });
 *   assert.deepEqual(budgets, [DEFAULT_SINK_TIMEOUT_MS]); // 10 s
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export const DEFAULT_SINK_TIMEOUT_MS = 10_000;

/** What one sink did. */
export interface SinkResult {
  sink: string;
  plugin: string;
  ok: boolean;
  /** The sink's own outcome line, or why it failed (redacted, printable). */
  detail: string;
}

/**
 * Hands one safe rendering to every sink, all at once, each under its own
 * deadline, and reports one line per sink that failed or had something to
 * say, in the order the sinks were chosen. A sink's failure is a result,
 * never an exception: every chosen sink is attempted. A sink's messages may
 * quote what it was sending, so they are redacted and made printable first.
 * A closed stdout (`| head`) is not a sink failure: it is rethrown, after
 * the other sinks finished, for the CLI to stop quietly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emitToSinks, prepareBundle } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const prepared = await prepareBundle({ target: repo, agent: "coach", repo: "acme/widgets" });
 *   const archived: string[] = [];
 *   const reports: string[] = [];
 *   const archive = { name: "archive", emit: (_b: unknown, ctx: { rendered: string }) => {
 *     archived.push(ctx.rendered);
 *   } };
 *   const pager = { name: "pager", emit: () => Promise.reject(new Error("pager is down")) };
 *   const results = await emitToSinks(prepared.rendering, {
 *     sinks: [{ plugin: "team", sink: archive }, { plugin: "team", sink: pager }],
 *     format: "markdown",
 *     redact: prepared.redact,
 *     report: (message) => reports.push(message),
 *   });
 *   // Every sink is attempted; a failure is a result, not an exception.
 *   assert.deepEqual(results.map((r) => `${r.sink}: ${r.ok}`), ["archive: true", "pager: false"]);
 *   assert.deepEqual(archived, [prepared.rendering.text]);
 *   assert.match(reports.join("\n"), /pager is down/);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function emitToSinks(
  rendering: SafeRendering,
  opts: EmitOptions,
): Promise<SinkResult[]> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SINK_TIMEOUT_MS;
  const renderings = new Map<BundleFormat, Promise<string>>([
    [opts.format, Promise.resolve(rendering.text)],
  ]);
  const render = (format: BundleFormat) => {
    let r = renderings.get(format);
    if (!r) {
      r = renderSafely(rendering.bundle, format, opts.redact).then((x) => x.text);
      renderings.set(format, r);
    }
    return r;
  };
  const clean = async (text: string, source: string) =>
    printable((await opts.redact(stripControl(text), { source })).text, 300);

  const runs = opts.sinks.map(async (owned) => {
    const name = owned.sink.name;
    const env = opts.env ?? processEnv;
    const lines: Array<{ text: Promise<string>; level: "warning" | "error" | "notice" }> = [];
    const signal = AbortSignal.timeout(timeoutMs);
    // This object, and only it, means the deadline won: a sink's own timeout
    // error (its HTTP client's) is that sink's failure, told in its words.
    const timedOut = new KaizenError("timeout", `timed out after ${timeoutMs} ms`, { sink: name });
    let brokenPipe: unknown;
    let result: SinkResult;
    try {
      const work = Promise.resolve(owned.sink.emit(rendering.bundle, {
        rendered: rendering.text,
        format: opts.format,
        out: opts.out,
        warn: (m) => {
          lines.push({
            text: clean(String(m), "sink-warning").then((t) => `sink '${name}': ${t}`),
            level: "warning",
          });
        },
        render,
        options: resolveSinkOptions(owned.sink, opts.options ?? {}, env),
        env,
        fetch: opts.fetch ?? globalThis.fetch,
        signal,
        timeoutMs,
        print: opts.print,
      }));
      const detail = await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          if (signal.aborted) reject(timedOut);
          signal.addEventListener("abort", () => reject(timedOut), { once: true });
        }),
      ]);
      const said = typeof detail === "string" && detail !== "" ? await clean(detail, "sink") : "";
      result = { sink: name, plugin: owned.plugin, ok: true, detail: said };
      if (said || (opts.everySink && !opts.quiet?.includes(name))) {
        lines.push({ text: Promise.resolve(`sink '${name}': ${said || "ok"}`), level: "notice" });
      }
    } catch (err) {
      if (err instanceof Deno.errors.BrokenPipe) brokenPipe = err;
      const why = err === timedOut ? timedOut.detail : await clean(errorMessage(err), "sink-error");
      result = { sink: name, plugin: owned.plugin, ok: false, detail: why };
      lines.push({
        text: Promise.resolve(`${placeOf({ plugin: owned.plugin, sink: name })} failed: ${why}`),
        level: "error",
      });
    }
    return { result, lines, brokenPipe };
  });

  const done = await Promise.all(runs);
  for (const { lines, brokenPipe } of done) {
    if (brokenPipe) continue;
    for (const line of lines) opts.report(await line.text, line.level);
  }
  const pipe = done.find((d) => d.brokenPipe);
  if (pipe) throw pipe.brokenPipe;
  return done.map((d) => d.result);
}
