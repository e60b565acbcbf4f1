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
import {
  checkNatsServer,
  DEFAULT_NATS_URL,
  eventMessageId,
  eventServer,
  maskUrl,
  publishAndDescribe,
  SCHEDULE_PREPARED,
  schedulePrepared,
  type SinkPlugin,
} from "../../plugin.ts";

/** Subjects are dot-separated tokens without spaces or wildcards (a prefix for an account is fine). */
const SUBJECT = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

/** Credentials the NATS client reads besides the URL's userinfo (named, never shown). */
const CREDENTIAL_VARIABLES = ["NATS_CREDS", "NATS_NKEY", "NATS_TOKEN"];

export const natsSink: SinkPlugin = {
  name: "nats",
  // The event is metadata: the bundle itself still goes to stdout or --out.
  announces: true,
  // NATS_CREDS names a file: its path is no secret (doctor may show it).
  credentialVariables: ["NATS_NKEY", "NATS_TOKEN"],
  options: [
    {
      flag: "nats-url",
      env: "NATS_URL",
      kind: "string",
      valueName: "URL",
      description:
        `NATS server (default: $NATS_URL; --sink nats falls back to ${DEFAULT_NATS_URL}, doctor checks it only when set)`,
    },
    {
      flag: "subject",
      kind: "string",
      valueName: "SUBJECT",
      description: `Subject for --sink nats (default: ${SCHEDULE_PREPARED})`,
    },
  ],
  // Doctor checks the server only when one is named: the built-in default is a guess.
  check: (ctx) =>
    checkNatsServer(
      typeof ctx.options["nats-url"] === "string" ? ctx.options["nats-url"] : undefined,
      ctx,
    ),
  async emit(bundle, ctx) {
    const subject = typeof ctx.options?.subject === "string"
      ? ctx.options.subject
      : SCHEDULE_PREPARED;
    if (!SUBJECT.test(subject) || subject.length > 255) {
      throw new Error(`--subject '${subject}' is not a NATS subject (e.g. ${SCHEDULE_PREPARED})`);
    }
    // `nats-url` arrives resolved (flag, else $NATS_URL); a library caller may pass neither.
    const given = typeof ctx.options?.["nats-url"] === "string" ? ctx.options["nats-url"] : "";
    const env = ctx.env ?? (() => undefined);
    const url = eventServer(given, env); // a malformed URL fails here, before anything else
    // Only a scheduled run (listed, with a cadence, in a valid manifest) has a
    // contract-valid payload: anything else is refused with the reason.
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
            auth: CREDENTIAL_VARIABLES.filter((k) => ctx.env?.(k)),
            payload,
          },
          null,
          2,
        ) + "\n",
      );
      return `dry run: would publish to ${subject} on ${maskUrl(url)}`;
    }
    return await publishAndDescribe({
      url,
      subject,
      msgId,
      payload,
      env,
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
    });
  },
};
