/**
 * Multi-line secrets: PEM/OpenSSH/PGP private keys and NATS credential
 * blocks (`-----BEGIN USER NKEY SEED-----`, `-----BEGIN NATS USER JWT-----`).
 *
 * A block is redacted from its BEGIN line through its END line. Pasted keys
 * are often cut short, so a block without END ends where the key material
 * does: at the first line that is not base64 (or a PEM header such as
 * `Proc-Type:`). A key stored in a JSON string (`"-----BEGIN…\nMII…"`, as in
 * a GCP service-account file) lives on one line: it ends at its END marker,
 * or at the closing quote or end of line when cut short.
 *
 * Linear: every BEGIN is found by one regex pass, every following line is
 * looked at once, and a BEGIN inside an already redacted block is skipped.
 *
 * @module
 */

import type { SecretSpan } from "./types.ts";

// Trailing dashes are optional: a pasted header sometimes loses them.
const BEGIN =
  /-{5,6}BEGIN[ A-Z0-9_-]{0,40}(?:PRIVATE KEY(?: BLOCK)?|NKEY SEED|NATS USER JWT)-{0,6}/g;
const END_LINE = /^[ \t>]*-{5,6}END[ A-Z0-9_-]{0,60}-{5,6}/;
const END_INLINE = /-{5,6}END[ A-Z0-9_-]{0,60}-{5,6}/y;
/** A line of key material (base64, possibly quoted in markdown or indented). */
const MATERIAL_LINE = /^[ \t>]*[A-Za-z0-9+/=]{4,}[ \t]*\r?$/;
const MATERIAL_PREFIX = /^[ \t>]*[A-Za-z0-9+/=]{16,}/;
const HEADER_LINE = /^[ \t>]*[A-Za-z][A-Za-z-]{0,30}: ?[^\r\n]{0,200}\r?$/;
/** Key material worth a redaction: a NATS seed or 20+ base64 chars. */
const MATERIAL = /[A-Za-z0-9+/]{20,}|S[UANOCPX][A-Z2-7]{20,}/;

/** How far a key inside one line (a JSON string) may reach. */
const INLINE_MAX = 16384;

export function scanKeyBlocks(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  const begin = new RegExp(BEGIN.source, "g");
  const cursor = new Cursor(text);
  let covered = 0;
  for (let m = begin.exec(text); m !== null; m = begin.exec(text)) {
    const start = m.index;
    const headerEnd = start + m[0].length;
    if (start < covered) continue;
    const eol = cursor.lineEnd(headerEnd);
    // Only the head of the rest of the line decides: a huge line full of
    // BEGIN markers must not be copied once per marker.
    const rest = text.slice(headerEnd, Math.min(eol, headerEnd + 64));
    const inline = eol - headerEnd > 64 ||
      (rest.trim() !== "" && rest.trim() !== "\\n" && !/^\\n["',]*\s*$/.test(rest));
    const end = inline ? inlineEnd(text, headerEnd, eol, cursor) : multilineEnd(text, eol);
    if (!cursor.materialBetween(headerEnd, Math.min(end, headerEnd + 4096))) continue;
    spans.push({ start, end });
    covered = end;
    begin.lastIndex = Math.max(begin.lastIndex, end);
  }
  return spans;
}

/**
 * Answers positional questions for ascending positions without rescanning:
 * the next line end, the next END marker and the next run of key material
 * are each searched for once and reused while they are still ahead.
 */
class Cursor {
  #text: string;
  #nl = -2;
  #end = -2;
  #material = -2;
  #materialFrom = 0;
  #quote = -2;

  constructor(text: string) {
    this.#text = text;
  }

  lineEnd(from: number): number {
    if (this.#nl === -2 || (this.#nl !== -1 && this.#nl < from)) {
      this.#nl = this.#text.indexOf("\n", from);
    }
    return this.#nl === -1 ? this.#text.length : this.#nl;
  }

  /** Index of the first `-----END` at or after `from`, or -1. */
  endMarker(from: number): number {
    if (this.#end === -2 || (this.#end !== -1 && this.#end < from)) {
      this.#end = this.#text.indexOf("-----END", from);
    }
    return this.#end;
  }

  /** Index of the first quote character at or after `from`, or -1. */
  quote(from: number): number {
    if (this.#quote === -2 || (this.#quote !== -1 && this.#quote < from)) {
      const re = /["'`]/g;
      re.lastIndex = from;
      this.#quote = re.exec(this.#text)?.index ?? -1;
    }
    return this.#quote;
  }

  /** True when a run of key material starts in `[from, to)`. */
  materialBetween(from: number, to: number): boolean {
    if (
      this.#material === -2 || from < this.#materialFrom ||
      (this.#material !== -1 && this.#material < from)
    ) {
      const re = new RegExp(MATERIAL.source, "g");
      re.lastIndex = from;
      const m = re.exec(this.#text);
      this.#material = m ? m.index : -1;
      this.#materialFrom = from;
    }
    return this.#material !== -1 && this.#material < to;
  }
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl === -1 ? text.length : nl;
}

/** A key on one line, e.g. inside a JSON string with `\n` escapes. */
function inlineEnd(text: string, headerEnd: number, eol: number, cursor: Cursor): number {
  const limit = Math.min(eol, headerEnd + INLINE_MAX);
  const end = cursor.endMarker(headerEnd);
  if (end !== -1 && end < limit) {
    // Start at the first dash (five or six of them).
    const from = end > 0 && text[end - 1] === "-" ? end - 1 : end;
    END_INLINE.lastIndex = from;
    const m = END_INLINE.exec(text);
    if (m) return from + m[0].length;
    return end + 8;
  }
  // Cut short: stop before a closing quote, else at the end of the line
  // (or the inline limit).
  const quote = cursor.quote(headerEnd);
  return quote !== -1 && quote < limit ? quote : limit;
}

/** Lines after the BEGIN line: material and headers, through an END line. */
function multilineEnd(text: string, beginEol: number): number {
  let end = beginEol;
  let pos = beginEol + 1;
  // PEM headers (Proc-Type, DEK-Info) sit right after BEGIN, followed by a
  // blank line; after the first line of material neither is allowed.
  let headersAllowed = true;
  let afterHeader = false;
  while (pos > 0 && pos <= text.length) {
    const eol = lineEnd(text, pos);
    const line = text.slice(pos, eol);
    const endMatch = END_LINE.exec(line);
    if (endMatch) return pos + endMatch[0].length;
    if (MATERIAL_LINE.test(line)) {
      headersAllowed = false;
      afterHeader = false;
    } else if (headersAllowed && HEADER_LINE.test(line)) {
      afterHeader = true;
    } else if (afterHeader && line.trim() === "") {
      afterHeader = false;
      headersAllowed = false;
    } else if (MATERIAL_PREFIX.test(line)) {
      // Key material with something glued to it (`MIIE…[REDACTED:x]`): the
      // whole line goes, and the block ends here.
      return eol;
    } else {
      break;
    }
    end = eol;
    if (eol >= text.length) break;
    pos = eol + 1;
  }
  return end;
}
