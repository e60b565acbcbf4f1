/**
 * The kaizen release; a test keeps it equal to `deno.json`'s `version`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VERSION } from "../mod.ts";
 *
 * assert.match(VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
 * ```
 */
export const VERSION = "0.1.0";
