/**
 * Everything a plugin author needs, and nothing the built-in plugins do not
 * also use: kaizen's own sections and sinks (`plugins/builtin/`) import only
 * this module. The types and `definePlugin`; reading the target repository
 * (through the `files` reader a section receives); markdown tables and shell
 * quoting for content; standard output and atomic writes for local sinks;
 * the event payload, its message id and NATS publishing; HTTP retries with
 * backoff and capped reads for network sinks; the artifact-store client; and
 * the readiness checks `kaizen doctor` runs for the NATS and artifact-store
 * sinks.
 *
 * Importing it is cheap: the NATS, HTTP and artifact-store clients load on
 * the first call.
 *
 * @example
 * ```ts
 * import { definePlugin, renderMarkdownTable } from "./plugin.ts";
 * export const team = definePlugin({
 *   name: "team",
 *   apiVersion: 1,
 *   sections: [{
 *     id: "team",
 *     title: "Team notes",
 *     order: 450,
 *     collect: () => ({ content: renderMarkdownTable(["Who", "What"], [["alice", "releases"]]) }),
 *   }],
 * });
 * ```
 *
 * @module
 */

// The plugin API
export { definePlugin, PluginDefinitionError } from "./core/plugin/define.ts";
export { PLUGIN_API_VERSION, SUMMARY_FIELDS } from "./core/plugin/types.ts";
export type {
  BundleSummary,
  Plugin,
  SectionContext,
  SectionOutput,
  SectionPlugin,
  SinkCheckContext,
  SinkCheckReporter,
  SinkContext,
  SinkOption,
  SinkOptionValue,
  SinkPlugin,
  SummaryField,
} from "./core/plugin/types.ts";
export { parseDuration } from "./core/plugin/sink_options.ts";
export type {
  Bundle,
  BundleFormat,
  BundlePointer,
  BundleSection,
  SectionStatus,
} from "./core/bundle/types.ts";
export type { AgentSchedule, Schedule } from "./core/manifest/types.ts";
export type { Cadence } from "./core/manifest/constants.ts";
export { VERSION } from "./core/version.ts";

// Reading the target repository
export type { SafeReader, SafeReadResult } from "./core/fs/safe_read.ts";
export type { Deadline } from "./core/fs/deadline.ts";
export { executionsPath, memoryPath, metricsDir, summaryPath } from "./core/state/layout.ts";
export { INSTALLED_AGENTS_DIR, packagedPrompt } from "./core/agents/catalog.ts";
export { MetricsError } from "./core/state/metrics/record.ts";

export type {
  ExecutionRecord,
  MetricsProblem,
  MetricsReading,
  ReadMetricsOptions,
  ReadMetricsResult,
} from "./core/state/metrics/mod.ts";
import type { ReadMetricsOptions } from "./core/state/metrics/mod.ts";

/**
 * An agent's metrics in a repository: the recorded runs' summary (the one
 * derivation `metrics show` and the bundle use) and the latest runs, as
 * `{ ok: true, ... }`, or a `MetricsProblem` (`ok: false`, a code and a
 * message) for state it cannot use. The metrics code loads on the first
 * call, so a command that never reads metrics does not pay for it.
 */
export async function readMetrics(
  root: string,
  agent: string,
  options: ReadMetricsOptions = {},
): Promise<import("./core/state/metrics/mod.ts").ReadMetricsResult> {
  return (await import("./core/state/metrics/mod.ts")).readMetrics(root, agent, options);
}

// Content
export { renderMarkdownTable } from "./core/text/markdown_table.ts";
export { shellQuote } from "./core/text/shell_quote.ts";
export { printable } from "./core/text/printable.ts";

// Local output
export { stdout as writeStdout } from "./core/cli/io.ts";
export { writeFileAtomic } from "./core/fs/atomic.ts";

// Events and NATS
export { eventMessageId, schedulePrepared } from "./core/events/payloads.ts";
export { SCHEDULE_PREPARED, SUBJECTS } from "./core/events/subjects.ts";
export type { SchedulePrepared } from "./core/events/model.ts";
export {
  DEFAULT_NATS_URL,
  maskUrl,
  NatsUrlError,
  openEventPublisher,
  parseNatsUrl,
  publishEvent,
} from "./core/nats/mod.ts";
export type {
  EventPublisher,
  NatsConnectOptions,
  NatsPublishOptions,
  NatsPublishResult,
  NatsTarget,
} from "./core/nats/mod.ts";
export { eventServer, publishAndDescribe } from "./core/events/publish_report.ts";
export type { EventPublication } from "./core/events/publish_report.ts";
export { stripUserinfo } from "./core/net/userinfo.ts";

// HTTP
export {
  abortableSleep,
  backoffDelay,
  discardBody,
  fetchWithRetry,
  parseRetryAfter,
  readCapped,
} from "./core/http/mod.ts";
export type { CappedBody, FetchWithRetryOptions, FetchWithRetryResult } from "./core/http/mod.ts";

// The artifact store
export {
  describeArtifactRequest,
  publishArtifact,
  TOKEN_VARIABLE as ARTIFACT_STORE_TOKEN_VARIABLE,
  URL_VARIABLE as ARTIFACT_STORE_URL_VARIABLE,
} from "./core/artifact_store/lazy.ts";
export type {
  ArtifactRequestDescription,
  PublishArtifactOptions,
  PublishArtifactResult,
} from "./core/artifact_store/lazy.ts";

// Readiness checks (`kaizen doctor`)
export { checkArtifactStore, checkNatsServer } from "./core/doctor/sink_checks.ts";
