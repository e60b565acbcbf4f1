/**
 * Secret redaction for bundle content.
 *
 * `redactSecrets` runs two layers over a text and replaces every secret it
 * finds with `[REDACTED:<rule-id>]`:
 *
 * 1. secretlint's recommended rules (`@secretlint/core` `lintSource`), loaded
 *    lazily on first use and cached. The preset's comment filter is left out
 *    on purpose: content comes from an untrusted repo, and a
 *    `secretlint-disable` comment there must not hide a secret from us.
 * 2. kaizen's own rules (`./rules.ts`), which always run, even when
 *    secretlint cannot be loaded or throws.
 *
 * Overlapping spans are merged into one marker. Findings carry the rule id and
 * the 1-based line/column of the span start in the ORIGINAL text, never the
 * value. Nothing here logs, and errors from secretlint are swallowed (their
 * messages could quote the input).
 *
 * No `node:` imports: this module must work from source and from a
 * `deno bundle --platform browser` build.
 */

import {
  isUrlPasswordPlaceholder,
  MARKER_PATTERN,
  redactionMarker,
  RULES,
  type SecretSpan,
} from "./rules.ts";

export interface RedactionFinding {
  /** Rule id as used in the marker, e.g. `aws-access-key-id` or `secretlint-github`. */
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
  /** Logical name of the content (e.g. `memory.md`); passed to secretlint as a virtual path. */
  source?: string;
}

// ---------------------------------------------------------------------------
// Layer 1: secretlint (lazy)

type LintSource = typeof import("@secretlint/core").lintSource;
type LintConfig = Parameters<LintSource>[0]["options"]["config"];

/** Finds secret spans with secretlint; rule ids are returned already prefixed. */
export type SecretlintScanner = (
  text: string,
  source: string,
) => Promise<Array<SecretSpan & { rule: string }>>;

const SECRETLINT_ID_PREFIX = "@secretlint/secretlint-rule-";
const SECRETLINT_COMMENT_FILTER = "@secretlint/secretlint-rule-filter-comments";

/**
 * The name secretlint sees. Only the base name is kept (its extension lets
 * rules treat `.json`/`.npmrc` content specially), and `.p12` is defused:
 * for that extension the GCP rule reads the file from disk, and content we
 * redact is never a file secretlint should open.
 */
export function virtualSourceName(source: string | undefined): string {
  const base = (source ?? "").split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[^A-Za-z0-9._-]/g, "_").slice(-100);
  if (clean === "" || /^\.+$/.test(clean)) return "bundle.txt";
  return /\.p12$/i.test(clean) ? clean + ".txt" : clean;
}

async function loadSecretlint(): Promise<SecretlintScanner> {
  const [core, preset] = await Promise.all([
    import("@secretlint/core"),
    import("@secretlint/secretlint-rule-preset-recommend"),
  ]);
  // Register the preset's scanner rules one by one instead of the preset
  // itself: that drops the comment filter (`secretlint-disable…`), which a
  // preset's per-rule `disabled` flag cannot do.
  const rules = (preset.rules as ReadonlyArray<{ meta: { id: string; type: string } }>)
    .filter((rule) => rule.meta.type === "scanner" && rule.meta.id !== SECRETLINT_COMMENT_FILTER)
    .map((rule) => ({ id: rule.meta.id, rule }));
  const config = { rules } as unknown as LintConfig;
  return async (text, source) => {
    const result = await core.lintSource({
      source: { content: text, filePath: source, contentType: "text" },
      // Unmasked so `data` holds the matched value (used to fix ranges below);
      // neither `message` nor `data` ever leaves this function.
      options: { config, maskSecrets: false, noPhysicFilePath: true, locale: "en" },
    });
    const spans: Array<SecretSpan & { rule: string }> = [];
    for (const message of result.messages) {
      if (message.type !== "message") continue;
      const [start, end] = message.range;
      if (!Number.isInteger(start) || !Number.isInteger(end)) continue;
      if (start < 0 || end > text.length || end <= start) continue;
      const short = message.ruleId.startsWith(SECRETLINT_ID_PREFIX)
        ? message.ruleId.slice(SECRETLINT_ID_PREFIX.length)
        : message.ruleId.replace(/^@/, "").replace(/[^a-z0-9-]+/gi, "-");
      const span = realignSpan(text, { start, end }, message.data);
      spans.push({ ...span, rule: `secretlint-${short.toLowerCase()}` });
    }
    return spans;
  };
}

/**
 * Several secretlint 13 rules report `[matchStart, matchStart + value.length]`
 * where the match starts with a key name (e.g. `aws_secret_access_key = `)
 * and `value` is a capture group: the span then starts too early and ends
 * before the secret does. When a reported value (from `data`) starts inside
 * the span and runs past its end, use the value's own position instead.
 */
function realignSpan(text: string, span: SecretSpan, data: unknown): SecretSpan {
  if (data === null || typeof data !== "object") return span;
  let best: SecretSpan | undefined;
  for (const value of Object.values(data as Record<string, unknown>)) {
    if (typeof value !== "string" || value.length < 8) continue;
    let at = text.indexOf(value, span.start);
    while (at !== -1 && at <= span.end) {
      const end = at + value.length;
      if (end > span.end && (!best || end - at > best.end - best.start)) {
        best = { start: at, end };
      }
      at = text.indexOf(value, at + 1);
    }
  }
  return best ?? span;
}

let secretlintLoader: () => Promise<SecretlintScanner> = loadSecretlint;
let secretlintCache: Promise<SecretlintScanner | null> | undefined;

function getSecretlint(): Promise<SecretlintScanner | null> {
  secretlintCache ??= secretlintLoader().catch(() => null);
  return secretlintCache;
}

/**
 * Test hook: replace how layer 1 is loaded (pass `undefined` to restore the
 * real loader). Resets the cache.
 */
export function _setSecretlintLoaderForTests(
  loader: (() => Promise<SecretlintScanner>) | undefined,
): void {
  secretlintLoader = loader ?? loadSecretlint;
  secretlintCache = undefined;
}

/**
 * secretlint reports a whole URL for `scheme://user:password@host`; keep only
 * the password so the redacted text still shows where it pointed.
 */
const URL_USERINFO = /^[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s:@/?#]{1,128}:([^\s@/?#]{1,256})@/d;

function narrowUrlSpan(text: string, span: SecretSpan): SecretSpan | null {
  const m = URL_USERINFO.exec(text.slice(span.start, span.end));
  if (!m?.indices?.[1]) return span;
  const [s, e] = m.indices[1];
  // `user:password@`, `user:${PASS}@`: a documented placeholder, not a secret.
  if (isUrlPasswordPlaceholder(m[1])) return null;
  return { start: span.start + s, end: span.start + e };
}

// ---------------------------------------------------------------------------
// Merging and rewriting

interface Candidate extends SecretSpan {
  rule: string;
  /** Lower wins when naming a merged span. */
  rank: number;
}

function overlapsAny(span: SecretSpan, ranges: SecretSpan[]): boolean {
  return ranges.some((r) => span.start < r.end && r.start < span.end);
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

/**
 * Finds and redacts secrets in `text`. Deterministic; never throws because of
 * secretlint; the secret values appear nowhere in the result.
 */
export async function redactSecrets(
  text: string,
  options: RedactOptions = {},
): Promise<RedactionResult> {
  const candidates: Candidate[] = [];

  // Layer 2 first in rank: specific own rules, then secretlint, then generic own rules.
  RULES.forEach((rule, index) => {
    const rank = rule.generic ? 2000 + index : index;
    for (const span of rule.scan(text)) candidates.push({ ...span, rule: rule.id, rank });
  });

  const scanner = await getSecretlint();
  if (scanner) {
    try {
      for (const found of await scanner(text, virtualSourceName(options.source))) {
        const span = narrowUrlSpan(text, found);
        if (span === null) continue;
        candidates.push({ ...span, rule: found.rule, rank: 1000 });
      }
    } catch {
      // Fall back to our own rules only. The error is dropped on purpose: it
      // may quote the scanned content.
    }
  }

  // Markers already in the text are left alone (keeps redaction idempotent).
  const markers: SecretSpan[] = [];
  for (const m of text.matchAll(MARKER_PATTERN)) {
    markers.push({ start: m.index, end: m.index + m[0].length });
  }
  const kept = candidates.filter((c) => c.end > c.start && !overlapsAny(c, markers));

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
