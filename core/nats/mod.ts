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
 * const r = await publishEvent(new TextEncoder().encode("{}"), {
 *   url: "nats://127.0.0.1:4222",
 *   subject: "kaizen.schedule.prepared",
 *   msgId: "abc",
 *   env: (k) => Deno.env.get(k),
 * });
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
