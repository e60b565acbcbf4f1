/**
 * Cron arithmetic for previews and due-checks (never for firing anything).
 * croner is loaded lazily: only commands that compute run times pay for it.
 *
 * @module
 */
import { CADENCE_DEFAULT_CRON } from "../manifest/constants.ts";
import type { AgentSchedule } from "../manifest/types.ts";

/** The cron an agent runs on: its override, else its cadence's default. */
export function effectiveCron(agent: AgentSchedule): { cron: string; source: "cron" | "cadence" } {
  return agent.cron !== undefined
    ? { cron: agent.cron, source: "cron" }
    : { cron: CADENCE_DEFAULT_CRON[agent.cadence], source: "cadence" };
}

/** The next `count` run times of `cron` in `timezone` strictly after `after`. */
export async function nextRuns(
  cron: string,
  timezone: string,
  after: Date,
  count = 1,
): Promise<Date[]> {
  const { Cron } = await import("croner");
  // Standard cron ORs day-of-month and day-of-week when both are restricted;
  // croner does the same by default (legacy mode), which we rely on.
  const job = new Cron(cron, { timezone, paused: true });
  return job.nextRuns(count, after);
}
