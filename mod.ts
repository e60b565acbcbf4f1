/**
 * kaizen as a library: the manifest model, the bundle types, the plugin API,
 * and the CLI itself for team entry points that add their own plugins.
 *
 * A team's entry point is kaizen's CLI with the team's plugins: its
 * `cli.ts` is `Deno.exit(await runCli(Deno.args, { plugins: [team] }))`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { definePlugin, runCli } from "./mod.ts";
 *
 * const team = definePlugin({
 *   name: "team",
 *   apiVersion: 1,
 *   sections: [{
 *     id: "team",
 *     title: "Team notes",
 *     order: 450,
 *     collect: () => ({ content: "Ask @alice about releases." }),
 *   }],
 * });
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const out = `${repo}/bundle.md`;
 *   const argv = ["schedule", "prepare", "coach", "--target", repo, "--repo", "acme/widgets"];
 *   assert.equal(await runCli([...argv, "--out", out], { plugins: [team] }), 0);
 *   assert.match(await Deno.readTextFile(out), /## Team notes\n\nAsk @alice about releases\./);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 *
 * @module
 */

import { prepareBundle as corePrepareBundle } from "./core/bundle/prepare.ts";
import { builtinPlugin } from "./plugins/builtin/mod.ts";

// Manifest
export type { AgentSchedule, Schedule } from "./core/manifest/types.ts";
export type { Diagnostic, Severity } from "./core/diagnostics.ts";
export { formatDiagnostic } from "./core/diagnostics.ts";
export { parseSchedule } from "./core/manifest/parse.ts";
export type { ParseScheduleOptions, ParseScheduleResult } from "./core/manifest/parse.ts";
export { loadSchedule } from "./core/manifest/load.ts";
export type { LoadedSchedule } from "./core/manifest/load.ts";
export { AgentScheduleModel, ScheduleModel } from "./core/manifest/model.ts";
export {
  type Cadence,
  CADENCE_DEFAULT_CRON,
  CADENCES,
  DEFAULT_TIMEZONE,
  MANIFEST_PATH,
} from "./core/manifest/constants.ts";
export { effectiveCron } from "./core/time/next_run.ts";
export { nextRuns, runsBetween, runsInWindow, type WindowRuns } from "./core/time/runs.ts";
export { type CronParse, type CronProblem, type CronSpec, parseCron } from "./core/time/cron.ts";
export { isValidTimeZone, timeZoneProblem, timeZoneWarning } from "./core/time/timezone.ts";
export { listSchedule } from "./core/manifest/listing.ts";
export type {
  ListedAgent,
  ListedRun,
  ListScheduleOptions,
  ScheduleList,
} from "./core/manifest/listing.ts";
export { agentCatalog } from "./core/agents/catalog.ts";
export type { AgentEntry, AgentSource } from "./core/agents/catalog.ts";

// Bundle and plugins
export type {
  Bundle,
  BundleFormat,
  BundlePointer,
  BundleSection,
  SectionStatus,
} from "./core/bundle/types.ts";
export { definePlugin, PluginDefinitionError } from "./core/plugin/define.ts";
export { PLUGIN_API_VERSION, SUMMARY_FIELDS } from "./core/plugin/types.ts";
export type {
  BundleSummary,
  Plugin,
  SectionContext,
  SectionOutput,
  SectionPlugin,
  SinkContext,
  SinkPlugin,
  SummaryField,
} from "./core/plugin/types.ts";
export type { SafeReader, SafeReadResult } from "./core/fs/safe_read.ts";
export { createDeadline, DEFAULT_DEADLINE_MS } from "./core/fs/deadline.ts";
export type { Deadline } from "./core/fs/deadline.ts";

// Prepare and deliver
export { PrepareError } from "./core/bundle/prepare.ts";
export type { PreparedBundle, PrepareOptions } from "./core/bundle/prepare.ts";

/**
 * Assembles the orientation bundle for `agent` in `target`, with kaizen's
 * built-in plugin (unless `builtins` says otherwise) and `plugins`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendMemoryNote, prepareBundle } from "./mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await appendMemoryNote(repo, "coach", "The upload test is flaky on CI", new Date());
 *   const { bundle, rendering } = await prepareBundle({
 *     target: repo,
 *     agent: "coach",
 *     repo: "acme/widgets",
 *   });
 *   assert.equal(bundle.has_memory, true);
 *   assert.ok(rendering.text.startsWith("# Orientation: coach in acme/widgets\n"));
 *   assert.match(rendering.text, /The upload test is flaky on CI/);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export function prepareBundle(
  options: import("./core/bundle/prepare.ts").PrepareOptions,
): Promise<import("./core/bundle/prepare.ts").PreparedBundle> {
  return corePrepareBundle({ ...options, builtins: options.builtins ?? [builtinPlugin] });
}
export { DEFAULT_SINK_TIMEOUT_MS, emitToSinks } from "./core/bundle/emit.ts";
export type { EmitOptions, SafeRendering, SinkResult } from "./core/bundle/emit.ts";

// Roster
export { discoverScheduledRuns, MAX_DUE_AT, RosterSourceError } from "./core/roster/discover.ts";
export type {
  DiscoverOptions,
  DiscoverResult,
  RosterSource,
  ScheduledRun,
  SkippedRepo,
  SkipReason,
} from "./core/roster/discover.ts";
export type { RosterEntry } from "./core/roster/types.ts";

// Fleet status: the schedule joined with the events on JetStream
export { DEFAULT_GRACE_MS, fleetStatus, FleetStatusError } from "./core/fleet/status.ts";
export type { ExpectedSource, FleetStatusOptions } from "./core/fleet/status.ts";
export type { ExpectedRun } from "./core/fleet/join.ts";
export type {
  DurationBin,
  FleetCounts,
  FleetDay,
  FleetRow,
  FleetStatusReport,
  QualityTrend,
  RowStatus,
  RunOutcome,
  UnscheduledPair,
} from "./core/fleet/types.ts";

// Project state: what a session records and the next bundle reads
export { executionsPath, memoryPath, OPTIMIZER_DIR, summaryPath } from "./core/state/layout.ts";
export { appendMemoryNote, readMemory, scaffoldMemory } from "./core/state/memory.ts";
export type {
  AppendMemoryResult,
  MemoryProblem,
  ReadMemoryResult,
  ScaffoldMemoryResult,
} from "./core/state/memory.ts";
export {
  helixFromEnv,
  listMetricsAgents,
  MetricsError,
  metricsError,
  readMetrics,
  rebuildSummary,
  recordExecution,
} from "./core/state/metrics/mod.ts";
export type {
  ExecutionRecord,
  HelixFields,
  HelixResult,
  ListMetricsAgentsResult,
  MetricsProblem,
  MetricsProblemCode,
  MetricsReading,
  MetricsSummary,
  ReadMetricsResult,
  RebuildResult,
  RebuiltSummary,
  RecordedExecution,
  RecordInput,
  RecordResult,
} from "./core/state/metrics/mod.ts";
export { runOptimizer, THRESHOLDS } from "./core/state/optimizer.ts";
export type { Analysis, Finding, OptimizeResult, OptimizerOutput } from "./core/state/optimizer.ts";
export { installAgent, listAgents, readAgentPrompt } from "./core/state/agents.ts";
export type { AgentListing, InstallAgentResult } from "./core/state/agents.ts";

// Events
export { eventMessageId, schedulePrepared } from "./core/events/payloads.ts";
export {
  AGENT_INSTALLED,
  METRICS_RECORDED,
  SCHEDULE_PREPARED,
  SUBJECTS,
} from "./core/events/subjects.ts";
export type { AgentInstalled, MetricsRecorded, SchedulePrepared } from "./core/events/model.ts";
export type {
  EventPublisher,
  NatsConnectOptions,
  NatsPublishOptions,
  NatsPublishResult,
} from "./core/nats/publish.ts";

/**
 * Opens one NATS connection for many events (see docs/sinks.md). The NATS
 * client is loaded on the first call, so importing this module stays cheap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openEventPublisher } from "./mod.ts";
 *
 * async function announce(url: string, events: { subject: string; json: string; id: string }[]) {
 *   // `env` supplies NATS_CREDS, NATS_NKEY or NATS_TOKEN: (name) => Deno.env.get(name)
 *   const publisher = await openEventPublisher({ url, env: () => undefined, timeoutMs: 1_000 });
 *   try {
 *     for (const e of events) {
 *       await publisher.publish(e.subject, new TextEncoder().encode(e.json), e.id);
 *     }
 *   } finally {
 *     await publisher.close();
 *   }
 * }
 * // Nothing listens on port 1 here: the failure is a NatsPublishError naming the server.
 * const release = { subject: "acme.release.cut", json: '{"tag":"v1.4.0"}', id: "acme-v1.4.0" };
 * await assert.rejects(announce("nats://127.0.0.1:1", [release]), {
 *   name: "NatsPublishError",
 *   message: /nats:\/\/127\.0\.0\.1:1/,
 * });
 * ```
 */
export async function openEventPublisher(
  opts: import("./core/nats/publish.ts").NatsConnectOptions,
): Promise<import("./core/nats/publish.ts").EventPublisher> {
  return (await import("./core/nats/publish.ts")).openEventPublisher(opts);
}

/**
 * Publishes one event: connect, publish (acked on JetStream), close; retried within a deadline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishEvent } from "./mod.ts";
 *
 * const payload = new TextEncoder().encode(JSON.stringify({ tag: "v1.4.0" }));
 * const sending = publishEvent(payload, {
 *   url: "nats://127.0.0.1:1", // nothing listens here
 *   subject: "acme.release.cut",
 *   msgId: "acme-v1.4.0", // JetStream stores a retried message once
 *   env: () => undefined,
 *   timeoutMs: 1_000,
 *   attempts: 1,
 * });
 * // With a server: { mode: "jetstream", stream, seq, ... } or { mode: "core", ... }.
 * await assert.rejects(sending, { name: "NatsPublishError", message: /127\.0\.0\.1:1/ });
 * ```
 */
export async function publishEvent(
  payload: Uint8Array,
  opts: import("./core/nats/publish.ts").NatsPublishOptions,
): Promise<import("./core/nats/publish.ts").NatsPublishResult> {
  return (await import("./core/nats/publish.ts")).publishEvent(payload, opts);
}

export { DEFAULT_STREAM_OPTIONS, StreamSetupError } from "./core/events/stream.ts";
export type { EventStreamOptions, SetupOutcome, StreamChange } from "./core/events/stream.ts";

/**
 * Creates or updates the JetStream stream that keeps kaizen's events, on a
 * publisher's connection: what `kaizen events setup` does (docs/events.md).
 * Options left out take the defaults for a new stream and leave an existing
 * stream's own value alone; `kaizen.>` and a duplicate window of at least
 * two hours are always ensured.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openEventPublisher, setupEventStream } from "./mod.ts";
 *
 * async function keepEvents(url: string, days: number) {
 *   const publisher = await openEventPublisher({ url, env: () => undefined, timeoutMs: 1_000 });
 *   try {
 *     const r = await setupEventStream(publisher, { maxAgeMs: days * 86_400_000 });
 *     return r.action; // "created", "updated" or "unchanged"
 *   } finally {
 *     await publisher.close();
 *   }
 * }
 * // Nothing listens on port 1 here, so nothing is set up.
 * await assert.rejects(keepEvents("nats://127.0.0.1:1", 30), { name: "NatsPublishError" });
 * ```
 */
export async function setupEventStream(
  publisher: import("./core/nats/publish.ts").EventPublisher,
  options: Partial<import("./core/events/stream.ts").EventStreamOptions> = {},
): Promise<import("./core/events/stream.ts").SetupOutcome> {
  return (await import("./core/events/manager.ts")).setupEventStreamOn(publisher, options);
}

// Errors: kaizen's own errors are one type, KaizenError, told apart by its code
export { exitCodeOf, KaizenError } from "./core/errors.ts";
export type { ErrorFields, KaizenErrorCode, Problem } from "./core/errors.ts";

// CLI
export { main as runCli } from "./cli.ts";
export type { RunCliOptions } from "./cli.ts";
export { VERSION } from "./core/version.ts";
