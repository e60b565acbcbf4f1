/**
 * The loaded sinks' readiness checks as doctor probes: one probe per sink
 * that declares `check`, named after the sink, skipped by `--offline` like
 * every network probe. Doctor knows no sink by name.
 *
 * @module
 */
import type { OwnedSink } from "../plugin/registry.ts";
import { resolveSinkOptions, SinkOptionError } from "../plugin/sink_options.ts";
import type { SinkCheckReporter } from "../plugin/types.ts";
import type { Probe, Reporter } from "./model.ts";

/** A sink check's default deadline. */
export const SINK_CHECK_DEADLINE_MS = 8_000;

/**
 * One probe per sink with a check, in registration order, plus what the
 * report must mask: every string option value the checks will see (URLs,
 * whose credentials are masked) and the values of the sinks' credential
 * variables.
 */
export function sinkProbes(
  sinks: readonly OwnedSink[],
  raw: Readonly<Record<string, unknown>>,
  env: (name: string) => string | undefined,
): { probes: Probe[]; urls: string[]; credentials: string[] } {
  const probes: Probe[] = [];
  const urls: string[] = [];
  const credentials: string[] = [];
  for (const { sink } of sinks) {
    const check = sink.check;
    if (!check) continue;
    for (const name of sink.credentialVariables ?? []) {
      const value = env(name);
      if (value) credentials.push(value);
    }
    let options: ReturnType<typeof resolveSinkOptions> | undefined;
    let problem: string | undefined;
    try {
      options = resolveSinkOptions(sink, raw, env);
      for (const v of Object.values(options)) if (typeof v === "string") urls.push(v);
    } catch (err) {
      if (!(err instanceof SinkOptionError)) throw err;
      problem = err.message;
    }
    probes.push({
      area: sink.name,
      network: true,
      deadlineMs: sink.checkTimeoutMs ?? SINK_CHECK_DEADLINE_MS,
      async run(ctx, report) {
        if (options === undefined) {
          report.fail(
            `${sink.name}.options`,
            problem ?? "unusable option",
            "fix the option's value",
          );
          return;
        }
        await check.call(sink, {
          options,
          env: ctx.env,
          signal: ctx.signal,
          now: ctx.now,
          report: scoped(sink.name, report),
        });
      },
    });
  }
  return { probes, urls, credentials };
}

/** Check ids are `<sink>.<check>`: an id without the sink's prefix gets it. */
function scoped(name: string, report: Reporter): SinkCheckReporter {
  const id = (x: string) => (x.startsWith(`${name}.`) ? x : `${name}.${x}`);
  return {
    step: (x, fix) => report.step(id(x), fix),
    pass: (x, detail) => report.pass(id(x), detail),
    warn: (x, detail, fix) => report.warn(id(x), detail, fix),
    fail: (x, detail, fix) => report.fail(id(x), detail, fix),
    skip: (x, detail) => report.skip(id(x), detail),
  };
}
