/**
 * The validated manifest's types, written out (explicit types for the
 * published package); `model.ts` checks at compile time that its zod model
 * says the same, field for field.
 *
 * @module
 */
import type { Cadence, MANIFEST_VERSION } from "./constants.ts";

/** A validated `.kaizen/schedule.yml`, with defaults applied. */
export interface Schedule {
  /** Manifest format version. */
  version: typeof MANIFEST_VERSION;
  /** IANA time zone the cron times are read in. */
  timezone?: string;
  /** Agent name → schedule. */
  agents: Record<string, AgentSchedule>;
}

/** One validated agent entry, with `enabled` defaulted. */
export interface AgentSchedule {
  /** How often the agent runs, before any `cron` override. */
  cadence: Cadence;
  /** A 5-field cron in the manifest's timezone; overrides the cadence default. */
  cron?: string;
  /** Whether the orchestrator schedules this agent (default true). */
  enabled: boolean;
}
