/**
 * The artifact-store client: publishes one package (a bundle's markdown and
 * JSON, or the optimizer's evidence) with `POST {baseUrl}/v1/packages`, as
 * the contract in `docs/integrations/artifact-store.md` describes.
 *
 * Network discipline, as for external plugins: every attempt has its own
 * timeout, the whole publish has a deadline, the caller's signal stops
 * everything at once, replies are read under a byte cap, and every failure
 * is one {@link ArtifactStoreError} whose one-line message names the status
 * and never the token or the body. Retrying is safe because every attempt
 * carries the same `Idempotency-Key` (the bundle's sha256): the store keeps
 * one package per key and answers a repeat with 200 and the first id.
 *
 * @module
 */
import { ArtifactStoreError, type ArtifactStoreErrorCode, quote } from "./errors.ts";
import { discardBody, readCapped } from "../http/read_capped.ts";
import {
  type ArtifactRequestInput,
  maskHeaders,
  type PreparedRequest,
  prepareRequest,
  TOKEN_VARIABLE,
  URL_VARIABLE,
} from "./request.ts";
import { abortableSleep, backoffDelay, parseRetryAfter } from "../http/retry.ts";

export { ArtifactStoreError } from "./errors.ts";
export type { ArtifactStoreErrorCode } from "./errors.ts";
export type { ArtifactFile, ArtifactMetadataValue } from "./request.ts";

/** Per-attempt timeout unless the caller sets `timeoutMs`. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Attempts (the first included) unless the caller sets `maxAttempts`. */
export const DEFAULT_MAX_ATTEMPTS = 4;
/** Largest reply read unless the caller sets `maxResponseBytes`; the contract's replies are small. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
/** Budget for the whole publish (attempts and waits) unless the caller sets `deadlineMs`. */
export const DEFAULT_DEADLINE_MS = 30_000;

/** What to publish, where, and how patiently. */
export interface PublishArtifactOptions extends ArtifactRequestInput {
  /** Injected transport; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** The caller's own stop (its overall deadline); aborts at once, even mid-wait. */
  signal?: AbortSignal;
  /** Per attempt, covering the reply's body too. Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Attempts in all. Default {@link DEFAULT_MAX_ATTEMPTS}. */
  maxAttempts?: number;
  /** Cap on a reply's body. Default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
  /**
   * Budget for the whole publish, attempts and waits included; a
   * `Retry-After` longer than what is left ends the publish instead of
   * sleeping past it. Default {@link DEFAULT_DEADLINE_MS}.
   */
  deadlineMs?: number;
  /** Injected wait (tests record it); must return early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1); default `Math.random`. */
  random?: () => number;
}

/** A stored package. */
export interface PublishArtifactResult {
  /** The store's id for the package. */
  id: string;
  /** `true` for 201 (stored now), `false` for 200 (this key was already stored). */
  created: boolean;
  /** Attempts it took (1 when the first succeeded). */
  attempts: number;
  /** The `Location` header, resolved against the endpoint, when the store sent one. */
  location?: string;
}

/** What `--dry-run` shows: the request, with the token masked. */
export interface ArtifactRequestDescription {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * What {@link publishArtifact} would send, for `--dry-run`: method, URL
 * (userinfo masked), headers with the token masked, and the JSON body.
 * Connects to nothing; throws the same `config` errors a publish would.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeArtifactRequest } from "../../plugin.ts";
 *
 * // Through plugin.ts the client loads on the first call, hence the `await`.
 * const req = await describeArtifactRequest({
 *   baseUrl: "https://store.example.com/api",
 *   token: "s3cret",
 *   retentionClass: "bundle",
 *   idempotencyKey: "sha256-of-the-bundle",
 *   name: "kaizen-bundle/acme/widgets/coach",
 *   metadata: { repo: "acme/widgets", agent: "coach" },
 *   files: [{ path: "bundle.md", mediaType: "text/markdown", content: "# Coach\n" }],
 * });
 * assert.equal(req.method, "POST");
 * assert.equal(req.url, "https://store.example.com/api/v1/packages");
 * assert.equal(req.headers["Authorization"], "Bearer ***"); // never the token
 * assert.equal(req.headers["Idempotency-Key"], "sha256-of-the-bundle");
 * assert.ok(!JSON.stringify(req).includes("s3cret"));
 * ```
 */
export function describeArtifactRequest(opts: PublishArtifactOptions): ArtifactRequestDescription {
  const req = prepareRequest(opts);
  return { method: "POST", url: req.displayUrl, headers: maskHeaders(req.headers), body: req.body };
}

/** One attempt's outcome: a result, or an error and whether/when to retry. */
type Attempt =
  | { ok: true; result: Omit<PublishArtifactResult, "attempts"> }
  | { ok: false; error: Failure };

interface Failure {
  code: ArtifactStoreErrorCode;
  retryable: boolean;
  status?: number;
  /** One line, without the "artifact store: POST <url>" prefix. */
  detail: string;
  /** The server's `Retry-After`, when it sent one. */
  retryAfterMs?: number;
}

/**
 * Publishes one package and returns its id, retrying 5xx, 408, 429 (after
 * `Retry-After` when given) and network failures or timeouts with jittered
 * exponential backoff; other 4xx fail at once. Rejects only with
 * {@link ArtifactStoreError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishArtifact } from "../../plugin.ts";
 *
 * // Port 1 is no store (fetch refuses it): the publish fails, as one ArtifactStoreError.
 * const publishing = publishArtifact({
 *   baseUrl: "http://127.0.0.1:1",
 *   token: "s3cret",
 *   retentionClass: "bundle",
 *   idempotencyKey: "sha256-of-the-bundle",
 *   name: "kaizen-bundle/acme/widgets/coach",
 *   metadata: { repo: "acme/widgets", agent: "coach" },
 *   files: [{ path: "bundle.md", mediaType: "text/markdown", content: "# Coach\n" }],
 *   maxAttempts: 1,
 *   timeoutMs: 1_000,
 * });
 * await assert.rejects(publishing, {
 *   name: "ArtifactStoreError",
 *   code: "network",
 *   retryable: true, // a later run may succeed
 *   message: /^artifact store: POST http:\/\/127\.0\.0\.1:1\/v1\/packages failed: /,
 * });
 * ```
 */
export async function publishArtifact(
  opts: PublishArtifactOptions,
): Promise<PublishArtifactResult> {
  const req = prepareRequest(opts);
  const timeoutMs = positive(opts.timeoutMs, DEFAULT_TIMEOUT_MS, "timeoutMs");
  const maxAttempts = Math.floor(positive(opts.maxAttempts, DEFAULT_MAX_ATTEMPTS, "maxAttempts"));
  const maxBytes = positive(opts.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, "maxResponseBytes");
  const deadlineMs = positive(opts.deadlineMs, DEFAULT_DEADLINE_MS, "deadlineMs");
  const sleep = opts.sleep ?? abortableSleep;
  const random = opts.random ?? Math.random;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const secrets = opts.token ? [opts.token] : [];
  const started = performance.now();
  const remaining = () => deadlineMs - (performance.now() - started);

  const fail = (f: Failure, attempts: number, extra = ""): ArtifactStoreError => {
    const tries = attempts > 1 ? ` (${attempts} attempts)` : "";
    const message = `artifact store: POST ${req.displayUrl} ${f.detail}${extra}${tries}`;
    return new ArtifactStoreError(quote(message, secrets, 400), {
      code: f.code,
      retryable: f.retryable,
      status: f.status,
      attempts,
    });
  };
  const aborted = (attempts: number) =>
    fail({ code: "aborted", retryable: false, detail: "was stopped by the caller" }, attempts);

  if (opts.signal?.aborted) throw aborted(0);
  for (let attempt = 1;; attempt++) {
    const limit = Math.min(timeoutMs, remaining());
    const outcome = await attemptOnce(req, doFetch, limit, maxBytes, secrets, opts.signal);
    if (outcome.ok) return { ...outcome.result, attempts: attempt };
    const error = outcome.error;
    if (error.code === "aborted") throw aborted(attempt);
    if (!error.retryable || attempt >= maxAttempts) throw fail(error, attempt);
    const wait = error.retryAfterMs ?? backoffDelay(attempt, random);
    const left = remaining();
    if (wait >= left) {
      const asked = error.retryAfterMs !== undefined
        ? "the store asked to wait"
        : "the next retry is";
      throw fail(
        error,
        attempt,
        `; ${asked} ${seconds(wait)}, more than the ${seconds(left)} left`,
      );
    }
    await sleep(wait, opts.signal);
    if (opts.signal?.aborted) throw aborted(attempt);
  }
}

/**
 * One request and its reply, under one timer. The work is also raced
 * against the abort itself, so an injected `fetch` that ignores its signal
 * cannot hold the caller past the timeout.
 */
async function attemptOnce(
  req: PreparedRequest,
  doFetch: typeof fetch,
  limitMs: number,
  maxBytes: number,
  secrets: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  if (limitMs <= 0) {
    return {
      ok: false,
      error: { code: "timeout", retryable: false, detail: "ran out of its deadline" },
    };
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, limitMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  let stop: () => void = () => {};
  const stopped = new Promise<"stopped">((resolve) => {
    stop = () => resolve("stopped");
    controller.signal.addEventListener("abort", stop, { once: true });
  });
  const work = (async (): Promise<Attempt> => {
    const response = await doFetch(req.url, {
      method: "POST",
      headers: req.headers,
      body: req.bodyText,
      signal: controller.signal,
      // A redirect would resend the token to wherever it points; the
      // operator should configure the final address instead.
      redirect: "manual",
    });
    return await interpret(response, req, maxBytes, secrets);
  })();
  work.catch(() => {}); // if abandoned, its failure must not surface as unhandled
  try {
    const first = await Promise.race([work, stopped]);
    if (first !== "stopped") return first;
  } catch (e) {
    if (!controller.signal.aborted) {
      const why = e instanceof Error ? e.message : String(e);
      return {
        ok: false,
        error: { code: "network", retryable: true, detail: `failed: ${quote(why, secrets)}` },
      };
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    controller.signal.removeEventListener("abort", stop);
  }
  if (signal?.aborted) {
    return { ok: false, error: { code: "aborted", retryable: false, detail: "was stopped" } };
  }
  const detail = timedOut ? `got no complete answer within ${seconds(limitMs)}` : "was stopped";
  return { ok: false, error: { code: "timeout", retryable: true, detail } };
}

/** Turns a reply into a result or a failure, reading its body under the cap. */
async function interpret(
  response: Response,
  req: PreparedRequest,
  maxBytes: number,
  secrets: readonly string[],
): Promise<Attempt> {
  const status = response.status;
  const statusLine = `${status}${
    response.statusText ? ` ${quote(response.statusText, secrets, 40)}` : ""
  }`;
  if (status === 200 || status === 201) {
    const body = await readCapped(response, maxBytes);
    const bad = (detail: string): Attempt => ({
      ok: false,
      error: {
        code: "response",
        retryable: false,
        status,
        detail: `answered ${statusLine} ${detail}`,
      },
    });
    if (!body.ok) return bad(`with a reply over the ${formatBytes(maxBytes)} cap`);
    const id = idOf(body.text);
    if (id === undefined) return bad('but its reply is not JSON with a string "id"');
    const location = response.headers.get("location");
    return {
      ok: true,
      result: {
        id,
        created: status === 201,
        ...(location ? { location: resolveLocation(location, req.url) } : {}),
      },
    };
  }
  if (response.type === "opaqueredirect" || (status >= 300 && status < 400)) {
    await discardBody(response);
    const to = response.headers.get("location");
    const where = to ? ` to ${quote(resolveLocation(to, req.url), secrets)}` : "";
    return {
      ok: false,
      error: {
        code: "http",
        retryable: false,
        status,
        detail:
          `answered ${statusLine}, a redirect${where}; set ${URL_VARIABLE} to the final address`,
      },
    };
  }
  if (status >= 200 && status < 300) {
    await discardBody(response);
    return {
      ok: false,
      error: {
        code: "response",
        retryable: false,
        status,
        detail: `answered ${statusLine}; the contract answers 201 or 200`,
      },
    };
  }
  const retryable = status >= 500 || status === 429 || status === 408;
  const body = await readCapped(response, maxBytes);
  const said = body.ok ? errorOf(body.text) : undefined;
  const reason = said ? `: ${quote(said, secrets)}` : "";
  return {
    ok: false,
    error: {
      code: "http",
      retryable,
      status,
      detail: `answered ${statusLine}${reason}${advice(status, req)}`,
      retryAfterMs: status === 429 || status === 503
        ? parseRetryAfter(response.headers.get("retry-after"))
        : undefined,
    },
  };
}

/** What an operator should check, for the statuses that have an obvious cause. */
function advice(status: number, req: PreparedRequest): string {
  const sentToken = "Authorization" in req.headers;
  const userinfo = req.droppedUserinfo ? ` (credentials in ${URL_VARIABLE} are never sent)` : "";
  if (status === 401) {
    return sentToken
      ? `; check ${TOKEN_VARIABLE}`
      : `; no token was sent: set ${TOKEN_VARIABLE}${userinfo}`;
  }
  if (status === 403) {
    return `; check that ${TOKEN_VARIABLE} may write retention class ${req.body.retention_class}`;
  }
  if (status === 409 || status === 422) {
    return "; was this idempotency key already used for a different package?";
  }
  if (status === 413) return "; the package is larger than the store accepts";
  return "";
}

/** The `id` of a success reply, or `undefined` when it is not JSON with a non-empty string id. */
function idOf(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const id = (parsed as Record<string, unknown>).id;
      if (typeof id === "string" && id !== "") return id;
    }
  } catch {
    // not JSON: reported by the caller
  }
  return undefined;
}

/** The message of an error reply: `{"error": "…"}`, `{"error": {"message": "…"}}` or `{"message": "…"}`. */
function errorOf(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== "object") return undefined;
    const o = parsed as Record<string, unknown>;
    if (typeof o.error === "string") return o.error;
    if (o.error && typeof o.error === "object") {
      const m = (o.error as Record<string, unknown>).message;
      if (typeof m === "string") return m;
    }
    if (typeof o.message === "string") return o.message;
  } catch {
    // A non-JSON error page (a proxy's HTML) is not quoted: the status says enough.
  }
  return undefined;
}

function resolveLocation(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) {
    throw new ArtifactStoreError(`artifact store: ${name} must be a positive number`, {
      code: "config",
      retryable: false,
    });
  }
  return value;
}

function seconds(ms: number): string {
  return `${Math.round(Math.max(0, ms) / 100) / 10} s`;
}

function formatBytes(n: number): string {
  return n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}
