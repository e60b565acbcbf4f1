/**
 * The roster file's format as data (like `core/manifest/constants.ts` for the
 * manifest): its version, size limit and every diagnostic code its
 * validator (`roster_file.ts`) can report.
 *
 * @module
 */

/** The only roster file version this release understands. */
export const ROSTER_FILE_VERSION = "1";

/**
 * Roster files larger than this (in UTF-8 bytes) are refused before parsing.
 * 10,000 repos with `host_paths` for a few hosts stay near 1 MiB.
 */
export const MAX_ROSTER_BYTES = 4 * 1024 * 1024;

/** The host key a plain `path:` stands for: the same checkout on every host. */
export const ANY_HOST = "*";

/** Every code `parseRosterFile` can report; all are errors. */
export const ROSTER_DIAGNOSTIC_CODES = [
  "too-large",
  "empty",
  "yaml-syntax",
  "duplicate-key",
  "too-many-aliases",
  "root-not-mapping",
  "invalid-key",
  "unknown-key",
  "missing-key",
  "version-not-string",
  "invalid-version",
  "repos-not-list",
  "repos-empty",
  "repo-not-mapping",
  "invalid-slug",
  "duplicate-slug",
  "invalid-domain",
  "path-and-host-paths",
  "missing-path",
  "path-not-string",
  "invalid-host-paths",
  "invalid-host",
  "invalid-enabled",
  "invalid-updated-at",
] as const;
export type RosterDiagnosticCode = typeof ROSTER_DIAGNOSTIC_CODES[number];
