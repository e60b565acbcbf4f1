/**
 * The artifact-store client: publish a package of text files with retries,
 * deadlines and a capped reply; describe the request for `--dry-run`.
 * Import this only when the artifact-store sink is chosen.
 *
 * @module
 */
export {
  type ArtifactRequestDescription,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  describeArtifactRequest,
  publishArtifact,
  type PublishArtifactOptions,
  type PublishArtifactResult,
} from "./client.ts";
export { ArtifactStoreError, type ArtifactStoreErrorCode } from "./errors.ts";
export {
  type ArtifactFile,
  type ArtifactMetadataValue,
  PACKAGES_PATH,
  TOKEN_VARIABLE,
  URL_VARIABLE,
  type WireFile,
  type WirePackage,
} from "./request.ts";
export { backoffDelay, parseRetryAfter } from "../http/retry.ts";
