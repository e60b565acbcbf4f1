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
  if (/requests to port \d+ are blocked/i.test(text)) {
    return "the runtime refuses that port (a reserved one)";
  }
  return "the connection failed";
}
