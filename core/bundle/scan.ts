/**
 * Redacts many texts with one scanner pass.
 *
 * secretlint's cost is mostly per call (rule set-up, first-run compilation),
 * so the bundle's texts are joined with a separator, scanned once, and split
 * again. Texts cannot contain the separator's NUL characters (control
 * characters are stripped before scanning). If a redaction swallows a
 * separator (e.g. an unterminated private-key block running into the next
 * text), the split no longer lines up and each text is scanned on its own.
 *
 * @module
 */
import { MARKER_PATTERN } from "../redact/rules.ts";
import type { RedactionResult } from "../redact/mod.ts";

type Redactor = (text: string, options?: { source?: string }) => Promise<RedactionResult>;

const SEPARATOR = "\n\n\u0000kaizen-section\u0000\n\n";

/** Redacted texts (same order) and how many secrets each held. */
export async function redactAll(
  redact: Redactor,
  texts: readonly string[],
): Promise<{ texts: string[]; counts: number[] }> {
  if (texts.length === 0) return { texts: [], counts: [] };
  const joined = await redact(texts.join(SEPARATOR), { source: "bundle.md" });
  const parts = joined.text.split(SEPARATOR);
  if (parts.length === texts.length) {
    return { texts: parts, counts: parts.map((p, i) => markers(p) - markers(texts[i])) };
  }
  const out = { texts: [] as string[], counts: [] as number[] };
  for (const t of texts) {
    const r = await redact(t, { source: "bundle.md" });
    out.texts.push(r.text);
    out.counts.push(r.count);
  }
  return out;
}

function markers(text: string): number {
  return text.match(MARKER_PATTERN)?.length ?? 0;
}
