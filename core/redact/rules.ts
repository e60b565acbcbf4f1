/**
 * kaizen's own secret-detection rules (layer 2 of redaction).
 *
 * They complement secretlint's recommended preset (layer 1): secretlint is
 * precise but deliberately conservative (for example it does not flag a bare
 * AWS access key id, or an AWS secret written in prose), while these rules
 * cover the token formats we care about plus a keyword-and-entropy rule.
 * Patterns follow the shape of gitleaks' public rule list, rewritten and
 * simplified for JavaScript regular expressions. Every rule is linear-time
 * (no nested quantifiers) so untrusted input cannot make it backtrack badly.
 *
 * This module is pure: no I/O, no `node:` imports, no logging.
 */

/** A half-open range `[start, end)` of UTF-16 indices into the scanned text. */
export interface SecretSpan {
  start: number;
  end: number;
}

export interface SecretRule {
  /** Stable id, used in `[REDACTED:<id>]` markers and in findings. */
  id: string;
  /** One line for docs. */
  description: string;
  /** Generic (heuristic) rules lose to specific ones when spans overlap. */
  generic?: boolean;
  /** Returns the spans of `text` that hold a secret value. */
  scan(text: string): SecretSpan[];
}

/** The marker that replaces a secret. */
export function redactionMarker(ruleId: string): string {
  return `[REDACTED:${ruleId}]`;
}

/** Matches markers already present in a text (used to keep redaction idempotent). */
export const MARKER_PATTERN = /\[REDACTED:[a-z0-9-]+\]/g;

// ---------------------------------------------------------------------------
// Value heuristics

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  const n = [...value].length;
  for (const c of counts.values()) {
    const p = c / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function charClasses(value: string): number {
  let classes = 0;
  if (/[a-z]/.test(value)) classes++;
  if (/[A-Z]/.test(value)) classes++;
  if (/[0-9]/.test(value)) classes++;
  if (/[^A-Za-z0-9]/.test(value)) classes++;
  return classes;
}

const PLACEHOLDER_SHAPES: RegExp[] = [
  /^\$\{.*\}$/s, // ${VAR}
  /^\$\(.*\)$/s, // $(command)
  /^\$[A-Za-z_][A-Za-z0-9_]*$/, // $VAR
  /^%[A-Za-z_][A-Za-z0-9_]*%$/, // %VAR%
  /^\{\{.*\}\}$/s, // {{ template }}
  /^<[^>]*>$/, // <token>
  /^\[[^\]]*\]$/, // [your token] or an existing [REDACTED:…] marker
  /^(.)\1+$/s, // xxxxxxxx, ********, 00000000
  /^[x*._-]+$/i, // xxx-xxx, ***…
];

const PLACEHOLDER_WORDS =
  /changeme|change[_-]me|placeholder|example|your[_-]?|xxxx|\*\*\*|redacted|dummy|sample|insert[_-]|replace[_-]?me|fixme|notasecret|not[_-]a[_-]secret|secret[_-]?here|token[_-]?here|password[_-]?here|key[_-]?here|\.\.\.|\u2026|\$\{|\{\{|<[A-Za-z_ -]+>/i;

/** True for values that are obviously not real secrets (templates, examples, masks). */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (PLACEHOLDER_SHAPES.some((re) => re.test(v))) return true;
  return PLACEHOLDER_WORDS.test(v);
}

const CODE_REFERENCE_SHAPES: RegExp[] = [
  // process.env.X, os.environ["X"], Deno.env.get("X"), secrets.X, config.auth.token
  /^(?:process\.env|Deno\.env|os\.environ|os\.getenv|import\.meta|env|secrets|vars|self|this|config|settings|options|opts|args|params|props|ctx|req|request)\b/,
  /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(.*\))?$/, // dotted member chain / method call
  /^[A-Za-z_$][\w$]*\(.*\)?$/, // function call
  /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/, // ENV_VAR_NAME
  /^v?\d+(?:\.\d+)+(?:[-+][\w.]+)?$/, // version numbers
  /^\d{4}-\d{2}-\d{2}/, // dates
  /^[a-z][a-z0-9+.-]*:\/\//i, // URLs (passwords inside URLs have their own rule)
  /^(?:\.{0,2}\/|~\/)/, // file paths
];

/**
 * Decides whether a value found after a secret-ish keyword is plausibly a
 * real secret: long enough, no whitespace (prose), not a placeholder, not a
 * reference to a variable, and random-looking.
 */
export function looksLikeSecretValue(value: string, quoted: boolean): boolean {
  if (value.length < 8) return false;
  if (/\s/.test(value)) return false;
  if (isPlaceholder(value)) return false;
  if (CODE_REFERENCE_SHAPES.some((re) => re.test(value))) return false;
  if (!/[A-Za-z]/.test(value)) return false;
  const classes = charClasses(value);
  if (classes < 2) return false;
  const entropy = shannonEntropy(value);
  const lettersOnly = /^[A-Za-z]+$/.test(value);
  if (lettersOnly) {
    // A bare identifier (`token = accessToken`) is code, not a value.
    if (!quoted) return false;
    return value.length >= 12 && entropy >= 3.5;
  }
  return entropy >= 3.0;
}

/** `password`, `pass`, `${PASS}`, `<pw>`…: the password part of a documented example URL. */
export function isUrlPasswordPlaceholder(value: string): boolean {
  return isPlaceholder(value) ||
    /^(?:pass(?:word)?|passwd|pwd|pw|secret|token|x-oauth-basic)$/i.test(value);
}

// ---------------------------------------------------------------------------
// Rule builders

interface RegexRuleSpec {
  id: string;
  description: string;
  pattern: RegExp;
  /** Capture group holding the secret; 0 (default) = whole match. */
  group?: number;
  generic?: boolean;
  validate?: (value: string, text: string, start: number) => boolean;
}

function regexRule(spec: RegexRuleSpec): SecretRule {
  const flags = spec.pattern.flags.includes("d") ? spec.pattern.flags : spec.pattern.flags + "d";
  const source = spec.pattern.source;
  return {
    id: spec.id,
    description: spec.description,
    generic: spec.generic,
    scan(text: string): SecretSpan[] {
      const re = new RegExp(source, flags.includes("g") ? flags : flags + "g");
      const spans: SecretSpan[] = [];
      for (const m of text.matchAll(re)) {
        const idx = m.indices?.[spec.group ?? 0];
        if (!idx) continue;
        const [start, end] = idx;
        if (end <= start) continue;
        const value = text.slice(start, end);
        if (spec.validate && !spec.validate(value, text, start)) continue;
        spans.push({ start, end });
      }
      return spans;
    },
  };
}

function hasUpperLowerDigit(v: string): boolean {
  return /[A-Z]/.test(v) && /[a-z]/.test(v) && /[0-9]/.test(v);
}

// ---------------------------------------------------------------------------
// Private key blocks (custom scanner: also handles a block with no END line)

const PRIVATE_KEY_BEGIN = /-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PRIVATE_KEY_END = /-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const KEY_MATERIAL = /[A-Za-z0-9+/]{20,}/;

/** Start/end indices of every match of `pattern` in `text` (one linear pass). */
function allMatches(text: string, pattern: RegExp): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of text.matchAll(new RegExp(pattern.source, "g"))) {
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

function scanPrivateKeys(text: string): SecretSpan[] {
  if (!text.includes("PRIVATE KEY")) return [];
  const spans: SecretSpan[] = [];
  // One pass per marker kind, then walk them together: linear even for a
  // text full of BEGIN lines and no END line.
  const ends = allMatches(text, PRIVATE_KEY_END);
  const blanks = allMatches(text, /\r?\n[ \t]*\r?\n/);
  let e = 0;
  let b = 0;
  let covered = 0;
  for (const [start, headerEnd] of allMatches(text, PRIVATE_KEY_BEGIN)) {
    if (start < covered) continue;
    while (e < ends.length && ends[e][0] < headerEnd) e++;
    while (b < blanks.length && blanks[b][0] < headerEnd) b++;
    let bodyEnd: number;
    let stop: number;
    if (e < ends.length) {
      bodyEnd = ends[e][0];
      stop = ends[e][1];
    } else {
      // Truncated block: take everything up to the first blank line (or the end).
      bodyEnd = stop = b < blanks.length ? blanks[b][0] : text.length;
    }
    // Key material follows the header closely; looking at a bounded prefix
    // keeps a text full of bare BEGIN lines linear.
    if (KEY_MATERIAL.test(text.slice(headerEnd, Math.min(bodyEnd, headerEnd + 1024)))) {
      spans.push({ start, end: stop });
      covered = stop;
    }
  }
  return spans;
}

// ---------------------------------------------------------------------------
// The rule set. Order matters only for labelling: when spans overlap, the
// earlier specific rule names the merged marker.

const AWS_SECRET_CONTEXT = /aws|secret|access[_ -]?key/i;

const GENERIC_KEYWORD = String
  .raw`(?:client[_-]?secret|access[_-]?key|api[_-]?key|apikey|auth[_-]?key|private[_-]?key|passwd|password|secret|token)`;
const GENERIC_SUFFIX = String.raw`(?:[_-]?(?:key|value|b64|base64))?`;
const GENERIC_SEPARATOR = String.raw`["'\x60]?[ \t]*(?::=|=>|=(?![=~>])|:(?![:/]))[ \t]*`;
// Quoted values are bounded so an unclosed quote cannot make each keyword on
// a long line rescan the rest of it.
const GENERIC_VALUE = String
  .raw`(?:"([^"\r\n]{8,512})"|'([^'\r\n]{8,512})'|\x60([^\x60\r\n]{8,512})\x60|([^\s"'\x60,;\[\]{}()<>]{8,}))`;
const GENERIC_PATTERN = new RegExp(
  GENERIC_KEYWORD + GENERIC_SUFFIX + GENERIC_SEPARATOR + GENERIC_VALUE,
  "gid",
);

function scanGeneric(text: string): SecretSpan[] {
  const re = new RegExp(GENERIC_PATTERN.source, "gid");
  const spans: SecretSpan[] = [];
  for (const m of text.matchAll(re)) {
    const group = [1, 2, 3, 4].find((g) => m[g] !== undefined);
    if (group === undefined) continue;
    const idx = m.indices?.[group];
    if (!idx) continue;
    let [start, end] = idx;
    const quoted = group !== 4;
    if (!quoted) {
      // A bare value at the end of a sentence keeps its full stop.
      while (end > start && /[.!?:]/.test(text[end - 1])) end--;
    }
    const value = text.slice(start, end);
    if (!looksLikeSecretValue(value, quoted)) continue;
    spans.push({ start, end });
  }
  return spans;
}

export const RULES: readonly SecretRule[] = [
  {
    id: "private-key",
    description: "PEM/OpenSSH/PGP private key block, BEGIN line to END line (whole block)",
    scan: scanPrivateKeys,
  },
  regexRule({
    id: "aws-access-key-id",
    description:
      "AWS access key id: AKIA/ASIA/ABIA/ACCA/A3T… followed by 16 upper-case base32 chars",
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    validate: (v) => !/EXAMPLE/.test(v),
  }),
  regexRule({
    id: "aws-secret-access-key",
    description:
      "AWS secret access key: 40 base64 chars (mixed case + digit) within 100 chars after 'aws', 'secret' or 'access key'",
    pattern: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    validate: (v, text, start) =>
      hasUpperLowerDigit(v) && !/EXAMPLE/.test(v) &&
      AWS_SECRET_CONTEXT.test(text.slice(Math.max(0, start - 100), start)),
  }),
  regexRule({
    id: "github-token",
    description:
      "GitHub token: ghp_/gho_/ghu_/ghs_/ghr_ + 36+ chars, or github_pat_ fine-grained token",
    pattern:
      /(?<![A-Za-z0-9])(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])|github_pat_[A-Za-z0-9_]{22,255})/g,
  }),
  regexRule({
    id: "gitlab-token",
    description: "GitLab personal access token: glpat- + 20+ chars",
    pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]+)*/g,
  }),
  regexRule({
    id: "slack-token",
    description: "Slack token: xoxa-/xoxb-/xoxp-/xoxo-/xoxr-/xoxs- (and xapp-) + digits and chars",
    pattern: /(?<![A-Za-z0-9])(?:xox[abposr]|xapp)-[A-Za-z0-9-]{10,250}/g,
    validate: (v) => /[0-9]/.test(v) && !isPlaceholder(v.slice(5)),
  }),
  regexRule({
    id: "slack-webhook-url",
    description:
      "Slack incoming-webhook/workflow URL (hooks.slack.com/services|workflows|triggers/…)",
    pattern:
      /(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_]+\/[A-Za-z0-9_]+\/[A-Za-z0-9_]+/g,
    validate: (v) => !/\/(?:X{6,}|0{6,})/i.test(v),
  }),
  regexRule({
    id: "stripe-key",
    description: "Stripe secret or restricted key: sk_/rk_ + live_/test_/prod_ + 10+ chars",
    pattern: /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}(?![A-Za-z0-9])/g,
  }),
  regexRule({
    id: "google-api-key",
    description: "Google API key: AIza + 35 chars",
    pattern: /(?<![A-Za-z0-9])AIza[A-Za-z0-9_-]{35}/g,
  }),
  regexRule({
    id: "anthropic-api-key",
    description: "Anthropic API key: sk-ant- + 20+ chars",
    pattern: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/g,
    validate: (v) => /[0-9]/.test(v) && !isPlaceholder(v.slice(7)),
  }),
  regexRule({
    id: "openai-api-key",
    description: "OpenAI-style API key: sk- (optionally proj-/svcacct-/admin-) + 20+ random chars",
    pattern: /(?<![A-Za-z0-9_-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g,
    validate: (v) => {
      const body = v.replace(/^sk-(?:proj-|svcacct-|admin-)?/, "");
      return hasUpperLowerDigit(body) && shannonEntropy(body) >= 3.5 && !isPlaceholder(body);
    },
  }),
  regexRule({
    id: "npm-token",
    description: "npm access token: npm_ + 36 chars",
    pattern: /(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g,
  }),
  regexRule({
    id: "jwt",
    description: "JSON Web Token: eyJ….eyJ….<signature> (base64url header and payload)",
    pattern:
      /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*(?![A-Za-z0-9_-])/g,
  }),
  regexRule({
    id: "url-password",
    description: "Password in a URL's user-info (scheme://user:password@host); only the password",
    pattern:
      /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s:@/?#"'<>\[\]]{1,128}:([^\s@/?#"'<>\[\]]{1,256})@/g,
    group: 1,
    validate: (v) => !isUrlPasswordPlaceholder(v),
  }),
  regexRule({
    id: "bearer-token",
    description: "Token after 'Bearer ' (HTTP Authorization header) of 20+ random chars",
    pattern: /\b[Bb]earer[ \t]+([A-Za-z0-9._~+/-]{20,}=*)/g,
    group: 1,
    generic: true,
    validate: (v) => looksLikeSecretValue(v, true),
  }),
  {
    id: "generic-secret",
    description:
      "password/passwd/secret/token/api_key/apikey/access_key/client_secret (…) followed by : or = and a random-looking value of 8+ chars",
    generic: true,
    scan: scanGeneric,
  },
];

/** Ids of all layer-2 rules, in order. */
export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);
