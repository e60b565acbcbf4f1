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
import type { ModelAgrees } from "../model_agrees.ts";

const rfc3339 = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/).describe(
  "RFC 3339 UTC time.",
);
const cadence = z.enum(["daily", "weekly", "monthly"]);
/** A state hub slug: never empty. */
const slug = z.string().min(1);
/** An absolute POSIX path (runner hosts are Linux and macOS). */
const absolutePath = z.string().regex(/^\//);
const agentName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/);
/** The pointer labels a bundle can report (`SCOPE.md` → `scope`, `TODO.md` → `todo`). */
export const POINTER_LABEL_PATTERN = /^(scope|todo)$/;

export const SchedulePreparedModel = z.strictObject({
  event: z.literal("kaizen.schedule.prepared"),
  version: z.literal("1"),
  occurred_at: rfc3339.describe("When the bundle was assembled."),
  repo: slug.describe("State hub slug of the repository."),
  root: absolutePath.describe("Absolute path of the checkout."),
  agent: agentName.describe("Agent the bundle orients."),
  cadence: cadence.describe("The agent's cadence in the repository's valid manifest."),
  prepare_command: z.string().min(1).describe("The exact command that produced the bundle."),
  bundle: z.strictObject({
    format: z.enum(["markdown", "json"]),
    agent_prompt_found: z.boolean(),
    has_memory: z.boolean(),
    has_metrics: z.boolean(),
    pointers: z.array(z.string().regex(POINTER_LABEL_PATTERN)).describe(
      "Repository pointer labels found: scope, todo.",
    ),
    bytes: z.int().nonnegative().describe("Size of the rendered bundle."),
  }),
  session_close: z.array(z.string().min(1)).min(1).describe(
    "Commands the session should end with.",
  ),
}).meta({
  title: "kaizen.schedule.prepared v1",
  description: "Published when `kaizen schedule prepare` assembled a bundle. Metadata only.",
});

export const MetricsRecordedModel = z.strictObject({
  event: z.literal("kaizen.metrics.recorded"),
  version: z.literal("1"),
  occurred_at: rfc3339.describe("When the record was written."),
  repo: slug,
  root: absolutePath,
  agent: agentName,
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
  repo: slug,
  root: absolutePath,
  agent: agentName,
  path: z.string().describe("Installed prompt, relative to the repository root."),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).describe("Hash of the installed prompt."),
  replaced: z.boolean().describe("An earlier installed copy was overwritten (--force)."),
}).meta({
  title: "kaizen.agent.installed v1",
  description: "Published when `kaizen agents install` copied a prompt into a repository.",
});

/** `kaizen.schedule.prepared` v1: metadata and commands, never bundle content. */
export interface SchedulePrepared {
  event: "kaizen.schedule.prepared";
  version: "1";
  /** When the bundle was assembled (RFC 3339 UTC). */
  occurred_at: string;
  /** State hub slug of the repository. */
  repo: string;
  /** Absolute path of the checkout. */
  root: string;
  /** Agent the bundle orients. */
  agent: string;
  /** The agent's cadence in the repository's valid manifest. */
  cadence: "daily" | "weekly" | "monthly";
  /** The exact command that produced the bundle. */
  prepare_command: string;
  bundle: {
    format: "markdown" | "json";
    agent_prompt_found: boolean;
    has_memory: boolean;
    has_metrics: boolean;
    /** Repository pointer labels found, e.g. scope, todo. */
    pointers: string[];
    /** Size of the rendered bundle. */
    bytes: number;
  };
  /** Commands the session should end with. */
  session_close: string[];
}

/** `kaizen.metrics.recorded` v1: one execution record appended. */
export interface MetricsRecorded {
  event: "kaizen.metrics.recorded";
  version: "1";
  /** When the record was written (RFC 3339 UTC). */
  occurred_at: string;
  repo: string;
  root: string;
  agent: string;
  success: boolean;
  time_seconds: number;
  quality: number;
  /** Fleet session correlation (Pattern 1). */
  helix_session_uid: string | null;
  /** The agent's summary after this record (the fields of summary.json). */
  summary: {
    runs: number;
    successes: number;
    failures: number;
    success_rate: number;
    avg_time_seconds: number;
    avg_quality: number | null;
  };
}

/** `kaizen.agent.installed` v1: a prompt copied into a repository. */
export interface AgentInstalled {
  event: "kaizen.agent.installed";
  version: "1";
  /** When the prompt was installed (RFC 3339 UTC). */
  occurred_at: string;
  repo: string;
  root: string;
  agent: string;
  /** Installed prompt, relative to the repository root. */
  path: string;
  /** Hash of the installed prompt. */
  sha256: string;
  /** An earlier installed copy was overwritten (--force). */
  replaced: boolean;
}

// Compile-time: the written-out types (explicit for the published package)
// say what the models say.
true satisfies ModelAgrees<typeof SchedulePreparedModel, SchedulePrepared>;
true satisfies ModelAgrees<typeof MetricsRecordedModel, MetricsRecorded>;
true satisfies ModelAgrees<typeof AgentInstalledModel, AgentInstalled>;

/** Subject → model, for schema generation and tests. */
export const EVENT_MODELS = {
  "kaizen.schedule.prepared": SchedulePreparedModel,
  "kaizen.metrics.recorded": MetricsRecordedModel,
  "kaizen.agent.installed": AgentInstalledModel,
} as const;
