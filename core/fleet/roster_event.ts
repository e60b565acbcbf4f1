/**
 * Expected runs through the stream, for an operator who cannot read the
 * runner hosts' checkouts: each runner host publishes the runs its roster
 * resolves to (`kaizen fleet publish-roster`, e.g. from the same cron job
 * that runs the fleet), and `fleet status --expected stream` takes the
 * latest message of every host.
 *
 * Why a message of its own, and not the `prepared` events alone: a prepared
 * event carries the cadence but neither the cron override nor the zone, and
 * a (repo, agent) that never prepares would never be seen at all — exactly
 * the silent miss the report exists to show.
 *
 * Subject `kaizen.fleet.roster.<host>` (the host with every character other
 * than letters, digits, `-` and `_` as `_`), payload
 * `{ event, version: "1", occurred_at, host, runs: [{ repo, agent, cron,
 * timezone }], skipped: [{ repo, reason }] }`. The stream keeps one per
 * publication; only the last of each subject is read.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/nats-core/internal";
import { jetstreamManager } from "@nats-io/jetstream";
import { checkRun, type ExpectedRuns, ExpectedRunsError } from "./expected.ts";
import type { ExpectedRun } from "./join.ts";
import { findStream } from "./read.ts";
import { printable } from "../text/printable.ts";

/** The subject prefix of roster messages. */
export const FLEET_ROSTER_SUBJECT = "kaizen.fleet.roster";
/** The event name in the payload. */
export const FLEET_ROSTER_EVENT = "kaizen.fleet.roster";

/** One runner host's resolved runs. */
export interface FleetRosterMessage {
  event: "kaizen.fleet.roster";
  version: "1";
  occurred_at: string;
  host: string;
  runs: { repo: string; agent: string; cron: string; timezone: string }[];
  skipped: { repo: string; reason: string }[];
}

/**
 * The subject a host's roster is published on.
 *
 * @example
 * ```ts
 * rosterSubject("runner-1.example.org"); // "kaizen.fleet.roster.runner-1_example_org"
 * ```
 */
export function rosterSubject(host: string): string {
  return `${FLEET_ROSTER_SUBJECT}.${host.replace(/[^A-Za-z0-9_-]/g, "_") || "_"}`;
}

/** The payload for `host`'s resolved runs. */
export function rosterMessage(
  host: string,
  runs: readonly ExpectedRun[],
  skipped: readonly { repo: string; reason: string }[],
  now: Date,
): FleetRosterMessage {
  return {
    event: FLEET_ROSTER_EVENT,
    version: "1",
    occurred_at: now.toISOString(),
    host,
    runs: runs.map((r) => ({
      repo: r.repo,
      agent: r.agent,
      cron: r.cron,
      timezone: r.timezone,
    })),
    skipped: skipped.map((s) => ({ repo: s.repo, reason: s.reason })),
  };
}

/**
 * The union of the latest roster message of every host in the stream; a
 * (repo, agent) listed by two hosts is expected once.
 */
export async function readRosterFromStream(
  nc: NatsConnection,
  opts: { stream?: string; timeoutMs: number },
): Promise<ExpectedRuns> {
  const found = await findStream(nc, opts);
  const jsm = await jetstreamManager(nc, { timeout: opts.timeoutMs });
  const info = await jsm.streams.info(found.name, {
    subjects_filter: `${FLEET_ROSTER_SUBJECT}.>`,
  });
  const subjects = Object.keys(info.state.subjects ?? {}).sort();
  if (subjects.length === 0) {
    throw new ExpectedRunsError(
      `stream ${
        printable(found.name, 64)
      } holds no ${FLEET_ROSTER_SUBJECT}.* message: run 'kaizen fleet publish-roster' on the runner hosts first`,
    );
  }
  const runs = new Map<string, ExpectedRun>();
  const skipped: ExpectedRuns["skipped"] = [];
  for (const subject of subjects) {
    const sm = await jsm.streams.getMessage(found.name, { last_by_subj: subject });
    if (!sm) continue;
    const where = printable(subject, 120);
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(new TextDecoder().decode(sm.data));
    } catch {
      throw new ExpectedRunsError(`${where}: the latest message is not JSON`);
    }
    if (payload?.event !== FLEET_ROSTER_EVENT || !Array.isArray(payload.runs)) {
      throw new ExpectedRunsError(`${where}: the latest message is not a kaizen.fleet.roster v1`);
    }
    payload.runs.forEach((r, i) => {
      const run = checkRun(r, `${where}: runs[${i}]`);
      const key = `${run.repo}\u0000${run.agent}`;
      if (!runs.has(key)) runs.set(key, run);
    });
    if (Array.isArray(payload.skipped)) {
      for (const s of payload.skipped as Record<string, unknown>[]) {
        if (typeof s?.repo === "string" && typeof s?.reason === "string") {
          skipped.push({ repo: s.repo, reason: s.reason });
        }
      }
    }
  }
  // A repo one host cannot run and another can is expected, not skipped.
  const repos = new Set([...runs.values()].map((r) => r.repo));
  const seen = new Set<string>();
  return {
    runs: [...runs.values()],
    skipped: skipped.filter((s) => {
      const key = `${s.repo}\u0000${s.reason}`;
      if (repos.has(s.repo) || seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  };
}
