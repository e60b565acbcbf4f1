/**
 * Reads kaizen's events from JetStream for a window: an ordered consumer
 * (the client's own gap and reconnect recovery, no server-side state left
 * behind) on `kaizen.>`, delivering from the window's start by stream time,
 * each message handed to `onMessage` as it arrives — nothing is collected.
 *
 * The read ends at the first of: the last message the stream held when the
 * read began, a message stored a day ({@link LATE_MS}) or more after
 * `until`, or no more pending messages. Imported only by `fleet status`; the NATS client comes with it.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/nats-core/internal";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { printable } from "../text/printable.ts";
import { type ErrorFields, KaizenError } from "../errors.ts";

/** A read that cannot start (code `fleet-read`); the message is one printable line. */
export class FleetReadError extends KaizenError {
  override name = "FleetReadError";
  constructor(message: string, fields: Pick<ErrorFields, "subject" | "option" | "cause"> = {}) {
    super("fleet-read", message, fields);
  }
}

/** How read errors name the stream to read: the `stream` option here, `--stream` for the CLI. */
const STREAM_NAME_SUBJECT = "the stream name";

/** What to read. */
export interface ReadOptions {
  /** Stream name; default: the stream that stores `kaizen.schedule.prepared`. */
  stream?: string;
  /** First stream time to deliver (epoch ms). */
  from: number;
  /** Stop at a message stored at or after this time (epoch ms). */
  until: number;
  /** JetStream API timeout (ms). */
  timeoutMs: number;
  /** Called every few thousand messages with (read, roughly how many in all). */
  onProgress?: (read: number, total: number) => void;
  /** How long to wait for a first message before deciding there is none (ms). */
  idleMs?: number;
}

/** What the read found. */
export interface ReadResult {
  stream: string;
  messages: number;
}

/** Clock skew allowed between the publishers and the server (the read starts this much earlier). */
export const SKEW_MS = 5 * 60_000;
/**
 * How long after `until` the stream is still read: an event is stored when
 * it is published, and a runner that was offline publishes late (the sinks
 * retry; a backfill publishes days later). Events stored later than this
 * are not read.
 */
export const LATE_MS = 24 * 3_600_000;

const message = (err: unknown) => printable(String((err as Error)?.message ?? err), 200);

/** The stream to read, and its last sequence and time now. */
export async function findStream(
  nc: NatsConnection,
  opts: Pick<ReadOptions, "stream" | "timeoutMs">,
): Promise<{ name: string; lastSeq: number; lastMs: number; firstSeq: number }> {
  let jsm;
  try {
    jsm = await jetstreamManager(nc, { timeout: opts.timeoutMs });
  } catch (err) {
    throw new FleetReadError(`JetStream is not available: ${message(err).split("\n")[0]}`, {
      cause: err,
    });
  }
  let name = opts.stream;
  if (name === undefined) {
    try {
      name = await jsm.streams.find("kaizen.schedule.prepared");
    } catch (err) {
      if (/no stream matches/i.test(String((err as Error)?.message))) {
        throw new FleetReadError(
          `no stream stores kaizen.schedule.prepared: create one with 'kaizen events setup' (or pass ${STREAM_NAME_SUBJECT} NAME)`,
          { subject: STREAM_NAME_SUBJECT, option: "stream" },
        );
      }
      throw new FleetReadError(`JetStream: ${message(err)}`, { cause: err });
    }
  }
  try {
    const info = await jsm.streams.info(name);
    return {
      name,
      lastSeq: info.state.last_seq,
      firstSeq: info.state.first_seq,
      lastMs: info.state.messages > 0 ? Date.parse(info.state.last_ts) : -Infinity,
    };
  } catch (err) {
    if ((err as Error)?.name === "StreamNotFoundError") {
      throw new FleetReadError(`no stream named ${printable(name, 64)} on this server`);
    }
    throw new FleetReadError(`JetStream: ${message(err)}`, { cause: err });
  }
}

/**
 * Streams the window's messages to `onMessage` (subject, payload) in stream
 * order; resolves when the read is over.
 *
 * @example
 * ```ts
 * await readFleetMessages(nc, { from, until, timeoutMs: 5_000 }, (subject, data) => {
 *   join(parseFleetMessage(subject, data));
 * });
 * ```
 */
export async function readFleetMessages(
  nc: NatsConnection,
  opts: ReadOptions,
  onMessage: (subject: string, data: Uint8Array) => void,
): Promise<ReadResult> {
  const found = await findStream(nc, opts);
  const start = opts.from - SKEW_MS;
  if (found.lastSeq === 0 || found.lastMs < start) return { stream: found.name, messages: 0 };
  const js = jetstream(nc, { timeout: opts.timeoutMs });
  const consumer = await js.consumers.get(found.name, {
    filter_subjects: "kaizen.>",
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(Math.max(0, start)).toISOString(),
  });
  const messages = await consumer.consume({ max_messages: 4096 });
  const untilNanos = BigInt(Math.floor(opts.until + LATE_MS)) * 1_000_000n;
  let count = 0;
  let first: number | undefined;
  // Nothing stored at or after the start (of this filter): the consumer
  // would wait forever, so a silent start ends the read.
  const idle = setTimeout(() => {
    if (count === 0) messages.stop();
  }, opts.idleMs ?? 3_000);
  try {
    for await (const m of messages) {
      count++;
      if (m.info.timestampNanos >= untilNanos) break;
      onMessage(m.subject, m.data);
      first ??= m.seq;
      if (opts.onProgress && count % 4096 === 0) {
        opts.onProgress(m.seq - first + 1, Math.max(1, found.lastSeq - first + 1));
      }
      if (m.seq >= found.lastSeq || m.info.pending === 0) break;
    }
  } finally {
    clearTimeout(idle);
    await messages.close().catch(() => {});
  }
  return { stream: found.name, messages: count };
}
