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

export function scanKeyBlocks(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  let covered = 0;
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m !== null; m = BEGIN.exec(text)) {
    const start = m.index;
    const headerEnd = start + m[0].length;
    if (start < covered) continue;
    const eol = lineEnd(text, headerEnd);
    const rest = text.slice(headerEnd, eol);
    let end: number;
    if (rest.trim() !== "" && rest.trim() !== "\\n" && !/^\\n["',]*\s*$/.test(rest)) {
      end = inlineEnd(text, headerEnd, eol);
    } else {
      end = multilineEnd(text, eol);
    }
    const body = text.slice(headerEnd, Math.min(end, headerEnd + 4096));
    if (!MATERIAL.test(body)) continue;
    spans.push({ start, end });
    covered = end;
    BEGIN.lastIndex = Math.max(BEGIN.lastIndex, end);
  }
  return spans;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl === -1 ? text.length : nl;
}

/** A key on one line, e.g. inside a JSON string with `\n` escapes. */
function inlineEnd(text: string, headerEnd: number, eol: number): number {
  const end = text.indexOf("-----END", headerEnd);
  if (end !== -1 && end < eol) {
    // Start at the first dash (five or six of them).
    const from = end > 0 && text[end - 1] === "-" ? end - 1 : end;
    END_INLINE.lastIndex = from;
    const m = END_INLINE.exec(text);
    if (m) return from + m[0].length;
    return end + 8;
  }
  // Cut short: stop before a closing quote, else at the end of the line.
  for (let i = headerEnd; i < eol; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") return i;
  }
  return eol;
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
