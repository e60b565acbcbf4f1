/**
 * Which cron an agent runs on. The arithmetic itself lives in `./runs.ts`.
 *
 * @module
 */
import { CADENCE_DEFAULT_CRON } from "../manifest/constants.ts";
import type { AgentSchedule } from "../manifest/types.ts";

/**
 * The cron an agent runs on: its override, else its cadence's default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { effectiveCron } from "../../mod.ts";
 *
 * assert.deepEqual(effectiveCron({ cadence: "weekly", enabled: true }), {
 *   cron: "0 9 * * 1",
 *   source: "cadence",
 * });
 * assert.deepEqual(effectiveCron({ cadence: "weekly", cron: "0 10 * * 1", enabled: true }), {
 *   cron: "0 10 * * 1",
 *   source: "cron",
 * });
 * ```
 */
export function effectiveCron(agent: AgentSchedule): { cron: string; source: "cron" | "cadence" } {
  return agent.cron !== undefined
    ? { cron: agent.cron, source: "cron" }
    : { cron: CADENCE_DEFAULT_CRON[agent.cadence], source: "cadence" };
}
