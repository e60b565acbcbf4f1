/**
 * The one error type of the artifact-store client, and the scrubbing every
 * message goes through before it is built.
 *
 * Messages end up on stderr and in CI logs, so they are one line, carry the
 * status code when there is one, and never the token or the request body.
 * The token is masked wherever it appears (a server may echo the header
 * back in its error text), and server-supplied text is made printable and
 * cut short.
 *
 * @module
 */
import { KaizenError, type KaizenErrorCode } from "../errors.ts";
import { printable } from "../text/printable.ts";

/**
 * What went wrong, for a caller that reacts differently to each: the
 * service codes of {@link KaizenErrorCode} (documented there, once).
 */
export type ArtifactStoreErrorCode = Extract<
  KaizenErrorCode,
  "config" | "http" | "network" | "timeout" | "aborted" | "response"
>;

/** Details attached to an {@link ArtifactStoreError}. */
export interface ArtifactStoreErrorInit {
  code: ArtifactStoreErrorCode;
  retryable: boolean;
  status?: number;
  /** Attempts made before giving up (0 when nothing was sent). */
  attempts?: number;
  /** The failure this one reports (a network error, the last attempt's error). */
  cause?: unknown;
}

/** A publish that failed; `message` is one line, safe to print. */
export class ArtifactStoreError extends KaizenError {
  override name = "ArtifactStoreError";
  declare readonly code: ArtifactStoreErrorCode;
  /** The HTTP status of the last answer, when there was one. */
  readonly status?: number;
  /** Whether trying again later could succeed (5xx, 429, network, timeout). */
  readonly retryable: boolean;
  readonly attempts: number;

  constructor(message: string, init: ArtifactStoreErrorInit) {
    super(init.code, message, "cause" in init ? { cause: init.cause } : {});
    this.status = init.status;
    this.retryable = init.retryable;
    this.attempts = init.attempts ?? 0;
  }
}

/** Longest piece of server-supplied text quoted in a message. */
const MAX_QUOTED = 160;

/**
 * Makes text from outside (a server's error, a network error) fit in one
 * line: secrets masked first (so a cut cannot leave half a token), then
 * control characters escaped, whitespace collapsed, and length capped.
 */
export function quote(text: string, secrets: readonly string[], max = MAX_QUOTED): string {
  return printable(maskSecrets(text, secrets).replace(/\s+/g, " ").trim(), max);
}

/** Replaces every occurrence of each non-empty secret with `***`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.replaceAll(s, "***");
  return out;
}
