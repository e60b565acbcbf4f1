/**
 * Secret redaction for bundle content.
 *
 * `redactSecretsSync` (and its promise-returning twin `redactSecrets`, kept
 * for callers written against the old asynchronous scanner) runs kaizen's
 * rules (`./rules.ts`) over a text and replaces every secret it finds with
 * `[REDACTED:<rule-id>]`.
 *
 * A prefilter skips every rule none of whose keywords occur in the text
 * (one lower-casing of the text, one pass recording its three-character
 * windows, then substring tests only for keywords whose windows all occur),
 * so a clean text costs little more than one pass; the rules are linear.
 *
 * Input is never trusted to be already redacted: a `[REDACTED:…]` marker in
 * the input is ordinary text and shields nothing around it. Only spans that
 * lie entirely inside such a marker are dropped, so the marker text is not
 * itself taken for a secret and redacting our own output again finds
 * nothing new.
 *
 * Overlapping spans are merged into one marker. Findings carry the rule id
 * and the 1-based line/column of the span start in the ORIGINAL text, never
 * the value. Nothing here logs, and nothing throws on any input.
 *
 * @module
 */

import { MARKER_PATTERN, redactionMarker, RULES } from "./rules.ts";
import type { SecretRule, SecretSpan } from "./types.ts";

export interface RedactionFinding {
  /** Rule id as used in the marker, e.g. `aws-access-key-id`. */
  rule: string;
  /** 1-based line of the secret's first character in the original text. */
  line: number;
  /** 1-based column (in code points) of the secret's first character. */
  column: number;
}

export interface RedactionResult {
  text: string;
  count: number;
  findings: RedactionFinding[];
}

export interface RedactOptions {
  /**
   * Logical name of the content (e.g. `memory.md`). Accepted for callers
   * and future per-format rules; detection does not depend on it today.
   */
  source?: string;
}

interface Candidate extends SecretSpan {
  rule: string;
  /** Lower wins when naming a merged span. */
  rank: number;
}

/**
 * Each distinct keyword once, with the rules it admits and the hashes of its
 * three-character windows. Rules share many keywords; looking each up once,
 * in a plain loop, made the prefilter about ten times cheaper than asking
 * every rule in turn (measured on a bundle).
 */
let keywordIndex:
  | { keywords: string[]; rules: number[][]; grams: Int32Array[]; always: number[] }
  | undefined;

/** Hash of the three UTF-16 code units `a b c` into the presence table. */
function gramHash(a: number, b: number, c: number): number {
  return (Math.imul(a, 0x9e3779b1) + Math.imul(b, 0x85ebca6b) + Math.imul(c, 0xc2b2ae35)) >>> 16;
}

function gramsOf(keyword: string): Int32Array {
  const out = new Int32Array(Math.max(0, keyword.length - 2));
  for (let i = 2; i < keyword.length; i++) {
    out[i - 2] = gramHash(
      keyword.charCodeAt(i - 2),
      keyword.charCodeAt(i - 1),
      keyword.charCodeAt(i),
    );
  }
  return out;
}

function buildKeywordIndex(): NonNullable<typeof keywordIndex> {
  const byKeyword = new Map<string, number[]>();
  const always: number[] = [];
  RULES.forEach((rule, index) => {
    if (rule.keywords.length === 0) always.push(index);
    for (const k of rule.keywords) {
      const list = byKeyword.get(k);
      if (list) list.push(index);
      else byKeyword.set(k, [index]);
    }
  });
  const keywords = [...byKeyword.keys()];
  return { keywords, rules: [...byKeyword.values()], grams: keywords.map(gramsOf), always };
}

/**
 * Which three-character windows occur in the text being scanned, by hash.
 * A keyword with a window the text lacks cannot occur in it, so its
 * `includes` (a full pass over the text each) is skipped. About 150 such
 * passes over a 10 KB bundle were most of the redactor's time; one pass to
 * fill this table replaces nearly all of them. The answer is the same: the
 * table only ever rules out keywords that are truly absent. Kept between
 * calls and cleared entry by entry, since clearing 64 KiB per call would
 * cost more than the small strings the pipeline scans.
 */
const gramTable = new Uint8Array(1 << 16);

function markGrams(lower: string, value: 0 | 1): void {
  let a = lower.charCodeAt(0);
  let b = lower.charCodeAt(1);
  for (let i = 2; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    gramTable[gramHash(a, b, c)] = value;
    a = b;
    b = c;
  }
}

/** Whether `table` is set at every one of `at` (a plain loop: this is the redactor's hot path). */
function allMarked(table: Uint8Array, at: ArrayLike<number>): boolean {
  for (let i = 0; i < at.length; i++) if (!table[at[i]]) return false;
  return true;
}

/** Rules that may match `text`, by the keyword prefilter, in rule order. */
function applicableRules(text: string): Array<{ rule: SecretRule; index: number }> {
  const index = keywordIndex ??= buildKeywordIndex();
  const lower = text.toLowerCase();
  const admitted = new Uint8Array(RULES.length);
  for (const i of index.always) admitted[i] = 1;
  markGrams(lower, 1);
  try {
    for (let k = 0; k < index.keywords.length; k++) {
      const rules = index.rules[k];
      // Every rule of the keyword admitted already: nothing to learn from it.
      if (allMarked(admitted, rules)) continue;
      if (allMarked(gramTable, index.grams[k]) && lower.includes(index.keywords[k])) {
        for (let j = 0; j < rules.length; j++) admitted[rules[j]] = 1;
      }
    }
  } finally {
    markGrams(lower, 0);
  }
  const out: Array<{ rule: SecretRule; index: number }> = [];
  for (let i = 0; i < RULES.length; i++) if (admitted[i]) out.push({ rule: RULES[i], index: i });
  return out;
}

/**
 * 1-based line and column (in code points) for each index, in one pass over
 * the text; `indices` must be ascending.
 */
function positions(text: string, indices: number[]): Array<{ line: number; column: number }> {
  const out: Array<{ line: number; column: number }> = [];
  let line = 1;
  let column = 1;
  let i = 0;
  for (const target of indices) {
    for (; i < target; i++) {
      const code = text.charCodeAt(i);
      if (code === 10) {
        line++;
        column = 1;
      } else if (!(code >= 0xdc00 && code <= 0xdfff && isHighSurrogate(text.charCodeAt(i - 1)))) {
        // A surrogate pair counts as one column.
        column++;
      }
    }
    out.push({ line, column });
  }
  return out;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Index ranges of our own markers in `text`. */
function markerRanges(text: string): SecretSpan[] {
  if (!text.includes("[REDACTED:")) return [];
  const out: SecretSpan[] = [];
  for (const m of text.matchAll(new RegExp(MARKER_PATTERN.source, "g"))) {
    out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** True when `span` lies entirely inside one of `ranges` (sorted by start). */
function insideAny(span: SecretSpan, ranges: SecretSpan[]): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid];
    if (r.start > span.start) hi = mid - 1;
    else if (r.end < span.end) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * Finds and redacts secrets in `text`, synchronously. Deterministic; never
 * throws; the secret values appear nowhere in the result.
 *
 * @example
 * ```ts
 * const r = redactSecretsSync("password: " + "Zx9" + "q!T4#vLm2;pW");
 * // r.text === "password: [REDACTED:generic-secret]", r.count === 1
 * ```
 */
export function redactSecretsSync(text: string, _options: RedactOptions = {}): RedactionResult {
  if (typeof text !== "string" || text.length === 0) {
    return { text: typeof text === "string" ? text : "", count: 0, findings: [] };
  }
  const merged = mergedSpans(text);
  const parts: string[] = [];
  const where = positions(text, merged.map((span) => span.start));
  const findings: RedactionFinding[] = merged.map((span, i) => ({ rule: span.rule, ...where[i] }));
  let cursor = 0;
  for (const span of merged) {
    parts.push(text.slice(cursor, span.start), redactionMarker(span.rule));
    cursor = span.end;
  }
  parts.push(text.slice(cursor));

  return { text: parts.join(""), count: merged.length, findings };
}

/**
 * The secrets in `text` as merged spans (what {@link redactSecretsSync}
 * replaces), for a caller that must also find them again elsewhere: a
 * message that quoted part of a value, say.
 *
 * @example
 * ```ts
 * for (const s of secretSpans(manifest)) console.log(s.rule, s.end - s.start);
 * ```
 */
export function secretSpans(text: string): Array<{ start: number; end: number; rule: string }> {
  if (typeof text !== "string" || text.length === 0) return [];
  return mergedSpans(text).map(({ start, end, rule }) => ({ start, end, rule }));
}

function mergedSpans(text: string): Candidate[] {
  const candidates: Candidate[] = [];
  for (const { rule, index } of applicableRules(text)) {
    let spans: SecretSpan[];
    try {
      spans = rule.scan(text);
    } catch {
      // A rule bug must not let the other rules' findings through unredacted
      // nor crash prepare; the error is dropped (it may quote the input).
      spans = [];
    }
    const rank = rule.generic ? 2000 + index : index;
    for (const span of spans) {
      if (span.end > span.start) candidates.push({ ...span, rule: rule.id, rank });
    }
  }

  const markers = markerRanges(text);
  const kept = markers.length === 0 ? candidates : candidates.filter((c) => !insideAny(c, markers));

  kept.sort((a, b) =>
    a.start - b.start || b.end - a.end || a.rank - b.rank || (a.rule < b.rule ? -1 : 1)
  );

  // Merge overlapping spans; the best-ranked member names the merged span.
  const merged: Candidate[] = [];
  for (const c of kept) {
    const last = merged[merged.length - 1];
    if (last && c.start < last.end) {
      if (c.end > last.end) last.end = c.end;
      if (c.rank < last.rank || (c.rank === last.rank && c.rule < last.rule)) {
        last.rule = c.rule;
        last.rank = c.rank;
      }
    } else {
      merged.push({ ...c });
    }
  }
  return merged;
}

/**
 * Finds and redacts secrets in `text`. Same as `redactSecretsSync`; returns
 * a promise so callers written for a lazily loaded scanner keep working.
 *
 * @example
 * ```ts
 * const { text, count } = await redactSecrets(memoryMd, { source: "memory.md" });
 * ```
 */
export function redactSecrets(
  text: string,
  options: RedactOptions = {},
): Promise<RedactionResult> {
  return Promise.resolve(redactSecretsSync(text, options));
}

/**
 * Ids of the rules the prefilter admits for `text`, in rule order. Exported
 * for the test that holds the prefilter to a plain substring check.
 */
export function admittedRuleIds(text: string): string[] {
  return applicableRules(text).map(({ rule }) => rule.id);
}
