/**
 * The artifact-store client as a sink sees it: the variable names at once,
 * the client itself imported on the first call (see `mod.ts`).
 *
 * @module
 */
import type {
  ArtifactRequestDescription,
  PublishArtifactOptions,
  PublishArtifactResult,
} from "./client.ts";

export { TOKEN_VARIABLE, URL_VARIABLE } from "./variables.ts";
export type { ArtifactRequestDescription, PublishArtifactOptions, PublishArtifactResult };

/**
 * Stores one package of text files, retried with backoff within a deadline;
 * the idempotency key makes a retry (or a re-run) store it once.
 */
export async function publishArtifact(
  opts: PublishArtifactOptions,
): Promise<PublishArtifactResult> {
  return (await import("./client.ts")).publishArtifact(opts);
}

/** What `--dry-run` shows: the request {@link publishArtifact} would send, the token masked. */
export async function describeArtifactRequest(
  opts: PublishArtifactOptions,
): Promise<ArtifactRequestDescription> {
  return (await import("./client.ts")).describeArtifactRequest(opts);
}
