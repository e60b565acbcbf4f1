/**
 * The metrics library answers with results (`{ ok: true, ... }` or a
 * `MetricsProblem`): {@link must} unwraps one a test expects to succeed, and
 * fails with the problem's code and message otherwise.
 */
import type { MetricsProblem } from "../core/state/metrics/mod.ts";

/** The value of a result that must be `ok`. */
export async function must<R extends { ok: boolean }>(
  result: R | Promise<R>,
): Promise<Exclude<R, MetricsProblem>> {
  const r = await result;
  if (!r.ok) {
    const p = r as unknown as MetricsProblem;
    throw new Error(`expected ok, got the problem ${p.code}: ${p.message}`);
  }
  return r as Exclude<R, MetricsProblem>;
}
