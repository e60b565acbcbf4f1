import type { z } from "zod";
import type { AgentScheduleModel, ScheduleModel } from "./model.ts";

/** A validated `.kaizen/schedule.yml`, with defaults applied. */
export type Schedule = z.output<typeof ScheduleModel>;
/** One validated agent entry, with `enabled` defaulted. */
export type AgentSchedule = z.output<typeof AgentScheduleModel>;
