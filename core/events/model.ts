/**
 * zod models of the events kaizen publishes: the source of
 * `schemas/events/*.schema.json` and of the payload types. Not loaded by the
 * CLI at run time; tests check real payloads against them.
 *
 * `kaizen.schedule.prepared` v1 is fixed by the shared spec (field for field,
 * nothing more). The other two are ours to define; docs/events.md describes
 * them.
 *
 * @module
 */
import { z } from "zod";

const rfc3339 = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/).describe(
  "RFC 3339 UTC time.",
);
const cadence = z.enum(["daily", "weekly", "monthly"]);

export const SchedulePreparedModel = z.strictObject({
  event: z.literal("kaizen.schedule.prepared"),
  version: z.literal("1"),
  occurred_at: rfc3339.describe("When the bundle was assembled."),
  repo: z.string().describe("State hub slug of the repository."),
  root: z.string().describe("Absolute path of the checkout."),
  agent: z.string().describe("Agent the bundle orients."),
  cadence: cadence.nullable().describe(
    "The agent's cadence; null when the manifest does not list it.",
  ),
  prepare_command: z.string().describe("The exact command that produced the bundle."),
  bundle: z.strictObject({
    format: z.enum(["markdown", "json"]),
    agent_prompt_found: z.boolean(),
    has_memory: z.boolean(),
    has_metrics: z.boolean(),
    pointers: z.array(z.string()).describe("Repository pointer labels found, e.g. scope, todo."),
    bytes: z.int().nonnegative().describe("Size of the rendered bundle."),
  }),
  session_close: z.array(z.string()).describe("Commands the session should end with."),
}).meta({
  title: "kaizen.schedule.prepared v1",
  description: "Published when `kaizen schedule prepare` assembled a bundle. Metadata only.",
});

export const MetricsRecordedModel = z.strictObject({
  event: z.literal("kaizen.metrics.recorded"),
  version: z.literal("1"),
  occurred_at: rfc3339.describe("When the record was written."),
  repo: z.string(),
  root: z.string(),
  agent: z.string(),
  success: z.boolean(),
  time_seconds: z.number().nonnegative(),
  quality: z.number().min(0).max(1),
  helix_session_uid: z.string().nullable().describe("Fleet session correlation (Pattern 1)."),
  summary: z.strictObject({
    runs: z.int().nonnegative(),
    successes: z.int().nonnegative(),
    failures: z.int().nonnegative(),
    success_rate: z.number().min(0).max(1),
    avg_time_seconds: z.number().nonnegative(),
    avg_quality: z.number().min(0).max(1).nullable(),
  }).describe("The agent's summary after this record (the fields of summary.json)."),
}).meta({
  title: "kaizen.metrics.recorded v1",
  description: "Published when `kaizen metrics record` appended an execution record.",
});

export const AgentInstalledModel = z.strictObject({
  event: z.literal("kaizen.agent.installed"),
  version: z.literal("1"),
  occurred_at: rfc3339.describe("When the prompt was installed."),
  repo: z.string(),
  root: z.string(),
  agent: z.string(),
  path: z.string().describe("Installed prompt, relative to the repository root."),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).describe("Hash of the installed prompt."),
  replaced: z.boolean().describe("An earlier installed copy was overwritten (--force)."),
}).meta({
  title: "kaizen.agent.installed v1",
  description: "Published when `kaizen agents install` copied a prompt into a repository.",
});

export type SchedulePrepared = z.infer<typeof SchedulePreparedModel>;
export type MetricsRecorded = z.infer<typeof MetricsRecordedModel>;
export type AgentInstalled = z.infer<typeof AgentInstalledModel>;

/** Subject → model, for schema generation and tests. */
export const EVENT_MODELS = {
  "kaizen.schedule.prepared": SchedulePreparedModel,
  "kaizen.metrics.recorded": MetricsRecordedModel,
  "kaizen.agent.installed": AgentInstalledModel,
} as const;
