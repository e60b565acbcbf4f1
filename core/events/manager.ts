/**
 * `kaizen events setup` on a live connection: the JetStream manager and the
 * stream logic of `stream.ts` together. Imports `@nats-io/jetstream`
 * statically: the package is CommonJS, and the bundle's dynamic import of it
 * yields only a default export, so callers import this module lazily instead.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/nats-core/internal";
import { jetstreamManager } from "@nats-io/jetstream";
import {
  checkStreamOptions,
  DEFAULT_STREAM_OPTIONS,
  type EventStreamOptions,
  setupEventStream,
  type SetupOutcome,
  type StreamManager,
  type StreamOption,
  StreamSetupError,
} from "./stream.ts";

/** The stream half of a JetStream manager on `nc` (rejects when JetStream is off). */
export async function streamManager(nc: NatsConnection, timeoutMs: number): Promise<StreamManager> {
  const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
  return jsm.streams as unknown as StreamManager;
}

/**
 * Creates or updates the stream that keeps kaizen's events, on an open
 * connection (an {@link EventPublisher}'s). `options` absent take the defaults
 * for a new stream, and on an existing stream leave its own value alone
 * (`kaizen events setup` passes only the flags given). Rejects with a
 * {@link StreamSetupError} (one printable line) for invalid options or a
 * stream that cannot be set up; other rejections are the server's.
 *
 * `mod.ts` exports it as `setupEventStream` (with an example).
 */
export async function setupEventStreamOn(
  publisher: { readonly connection: NatsConnection; readonly timeoutMs?: number },
  options: Partial<EventStreamOptions> = {},
): Promise<SetupOutcome> {
  const full: EventStreamOptions = { ...DEFAULT_STREAM_OPTIONS };
  const given = new Set<StreamOption>();
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    (full as unknown as Record<string, unknown>)[key] = value;
    if (key !== "name") given.add(key as StreamOption);
  }
  const problem = checkStreamOptions(full);
  if (problem) throw new StreamSetupError(problem);
  const streams = await streamManager(publisher.connection, publisher.timeoutMs ?? 5_000);
  return await setupEventStream(streams, full, given);
}
