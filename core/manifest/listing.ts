/**
 * What `kaizen schedule list` shows, as a pure function of a valid schedule
 * and an instant: each agent's effective cron and its next runs.
 *
 * @module
 */
import { DEFAULT_TIMEZONE } from "./constants.ts";
import type { Schedule } from "./types.ts";
import type { ListedAgent, ScheduleList } from "./listing_model.ts";
import { effectiveCron } from "../time/next_run.ts";
import { HORIZON_DAYS, nextRuns } from "../time/runs.ts";
import { formatInZone, formatUtc } from "../time/timezone.ts";

export type { ListedAgent, ListedRun, ScheduleList } from "./listing_model.ts";

/**
 * The notice for an agent whose search stopped before `count` runs, naming
 * the horizon; undefined when the listing is complete.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listSchedule } from "../../mod.ts";
 * import { incompleteNotice } from "./listing.ts";
 *
 * const list = listSchedule(
 *   { version: "1", agents: { coach: { cadence: "weekly", enabled: true } } },
 *   { now: new Date("2026-12-06T00:00:00Z"), count: 5, file: ".kaizen/schedule.yml" },
 * );
 * const [coach] = list.agents;
 * assert.equal(incompleteNotice(coach, 5, list.horizon_days), undefined); // all 5 found
 * // As if the search had stopped after two runs:
 * const cut = { ...coach, next_runs: coach.next_runs.slice(0, 2), complete: false };
 * assert.equal(
 *   incompleteNotice(cut, 5, 3294),
 *   "agent 'coach': 2 of 5 runs found; the search stops after 3294 days (9 years) without a run",
 * );
 * ```
 */
export function incompleteNotice(
  agent: ListedAgent,
  count: number,
  horizonDays: number,
): string | undefined {
  if (agent.complete) return undefined;
  return `agent '${agent.agent}': ${agent.next_runs.length} of ${count} runs found; the search stops after ${horizonDays} days (${
    Math.round(horizonDays / 366)
  } years) without a run`;
}

/** Options for {@link listSchedule}. */
export interface ListScheduleOptions {
  /** The instant next runs are computed from (exclusive). */
  now: Date;
  /** How many next runs per agent (default 1). */
  count?: number;
  /** Include disabled agents. */
  all?: boolean;
  /** Path of the manifest, echoed in the result. */
  file: string;
}

/**
 * The listing of a validated schedule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listSchedule, parseSchedule } from "../../mod.ts";
 *
 * const { schedule } = parseSchedule(
 *   'version: "1"\ntimezone: Europe/Berlin\nagents:\n  coach:\n    cadence: weekly\n',
 * );
 * assert.ok(schedule);
 * const list = listSchedule(schedule, {
 *   now: new Date("2026-12-02T12:00:00Z"),
 *   count: 2,
 *   file: ".kaizen/schedule.yml",
 * });
 * const [coach] = list.agents;
 * assert.equal(coach.cron, "0 9 * * 1"); // the weekly default
 * assert.deepEqual(coach.next_runs.map((r) => r.utc), [
 *   "2026-12-07T08:00:00Z",
 *   "2026-12-14T08:00:00Z",
 * ]);
 * ```
 */
export function listSchedule(schedule: Schedule, options: ListScheduleOptions): ScheduleList {
  const timezone = schedule.timezone ?? DEFAULT_TIMEZONE;
  const count = options.count ?? 1;
  const agents: ListedAgent[] = [];
  for (const [agent, s] of Object.entries(schedule.agents)) {
    if (!s.enabled && !options.all) continue;
    const { cron, source } = effectiveCron(s);
    const runs = s.enabled ? nextRuns(cron, timezone, options.now, count) : [];
    const next_runs = runs.map((d) => ({ local: formatInZone(d, timezone), utc: formatUtc(d) }));
    agents.push({
      agent,
      enabled: s.enabled,
      state: !s.enabled ? "disabled" : runs.length === 0 ? "never" : "scheduled",
      cadence: s.cadence,
      cron,
      cron_source: source,
      timezone,
      next_run: next_runs[0]?.local ?? null,
      next_run_utc: next_runs[0]?.utc ?? null,
      next_runs,
      complete: !s.enabled || runs.length === count,
    });
  }
  return {
    file: options.file,
    now: formatUtc(options.now),
    count,
    timezone,
    timezone_source: schedule.timezone ? "manifest" : "default",
    horizon_days: HORIZON_DAYS,
    agents,
  };
}
