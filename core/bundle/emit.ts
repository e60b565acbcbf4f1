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
  /** Reports one line on stderr (`error` for failures). */
  report: (message: string, level?: "warning" | "error") => void;
}

/**
 * Sends one safe rendering to each sink in turn and returns how many failed.
 * A sink's error message may quote what it was sending, so it is redacted and
 * made printable before it is reported. A closed stdout (`| head`) is not a
 * sink failure: it is rethrown for the CLI to stop quietly.
 */
export async function emitToSinks(rendering: SafeRendering, opts: EmitOptions): Promise<number> {
  let failed = 0;
  for (const owned of opts.sinks) {
    const name = owned.sink.name;
    // `warn` is synchronous for the sink; the redaction of each warning is
    // awaited before the next sink runs, so stderr keeps its order.
    const pending: Promise<void>[] = [];
    const flush = () => Promise.all(pending.splice(0));
    try {
      await owned.sink.emit(rendering.bundle, {
        rendered: rendering.text,
        format: opts.format,
        out: opts.out,
        warn: (m) => {
          pending.push(
            opts.redact(stripControl(String(m)), { source: "sink-warning" }).then((r) =>
              opts.report(`sink '${name}': ${printable(r.text, 300)}`)
            ),
          );
        },
      });
      await flush();
    } catch (err) {
      await flush();
      if (err instanceof Deno.errors.BrokenPipe) throw err;
      failed++;
      const msg = (await opts.redact(stripControl(errorMessage(err)), { source: "sink-error" }))
        .text;
      opts.report(
        `plugin '${owned.plugin}', sink '${name}' failed: ${printable(msg, 300)}`,
        "error",
      );
    }
  }
  return failed;
}
