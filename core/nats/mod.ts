/**
 * NATS for sinks and library callers: URL helpers (cheap, loaded at once)
 * and publishing, whose client is imported on the first call, so importing
 * this module costs nothing at start-up.
 *
 * @module
 */
import type {
  EventPublisher,
  NatsConnectOptions,
  NatsPublishOptions,
  NatsPublishResult,
} from "./publish.ts";

export { DEFAULT_NATS_URL, maskUrl, type NatsTarget, NatsUrlError, parseNatsUrl } from "./url.ts";
export type { EventPublisher, NatsConnectOptions, NatsPublishOptions, NatsPublishResult };

/**
 * Publishes one event: connect, publish (acked on JetStream), close; retried
 * within a deadline. Give a `msgId` so a retry is stored once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishEvent } from "../../plugin.ts";
 *
 * // With a server: `{ mode: "jetstream", stream: "KAIZEN", seq: 4, duplicate: false, ... }`.
 * // Nothing listens on port 1, so this one is refused, once, within its deadline.
 * const publishing = publishEvent(new TextEncoder().encode("{}"), {
 *   url: "nats://127.0.0.1:1",
 *   subject: "kaizen.schedule.prepared",
 *   msgId: "abc",
 *   env: () => undefined,
 *   timeoutMs: 1_000,
 *   attempts: 1,
 * });
 * await assert.rejects(publishing, { name: "NatsPublishError", code: "nats-publish" });
 * ```
 */
export async function publishEvent(
  payload: Uint8Array,
  opts: NatsPublishOptions,
): Promise<NatsPublishResult> {
  return (await import("./publish.ts")).publishEvent(payload, opts);
}

/** Opens one NATS connection for many events (see docs/sinks.md). */
export async function openEventPublisher(opts: NatsConnectOptions): Promise<EventPublisher> {
  return (await import("./publish.ts")).openEventPublisher(opts);
}
