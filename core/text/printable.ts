/**
 * Making untrusted text safe for a terminal.
 *
 * Two kinds of characters can change what a terminal shows without being
 * visible themselves: C0/C1 controls (escape sequences, BEL, a carriage
 * return that overwrites the line) and Unicode bidi controls, which reorder
 * the text around them (U+202E makes `txt.exe` read as `exe.txt`, the
 * "Trojan Source" trick). Both are removed from content and escaped in
 * one-line diagnostics. The patterns are built from strings so this source
 * carries no raw control characters.
 *
 * @module
 */

// C0 and C1 control characters, DEL included.
const C0_C1 = "\\u0000-\\u001f\\u007f-\\u009f";
// Bidi marks, embeddings/overrides and isolates (LRM, RLM, ALM, LRE…RLO, LRI…PDI).
const BIDI = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";

// Everything above except tab (U+0009) and newline (U+000A), which multi-line content keeps.
const C0_C1_BUT_TAB_LF = "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f";

const UNSAFE = new RegExp(`[${C0_C1}${BIDI}]`, "g");
// Whole escape sequences: CSI (ESC [ or U+009B, parameters, intermediates,
// final byte), OSC (ESC ], up to BEL or ESC \\), and the two-byte ones. Their
// parameters are not content: removing only the ESC would leave "[31m"
// glued to the next word, and a token glued to a letter hides from the
// redactor's word boundaries.
const ESCAPE_SEQUENCE = new RegExp(
  [
    "\\u001b\\[[0-?]*[ -/]*[@-~]",
    "\\u009b[0-?]*[ -/]*[@-~]",
    "\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)?",
    "\\u001b[ -/]*[0-~]",
  ].join("|"),
  "g",
);
const UNSAFE_IN_CONTENT = new RegExp(`[${C0_C1_BUT_TAB_LF}${BIDI}]`, "g");

/**
 * Makes untrusted text safe for one terminal line: control and bidi
 * characters (escape sequences, newlines, overrides) become `\uXXXX`, and
 * long text is cut.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printable } from "../../plugin.ts";
 *
 * assert.equal(printable("evil\u001b[2Jname"), "evil\\u001b[2Jname");
 * assert.equal(printable("x".repeat(100), 10), "xxxxxxx...");
 * ```
 */
export function printable(s: string, max = 80): string {
  const clean = s.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}

/**
 * Removes terminal escape sequences (whole), control and bidi characters
 * from multi-line text, keeping newlines and tabs. A CRLF line end becomes
 * LF; any other carriage return is dropped, since on a terminal it moves the
 * cursor back over what was shown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripControl } from "./printable.ts";
 *
 * assert.equal(stripControl("a\r\nb\u202ec\u0007"), "a\nbc");
 * assert.equal(stripControl("\u001b[31mred\u001b[0m"), "red");
 * ```
 */
export function stripControl(s: string): string {
  return s.replace(/\r\n/g, "\n").replace(ESCAPE_SEQUENCE, "").replace(UNSAFE_IN_CONTENT, "");
}

/** `text` ending with a newline (an empty text stays empty): file contents printed or appended to. */
export function withFinalNewline(text: string): string {
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}
