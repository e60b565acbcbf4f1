/**
 * HTTP ideas every network sink needs: backoff with jitter, `Retry-After`,
 * an abortable sleep, capped reads of a reply, and {@link fetchWithRetry},
 * which puts them together under one deadline.
 *
 * @module
 */
import { abortableSleep, backoffDelay, parseRetryAfter } from "./retry.ts";

export {
  abortableSleep,
  backoffDelay,
  BASE_DELAY_MS,
  MAX_BACKOFF_MS,
  parseRetryAfter,
} from "./retry.ts";
export { type CappedBody, discardBody, readCapped } from "./read_capped.ts";

/** Options for {@link fetchWithRetry}. */
export interface FetchWithRetryOptions {
  /** Tries in all, the first included (default 4). */
  attempts?: number;
  /** Everything, retries and waits included, ends by then (default 30 s). */
  deadlineMs?: number;
  /** Cuts the whole exchange short (a sink's `ctx.signal`). */
  signal?: AbortSignal;
  /** The `fetch` to use (a sink's `ctx.fetch`; tests inject one). Default: the global one. */
  fetch?: typeof fetch;
  /** Statuses worth another try (default: 408, 425, 429 and every 5xx). */
  retryOn?: (status: number) => boolean;
  /** Source of jitter (tests pin it). */
  random?: () => number;
}

/** What {@link fetchWithRetry} ended with. */
export interface FetchWithRetryResult {
  /** The last response; its body is unread (read it with {@link readCapped}). */
  response: Response;
  /** How many requests were sent. */
  attempts: number;
}

function defaultRetryOn(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * `fetch` with bounded retries: a network error or a retryable status is
 * tried again after an exponential backoff with jitter (or the server's
 * `Retry-After`, when it fits in the deadline), until `attempts` or the
 * deadline run out. The request must be repeatable: pass the body as a
 * string or bytes, and make it idempotent (an idempotency key), because a
 * request that timed out may have arrived. Redirects are not followed: a
 * credential in a header must not travel to another host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchWithRetry } from "../../plugin.ts";
 *
 * const init = {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ hello: "world" }),
 * };
 * // A hook that is busy once (503), then takes the request: two tries.
 * const answers = [503, 200];
 * const { response, attempts } = await fetchWithRetry("https://hooks.example.com/kaizen", init, {
 *   attempts: 3,
 *   deadlineMs: 10_000,
 *   fetch: () => Promise.resolve(new Response("ok", { status: answers.shift() })),
 *   random: () => 0, // the shortest backoff: 125 ms
 * });
 * assert.equal(response.status, 200);
 * assert.equal(attempts, 2);
 * assert.equal(await response.text(), "ok");
 *
 * // Port 1 is no hook (fetch refuses it): each try fails, and the last error is thrown.
 * await assert.rejects(
 *   fetchWithRetry("http://127.0.0.1:1/kaizen", init, { attempts: 2, deadlineMs: 2_000 }),
 *   TypeError,
 * );
 * ```
 */
export async function fetchWithRetry(
  url: string | URL,
  init: RequestInit = {},
  options: FetchWithRetryOptions = {},
): Promise<FetchWithRetryResult> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const deadlineMs = options.deadlineMs ?? 30_000;
  const retryOn = options.retryOn ?? defaultRetryOn;
  const doFetch = options.fetch ?? fetch;
  const signal = AbortSignal.any([
    AbortSignal.timeout(deadlineMs),
    ...(options.signal ? [options.signal] : []),
  ]);
  const started = Date.now();
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let response: Response | undefined;
    try {
      response = await doFetch(url, { ...init, redirect: "manual", signal });
    } catch (err) {
      if (signal.aborted) throw err;
      lastError = err;
    }
    if (response !== undefined && (!retryOn(response.status) || attempt === attempts)) {
      return { response, attempts: attempt };
    }
    let wait = backoffDelay(attempt, options.random);
    const after = parseRetryAfter(response?.headers.get("retry-after") ?? null);
    if (after !== undefined) wait = after;
    const noTime = attempt === attempts || Date.now() - started + wait >= deadlineMs;
    if (response !== undefined) {
      // No time left for another try: the caller gets the answer there is.
      if (noTime) return { response, attempts: attempt };
      await discardBodyQuietly(response);
    }
    if (noTime) break;
    await abortableSleep(wait, signal);
    if (signal.aborted) break;
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function discardBodyQuietly(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch { /* already closed */ }
}
