/**
 * A message off the stream, reduced to what the fleet join needs. Anything
 * else — not JSON, another subject, a field of the wrong type — is not an
 * event the join can use and is counted, never thrown.
 *
 * @module
 */
import type { FleetEvent } from "./join.ts";

const decoder = new TextDecoder();
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** What a message turned out to be. */
export type ParsedMessage =
  | { kind: "event"; event: FleetEvent }
  /** A subject the join does not use (`kaizen.agent.installed`, later additions). */
  | { kind: "other" }
  | { kind: "invalid" };

/**
 * Parses one message. `repo` and `agent` are kept exactly as published (the
 * join compares them with the schedule's); they are made safe for output
 * later, where they are shown.
 *
 * @example
 * ```ts
 * parseFleetMessage("kaizen.schedule.prepared", new TextEncoder().encode(
 *   '{"occurred_at":"2026-11-23T09:00:00Z","repo":"web","agent":"coach"}'));
 * // { kind: "event", event: { kind: "prepared", repo: "web", agent: "coach", at: 1795424400000 } }
 * ```
 */
export function parseFleetMessage(subject: string, data: Uint8Array): ParsedMessage {
  if (subject !== "kaizen.schedule.prepared" && subject !== "kaizen.metrics.recorded") {
    return { kind: "other" };
  }
  let p: Record<string, unknown>;
  try {
    const v = JSON.parse(decoder.decode(data));
    if (v === null || typeof v !== "object" || Array.isArray(v)) return { kind: "invalid" };
    p = v;
  } catch {
    return { kind: "invalid" };
  }
  const { repo, agent, occurred_at } = p;
  if (
    typeof repo !== "string" || typeof agent !== "string" || typeof occurred_at !== "string" ||
    !RFC3339.test(occurred_at)
  ) return { kind: "invalid" };
  const at = Date.parse(occurred_at);
  if (Number.isNaN(at)) return { kind: "invalid" };
  if (subject === "kaizen.schedule.prepared") {
    return { kind: "event", event: { kind: "prepared", repo, agent, at } };
  }
  if (subject === "kaizen.metrics.recorded") {
    const { success, time_seconds, quality } = p;
    if (
      typeof success !== "boolean" || typeof time_seconds !== "number" ||
      !Number.isFinite(time_seconds) || time_seconds < 0 || typeof quality !== "number" ||
      !(quality >= 0 && quality <= 1)
    ) return { kind: "invalid" };
    return {
      kind: "event",
      event: { kind: "recorded", repo, agent, at, success, timeSeconds: time_seconds, quality },
    };
  }
  return { kind: "invalid" };
}
