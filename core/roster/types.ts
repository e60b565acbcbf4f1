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
 */
export const MAX_DUE_AT = 100;
