/**
 * Which cron an agent runs on. The arithmetic itself lives in `./runs.ts`.
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
