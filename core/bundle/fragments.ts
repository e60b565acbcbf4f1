/**
 * Secret blocks that a section cut apart.
 *
 * A section shows excerpts of what it read: the first lines of SCOPE.md, the
 * open items of TODO.md. An excerpt can end inside a multi-line secret (a
 * private key, a NATS creds file), and half a key block no longer has the
 * shape the detector recognises. So the pipeline also scans what sections
 * *read* for such blocks, and removes each of their body lines wherever it
 * appears in what sections *show*, whatever was cut around it.
 *
 * @module
 */
import type { Redactor } from "./scan.ts";

/** Texts that may hold a multi-line secret block; others are not scanned again. */
const BLOCK_CUE = /-----BEGIN|PuTTY-User-Key-File|Private-Lines:|NKEY SEED|"private_key"/;

/** A block's body line: key material, long enough not to occur by chance. */
const BODY_LINE = /^[A-Za-z0-9+/=_-]{16,}$/;

const MARKER = /\[REDACTED:([a-z0-9-]+)\]/g;

/** One secret line found in an input, and the rule that found its block. */
export interface SecretFragment {
  line: string;
  rule: string;
}

/**
 * The body lines of every multi-line secret in `raws` (the texts sections
 * read). Spans are recovered by aligning each text with its redacted form:
 * the redactor replaces spans with markers and leaves the rest unchanged.
 */
export async function secretFragments(
  raws: readonly string[],
  redact: Redactor,
): Promise<SecretFragment[]> {
  const out = new Map<string, SecretFragment>();
  for (const raw of raws) {
    if (!BLOCK_CUE.test(raw)) continue;
    const { text } = await redact(raw, { source: "input" });
    for (const span of removedSpans(raw, text)) {
      if (!span.text.includes("\n")) continue;
      for (const line of span.text.split("\n")) {
        const body = line.trim();
        if (BODY_LINE.test(body)) out.set(body, { line: body, rule: span.rule });
      }
    }
  }
  return [...out.values()];
}

/** The spans of `raw` that became markers in `redacted`, where they can be located. */
function removedSpans(raw: string, redacted: string): { text: string; rule: string }[] {
  const spans: { text: string; rule: string }[] = [];
  const literals: string[] = [];
  const rules: string[] = [];
  let last = 0;
  for (const m of redacted.matchAll(MARKER)) {
    literals.push(redacted.slice(last, m.index));
    rules.push(m[1]);
    last = m.index + m[0].length;
  }
  literals.push(redacted.slice(last));
  let pos = 0;
  for (let i = 0; i < rules.length; i++) {
    if (!raw.startsWith(literals[i], pos)) break; // out of step: stop rather than guess
    const start = pos + literals[i].length;
    const next = literals[i + 1];
    const end = next === "" ? (i + 1 === rules.length ? raw.length : -1) : raw.indexOf(next, start);
    if (end < 0) break;
    spans.push({ text: raw.slice(start, end), rule: rules[i] });
    pos = end;
  }
  return spans;
}

/** `text` with every fragment replaced by a marker, and whether any was. */
export function removeFragments(
  text: string,
  fragments: readonly SecretFragment[],
): { text: string; found: boolean } {
  let found = false;
  for (const f of fragments) {
    if (!text.includes(f.line)) continue;
    found = true;
    text = text.split(f.line).join(`[REDACTED:${f.rule}]`);
  }
  return { text, found };
}
