/**
 * The JetStream manager for `kaizen events setup`, behind a static import:
 * `@nats-io/jetstream` is CommonJS, and the bundle's dynamic import of it
 * yields only a default export, so commands import this module instead.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/nats-core/internal";
import { jetstreamManager } from "@nats-io/jetstream";
import type { StreamManager } from "./stream.ts";

/** The stream half of a JetStream manager on `nc` (rejects when JetStream is off). */
export async function streamManager(nc: NatsConnection, timeoutMs: number): Promise<StreamManager> {
  const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
  return jsm.streams as unknown as StreamManager;
}
