/**
 * `--sink nats`: publishes the `kaizen.schedule.prepared` v1 event for the
 * bundle. The event carries metadata and commands only; the bundle itself
 * never leaves the host through this sink.
 *
 * The NATS client is imported when this sink runs, so `prepare` without it
 * keeps its start-up.
 *
 * @module
 */
import type { SinkPlugin } from "../../core/plugin/types.ts";
import { SCHEDULE_PREPARED } from "../../core/events/subjects.ts";
import { eventMessageId, schedulePrepared } from "../../core/events/payloads.ts";
import { DEFAULT_NATS_URL, maskUrl, parseNatsUrl } from "../../core/nats/url.ts";

/** Subjects are dot-separated tokens without spaces or wildcards (a prefix for an account is fine). */
const SUBJECT = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

export const natsSink: SinkPlugin = {
  name: "nats",
  async emit(bundle, ctx) {
    const subject = typeof ctx.options?.subject === "string"
      ? ctx.options.subject
      : SCHEDULE_PREPARED;
    if (!SUBJECT.test(subject) || subject.length > 255) {
      throw new Error(`--subject '${subject}' is not a NATS subject (e.g. ${SCHEDULE_PREPARED})`);
    }
    const url = (typeof ctx.options?.["nats-url"] === "string" ? ctx.options["nats-url"] : "") ||
      ctx.env?.("NATS_URL") || DEFAULT_NATS_URL;
    parseNatsUrl(url); // a malformed URL fails here, before anything else
    const payload = schedulePrepared(bundle);
    // Same repo, agent and content → same id: JetStream stores a re-run once.
    const msgId = await eventMessageId(SCHEDULE_PREPARED, bundle.repo, bundle.agent, bundle.sha256);
    if (ctx.options?.["dry-run"] === true) {
      ctx.print?.(
        JSON.stringify(
          {
            sink: "nats",
            server: maskUrl(url),
            subject,
            headers: { "Nats-Msg-Id": msgId },
            auth: authKinds(ctx.env),
            payload,
          },
          null,
          2,
        ) + "\n",
      );
      return `dry run: would publish to ${subject} on ${maskUrl(url)}`;
    }
    const { publishEvent } = await import("../../core/nats/publish.ts");
    const r = await publishEvent(new TextEncoder().encode(JSON.stringify(payload)), {
      url,
      subject,
      msgId,
      env: ctx.env ?? (() => undefined),
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
    });
    const where = `${subject} on ${maskUrl(url)}`;
    if (r.mode === "core") return `published to ${where} (no stream: not persisted)`;
    return r.duplicate
      ? `duplicate: already in stream ${r.stream} (seq ${r.seq}), ${where}`
      : `stored in stream ${r.stream} as seq ${r.seq}, ${where}`;
  },
};

/** Which credentials would be used, by name only. */
function authKinds(env: ((name: string) => string | undefined) | undefined): string[] {
  return ["NATS_CREDS", "NATS_NKEY", "NATS_TOKEN"].filter((k) => env?.(k));
}
