/**
 * Redacts many texts with one call to the redactor.
 *
 * A redactor's cost has a per-call part (rule set-up, first-run regex
 * compilation), so the bundle's texts are joined with a separator, scanned
 * once, and split again. Texts cannot contain the separator's NUL characters
 * (control characters are stripped before scanning). Each text's count comes
 * from the findings' line numbers, not from counting markers, because marker
 * text in the input is ordinary text (it may be quoted from an earlier
 * bundle). If a redaction swallows a separator (an unterminated private-key
 * block running into the next text), or the findings do not add up, each text
 * is scanned on its own instead.
 *
 * @module
 */
import { type RedactionResult, redactSecrets } from "../redact/mod.ts";

/** The one redaction function the pipeline calls; swap it here, nowhere else. */
export type Redactor = (text: string, options?: { source?: string }) => Promise<RedactionResult>;

/**
 * The redactor every run uses. Imported statically: every `prepare` needs it,
 * and a dynamic import would add a module load to the run's critical path
 * (the rules compile in about a millisecond since secretlint was dropped).
 */
export const defaultRedactor: Redactor = redactSecrets;

const SEPARATOR = "\n\n\u0000kaizen-section\u0000\n\n";
const SEPARATOR_LINES = 4;

/** Redacted texts (same order) and how many secrets each held. */
export async function redactAll(
  redact: Redactor,
  texts: readonly string[],
): Promise<{ texts: string[]; counts: number[] }> {
  if (texts.length === 0) return { texts: [], counts: [] };
  if (texts.length === 1) {
    const r = await redact(texts[0], { source: "bundle.md" });
    return { texts: [r.text], counts: [r.count] };
  }
  const joined = await redact(texts.join(SEPARATOR), { source: "bundle.md" });
  const parts = joined.text.split(SEPARATOR);
  if (parts.length === texts.length) {
    const counts = countByText(texts, joined);
    if (counts) return { texts: parts, counts };
  }
  const out = { texts: [] as string[], counts: [] as number[] };
  for (const t of texts) {
    const r = await redact(t, { source: "bundle.md" });
    out.texts.push(r.text);
    out.counts.push(r.count);
  }
  return out;
}

/** Attributes each finding to the text it starts in, by line; undefined if they do not add up. */
function countByText(texts: readonly string[], joined: RedactionResult): number[] | undefined {
  const counts = texts.map(() => 0);
  if (joined.count === 0) return counts;
  if (!Array.isArray(joined.findings) || joined.findings.length !== joined.count) return undefined;
  const starts: number[] = [];
  let line = 1;
  for (const t of texts) {
    starts.push(line);
    line += lineBreaks(t) + SEPARATOR_LINES;
  }
  for (const f of joined.findings) {
    let i = starts.length - 1;
    while (i > 0 && starts[i] > f.line) i--;
    counts[i]++;
  }
  return counts;
}

function lineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
