/**
 * `kaizen events tail`: events as they arrive, replayed from the stream
 * first when asked, each printed as one redacted line.
 *
 * Where events come from:
 * - a stream stores the subject (found with `$JS.API.STREAM.NAMES`, or named
 *   with `--stream`): an ordered consumer, the client's own recovery for
 *   gaps and reconnects, starting at `now - since` (`--since`) or just after
 *   the stream's last message at start-up, so nothing stored after the
 *   "following" notice is missed;
 * - no stream: a core subscription, live events only (`--since` then has
 *   nothing to replay and is refused).
 *
 * What is printed: every string that came from the wire is copied as plain
 * bounded JSON with control characters stripped (`boundData`), redacted
 * value by value with its key as context (`redactData`), and the composed
 * line goes through the output choke point (`redactForOutput`) once more.
 *
 * This module is imported only by `events tail`; the NATS client comes in
 * with it.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/nats-core/internal";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { boundData, redactData } from "../bundle/data.ts";
import { defaultRedactor } from "../bundle/scan.ts";
import { KaizenError } from "../errors.ts";
import { redactForOutput } from "../redact/output.ts";
import { printable, stripControl } from "../text/printable.ts";
import type { EventsTailLine } from "./tail_model.ts";

/** One message as it came off the wire. */
export interface TailedEvent {
  subject: string;
  data: Uint8Array;
  /** Set when the event came through a stream. */
  stream?: string;
  seq?: number;
  /** When the stream stored it (RFC 3339). */
  time?: string;
}

/** Where `tail` reads from, for the "following" notice. */
export interface TailPlan {
  /** The stream read through an ordered consumer; undefined for a core subscription. */
  stream?: string;
  /** The first stream sequence asked for (when following from the end). */
  startSeq?: number;
  /** The earliest stored time asked for (with `--since`). */
  startTime?: string;
}

/** An open tail: its plan, its events, and how to end them. */
export interface Tail {
  plan: TailPlan;
  events: AsyncIterable<TailedEvent>;
  /** Ends `events` (idempotent). */
  stop(): Promise<void>;
}

/** A tail that cannot start (code `tail`); the message is one printable line. */
export class TailError extends KaizenError {
  override name = "TailError";
  constructor(message: string, cause?: unknown) {
    super("tail", message, cause !== undefined ? { cause } : {});
  }
}

/** What `tail` was asked for. */
export interface TailOptions {
  /** NATS subject filter, e.g. `kaizen.>`. */
  subject: string;
  /** Replay what the stream stored this long before `now`. */
  sinceMs?: number;
  /** Read this stream instead of the one that stores `subject`. */
  stream?: string;
  now: Date;
  /** Per-request timeout for the JetStream API. */
  timeoutMs: number;
}

const message = (err: unknown) => String((err as Error)?.message ?? err);

/** The stream that stores `subject`, or undefined without JetStream or a matching stream. */
async function findStream(
  nc: NatsConnection,
  opts: TailOptions,
): Promise<{ name: string; lastSeq: number } | undefined> {
  let jsm;
  try {
    jsm = await jetstreamManager(nc, { timeout: opts.timeoutMs });
  } catch (err) {
    if (opts.stream === undefined && /not enabled|no responders|503/i.test(message(err))) {
      return undefined;
    }
    throw new TailError(`JetStream: ${printable(message(err).split("\n")[0], 200)}`, err);
  }
  let name = opts.stream;
  if (name === undefined) {
    try {
      name = await jsm.streams.find(opts.subject);
    } catch (err) {
      if (/no stream matches/i.test(message(err))) return undefined;
      throw err;
    }
  }
  try {
    const info = await jsm.streams.info(name);
    return { name, lastSeq: info.state.last_seq };
  } catch (err) {
    if ((err as Error)?.name === "StreamNotFoundError") {
      throw new TailError(`no stream named ${printable(name, 64)} on this server`);
    }
    throw err;
  }
}

/**
 * Starts reading `opts.subject` on `nc` (see the module comment). Rejects with
 * a {@link TailError} for `--since` without a stream, or a named stream that
 * does not exist.
 */
export async function openTail(nc: NatsConnection, opts: TailOptions): Promise<Tail> {
  const found = await findStream(nc, opts);
  if (found === undefined) {
    if (opts.sinceMs !== undefined) {
      throw new TailError(
        `no stream stores ${
          printable(opts.subject, 100)
        }: nothing to replay (create one with 'kaizen events setup', or leave out --since to follow live events)`,
      );
    }
    const sub = nc.subscribe(opts.subject);
    // The server has the subscription once the flush returns: events
    // published after the "following" notice are delivered.
    await nc.flush();
    return {
      plan: {},
      events: (async function* () {
        for await (const m of sub) yield { subject: m.subject, data: m.data };
      })(),
      stop: async () => {
        if (!sub.isClosed()) sub.unsubscribe();
        await Promise.resolve();
      },
    };
  }
  const js = jetstream(nc, { timeout: opts.timeoutMs });
  const startTime = opts.sinceMs !== undefined
    ? new Date(opts.now.getTime() - opts.sinceMs).toISOString()
    : undefined;
  const startSeq = startTime === undefined ? found.lastSeq + 1 : undefined;
  const consumer = await js.consumers.get(found.name, {
    filter_subjects: opts.subject,
    ...(startTime !== undefined
      ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: startTime }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }),
  });
  const messages = await consumer.consume();
  let stopped = false;
  return {
    plan: { stream: found.name, startSeq, startTime },
    events: (async function* () {
      for await (const m of messages) {
        yield {
          subject: m.subject,
          data: m.data,
          stream: found.name,
          seq: m.seq,
          time: m.time.toISOString(),
        };
      }
    })(),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await messages.close().catch(() => {});
    },
  };
}

/** The most bytes of a non-JSON message that are shown. */
const MAX_TEXT = 4096;

// ESC and BEL, as regex escapes (this source carries no control character).
const ESC = "\\u001b";
const BEL = "\\u0007";

/**
 * Terminal escape sequences, matched whole: CSI (ESC `[` … final byte), OSC
 * (ESC `]` … up to BEL or ESC backslash) and two-character escapes.
 * Removing only the ESC (as `stripControl` does) leaves `[31m` glued to what
 * follows, and a token glued to a letter has no word boundary for the
 * redactor's rules to start at: a token right after a colour code would be
 * printed.
 */
const ESCAPE_SEQUENCE = new RegExp(
  `${ESC}(?:\\[[0-?]*[ -/]*[@-~]|\\][^${BEL}${ESC}]*(?:${BEL}|${ESC}\\\\)?|[@-Z\\\\-_])`,
  "g",
);

/** Deeper than this, `boundData` leaves the value out anyway. */
const MAX_DEPTH = 40;

/** `value` with every escape sequence removed from its strings (keys too), depth-bounded. */
function withoutEscapes(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(ESCAPE_SEQUENCE, "");
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => withoutEscapes(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k.replace(ESCAPE_SEQUENCE, "")] = withoutEscapes(v, depth + 1);
  }
  return out;
}

/** A string field of a payload, or undefined. */
function field(payload: unknown, key: string): unknown {
  return payload !== null && typeof payload === "object" && !Array.isArray(payload)
    ? (payload as Record<string, unknown>)[key]
    : undefined;
}

/**
 * The line of one event as `events tail --format json` prints it (see
 * `EventsTailLineModel`), with every wire string bounded, stripped of control
 * characters and redacted. `count` is how many secrets were replaced.
 */
export async function tailLine(
  ev: TailedEvent,
  received: Date,
): Promise<{ line: EventsTailLine; count: number }> {
  const text = new TextDecoder().decode(ev.data);
  let payload: unknown = null;
  let raw: string | undefined;
  try {
    payload = withoutEscapes(JSON.parse(text));
  } catch {
    const shown = text.replace(ESCAPE_SEQUENCE, "");
    raw = stripControl(shown.length > MAX_TEXT ? `${shown.slice(0, MAX_TEXT)}...` : shown);
  }
  const bounded = boundData(payload).value;
  const line = {
    subject: stripControl(ev.subject),
    stream: ev.stream ?? null,
    seq: ev.seq ?? null,
    time: ev.time ?? null,
    received_at: received.toISOString(),
    payload: bounded === undefined ? null : bounded,
    ...(raw !== undefined ? { text: raw } : {}),
  };
  const r = await redactData(line, defaultRedactor);
  return { line: r.value as EventsTailLine, count: r.count };
}

/** `2026-06-17T09:00:12Z  kaizen.schedule.prepared  acme/web  coach  weekly, 8421 bytes  #12`. */
export function summaryLine(line: EventsTailLine): string {
  const p = line.payload;
  const str = (
    v: unknown,
    max = 120,
  ) => (typeof v === "string" && v !== "" ? printable(v, max) : "-");
  const when = typeof field(p, "occurred_at") === "string"
    ? str(field(p, "occurred_at"), 40)
    : line.time ?? line.received_at;
  const parts = [when, printable(line.subject, 120), str(field(p, "repo")), str(field(p, "agent"))];
  const detail = details(line);
  if (detail) parts.push(detail);
  if (line.seq !== null) parts.push(`#${line.seq}`);
  return parts.join("  ");
}

/** What the event says besides its subject, repository and agent. */
function details(line: EventsTailLine): string {
  const p = line.payload;
  if (line.text !== undefined) return `(not JSON: ${printable(line.text, 60)})`;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const bundle = field(p, "bundle");
  switch (field(p, "event")) {
    case "kaizen.schedule.prepared": {
      const cadence = field(p, "cadence");
      const bytes = num(field(bundle, "bytes"));
      return [
        typeof cadence === "string" ? printable(cadence, 20) : "unscheduled",
        bytes !== undefined ? `${bytes} bytes` : undefined,
      ].filter(Boolean).join(", ");
    }
    case "kaizen.metrics.recorded": {
      const t = num(field(p, "time_seconds"));
      const q = num(field(p, "quality"));
      return [
        field(p, "success") === true ? "success" : "failure",
        t !== undefined ? `${t}s` : undefined,
        q !== undefined ? `quality ${q}` : undefined,
      ].filter(Boolean).join(", ");
    }
    case "kaizen.agent.installed": {
      const path = field(p, "path");
      return `${typeof path === "string" ? printable(path, 120) : "-"}${
        field(p, "replaced") === true ? " (replaced)" : ""
      }`;
    }
    default:
      return "";
  }
}

/**
 * The text `events tail` prints for one event (without the newline), in
 * `format`, after the output choke point; `notice` hears how many secrets
 * were replaced.
 */
export async function renderEvent(
  ev: TailedEvent,
  format: "text" | "json",
  received: Date,
  notice: (message: string) => void,
): Promise<string> {
  const { line, count } = await tailLine(ev, received);
  const where = `${printable(line.subject, 120)}${line.seq !== null ? ` (seq ${line.seq})` : ""}`;
  if (count > 0) notice(`redacted ${count} secret${count === 1 ? "" : "s"} from ${where}`);
  const text = format === "json" ? JSON.stringify(line) : summaryLine(line);
  // The choke point every printed text passes; after the value-by-value
  // pass it normally finds nothing.
  return redactForOutput(text, where, notice);
}
