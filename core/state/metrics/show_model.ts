/**
 * The zod model of `kaizen metrics show --format json`: the source of
 * `schemas/metrics-show.schema.json`. Not loaded by the CLI at run time;
 * tests check real outputs against it.
 *
 * A stored `summary.json` that matches the records is shown as it is, keys
 * added by hand included, and a record may carry fields of a newer writer:
 * both objects list what they always have and allow more.
 *
 * @module
 */
import { z } from "zod";

const rfc3339 = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);

/** `summary.json` (docs/agents.md lists the fields). */
export const MetricsSummaryModel = z.looseObject({
  agent: z.string(),
  runs: z.int().nonnegative(),
  successes: z.int().nonnegative(),
  failures: z.int().nonnegative(),
  success_rate: z.number().min(0).max(1),
  avg_time_seconds: z.number().nonnegative(),
  time_p50_seconds: z.number().nonnegative().nullable(),
  time_p90_seconds: z.number().nonnegative().nullable(),
  avg_quality: z.number().min(0).max(1).nullable(),
  last_run_at: rfc3339.nullable(),
  last_success: z.boolean().nullable(),
  trend: z.strictObject({
    runs_recent: z.int().positive(),
    success_rate_recent: z.number().min(0).max(1),
    avg_time_recent_seconds: z.number().nonnegative(),
    avg_quality_recent: z.number().min(0).max(1),
  }).nullable().describe("The latest 5 runs by time; null with fewer runs."),
  updated_at: rfc3339,
});

/** One line of `executions.jsonl` as shown (redacted). */
export const ExecutionRecordModel = z.looseObject({
  agent: z.string(),
  recorded_at: z.string(),
  success: z.boolean(),
  time_seconds: z.number().nonnegative(),
  quality: z.number().min(0).max(1),
  notes: z.string().optional(),
  helix_session_uid: z.string().optional(),
  helix_repo: z.string().optional(),
  helix_flavor: z.string().optional(),
  helix_tokens: z.int().nonnegative().optional(),
  helix_infra_overhead_share: z.number().min(0).max(1).optional(),
});

/** What `metrics show <agent> --format json` prints. */
export const MetricsShowModel = z.strictObject({
  summary: MetricsSummaryModel,
  summary_source: z.enum(["file", "derived"]).describe(
    "file: summary.json, current; derived: computed now from the records.",
  ),
  recent_runs: z.array(ExecutionRecordModel).describe("The latest runs, newest first."),
  skipped_lines: z.int().nonnegative().describe("Lines of executions.jsonl that are not records."),
}).meta({
  title: "kaizen metrics show",
  description: "Output of `kaizen metrics show <agent> --format json`.",
});
