/**
 * "Publish an event and say how it went", once: the NATS sink of `prepare`
 * and the `--sink nats` of `agents install` and `metrics record` resolve the
 * server the same way (flag, else `$NATS_URL`, else the default), publish
 * the same way and word the outcome in the same line; `fleet publish-roster`
 * publishes the same way and words its own outcome.
 *
 * Cheap to import: the NATS client loads on the first publish, the redactor
 * only when a publish fails.
 *
 * @module
 */
import {
  DEFAULT_NATS_URL,
  maskUrl,
  type NatsPublishResult,
  parseNatsUrl,
  publishEvent,
} from "../nats/mod.ts";
import { firstLine } from "../errors.ts";
import { printable } from "../text/printable.ts";

/** One event to publish. */
export interface EventPublication {
  /** The server as given (a flag or sink option); else `$NATS_URL`, else the default. */
  url?: string;
  subject: string;
  /** JetStream de-duplication id: the same event published twice is stored once. */
  msgId: string;
  /** Sent as JSON. */
  payload: unknown;
  /** Reads `NATS_URL` and the credentials (`NATS_TOKEN`, `NATS_NKEY`, `NATS_CREDS`). */
  env: (name: string) => string | undefined;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * The server an event goes to: `given`, else `$NATS_URL`, else the default.
 * Throws `NatsUrlError` when it is not a NATS URL, before anything connects.
 */
export function eventServer(
  given: string | undefined,
  env: (name: string) => string | undefined,
): string {
  const url = given || env("NATS_URL") || DEFAULT_NATS_URL;
  parseNatsUrl(url);
  return url;
}

/**
 * Publishes `event.payload` as JSON: what the server did with it (stored in
 * a stream, or only published), and the server as it may be shown (masked).
 * Throws what the publish throws; its message never holds a credential.
 */
export async function publishJson(
  event: EventPublication,
): Promise<{ stored: NatsPublishResult; server: string }> {
  const url = eventServer(event.url, event.env);
  const stored = await publishEvent(new TextEncoder().encode(JSON.stringify(event.payload)), {
    url,
    subject: event.subject,
    msgId: event.msgId,
    env: event.env,
    signal: event.signal,
    timeoutMs: event.timeoutMs,
  });
  return { stored, server: maskUrl(url) };
}

/**
 * Publishes `event` and returns the one line that says where it went, e.g.
 * `stored in stream KAIZEN as seq 4, kaizen.x on nats://…`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishAndDescribe } from "../../plugin.ts";
 *
 * // On success the line reads e.g. "stored in stream KAIZEN as seq 4, kaizen.schedule.prepared
 * // on nats://127.0.0.1:4222". No server listens on port 1, so this one fails, in time,
 * // and its message shows the server with the password masked.
 * await assert.rejects(
 *   publishAndDescribe({
 *     url: "nats://alice:s3cret@127.0.0.1:1",
 *     subject: "kaizen.schedule.prepared",
 *     msgId: "a1b2",
 *     payload: { v: 1 },
 *     env: () => undefined,
 *     timeoutMs: 300,
 *   }),
 *   (err: Error) => {
 *     assert.match(err.message, /nats:\/\/alice:\*\*\*@127\.0\.0\.1:1/);
 *     assert.ok(!err.message.includes("s3cret"));
 *     return true;
 *   },
 * );
 * ```
 */
export async function publishAndDescribe(event: EventPublication): Promise<string> {
  const { stored: r, server } = await publishJson(event);
  const where = `${event.subject} on ${server}`;
  if (r.mode === "core") return `published to ${where} (no stream: not persisted)`;
  return r.duplicate
    ? `duplicate: already in stream ${r.stream} (seq ${r.seq}), ${where}`
    : `stored in stream ${r.stream} as seq ${r.seq}, ${where}`;
}

/** Where a command reports its `--sink nats`, and what stays done if it fails. */
export interface PublishReport {
  notice(message: string): void;
  error(message: string): void;
  /** Said after a failure, e.g. "the record is written; do not record it again". */
  kept: string;
}

/**
 * A command's `--sink nats`, after its own work is done: builds the event
 * (resolving the repo may fail too), publishes it and reports `sink 'nats':
 * …` as a notice, exit 0. A failure is one redacted, printable line
 * `sink 'nats' failed: … (<kept>)`, exit 1, so a runner notices without
 * undoing what the command did.
 */
export async function publishAndReport(
  build: () => Promise<EventPublication>,
  report: PublishReport,
): Promise<number> {
  try {
    report.notice(`sink 'nats': ${await publishAndDescribe(await build())}`);
    return 0;
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) throw err;
    // The message can carry a URL with credentials: through the output choke point,
    // then one printable line.
    const { redactForOutput } = await import("../redact/output.ts");
    const why = printable(redactForOutput(firstLine(err), "sink"), 300);
    report.error(`sink 'nats' failed: ${why} (${report.kept})`);
    return 1;
  }
}

/**
 * The repository an event names: its slug (`$KAIZEN_REPO`, the git remote or
 * the folder's name) and real root.
 */
export async function eventRepo(
  root: string,
  env: (name: string) => string | undefined,
): Promise<{ repo: string; root: string }> {
  const [{ createSafeReader }, { resolveRepoSlug }] = await Promise.all([
    import("../fs/safe_read.ts"),
    import("../repo/slug.ts"),
  ]);
  const files = await createSafeReader(root);
  const { slug } = await resolveRepoSlug(files, undefined, env);
  return { repo: slug, root: files.root };
}
