/**
 * Diagnostics are data: validation collects them, the CLI renders them at the
 * edge (`file:line:col: severity: message`), and `--format json` prints the
 * same list.
 *
 * @module
 */
import { printable } from "./text/printable.ts";

/** How bad a diagnostic is. Errors make the checked thing invalid. */
export type Severity = "error" | "warning";

/** One problem found in an input file, with its place (1-based line and column). */
export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable id, e.g. `unknown-key`, `invalid-cron`. */
  code: string;
  message: string;
  /** Where in the document: keys and indexes from the root, e.g. `["agents", "coach", "cron"]`. */
  path: (string | number)[];
  line: number;
  col: number;
  /** The file the diagnostic is about, when known. */
  file?: string;
}

/**
 * Renders one diagnostic as `file:line:col: severity: message`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDiagnostic } from "../mod.ts";
 *
 * const line = formatDiagnostic({
 *   severity: "error",
 *   code: "unknown-key",
 *   message: "unknown key 'cadense'",
 *   path: ["agents", "coach", "cadense"],
 *   line: 5,
 *   col: 5,
 * }, ".kaizen/schedule.yml");
 * assert.equal(line, ".kaizen/schedule.yml:5:5: error: unknown key 'cadense'");
 * ```
 */
export function formatDiagnostic(d: Diagnostic, file = d.file ?? "<input>"): string {
  // The path comes from --target: a folder name can hold escape sequences.
  return `${printable(file, 500)}:${d.line}:${d.col}: ${d.severity}: ${printable(d.message, 500)}`;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
