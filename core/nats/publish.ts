/**
 * Publishes one event to NATS: through JetStream with an acknowledged,
 * de-duplicated publish when a stream captures the subject, else a core
 * publish and flush. Bounded in time, retried with jittered backoff,
 * credentials from the environment and never printed.
 *
 * Imported only when a NATS sink or command runs: the client library and the
 * socket transport cost start-up that other commands must not pay.
 *
 * @module
 */
import {
  AuthorizationError,
  credsAuthenticator,
  NatsConnectionImpl,
  nkeyAuthenticator,
  setTransportFactory,
  tokenAuthenticator,
  UserAuthenticationExpiredError,
} from "@nats-io/nats-core/internal";
import type { Authenticator, NatsConnection } from "@nats-io/nats-core/internal";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { DenoTcpTransport } from "./transport.ts";
import { firstLine, KaizenError } from "../errors.ts";
import { maskUrl, parseNatsUrl } from "./url.ts";

/** Where and how to publish. */
export interface NatsPublishOptions {
  /** `nats://host:port`, optionally with `user:password@` or `token@`. */
  url: string;
  subject: string;
  /** JetStream de-duplication id (`Nats-Msg-Id`). */
  msgId: string;
  /** Reads `NATS_CREDS`, `NATS_NKEY`, `NATS_TOKEN`. */
  env: (name: string) => string | undefined;
  /** Overall deadline for every attempt together (default 10 s). */
  timeoutMs?: number;
  /** Attempts on connection failures and timeouts (default 3). */
  attempts?: number;
  signal?: AbortSignal;
  /** Reads a credentials file (tests inject; default Deno.readFile). */
  readFile?: (path: string) => Promise<Uint8Array>;
}

type Stored =
  | { mode: "jetstream"; stream: string; seq: number; duplicate: boolean }
  | { mode: "core" };

/** What happened, for the sink's one-line report. */
export type NatsPublishResult = Stored & { attempts: number };

/** A failure (code `nats-publish`) with a one-line message that is safe to print (no credentials). */
export class NatsPublishError extends KaizenError {
  override name = "NatsPublishError";
  constructor(message: string, readonly retryable: boolean, cause?: unknown) {
    super("nats-publish", message, cause !== undefined ? { cause } : {});
  }
}

async function authenticators(
  opts: Pick<NatsPublishOptions, "env" | "readFile">,
): Promise<Authenticator[]> {
  const out: Authenticator[] = [];
  const creds = opts.env("NATS_CREDS");
  if (creds) {
    let data: Uint8Array;
    try {
      data = await (opts.readFile ?? Deno.readFile)(creds);
    } catch (err) {
      throw new NatsPublishError(
        `NATS_CREDS '${creds}' cannot be read: ${(err as Error).name}`,
        false,
        err,
      );
    }
    out.push(credsAuthenticator(data));
  }
  const nkey = opts.env("NATS_NKEY");
  if (nkey) out.push(nkeyAuthenticator(new TextEncoder().encode(nkey.trim())));
  const token = opts.env("NATS_TOKEN");
  if (token) out.push(tokenAuthenticator(token));
  return out;
}

function transportFactory(): void {
  setTransportFactory({ factory: () => new DenoTcpTransport(), defaultPort: 4222 });
}

/** Rejects when `signal` aborts; the timer never outlives the race. */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal, what: () => string): Promise<T> {
  if (signal.aborted) return Promise.reject(new NatsPublishError(what(), true));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new NatsPublishError(what(), true));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function describe(err: unknown, shown: string): NatsPublishError {
  if (err instanceof NatsPublishError) return err;
  if (err instanceof AuthorizationError || err instanceof UserAuthenticationExpiredError) {
    return new NatsPublishError(
      `${shown} refused the credentials (check NATS_CREDS, NATS_NKEY, NATS_TOKEN or the URL's user)`,
      false,
      err,
    );
  }
  const e = err as Error;
  const code = (e as { code?: string }).code;
  const text = firstLine(err);
  if (e?.name === "ConnectionRefused" || /refused|ECONNREFUSED/i.test(text)) {
    return new NatsPublishError(`cannot connect to ${shown}: connection refused`, true, err);
  }
  return new NatsPublishError(`${shown}: ${code ? `${code}: ` : ""}${text}`, true, err);
}

/** How to reach the server, for {@link openEventPublisher}. */
export interface NatsConnectOptions {
  url: string;
  env: (name: string) => string | undefined;
  /** Connect and per-request timeout (default 5 s). */
  timeoutMs?: number;
  readFile?: (path: string) => Promise<Uint8Array>;
}

/**
 * One connection for many events: the stream lookup is done once per
 * subject, each publish is acknowledged (JetStream) or flushed (core). For
 * library callers that emit in bulk; close it when done.
 */
export class EventPublisher {
  readonly #streams = new Map<string, Promise<string | undefined>>();
  readonly #js;
  private constructor(readonly connection: NatsConnection, readonly timeoutMs: number) {
    this.#js = jetstream(connection, { timeout: timeoutMs });
  }

  /** Connects (credentials from `env` and the URL); rejects with a {@link NatsPublishError}. */
  static async open(opts: NatsConnectOptions): Promise<EventPublisher> {
    const target = parseNatsUrl(opts.url);
    const timeout = opts.timeoutMs ?? 5_000;
    const auth = await authenticators(opts);
    transportFactory();
    try {
      const nc = await NatsConnectionImpl.connect({
        servers: target.server,
        user: target.user,
        pass: target.pass,
        token: target.token,
        // tls:// asks for TLS: fail rather than send credentials in clear.
        tls: target.tls ? {} : undefined,
        authenticator: auth.length > 0 ? auth : undefined,
        name: "kaizen",
        reconnect: false,
        timeout,
        noEcho: true,
      });
      return new EventPublisher(nc, timeout);
    } catch (err) {
      throw describe(err, maskUrl(opts.url));
    }
  }

  /** Publishes one event; JetStream de-duplicates on `msgId` within the stream's window. */
  async publish(subject: string, payload: Uint8Array, msgId: string): Promise<Stored> {
    let stream = this.#streams.get(subject);
    if (!stream) {
      stream = captureStream(this.connection, subject, this.timeoutMs);
      this.#streams.set(subject, stream);
    }
    if ((await stream) === undefined) {
      this.connection.publish(subject, payload);
      await this.connection.flush();
      return { mode: "core" };
    }
    const ack = await this.#js.publish(subject, payload, { msgID: msgId, timeout: this.timeoutMs });
    return { mode: "jetstream", stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  }

  close(): Promise<void> {
    return this.connection.close().catch(() => {});
  }
}

/** Opens an {@link EventPublisher}. */
export function openEventPublisher(opts: NatsConnectOptions): Promise<EventPublisher> {
  return EventPublisher.open(opts);
}

/**
 * Publishes `payload` (already JSON) on `opts.subject`, once: connect,
 * publish, close, retrying connection failures and timeouts with jittered
 * backoff within `timeoutMs`. Resolves with how it was stored; rejects with
 * a {@link NatsPublishError} whose message names the server with its
 * password masked.
 */
export async function publishEvent(
  payload: Uint8Array,
  opts: NatsPublishOptions,
): Promise<NatsPublishResult> {
  parseNatsUrl(opts.url);
  const shown = maskUrl(opts.url);
  const total = opts.timeoutMs ?? 10_000;
  const deadline = AbortSignal.any([
    AbortSignal.timeout(total),
    ...(opts.signal ? [opts.signal] : []),
  ]);
  const attempts = Math.max(1, opts.attempts ?? 3);
  let last: NatsPublishError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const opening = EventPublisher.open({
      url: opts.url,
      env: opts.env,
      readFile: opts.readFile,
      timeoutMs: Math.max(500, Math.min(5_000, total)),
    });
    let pub: EventPublisher | undefined;
    try {
      pub = await withDeadline(opening, deadline, () => `${shown}: timed out after ${total} ms`);
      const stored = await withDeadline(
        pub.publish(opts.subject, payload, opts.msgId),
        deadline,
        () => `${shown}: no acknowledgement within ${total} ms`,
      );
      return { ...stored, attempts: attempt };
    } catch (err) {
      last = describe(err, shown);
      if (!last.retryable || deadline.aborted || attempt === attempts) break;
      // Full jitter: spread retries of many runners over the window.
      await sleep(Math.random() * Math.min(2_000, 200 * 2 ** attempt), deadline);
    } finally {
      // A connection still opening after a deadline is closed when it lands.
      opening.then((p) => p.close()).catch(() => {});
      await pub?.close();
    }
  }
  throw last ?? new NatsPublishError(`${shown}: publish failed`, true);
}

/** The stream that stores `subject`, or undefined when JetStream is off or no stream matches. */
async function captureStream(
  nc: NatsConnection,
  subject: string,
  timeout: number,
): Promise<string | undefined> {
  let jsm;
  try {
    jsm = await jetstreamManager(nc, { timeout });
  } catch (err) {
    // No JetStream on this server or account: a core publish is all there is.
    if (/not enabled|no responders|503/i.test(String((err as Error)?.message))) return undefined;
    throw err;
  }
  try {
    return await jsm.streams.find(subject);
  } catch (err) {
    if (/no stream matches/i.test(String((err as Error)?.message))) return undefined;
    throw err;
  }
}
