/**
 * kaizen as a library: the manifest model, the bundle types, the plugin API,
 * and the CLI itself for team entry points that add their own plugins.
 *
 * @example
 * ```ts
 * import { definePlugin, runCli } from "./mod.ts";
 * const team = definePlugin({
 *   name: "team", apiVersion: 1,
 *   sections: [{ id: "team", title: "Team notes", order: 450, collect: () => ({ content: "..." }) }],
 * });
 * Deno.exit(await runCli(Deno.args, { plugins: [team] }));
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
 * const { rendering } = await prepareBundle({ target: "examples/pilot", agent: "coach" });
 * console.log(rendering.text);
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
  readMetrics,
  rebuildSummary,
  recordExecution,
} from "./core/state/metrics/mod.ts";
export type {
  ExecutionRecord,
  HelixFields,
  MetricsReading,
  MetricsSummary,
  RecordInput,
  RecordResult,
} from "./core/state/metrics/mod.ts";
export { runOptimizer, THRESHOLDS } from "./core/state/optimizer.ts";
export type { Analysis, Finding, OptimizeResult } from "./core/state/optimizer.ts";
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
 */
export async function openEventPublisher(
  opts: import("./core/nats/publish.ts").NatsConnectOptions,
): Promise<import("./core/nats/publish.ts").EventPublisher> {
  return (await import("./core/nats/publish.ts")).openEventPublisher(opts);
}

/** Publishes one event: connect, publish (acked on JetStream), close; retried within a deadline. */
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
 * const publisher = await openEventPublisher({
 *   url: "nats://127.0.0.1:4222",
 *   env: (k) => Deno.env.get(k),
 * });
 * try {
 *   const r = await setupEventStream(publisher, { maxAgeMs: 30 * 86_400_000 });
 *   console.log(r.action); // "created", "updated" or "unchanged"
 * } finally {
 *   await publisher.close();
 * }
 * ```
 */
export async function setupEventStream(
  publisher: import("./core/nats/publish.ts").EventPublisher,
  options: Partial<import("./core/events/stream.ts").EventStreamOptions> = {},
): Promise<import("./core/events/stream.ts").SetupOutcome> {
  return (await import("./core/events/manager.ts")).setupEventStreamOn(publisher, options);
}

// CLI
export { main as runCli } from "./cli.ts";
export type { RunCliOptions } from "./cli.ts";
export { VERSION } from "./core/version.ts";
