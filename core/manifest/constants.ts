/**
 * Facts about `.kaizen/schedule.yml` shared by the zod model (schema, types)
 * and the positional validator, so the two cannot drift apart.
 *
 * @module
 */

/**
 * Where a repository keeps its schedule manifest, relative to its root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSchedule, MANIFEST_PATH } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${repo}/.kaizen`);
 *   const manifest = 'version: "1"\nagents:\n  coach:\n    cadence: weekly\n';
 *   await Deno.writeTextFile(`${repo}/${MANIFEST_PATH}`, manifest);
 *   const loaded = await loadSchedule(repo);
 *   assert.equal(loaded.file, `${repo}/.kaizen/schedule.yml`);
 *   assert.equal(loaded.schedule?.agents.coach.cadence, "weekly");
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export const MANIFEST_PATH = ".kaizen/schedule.yml";

/** Manifests larger than this are refused before parsing. */
export const MAX_MANIFEST_BYTES = 256 * 1024;

/** The only manifest version this release understands. */
export const MANIFEST_VERSION = "1";

/**
 * How often an agent runs, before any cron override.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Cadence, CADENCES } from "../../mod.ts";
 *
 * const isCadence = (s: string): s is Cadence => (CADENCES as readonly string[]).includes(s);
 * assert.equal(isCadence("weekly"), true);
 * assert.equal(isCadence("hourly"), false);
 * ```
 */
export const CADENCES = ["daily", "weekly", "monthly"] as const;
export type Cadence = typeof CADENCES[number];

/**
 * The cron each cadence stands for when an agent gives no `cron` override:
 * 09:00 in the manifest's timezone — every day, every Monday, or on the 1st.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CADENCE_DEFAULT_CRON, nextRuns } from "../../mod.ts";
 *
 * assert.equal(CADENCE_DEFAULT_CRON.weekly, "0 9 * * 1");
 * // From Wednesday noon, a weekly agent without a cron next runs on Monday at 09:00.
 * const [next] = nextRuns(CADENCE_DEFAULT_CRON.weekly, "UTC", new Date("2026-12-02T12:00:00Z"));
 * assert.equal(next.toISOString(), "2026-12-07T09:00:00.000Z");
 * ```
 */
export const CADENCE_DEFAULT_CRON: Readonly<Record<Cadence, string>> = {
  daily: "0 9 * * *",
  weekly: "0 9 * * 1",
  monthly: "0 9 1 * *",
};

/**
 * Zone used for next-run arithmetic when a manifest names none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_TIMEZONE, parseSchedule } from "../../mod.ts";
 *
 * const { schedule } = parseSchedule('version: "1"\nagents:\n  coach:\n    cadence: daily\n');
 * assert.equal(schedule?.timezone ?? DEFAULT_TIMEZONE, "UTC");
 * ```
 */
export const DEFAULT_TIMEZONE = "UTC";

/** Agent names double as path segments, so they are kept to this safe shape. */
export const AGENT_NAME_PATTERN = "^[a-z0-9][a-z0-9-]*$";
export const AGENT_NAME_RE: RegExp = new RegExp(AGENT_NAME_PATTERN);

export const TOP_LEVEL_KEYS = ["version", "timezone", "agents"] as const;
export const AGENT_KEYS = ["cadence", "cron", "enabled"] as const;
