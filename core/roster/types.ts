/**
 * The roster: which repositories exist and where each is checked out, from
 * the state hub, a roster file or a directory scan. Every source yields the
 * same entries; the resolver (`./discover.ts`) decides which runs exist.
 *
 * @module
 */

/** One repository as a roster source describes it. */
export interface RosterEntry {
  /** Canonical repository id (the hub's `slug`). */
  slug: string;
  /** Scope such as `custodian`; null when the source has none. */
  domain: string | null;
  /** Hostname → absolute checkout path on that host. */
  host_paths: Record<string, string>;
  /** The hub's advisory opt-in flag (v2), when the source carries it. */
  kaizen_schedule_enabled?: boolean | null;
  kaizen_schedule_updated_at?: string | null;
}

/** Where a roster came from, for messages and `stats`. */
export type RosterSourceKind = "hub" | "roster-file" | "scan";

/**
 * At most this many `due_at` instants are listed per run; `due_count` says
 * how many there are in all. A `* * * * *` cron fires 527,040 times in 366
 * days: listing them all cost gigabytes for one fleet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverScheduledRuns, MAX_DUE_AT } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${repo}/.kaizen`);
 *   await Deno.writeTextFile(
 *     `${repo}/.kaizen/schedule.yml`,
 *     'version: "1"\nagents:\n  coach:\n    cadence: daily\n    cron: "* * * * *"\n',
 *   );
 *   const { scheduled_runs: [run] } = await discoverScheduledRuns({
 *     source: {
 *       kind: "entries",
 *       entries: [{ slug: "widgets", domain: null, host_paths: { "*": repo } }],
 *     },
 *     host: "runner-1",
 *     due: { start: new Date("2026-12-07T09:00:00Z"), end: new Date("2026-12-07T12:00:00Z") },
 *   });
 *   assert.equal(run.due_at?.length, MAX_DUE_AT); // the first 100 of 180 firings
 *   assert.equal(run.due_count, 180);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export const MAX_DUE_AT = 100;
