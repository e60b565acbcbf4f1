/**
 * Facts about `.kaizen/schedule.yml` shared by the zod model (schema, types)
 * and the positional validator, so the two cannot drift apart.
 *
 * @module
 */

/** Where a repository keeps its schedule manifest, relative to its root. */
export const MANIFEST_PATH = ".kaizen/schedule.yml";

/** Manifests larger than this are refused before parsing. */
export const MAX_MANIFEST_BYTES = 256 * 1024;

/** The only manifest version this release understands. */
export const MANIFEST_VERSION = "1";

/** How often an agent runs, before any cron override. */
export const CADENCES = ["daily", "weekly", "monthly"] as const;
export type Cadence = typeof CADENCES[number];

/**
 * The cron each cadence stands for when an agent gives no `cron` override:
 * 09:00 in the manifest's timezone — every day, every Monday, or on the 1st.
 */
export const CADENCE_DEFAULT_CRON: Readonly<Record<Cadence, string>> = {
  daily: "0 9 * * *",
  weekly: "0 9 * * 1",
  monthly: "0 9 1 * *",
};

/** Zone used for next-run arithmetic when a manifest names none. */
export const DEFAULT_TIMEZONE = "UTC";

/** Agent names double as path segments, so they are kept to this safe shape. */
export const AGENT_NAME_PATTERN = "^[a-z0-9][a-z0-9-]*$";
export const AGENT_NAME_RE: RegExp = new RegExp(AGENT_NAME_PATTERN);

export const TOP_LEVEL_KEYS = ["version", "timezone", "agents"] as const;
export const AGENT_KEYS = ["cadence", "cron", "enabled"] as const;
