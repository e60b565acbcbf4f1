/**
 * Markdown tables whose header names the secret:
 *
 * ```md
 * | service | user | password |
 * | ------- | ---- | -------- |
 * | billing | app  | <value>  |
 * ```
 *
 * The keyword rule sees `| DB_PASSWORD | <value> |` (name and value side by
 * side), but here the name is in the header and the value rows below it.
 * Each line is looked at once: a header row followed by a delimiter row opens
 * a table, and every row until the first non-table line is checked cell by
 * cell against the secret-naming columns.
 *
 * @module
 */

import { looksLikeSecretValue } from "./allow.ts";
import { mayNameResource, secretNameKind } from "./generic.ts";
import type { SecretSpan } from "./types.ts";

const DELIMITER_ROW = /^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$/;

interface Cell {
  start: number;
  end: number;
}

/** Cells of a table row (`start`/`end` are indices into `text`, trimmed). */
function cells(text: string, lineStart: number, lineEnd: number): Cell[] {
  const out: Cell[] = [];
  let i = lineStart;
  while (i < lineEnd && (text[i] === " " || text[i] === "\t")) i++;
  if (text[i] === "|") i++;
  let cellStart = i;
  for (; i <= lineEnd; i++) {
    const c = i < lineEnd ? text[i] : "|";
    if (c === "\\" && i + 1 < lineEnd) {
      i++;
      continue;
    }
    if (c !== "|") continue;
    let s = cellStart;
    let e = i;
    while (s < e && /\s/.test(text[s])) s++;
    while (e > s && /\s/.test(text[e - 1])) e--;
    out.push({ start: s, end: e });
    cellStart = i + 1;
    if (out.length > 64) break;
  }
  // A trailing `|` leaves one empty cell behind.
  if (out.length > 0 && out[out.length - 1].start === out[out.length - 1].end) out.pop();
  return out;
}

/** Spans of values in table columns whose header names a secret. */
export function scanTableColumns(text: string): SecretSpan[] {
  if (!text.includes("|")) return [];
  const spans: SecretSpan[] = [];
  let pos = 0;
  let prevStart = -1;
  let prevEnd = -1;
  let columns: Array<{ index: number; mayBeName: boolean }> | null = null;
  while (pos <= text.length) {
    let end = text.indexOf("\n", pos);
    if (end === -1) end = text.length;
    const line = text.slice(pos, end);
    const isRow = line.includes("|");
    if (columns !== null) {
      if (!isRow) {
        columns = null;
      } else {
        const row = cells(text, pos, end);
        for (const col of columns) {
          const cell = row[col.index];
          if (!cell) continue;
          let { start, end: stop } = cell;
          // `value` in a code span.
          if (text[start] === "`" && text[stop - 1] === "`" && stop - start > 2) {
            start++;
            stop--;
          }
          const value = text.slice(start, stop);
          if (looksLikeSecretValue(value, "assigned", col.mayBeName)) {
            spans.push({ start, end: stop });
          }
        }
      }
    } else if (isRow && prevStart >= 0 && DELIMITER_ROW.test(line)) {
      const header = cells(text, prevStart, prevEnd);
      const secretColumns: Array<{ index: number; mayBeName: boolean }> = [];
      header.forEach((cell, index) => {
        const name = text.slice(cell.start, cell.end).replace(/[`*_]/g, "");
        if (name.length <= 64 && secretNameKind(name) === "strong") {
          secretColumns.push({ index, mayBeName: mayNameResource(name) });
        }
      });
      if (secretColumns.length > 0) columns = secretColumns;
    }
    prevStart = isRow ? pos : -1;
    prevEnd = end;
    if (end >= text.length) break;
    pos = end + 1;
  }
  return spans;
}
