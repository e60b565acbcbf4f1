/**
 * The zod model of `kaizen fleet status --format json`: the source of
 * `schemas/fleet-status.schema.json`. Not loaded by the CLI at run time.
 *
 * @module
 */
import { z } from "zod";
import type { ModelAgrees } from "../model_agrees.ts";
import type { FleetStatusReport } from "./types.ts";
import type { FleetRosterMessage } from "./roster_event.ts";

const count = z.int().nonnegative();
const seconds = z.number().nonnegative().nullable();
const rfc3339 = z.string().describe("RFC 3339 UTC time.");

const QualityModel = z.strictObject({
  mean: z.number().min(0).max(1).nullable().describe("Mean quality of the closed runs."),
  first_half: z.number().min(0).max(1).nullable().describe(
    "Mean of the runs closed in the window's first half.",
  ),
  second_half: z.number().min(0).max(1).nullable().describe("Mean of those in its second half."),
  trend: z.enum(["up", "down", "flat"]).nullable().describe(
    "up/down when the halves differ by more than 0.05, else flat; null without both halves.",
  ),
});

const countsShape = {
  expected: count.describe("Firings of the schedule inside the window."),
  prepared: count.describe("kaizen.schedule.prepared events joined (duplicates dropped)."),
  closed_ok: count.describe("Prepared runs closed by a successful kaizen.metrics.recorded."),
  closed_failed: count.describe("Prepared runs closed by a failed one."),
  open: count.describe("Prepared, not closed, and the grace is over."),
  running: count.describe("Prepared, not closed, still inside the grace."),
  missed: count.describe("Firings never prepared, and the grace is over."),
  pending: count.describe("Firings not prepared yet, still inside the grace."),
  late: count.describe("Firings prepared later than the grace after the firing."),
  unscheduled: count.describe("Prepared events that matched no firing."),
  unmatched_records: count.describe("Recorded events that found no open prepared run."),
  success_rate: z.number().min(0).max(1).nullable().describe(
    "closed_ok / (closed_ok + closed_failed); null without a closed run.",
  ),
  time_p50_seconds: seconds.describe("Median run time of the closed runs."),
  time_p90_seconds: seconds.describe("90th percentile run time."),
  quality: QualityModel,
  last_run: z.strictObject({
    at: rfc3339,
    outcome: z.enum(["ok", "failed", "open", "running"]),
  }).nullable().describe("The latest prepared run and how it ended."),
};

const CountsModel = z.strictObject(countsShape);

const RowModel = z.strictObject({
  repo: z.string().describe("Roster slug."),
  agent: z.string(),
  cron: z.string().describe("Effective cron."),
  timezone: z.string(),
  status: z.enum(["missed", "failed", "open", "ok"]).describe(
    "The worst the row shows: missed, then failed, then open.",
  ),
  ...countsShape,
});

export const FleetStatusModel = z.strictObject({
  window: z.strictObject({
    start: rfc3339,
    end: rfc3339,
    now: rfc3339.describe("The time the report was made for."),
    grace_seconds: count,
  }),
  source: z.strictObject({
    expected: z.enum(["hub", "roster-file", "scan", "runs-file", "stream"]),
    stream: z.string().nullable(),
    messages: count.describe("Messages read from the stream."),
    events: count.describe("Events joined."),
    duplicates: count,
    invalid: count.describe("Messages that were not a kaizen event of a known shape."),
    outside_window: count,
  }),
  total: CountsModel.describe("The whole fleet."),
  rows: z.array(RowModel).describe("Missed, failed and open rows first, then by repo and agent."),
  unscheduled: z.strictObject({
    events: count,
    pairs: z.array(z.strictObject({ repo: z.string(), agent: z.string(), events: count }))
      .describe("At most 100 (repo, agent) pairs the schedule does not list."),
  }),
  skipped: z.array(z.strictObject({ repo: z.string(), reason: z.string() })),
  daily: z.array(z.strictObject({
    date: z.string().describe("YYYY-MM-DD (UTC)."),
    agent: z.string(),
    prepared: count,
    closed_ok: count,
    closed_failed: count,
    missed: count,
  })),
  durations: z.array(z.strictObject({
    agent: z.string(),
    upper_seconds: z.number().positive().nullable().describe(
      "Upper bound of the bin (seconds); null for the last, open-ended one.",
    ),
    runs: count,
  })).describe("Run times of the closed runs per agent, in fixed bins."),
}).meta({
  title: "kaizen fleet status",
  description: "Output of `kaizen fleet status --format json`.",
});

export const FleetRosterModel = z.strictObject({
  event: z.literal("kaizen.fleet.roster"),
  version: z.literal("1"),
  occurred_at: rfc3339.describe("When the roster was resolved."),
  host: z.string().describe("The runner host whose checkouts were read (`--host`)."),
  runs: z.array(z.strictObject({
    repo: z.string().describe("Roster slug."),
    agent: z.string(),
    cron: z.string().describe("Effective cron."),
    timezone: z.string(),
  })).describe("Every (repo, agent) run the host resolved, as `roster discover` lists them."),
  skipped: z.array(z.strictObject({ repo: z.string(), reason: z.string() })),
}).meta({
  title: "kaizen.fleet.roster v1",
  description:
    "Published by `kaizen fleet publish-roster` on kaizen.fleet.roster.<host>: a host's resolved runs, for `fleet status --runs-from-stream`.",
});

// Compile-time: the written-out type says what the model says.
true satisfies ModelAgrees<typeof FleetStatusModel, FleetStatusReport>;
true satisfies ModelAgrees<typeof FleetRosterModel, FleetRosterMessage>;
