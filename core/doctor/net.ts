/**
 * Small helpers the doctor's network probes share.
 *
 * @module
 */

/**
 * Why a `fetch` or a socket failed, in a few words and without the URL:
 * Deno's fetch says only "fetch failed" and keeps the reason (which quotes
 * the URL) in `cause`.
 */
export function networkReason(err: unknown): string {
  const e = err as Error | undefined;
  const text = `${e?.message ?? String(err)} ${(e?.cause as Error | undefined)?.message ?? ""}`;
  if (e?.name === "ConnectionRefused" || /connection refused|ECONNREFUSED/i.test(text)) {
    return "connection refused";
  }
  if (/dns error|failed to lookup|name or service not known|no such host|ENOTFOUND/i.test(text)) {
    return "the host name does not resolve";
  }
  if (/connection reset|ECONNRESET/i.test(text)) return "connection reset";
  if (/timed out|ETIMEDOUT/i.test(text)) return "connection timed out";
  if (/certificate|tls|handshake/i.test(text)) return "TLS handshake failed";
  if (/unreachable/i.test(text)) return "network unreachable";
  return "the connection failed";
}

/** The variables whose values the network probes send as credentials. */
export const CREDENTIAL_VARIABLES = [
  "STATE_HUB_TOKEN",
  "NATS_TOKEN",
  "NATS_NKEY",
  "ARTIFACTSTORE_API_TOKEN",
] as const;

/**
 * Every credential the network probes could hold, for `runDoctor`'s
 * `secrets` (a last scrub; the probes themselves print none): the token
 * variables' values, URL passwords, and a NATS URL's lone user, which NATS
 * reads as a token. An http URL's user name alone is not a secret and is
 * not listed (masking a short common word would garble the report).
 */
export function networkSecrets(ctx: {
  env(name: string): string | undefined;
  hubUrl?: string;
  natsUrl?: string;
  artifactStoreUrl?: string;
}): string[] {
  const out = new Set<string>();
  for (const name of CREDENTIAL_VARIABLES) {
    const value = ctx.env(name);
    if (value) out.add(value);
  }
  for (const url of [ctx.hubUrl, ctx.natsUrl, ctx.artifactStoreUrl]) {
    const info = url ? /^[a-z][a-z0-9+.-]*:\/\/([^@/?#\s]*)@/i.exec(url)?.[1] : undefined;
    if (!info) continue;
    const colon = info.indexOf(":");
    const secret = colon >= 0 ? info.slice(colon + 1) : url === ctx.natsUrl ? info : "";
    if (!secret) continue;
    out.add(secret);
    try {
      out.add(decodeURIComponent(secret));
    } catch { /* not percent-encoded */ }
  }
  return [...out];
}
