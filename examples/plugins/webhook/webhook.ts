/**
 * A webhook sink: POSTs the `kaizen.schedule.prepared` v1 event (metadata
 * and commands, never the bundle's content) as JSON to a URL, with bounded
 * retries and backoff. It is written against kaizen's public plugin entry
 * only, and a team binary loads it without any change to kaizen:
 *
 * ```sh
 * acme-kaizen schedule prepare coach --target . --sink webhook \
 *   --webhook-url https://hooks.example.com/kaizen
 * ```
 *
 * The receiver should treat `Idempotency-Key` as the event's identity: a
 * retried request may have arrived the first time.
 *
 * @module
 */
import {
  definePlugin,
  eventMessageId,
  fetchWithRetry,
  type Plugin,
  readCapped,
  SCHEDULE_PREPARED,
  schedulePrepared,
  type SinkPlugin,
} from "@kaizen/kaizen/plugin";

/** Where the URL comes from when `--webhook-url` is not given. */
export const WEBHOOK_URL_VARIABLE = "KAIZEN_WEBHOOK_URL";

/** The bearer token's variable (a token is never taken from the command line). */
export const WEBHOOK_TOKEN_VARIABLE = "KAIZEN_WEBHOOK_TOKEN";

export const webhookSink: SinkPlugin = {
  name: "webhook",
  options: [{
    flag: "webhook-url",
    env: WEBHOOK_URL_VARIABLE,
    kind: "string",
    valueName: "URL",
    description: `Where --sink webhook POSTs the event (default: $${WEBHOOK_URL_VARIABLE})`,
  }],
  // `kaizen doctor` masks this variable's value wherever it would show it.
  credentialVariables: [WEBHOOK_TOKEN_VARIABLE],
  // `kaizen doctor`: can this host reach the hook, and is the token accepted?
  // A HEAD request delivers nothing; a hook that only takes POST answers 405,
  // which still proves it is reachable.
  async check(ctx) {
    const url = ctx.options["webhook-url"];
    if (typeof url !== "string" || url === "") {
      ctx.report.skip("webhook.reachable", `no --webhook-url or ${WEBHOOK_URL_VARIABLE}`);
      return;
    }
    const where = originOf(url);
    const token = ctx.env(WEBHOOK_TOKEN_VARIABLE);
    ctx.report.step("webhook.reachable", `check that this host can reach ${where}`);
    let status: number;
    try {
      const response = await fetch(url, {
        method: "HEAD",
        headers: token ? { authorization: `Bearer ${token}` } : {},
        redirect: "manual",
        signal: ctx.signal,
      });
      await response.body?.cancel();
      status = response.status;
    } catch {
      // Not the error's text: it quotes the whole URL, secret path and all.
      const why = ctx.signal.aborted ? "no answer in time" : "the connection failed";
      ctx.report.fail("webhook.reachable", `${where}: ${why}`, "check the URL");
      return;
    }
    if (status === 401 || status === 403) {
      ctx.report.fail(
        "webhook.auth",
        `${where} refused the request (${status})`,
        `check ${WEBHOOK_TOKEN_VARIABLE}`,
      );
    } else if (status >= 500) {
      ctx.report.warn(
        "webhook.reachable",
        `${where} answered ${status}`,
        "check the hook's server",
      );
    } else {
      ctx.report.pass("webhook.reachable", `${where} answered ${status}`);
    }
  },
  async emit(bundle, ctx) {
    // Resolved by kaizen (flag, else the variable); a library caller may pass neither.
    const url = ctx.options?.["webhook-url"] ?? ctx.env?.(WEBHOOK_URL_VARIABLE);
    if (typeof url !== "string" || url === "") {
      throw new Error(`no URL: pass --webhook-url URL or set ${WEBHOOK_URL_VARIABLE}`);
    }
    // Only the origin is ever shown: hook URLs often carry their secret in
    // the path or query, and userinfo is not part of an origin.
    const where = originOf(url);
    const event = schedulePrepared(bundle);
    // Same repo, agent and content → same key: the receiver can drop a retry.
    const key = await eventMessageId(SCHEDULE_PREPARED, bundle.repo, bundle.agent, bundle.sha256);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "idempotency-key": key,
    };
    const token = ctx.env?.(WEBHOOK_TOKEN_VARIABLE);
    if (token) headers.authorization = `Bearer ${token}`;
    if (ctx.options?.["dry-run"] === true) {
      ctx.print?.(JSON.stringify({ sink: "webhook", to: where, event }, null, 2) + "\n");
      return "dry run: nothing sent";
    }
    const { response, attempts } = await fetchWithRetry(url, {
      method: "POST",
      headers,
      body: JSON.stringify(event),
    }, { fetch: ctx.fetch, signal: ctx.signal, deadlineMs: ctx.timeoutMs, attempts: 3 });
    // The reply is read only to end the exchange, and never trusted for size.
    await readCapped(response, 64 * 1024).catch(() => {});
    const tries = attempts > 1 ? ` after ${attempts} tries` : "";
    if (!response.ok) throw new Error(`${where} answered ${response.status}${tries}`);
    return `posted to ${where} (${response.status})${tries}`;
  },
};

function originOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error("the webhook URL is not a URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new Error(`the webhook URL must be http(s), not ${parsed.protocol}`);
  }
  return parsed.origin;
}

/** The plugin a team registers: `runCli(args, { plugins: [webhook] })`. */
export const webhook: Plugin = definePlugin({
  name: "webhook",
  version: "1.0.0",
  apiVersion: 1,
  sinks: [webhookSink],
});
