/**
 * The plugins file's format as data (like `core/manifest/constants.ts` and
 * `core/roster/roster_format.ts`): its version and limits.
 *
 * @module
 */

/** The plugins file format version this release reads. */
export const PLUGINS_FILE_VERSION = 1;

/** Plugins files are small; anything bigger is a mistake or an attack. */
export const MAX_PLUGINS_FILE_BYTES = 256 * 1024;

/** Bounds for `timeout_ms`. */
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 600_000;
