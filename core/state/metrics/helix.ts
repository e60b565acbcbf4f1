/**
 * The Helix correlation fields (integration Pattern 1): the five `HELIX_*`
 * environment variables merged into a record, validated so that a typo in a
 * runner's environment is a clear error rather than a record the fleet
 * tooling cannot read.
 *
 * @module
 */
import { printable } from "../../text/printable.ts";
import {
  type HelixFields,
  MAX_HELIX_CHARS,
  MetricsError,
  type MetricsProblem,
  metricsProblem,
} from "./record.ts";

/** Result of {@link helixFromEnv}. */
export type HelixResult = { ok: true; helix: HelixFields } | MetricsProblem;

/**
 * The Helix correlation fields set in `env` (empty values count as unset),
 * or an `invalid` problem naming the variable whose value is unusable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { helixFromEnv } from "../../../mod.ts";
 *
 * const env: Record<string, string> = { HELIX_SESSION_UID: "s-1", HOME: "/home/ci" };
 * assert.deepEqual(helixFromEnv((name) => env[name]), {
 *   ok: true,
 *   helix: { helix_session_uid: "s-1" },
 * });
 * const typo = helixFromEnv((name) => (name === "HELIX_TOKENS" ? "12k" : undefined));
 * assert.equal(typo.ok ? "read" : typo.code, "invalid");
 * ```
 */
export function helixFromEnv(env: (name: string) => string | undefined): HelixResult {
  try {
    return { ok: true, helix: helixFields(env) };
  } catch (err) {
    return metricsProblem(err);
  }
}

/** {@link helixFromEnv}'s work: throws a {@link MetricsError} for an unusable value. */
function helixFields(env: (name: string) => string | undefined): HelixFields {
  const out: HelixFields = {};
  const text = (name: string): string | undefined => {
    const v = env(name)?.trim();
    if (!v) return undefined;
    if (v.length > MAX_HELIX_CHARS || printable(v, Infinity) !== v) {
      throw new MetricsError(
        `${name} must be at most ${MAX_HELIX_CHARS} printable characters`,
        "invalid",
      );
    }
    return v;
  };
  const uid = text("HELIX_SESSION_UID");
  if (uid !== undefined) out.helix_session_uid = uid;
  const repo = text("HELIX_REPO");
  if (repo !== undefined) out.helix_repo = repo;
  const flavor = text("HELIX_FLAVOR");
  if (flavor !== undefined) out.helix_flavor = flavor;
  const tokens = text("HELIX_TOKENS");
  if (tokens !== undefined) {
    if (!/^\d+$/.test(tokens) || !Number.isSafeInteger(Number(tokens))) {
      throw new MetricsError(
        `HELIX_TOKENS must be a whole number of tokens, got '${printable(tokens)}'`,
        "invalid",
      );
    }
    out.helix_tokens = Number(tokens);
  }
  const share = text("HELIX_INFRA_OVERHEAD_SHARE");
  if (share !== undefined) {
    const n = /^(\d+(\.\d+)?|\.\d+)$/.test(share) ? Number(share) : NaN;
    if (!(n >= 0 && n <= 1)) {
      throw new MetricsError(
        `HELIX_INFRA_OVERHEAD_SHARE must be a fraction from 0 to 1, got '${printable(share)}'`,
        "invalid",
      );
    }
    out.helix_infra_overhead_share = n;
  }
  return out;
}
