/**
 * The `kaizen.metrics.recorded` v1 payload, and the JetStream message id
 * that identifies one recorded event: a re-send of the same event is
 * de-duplicated, a different event never is.
 *
 * @module
 */
import { sha256Hex } from "../../bytes.ts";
import type { MetricsRecorded } from "../../events/model.ts";
import { eventHead } from "../../events/payloads.ts";
import { METRICS_RECORDED } from "../../events/subjects.ts";
import type { ExecutionRecord } from "./record.ts";
import type { MetricsSummary } from "./summary.ts";

/**
 * The `kaizen.metrics.recorded` v1 payload for a written record. `repo` is
 * the roster slug, `root` the checkout's real path.
 */
export function metricsRecorded(
  record: ExecutionRecord,
  summary: MetricsSummary,
  where: { repo: string; root: string },
): MetricsRecorded {
  return {
    ...eventHead(METRICS_RECORDED, record.recorded_at, where, record.agent),
    success: record.success,
    time_seconds: record.time_seconds,
    quality: record.quality,
    helix_session_uid: record.helix_session_uid ?? null,
    summary: {
      runs: summary.runs,
      successes: summary.successes,
      failures: summary.failures,
      success_rate: summary.success_rate,
      avg_time_seconds: summary.avg_time_seconds,
      avg_quality: summary.avg_quality,
    },
  };
}

/**
 * The parts that identify a recorded event for its message id: subject,
 * repository, agent, instant, the SHA-256 of the record as written and the
 * byte offset its line starts at in the log. Two records in the same second
 * get different ids (by content, and by place even when their content is
 * identical); publishing the same record again gets the same one.
 */
export async function recordedEventIdParts(
  root: string,
  record: ExecutionRecord,
  offset: number,
): Promise<string[]> {
  const hex = await sha256Hex(new TextEncoder().encode(JSON.stringify(record)));
  return [METRICS_RECORDED, root, record.agent, record.recorded_at, hex, String(offset)];
}
