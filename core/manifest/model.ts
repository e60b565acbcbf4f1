/**
 * The zod model of `.kaizen/schedule.yml`: the source of the published JSON
 * Schema (`deno task schema`) and of the TypeScript types.
 *
 * The CLI does not import this module at run time — zod costs more start-up
 * than the whole `validate` command — and validates with the positional
 * walker in `validate.ts`, which reads the same constants. A test feeds both a
 * corpus of manifests and fails if they ever disagree.
 *
 * @module
 */
import { z } from "zod";
import type { ModelAgrees } from "../model_agrees.ts";
import { AGENT_NAME_RE, CADENCES, MANIFEST_VERSION } from "./constants.ts";
import type { AgentSchedule, Schedule } from "./types.ts";

const agentSchedule = z.strictObject({
  cadence: z.enum(CADENCES).describe(
    "How often the agent runs. Without `cron`, daily/weekly/monthly mean 09:00 every day, every Monday, or on the 1st.",
  ),
  cron: z.string().regex(/^\s*\S+(\s+\S+){4}\s*$/).optional().describe(
    "Optional 5-field cron (minute hour day-of-month month day-of-week) in the manifest's timezone; overrides the cadence default.",
  ),
  enabled: z.boolean().default(true).describe(
    "Whether the orchestrator schedules this agent. Default true.",
  ),
}).describe("Schedule of one agent.");

const schedule = z.strictObject({
  version: z.literal(MANIFEST_VERSION).describe('Manifest format version. Must be the string "1".'),
  timezone: z.string().optional().describe(
    "IANA time zone (e.g. Europe/Berlin) the cron times are read in. Default: UTC for next-run arithmetic; the orchestrator may supply its own.",
  ),
  agents: z.record(z.string().regex(AGENT_NAME_RE), agentSchedule)
    .refine((a) => Object.keys(a).length > 0, "agents must not be empty")
    .meta({ minProperties: 1 })
    .describe("Agent name → schedule. Names must be installed or packaged agents."),
}).meta({
  title: "kaizen schedule manifest",
  description: "Opts a repository into scheduled coding-agent runs (.kaizen/schedule.yml).",
});

/**
 * One agent's entry under `agents:`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AgentScheduleModel } from "../../mod.ts";
 *
 * assert.deepEqual(AgentScheduleModel.parse({ cadence: "daily", cron: "30 6 * * *" }), {
 *   cadence: "daily",
 *   cron: "30 6 * * *",
 *   enabled: true,
 * });
 * assert.equal(AgentScheduleModel.safeParse({ cadence: "hourly" }).success, false);
 * ```
 */
export const AgentScheduleModel: z.ZodType<AgentSchedule> = agentSchedule;

/**
 * The whole manifest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScheduleModel } from "../../mod.ts";
 *
 * const schedule = ScheduleModel.parse({
 *   version: "1",
 *   timezone: "Europe/Berlin",
 *   agents: { coach: { cadence: "weekly" } },
 * });
 * assert.equal(schedule.agents.coach.enabled, true);
 * assert.equal(ScheduleModel.safeParse({ version: "1", agents: {} }).success, false);
 * ```
 */
export const ScheduleModel: z.ZodType<Schedule> = schedule;

// Compile-time: the written-out types in types.ts say what these models say.
true satisfies ModelAgrees<typeof agentSchedule, AgentSchedule>;
true satisfies ModelAgrees<typeof schedule, Schedule>;
