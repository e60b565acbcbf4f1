/**
 * The zod model of `kaizen schedule list --format json`: the source of
 * `schemas/schedule-list.schema.json` and of the listing types. Not imported
 * by the CLI at run time (zod costs start-up); a test checks real output
 * against the generated schema.
 *
 * @module
 */
import { z } from "zod";
import type { ModelAgrees } from "../model_agrees.ts";

export const ListedRunModel = z.strictObject({
  local: z.string().describe(
    "Wall-clock time in the manifest's zone with its UTC offset, e.g. 2026-11-23T09:00:00+01:00.",
  ),
  utc: z.string().describe("The same instant in UTC, e.g. 2026-11-23T08:00:00Z."),
});

export const ListedAgentModel = z.strictObject({
  agent: z.string(),
  enabled: z.boolean(),
  state: z.enum(["scheduled", "disabled", "never"]).describe(
    "scheduled: has upcoming runs; disabled: `enabled: false`; never: the cron has no run in the next nine years.",
  ),
  cadence: z.enum(["daily", "weekly", "monthly"]),
  cron: z.string().describe("Effective cron: the override, else the cadence default."),
  cron_source: z.enum(["cron", "cadence"]),
  timezone: z.string(),
  next_run: z.string().nullable().describe("First of `next_runs` (local), or null."),
  next_run_utc: z.string().nullable().describe("First of `next_runs` (UTC), or null."),
  next_runs: z.array(ListedRunModel).describe(
    "The next `count` runs strictly after `now`, DST-aware; empty unless state is scheduled.",
  ),
  complete: z.boolean().describe(
    "False when the search stopped before finding `count` runs: no run within `horizon_days` of the last one found (a cron that validates always finds them all). True for disabled agents.",
  ),
});

export const ScheduleListModel = z.strictObject({
  file: z.string().describe("Path of the manifest that was read."),
  now: z.string().describe("The instant next runs are computed from (UTC)."),
  count: z.int().positive().describe("How many next runs were asked for per agent."),
  timezone: z.string().describe("Zone the crons are read in."),
  timezone_source: z.enum(["manifest", "default"]),
  horizon_days: z.int().positive().describe(
    "A search for next runs gives up after this many days without a run (nine years; a valid cron fires at least once in any eight).",
  ),
  agents: z.array(ListedAgentModel).describe(
    "Enabled agents in manifest order; disabled ones too with --all.",
  ),
}).meta({
  title: "kaizen schedule list",
  description: "Output of `kaizen schedule list --format json`.",
});

/** One upcoming run of an agent. */
export interface ListedRun {
  /** Wall-clock time in the manifest's zone with its UTC offset. */
  local: string;
  /** The same instant in UTC. */
  utc: string;
}

/** One agent of `kaizen schedule list`. */
export interface ListedAgent {
  agent: string;
  enabled: boolean;
  /** scheduled: has upcoming runs; disabled: `enabled: false`; never: no run in nine years. */
  state: "scheduled" | "disabled" | "never";
  cadence: "daily" | "weekly" | "monthly";
  /** Effective cron: the override, else the cadence default. */
  cron: string;
  cron_source: "cron" | "cadence";
  timezone: string;
  /** First of `next_runs` (local), or null. */
  next_run: string | null;
  /** First of `next_runs` (UTC), or null. */
  next_run_utc: string | null;
  /** The next runs strictly after `now`, DST-aware. */
  next_runs: ListedRun[];
  /** False when the search stopped before finding `count` runs (see `horizon_days`). */
  complete: boolean;
}

/** `kaizen schedule list --format json`. */
export interface ScheduleList {
  /** Path of the manifest that was read. */
  file: string;
  /** The instant next runs are computed from (UTC). */
  now: string;
  /** How many next runs were asked for per agent. */
  count: number;
  /** Zone the crons are read in. */
  timezone: string;
  timezone_source: "manifest" | "default";
  /** A search for next runs gives up after this many days without a run. */
  horizon_days: number;
  agents: ListedAgent[];
}

// Compile-time: the written-out types (explicit for the published package)
// say what the models say.
true satisfies ModelAgrees<typeof ListedRunModel, ListedRun>;
true satisfies ModelAgrees<typeof ListedAgentModel, ListedAgent>;
true satisfies ModelAgrees<typeof ScheduleListModel, ScheduleList>;
