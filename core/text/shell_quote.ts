/**
 * Shell words for commands kaizen shows (a bundle's `prepare_command`, the
 * session-close commands, the roster's run list).
 *
 * @module
 */

/**
 * Quotes a shell word only when it needs it (POSIX single quotes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shellQuote } from "../../plugin.ts";
 *
 * assert.equal(shellQuote("/srv/widgets"), "/srv/widgets");
 * assert.equal(shellQuote("/srv/my repo"), "'/srv/my repo'");
 * assert.equal(shellQuote("it's"), `'it'"'"'s'`);
 * ```
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}
