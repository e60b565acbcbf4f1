/**
 * Credentials inside URLs (`scheme://user:password@host`), found the way a
 * URL parser finds them: the userinfo runs to the LAST `@` before the path,
 * query or fragment, so a password that contains `@` is still all password.
 * Works on text that does not parse as a URL, too.
 *
 * @module
 */

/** `scheme://` then the userinfo, greedy up to the last `@` before `/ ? #` or whitespace. */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]*)@/gi;

/**
 * The URL as it may be shown: a password, or a lone user name (a NATS
 * token), replaced by `***`. Every URL in the text is masked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maskUserinfo } from "./userinfo.ts";
 *
 * assert.equal(
 *   maskUserinfo("nats://alice:Top@Secret@127.0.0.1:4333"), // the password holds an @
 *   "nats://alice:***@127.0.0.1:4333",
 * );
 * assert.equal(maskUserinfo("nats://s3cr3t@127.0.0.1"), "nats://***@127.0.0.1"); // a token
 * ```
 */
export function maskUserinfo(text: string): string {
  return text.replace(USERINFO, (_m, scheme: string, info: string) => {
    const colon = info.indexOf(":");
    return colon >= 0 ? `${scheme}${info.slice(0, colon)}:***@` : `${scheme}***@`;
  });
}

/**
 * The text with every URL's userinfo removed (`nats://alice:pw@h:4222` →
 * `nats://h:4222`): what a process may see that must not get the
 * credentials.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripUserinfo } from "../../plugin.ts";
 *
 * assert.equal(
 *   stripUserinfo("nats://alice:pw@h1:4222,nats://alice:pw@h2:4222"),
 *   "nats://h1:4222,nats://h2:4222",
 * );
 * ```
 */
export function stripUserinfo(text: string): string {
  return text.replace(USERINFO, (_m, scheme: string) => scheme);
}

/**
 * The userinfo's secret part in each URL of the text: the password, or a
 * lone user name (a NATS token).
 */
export function userinfoSecrets(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(USERINFO)) {
    const info = m[2];
    const colon = info.indexOf(":");
    const secret = colon >= 0 ? info.slice(colon + 1) : info;
    if (secret !== "") out.push(secret);
  }
  return out;
}
