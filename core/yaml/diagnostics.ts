/**
 * Shared plumbing for the strict YAML files we read (the schedule manifest,
 * plugins files): turning byte offsets into 1-based positions, collecting
 * diagnostics, naming duplicate keys and following aliases.
 *
 * @module
 */
import { type Alias, isAlias, type LineCounter } from "yaml";
import type { Node } from "yaml";
import type { Diagnostic, Severity } from "../diagnostics.ts";
import { printable } from "../text/printable.ts";

/** Where in a document: keys and list indexes from the root. */
export type DocPath = (string | number)[];

/** Collects diagnostics for one file, positioned through its `LineCounter`. */
export class DiagnosticList {
  readonly items: Diagnostic[] = [];

  constructor(readonly lines: LineCounter, readonly file?: string) {}

  /** Adds a diagnostic at byte `offset` of the text. */
  report(
    code: string,
    message: string,
    path: DocPath,
    offset: number,
    severity: Severity = "error",
  ): void {
    const pos = this.lines.linePos(offset);
    // Before parsing (size or emptiness checks) the counter knows no lines: 1:1.
    const d: Diagnostic = {
      severity,
      code,
      message,
      path,
      line: Math.max(1, pos.line),
      col: Math.max(1, pos.col),
    };
    if (this.file !== undefined) d.file = this.file;
    this.items.push(d);
  }

  /** Number of errors so far. */
  get errorCount(): number {
    return this.items.filter((d) => d.severity === "error").length;
  }

  /** The diagnostics in reading order. */
  sorted(): Diagnostic[] {
    return this.items.sort((a, b) => a.line - b.line || a.col - b.col);
  }
}

/** `duplicate key 'name'`, reading the key at `offset` (the yaml library's error position). */
export function duplicateKeyMessage(text: string, offset: number): string {
  const m = /^\s*["']?([^"':\n]+)["']?\s*:/.exec(text.slice(offset));
  return m ? `duplicate key '${printable(m[1].trim())}'` : "duplicate key";
}

/** Follows aliases (at most `maxHops`) to the node they stand for. */
export function derefAlias(
  node: Node | null | undefined,
  doc: Parameters<Alias["resolve"]>[0],
  maxHops = 50,
): Node | null {
  let n = node ?? null;
  for (let i = 0; n !== null && isAlias(n) && i < maxHops; i++) {
    n = (n.resolve(doc) as Node | undefined) ?? null;
  }
  return n;
}
