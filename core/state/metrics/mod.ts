/**
 * Execution records and the summary derived from them (docs/adr/0002): the
 * logic behind `kaizen metrics record | show | list | rebuild`, without
 * printing, so that the CLI, the bundle's metrics section, MCP and the
 * library share one behaviour.
 *
 * - `record.ts`: the record, its limits and validation
 * - `helix.ts`: the `HELIX_*` correlation fields
 * - `summary.ts`: the accumulator and the one summary derivation
 * - `log.ts`: streaming `executions.jsonl` forward and reading its tail
 * - `state.ts`: `summary.state.json`, the running state and its fingerprints
 * - `read.ts`, `write.ts`: reading; recording and rebuilding under the lock
 * - `list.ts`: which agents have metrics
 * - `event.ts`: the `kaizen.metrics.recorded` payload and its message id
 *
 * Like memory and agents, the public functions answer with data: an `ok`
 * value or a coded {@link MetricsProblem} for every expected refusal (a
 * value out of range, an unknown agent, a path out of the repository, a busy
 * lock, a full disk, no log to rebuild from); {@link metricsError} makes a
 * problem kaizen's one error type for a front end. A bug still throws.
 *
 * @module
 */
export {
  checkRecordInput,
  type ExecutionRecord,
  formatInstant,
  type HelixFields,
  invalidRecord,
  MAX_HELIX_CHARS,
  MAX_LINE_BYTES,
  MAX_NOTES_CHARS,
  MAX_TIME_SECONDS,
  MetricsError,
  metricsError,
  type MetricsErrorKind,
  type MetricsProblem,
  type MetricsProblemCode,
  type MetricsValue,
  parseLine,
  parseRecords,
  type RecordInput,
  refusedError,
  type SkippedLine,
} from "./record.ts";
export { helixFromEnv, type HelixResult } from "./helix.ts";
export {
  accumulate,
  deriveSummary,
  emptyAccumulator,
  isSummaryShape,
  type MetricsSummary,
  type MetricsTrend,
  type RecentRun,
  storedSummaryMatches,
  type SummaryAccumulator,
  summaryFromAccumulator,
  TREND_RUNS,
} from "./summary.ts";
export { MAX_LISTED_SKIPPED } from "./log.ts";
export { type SummaryState } from "./state.ts";
export {
  DEFAULT_LATEST_RUNS,
  type LogSummary,
  type MetricsReading,
  readMetrics,
  type ReadMetricsOptions,
  type ReadMetricsResult,
  summariseLog,
} from "./read.ts";
export {
  LOCK_STALE_MS,
  type RebuildResult,
  rebuildSummary,
  type RebuiltSummary,
  type RecordedExecution,
  recordExecution,
  type RecordResult,
  type WriteOptions,
} from "./write.ts";
export { checkAgent, OPTIMIZER_FOLDER } from "./agent.ts";
export { listMetricsAgents, type ListMetricsAgentsResult } from "./list.ts";
export { metricsRecorded, recordedEventIdParts } from "./event.ts";
