/**
 * The keyword rule: a name that says "secret" (`password`, `DB_PASS`, `pwd`,
 * `api_key`, `clientSecret`, `credentials`, …), a separator, and a value that
 * looks random.
 *
 * It is a small hand-written scanner rather than one regular expression, so
 * that every way people write a pair is accepted without a pattern that can
 * backtrack: `key: value`, `key=value`, `key := value`, `key => value`,
 * `"key": "value"`, `| key | value |` (markdown tables), `**key**: value`,
 * `--key value`, `<key>value</key>`, `name: KEY` / `value: …` pairs and plain
 * `key value` in prose. The work per keyword hit is bounded (a name of at most
 * 64 chars each side, a bare value judged on its first 64 chars, a quoted one
 * up to 512), hits inside a name already read or a value already redacted are
 * skipped, and periodic floods are skipped by whole periods, so a scan is
 * linear in the input.
 *
 * @module
 */

import { isPlaceholder, looksLikeSecretValue, type ValueContext } from "./allow.ts";
import type { SecretSpan } from "./types.ts";

const KEYWORD = /pass|pwd|secret|token|key|cred|auth/gi;
const IDENT_MAX = 64;
const PHRASE = /^ (?:key|token|secret|password)\b/i;
const LEFT_WORD =
  /\b(api|access|secret|private|client|auth|app|signing|encryption|master|account|bot|refresh|session|deploy|shared|webhook|service|license)[ \t]$/i;

/** Segments that on their own name a secret. */
const SECRET_SEGMENTS = new Set([
  "password",
  "passwd",
  "passphrase",
  "pass",
  "pwd",
  "pw",
  "secret",
  "token",
  "apikey",
  "accesskey",
  "secretkey",
  "privatekey",
  "credential",
  "credentials",
  "creds",
  "cred",
  "authkey",
]);
/** Endings of a run-together segment (`dbpassword`, `githubtoken`, `clientsecret`). */
const SECRET_ENDINGS = [
  "password",
  "passwd",
  "secret",
  "token",
  "apikey",
  "accesskey",
  "privatekey",
];
/** Two segments that together name a secret (`api_key`, `signing-key`). */
const SECRET_PAIRS = new Set([
  "api key",
  "access key",
  "secret key",
  "private key",
  "account key",
  "master key",
  "encryption key",
  "signing key",
  "auth key",
  "app key",
  "license key",
  "client secret",
  "shared key",
  "session key",
  "webhook key",
  "service key",
]);
/** Weak names: a secret only with an explicit separator and a strong value. */
const WEAK_SEGMENTS = new Set(["key", "auth"]);

/**
 * A last segment that turns the name into metadata about a secret
 * (`secret_name`, `secretKeyRef`, `password_file`, `max_tokens`): the value
 * is then a name, a path or a number, never the secret itself.
 */
const METADATA_LAST = new Set([
  "name",
  "names",
  "file",
  "files",
  "path",
  "paths",
  "dir",
  "ref",
  "refs",
  "url",
  "uri",
  "host",
  "user",
  "username",
  "length",
  "len",
  "count",
  "type",
  "types",
  "budget",
  "limit",
  "limits",
  "size",
  "env",
  "var",
  "version",
  "endpoint",
  "expiry",
  "expires",
  "expiration",
  "ttl",
  "prefix",
  "field",
  "header",
  "policy",
  "rotation",
  "hint",
  "label",
  "enabled",
  "required",
  "store",
  "manager",
  "provider",
  "format",
  "mode",
  "method",
  "in",
  "out",
  "used",
  "usage",
  "rate",
  "arn",
  "template",
  "location",
  "source",
  "scope",
  "scopes",
  "kind",
  "selector",
  "mount",
  "volume",
  "tokens",
  "keys",
  "secrets",
  "length",
  "encoding",
  "algorithm",
  "alg",
  "strategy",
  "validation",
  "regex",
  "pattern",
  "id",
]);
/** A first segment that makes the name a reference or a flag (`existingSecret`, `has_password`). */
const METADATA_FIRST = new Set([
  "existing",
  "public",
  "pub",
  "max",
  "min",
  "num",
  "has",
  "is",
  "use",
  "enable",
  "require",
  "requires",
  "show",
  "hide",
  "validate",
  "check",
  "forgot",
  "reset",
  "no",
]);

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ||
    c === 45 || c === 46;
}

/** `DB_PASSWORD` → [db, password]; `clientSecret` → [client, secret]. */
function segments(ident: string): string[] {
  return ident
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_.-]+/)
    .filter((s) => s !== "")
    .map((s) => s.toLowerCase());
}

/** How strongly a name says "secret": `weak` names need a strong value. */
export type NameKind = "none" | "strong" | "weak";

/** Classifies a key or column name (`DB_PASSWORD` → strong, `key` → weak, `secret_name` → none). */
export function secretNameKind(name: string): NameKind {
  return classifyName(name);
}

// Names repeat (a keyword flood is one name a hundred thousand times), so
// their classification is remembered; the cache is cleared when it grows.
const nameCache = new Map<string, NameKind>();

function classifyName(ident: string): NameKind {
  let kind = nameCache.get(ident);
  if (kind === undefined) {
    if (nameCache.size > 4096) nameCache.clear();
    kind = classifyNameUncached(ident);
    nameCache.set(ident, kind);
  }
  return kind;
}

function classifyNameUncached(ident: string): NameKind {
  const segs = segments(ident);
  if (segs.length === 0 || segs.length > 8) return "none";
  if (METADATA_LAST.has(segs[segs.length - 1]) || METADATA_FIRST.has(segs[0])) return "none";
  let kind: NameKind = "none";
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (
      SECRET_SEGMENTS.has(s) || SECRET_ENDINGS.some((e) => s.length > e.length && s.endsWith(e))
    ) {
      return "strong";
    }
    if (i > 0 && SECRET_PAIRS.has(segs[i - 1] + " " + s)) return "strong";
    if (WEAK_SEGMENTS.has(s)) kind = "weak";
  }
  return kind;
}

// A backslash too: a JSON document quoted inside another (`\"password\": \"…\"`).
const CLOSERS = "\"'`*_]\\";

interface Separator {
  /** Index right after the separator and any following blanks. */
  next: number;
  context: ValueContext;
}

/** True when the name at `s` follows a colon inside an ARN or URN token. */
function insideArn(text: string, s: number): boolean {
  let j = s - 1;
  while (j > 0 && s - j < 256 && !/[\s"'`]/.test(text[j - 1])) j--;
  return /^(?:arn|urn):/i.test(text.slice(j, s));
}

/**
 * A secret-naming *value* of a `name` field followed by a `value` field:
 * `- name: DB_PASSWORD` / `  value: …` (Kubernetes env), or
 * `{"name": "DB_PASSWORD", "value": "…"}`.
 */
const NAME_VALUE =
  /["']?[ \t]{0,8},?[ \t]{0,8}(?:\r?\n[ \t]{0,40})?(?:-[ \t]{1,8})?["']?value["']?[ \t]{0,8}[:=][ \t]{0,8}/y;

function readNameValue(text: string, i: number): Separator | null {
  NAME_VALUE.lastIndex = i;
  if (!NAME_VALUE.test(text)) return null;
  return { next: NAME_VALUE.lastIndex, context: "assigned" };
}

/** A name at the start of a cell, on a line that starts a markdown table row. */
const CELL_START = /\|[ \t*`_]*$/;
const ROW_START = /^[ \t>]*\|/;
const ESCAPED_ROW = /\\n[ \t>]*\|(?:[^|\\]|\\[^n]){0,200}\|[ \t*`_]*$|\\n[ \t>]*\|[ \t*`_]*$/;

/**
 * Answers "is this position on a table row?" for ascending positions in
 * amortised constant time: each newline is searched for once per scan, so a
 * huge line does not make every keyword hit rescan it.
 */
class TableRows {
  #text: string;
  #lineStart = 0;
  #nextNl: number | undefined;
  #rowFor = -1;
  #isRow = false;

  constructor(text: string) {
    this.#text = text;
  }

  /** True when the name starting at `s` (ascending across calls) opens a cell of a table row. */
  cellAt(s: number): boolean {
    const text = this.#text;
    if (s === 0 || !"| \t*`_".includes(text[s - 1])) return false;
    if (!CELL_START.test(text.slice(Math.max(0, s - 8), s))) return false;
    for (;;) {
      this.#nextNl ??= text.indexOf("\n", this.#lineStart);
      if (this.#nextNl === -1 || this.#nextNl >= s) break;
      this.#lineStart = this.#nextNl + 1;
      this.#nextNl = undefined;
    }
    if (this.#rowFor !== this.#lineStart) {
      this.#rowFor = this.#lineStart;
      this.#isRow = ROW_START.test(text.slice(this.#lineStart, this.#lineStart + 64));
    }
    if (this.#isRow) return true;
    // A row inside a JSON string, after an escaped line break (`…\n| DB_PASSWORD | …`).
    return ESCAPED_ROW.test(text.slice(Math.max(this.#lineStart, s - 256), s));
  }
}

/**
 * Reads what sits between a name (ending at `i`) and its value. `opener`
 * says how the name began: `xml` (`<password>`) allows `>`, `cell` (a table
 * cell) allows `|`; elsewhere `|` is code (`Token | undefined`).
 */
function readSeparator(text: string, i: number, opener: "xml" | "cell" | ""): Separator | null {
  const n = text.length;
  // Closing quote or emphasis of the name: `"password":`, `**password**:`.
  let k = 0;
  while (k < 4 && i < n && CLOSERS.includes(text[i])) {
    i++;
    k++;
  }
  const blanksStart = i;
  while (i < n && i - blanksStart < 16 && (text[i] === " " || text[i] === "\t")) i++;
  const spaced = i > blanksStart;
  const c = text[i];
  const c2 = text[i + 1];
  let explicit = false;
  if (c === ":" && c2 === "=") {
    i += 2;
    explicit = true;
  } else if (c === "=" && c2 === ">") {
    i += 2;
    explicit = true;
  } else if (c === "-" && c2 === ">") {
    i += 2;
    explicit = true;
  } else if (c === "=") {
    if (c2 === "=") return null; // a comparison
    i++;
    explicit = true;
  } else if (c === ":") {
    if (c2 === ":" || (c2 === "/" && text[i + 2] === "/")) return null; // `a::b`, a URL
    i++;
    explicit = true;
  } else if (c === "|") {
    if (c2 === "|" || opener !== "cell") return null;
    i++;
    explicit = true;
  } else if (c === ">" && opener === "xml" && !spaced) {
    // `<password>value</password>`
    i++;
    explicit = true;
  } else if (!spaced) {
    return null;
  }
  const valueBlanks = i;
  while (i < n && i - valueBlanks < 16 && (text[i] === " " || text[i] === "\t")) i++;
  if (explicit) {
    // Emphasis around the value (`password: **value**`) or closing the
    // name (`**Password:** value`).
    let e = 0;
    while (e < 2 && i < n && text[i] === "*") {
      i++;
      e++;
    }
    const afterEmphasis = i;
    while (i < n && i - afterEmphasis < 16 && (text[i] === " " || text[i] === "\t")) i++;
    return { next: i, context: "assigned" };
  }
  // Prose: `secret Xy…`, `the password is Xy…`.
  const word = /^(?:is|was|are|to|of|=)[ \t]+/i.exec(text.slice(i, i + 8));
  if (word) i += word[0].length;
  return { next: i, context: "spaced" };
}

/**
 * A bare value is classified on its first 64 chars; only an accepted one
 * is followed to its end (so a long token is redacted whole) and the scan
 * resumes after it, which keeps a keyword flood linear.
 */
const BARE_HEAD = /[^\s"'`<>|]{1,64}/y;
const BARE_REST = /[^\s"'`<>|]{0,65536}/y;
/** Sentence and markup punctuation that ends a bare value rather than belonging to it. */
const TRAILING = ".,:)]}*_";
/** A quoted value: escapes allowed, no line break, closing quote within 512 chars. */
const QUOTED: Record<string, RegExp> = {
  '"': /(?:[^"\r\n\\]|\\[^\r\n]){0,512}"/y,
  "'": /(?:[^'\r\n\\]|\\[^\r\n]){0,512}'/y,
  "`": /(?:[^`\r\n\\]|\\[^\r\n]){0,512}`/y,
};

/** A value in escaped quotes, inside a JSON string: `\"value\"`. */
const ESCAPED_QUOTED = /(?:[^\\\r\n]|\\[^"\r\n]){0,512}\\"/y;

interface Value {
  start: number;
  end: number;
  context: ValueContext;
}

function readValue(text: string, sep: Separator): Value | null {
  const i = sep.next;
  if (text[i] === "\\" && text[i + 1] === '"') {
    ESCAPED_QUOTED.lastIndex = i + 2;
    if (!ESCAPED_QUOTED.test(text)) return null;
    return { start: i + 2, end: ESCAPED_QUOTED.lastIndex - 2, context: "quoted" };
  }
  const quoted = QUOTED[text[i]];
  if (quoted) {
    quoted.lastIndex = i + 1;
    if (!quoted.test(text)) return null;
    return { start: i + 1, end: quoted.lastIndex - 1, context: "quoted" };
  }
  BARE_HEAD.lastIndex = i;
  if (!BARE_HEAD.test(text)) return null;
  const raw = BARE_HEAD.lastIndex;
  const end = trimTrailing(text, i, raw);
  if (end === i) return null;
  // A template keeps its closing brackets: `((db_password))`, `#{pw}`, `__PW__`.
  if (end !== raw && isPlaceholder(text.slice(i, raw))) return null;
  return { start: i, end, context: sep.context };
}

function trimTrailing(text: string, start: number, end: number): number {
  while (end > start && TRAILING.includes(text[end - 1])) end--;
  return end;
}

/** The end of an accepted bare value that filled the whole classification window. */
function extendBare(text: string, value: Value): number {
  BARE_REST.lastIndex = value.end;
  if (!BARE_REST.test(text)) return value.end;
  return trimTrailing(text, value.start, BARE_REST.lastIndex);
}

// Verdicts repeat too: in a flood every hit sees the same value head.
const verdictCache = new Map<string, boolean>();

function judge(value: string, context: ValueContext, mayBeName: boolean): boolean {
  const key = context + (mayBeName ? "\u0001" : "\u0000") + value;
  let verdict = verdictCache.get(key);
  if (verdict === undefined) {
    if (verdictCache.size > 4096) verdictCache.clear();
    verdict = looksLikeSecretValue(value, context, mayBeName);
    verdictCache.set(key, verdict);
  }
  return verdict;
}

/**
 * Whether the value of this key may be the *name* of a secret resource
 * (`secret: billing-postgres-credentials`) rather than the secret; a
 * password or token key holds the secret itself.
 */
export function mayNameResource(name: string): boolean {
  return !/pass|pwd|token|(?:api|access|private|secret|signing|encryption|master)[ _.-]?key/i.test(
    name,
  );
}

/** Spans of values after secret-naming keys. */
export function scanKeywordValues(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  const re = new RegExp(KEYWORD.source, "gi");
  const rows = new TableRows(text);
  const periods = new PeriodSkipper(text);
  let identEnd = 0;
  let lastAccepted = -1;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const at = m.index;
    if (at < identEnd) continue;
    const hit = evaluateHit(text, at, m[0].length, rows);
    identEnd = hit.identEnd;
    if (hit.span) {
      spans.push(hit.span);
      // Keywords inside a redacted value start nothing new.
      identEnd = hit.span.end;
      re.lastIndex = hit.span.end;
      lastAccepted = hit.span.end;
      continue;
    }
    const shift = periods.skip(at, m[0].toLowerCase(), lastAccepted);
    if (shift > 0) {
      identEnd += shift;
      re.lastIndex += shift;
    }
  }
  return spans;
}

/** What one keyword hit yields: where its name ends, and the secret it introduces (if any). */
function evaluateHit(
  text: string,
  at: number,
  length: number,
  rows: TableRows,
): { identEnd: number; span?: SecretSpan } {
  let s = at;
  while (s > 0 && at - s < IDENT_MAX && isIdentChar(text.charCodeAt(s - 1))) s--;
  let e = at + length;
  const cap = Math.min(text.length, at + IDENT_MAX);
  while (e < cap && isIdentChar(text.charCodeAt(e))) e++;
  // A name ending in `.` or `-` is a sentence or a flag, not part of the name.
  while (e > at + length && (text[e - 1] === "." || text[e - 1] === "-")) e--;
  // Inside an ARN, URN or path (`…:secret:prod/db`, `/run/secrets/x`): a name, not a key.
  // (`//registry/:_authToken=` is a key, though: `/:` opens an npmrc scope.)
  // The rule id inside one of our markers (`[REDACTED:github-token]`) is not a key either.
  const prev = s > 0 ? text[s - 1] : "";
  if (
    prev === "/" ||
    (prev === ":" && (insideArn(text, s) || text.startsWith("[REDACTED:", s - 10)))
  ) {
    return { identEnd: e };
  }
  let ident = text.slice(s, e);
  // Two-word names in prose or tables: `API key`, `client secret`.
  // (Only looked at after a blank: the common case costs one char compare.)
  const before = (prev === " " || prev === "\t") && isLetter(text.charCodeAt(s - 2))
    ? LEFT_WORD.exec(text.slice(Math.max(0, s - 16), s))
    : null;
  if (before) ident = before[1] + " " + ident;
  const phrase = text[e] === " " && isLetter(text.charCodeAt(e + 1))
    ? PHRASE.exec(text.slice(e, e + 10))
    : null;
  if (phrase) {
    ident += " " + phrase[0].slice(1);
    e += phrase[0].length;
  }
  const kind = classifyName(ident);
  if (kind === "none") return { identEnd: e };
  const opener = prev === "<" ? "xml" : rows.cellAt(s) ? "cell" : "";
  const sep = readNameValue(text, e) ?? readSeparator(text, e, opener);
  if (sep === null) return { identEnd: e };
  if (kind === "weak" && sep.context === "spaced") return { identEnd: e };
  const value = readValue(text, sep);
  if (value === null) return { identEnd: e };
  const v = text.slice(value.start, value.end);
  if (!judge(v, kind === "weak" ? "spaced" : value.context, mayNameResource(ident))) {
    return { identEnd: e };
  }
  if (value.context !== "quoted") value.end = extendBare(text, value);
  return { identEnd: e, span: { start: value.start, end: value.end } };
}

/** How far before and after a hit its evaluation can look (names, separators, values). */
const LOOK_BEHIND = 320;
const LOOK_AHEAD = 1400;

/**
 * Keyword floods (`password=password=…`, a row of `| password | token |`
 * cells repeated for a megabyte) are periodic. When a rejected hit sees
 * exactly the text (every char it can look at) that the previous hit of the
 * same keyword saw one period earlier, and nothing was redacted in between,
 * every hit up to where the periodicity ends would be evaluated the same
 * way: the scan jumps ahead by whole periods. Lines are excluded (a newline
 * changes which table row a hit is on), so only one-line floods are skipped.
 */
class PeriodSkipper {
  #text: string;
  #lastAt = new Map<string, number>();

  constructor(text: string) {
    this.#text = text;
  }

  /** How many chars (a multiple of the period) the scan may skip after the rejected hit at `at`. */
  skip(at: number, keyword: string, lastAccepted: number): number {
    const text = this.#text;
    const last = this.#lastAt.get(keyword);
    this.#lastAt.set(keyword, at);
    if (last === undefined) return 0;
    const period = at - last;
    if (period <= 0 || period > 512) return 0;
    if (last - LOOK_BEHIND < 0 || at + LOOK_AHEAD > text.length) return 0;
    if (lastAccepted > last - LOOK_BEHIND) return 0;
    // Cheap probe first, then the whole windows.
    for (let i = -8; i < 8; i++) {
      if (text.charCodeAt(at + i) !== text.charCodeAt(last + i)) return 0;
    }
    const window = text.slice(at - LOOK_BEHIND, at + LOOK_AHEAD);
    if (window !== text.slice(last - LOOK_BEHIND, last + LOOK_AHEAD)) return 0;
    if (text.slice(last - LOOK_BEHIND, at + LOOK_AHEAD).includes("\n")) return 0;
    // How far the text stays periodic (chunk compares, then char by char).
    let end = at + LOOK_AHEAD;
    while (end < text.length) {
      const len = Math.min(4096, text.length - end);
      if (text.slice(end, end + len) === text.slice(end - period, end - period + len)) {
        end += len;
        continue;
      }
      while (end < text.length && text.charCodeAt(end) === text.charCodeAt(end - period)) end++;
      break;
    }
    const periods = Math.floor((end - LOOK_AHEAD - at) / period);
    if (periods <= 0) return 0;
    this.#lastAt.set(keyword, at + periods * period);
    return periods * period;
  }
}
