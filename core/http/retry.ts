/**
 * When to try again: exponential backoff with jitter, the server's
 * `Retry-After`, and a sleep that a signal cuts short.
 *
 * Jitter matters because many runner hosts fire on the same cron minute; if
 * the store fails them all at once, identical backoffs would bring them all
 * back at once too.
 *
 * @module
 */

/** First backoff delay, before jitter. */
export const BASE_DELAY_MS = 250;

/** No single backoff wait is longer than this (a `Retry-After` may be, up to the deadline). */
export const MAX_BACKOFF_MS = 5_000;

/**
 * The wait before retry number `retry` (1 for the first retry): doubling
 * from {@link BASE_DELAY_MS}, capped, then scaled into [50 %, 100 %] of
 * itself by `random` ("equal jitter": never zero, never above the cap).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelay } from "../../plugin.ts";
 *
 * assert.equal(backoffDelay(1, () => 1), 250);
 * assert.equal(backoffDelay(3, () => 0), 500); // 1000, at least half of it
 * assert.equal(backoffDelay(10, () => 1), 5_000); // capped
 * ```
 */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** Math.max(0, retry - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP-date, as
 * milliseconds from `now`. Returns `undefined` for a missing or unreadable
 * value (the caller then uses its own backoff); a date in the past is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRetryAfter } from "../../plugin.ts";
 *
 * assert.equal(parseRetryAfter("1"), 1_000);
 * const now = Date.parse("Wed, 21 Oct 2015 07:27:58 GMT");
 * assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), 2_000);
 * assert.equal(parseRetryAfter("soon"), undefined);
 * assert.equal(parseRetryAfter(null), undefined);
 * ```
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Only the IMF-fixdate shape: `Date.parse` accepts far looser text, and a
  // bare number like "1.5" must not be read as a year.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Waits `ms`, or less if `signal` aborts (then it resolves early; the caller
 * checks the signal). The timer is cleared either way, so nothing is left
 * pending for the process or for Deno's test sanitizers.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}
