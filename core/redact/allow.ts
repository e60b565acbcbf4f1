/**
 * The allow-list side of detection: what a value must look like before a
 * heuristic rule calls it a secret, and which values are known not to be
 * secrets (documented examples, placeholders, templates, resource names).
 *
 * Provider rules with a distinctive prefix (`ghp_`, `AKIA`, …) only consult
 * the documented-example list; the keyword rules consult all of it, because
 * for them the value's shape is the only evidence.
 *
 * Pure: no I/O, no `node:` imports.
 *
 * @module
 */

// Reused between calls: the keyword rule computes an entropy per keyword
// hit, and adversarial input has a hundred thousand of them.
const ASCII_COUNTS = new Uint16Array(128);

/** Shannon entropy in bits per character, over at most the first 256 code units. */
export function shannonEntropy(value: string): number {
  const n = Math.min(value.length, 256);
  if (n === 0) return 0;
  let other: Map<number, number> | undefined;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) ASCII_COUNTS[c]++;
    else {
      other ??= new Map();
      other.set(c, (other.get(c) ?? 0) + 1);
    }
  }
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || ASCII_COUNTS[c] === 0) continue;
    const p = ASCII_COUNTS[c] / n;
    bits -= p * Math.log2(p);
    ASCII_COUNTS[c] = 0; // counted once, and the table is clean for the next call
  }
  if (other) {
    for (const count of other.values()) {
      const p = count / n;
      bits -= p * Math.log2(p);
    }
  }
  return bits;
}

/** How many of: lower case, upper case, digit, other. */
export function charClasses(value: string): number {
  let lower = 0, upper = 0, digit = 0, other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/**
 * Published example credentials (AWS documentation's key pair, jwt.io's token).
 * Matched as substrings so `AKIAIOSFODNN7EXAMPLE` in any wrapping is allowed.
 */
const DOCUMENTED_EXAMPLES = [
  "AKIAIOSFODNN7EXAMPLE",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
  "AKIAI44QH8DHBEXAMPLE",
  // The signature of jwt.io's example token, quoted in countless READMEs.
  "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/** True when the value is, or contains, a documented example credential. */
export function isDocumentedExample(value: string): boolean {
  if (/EXAMPLE/.test(value)) return true;
  return DOCUMENTED_EXAMPLES.some((e) => value.includes(e));
}

const PLACEHOLDER_SHAPES: RegExp[] = [
  /^\$\{[^}]*\}?$/, // ${VAR} (also cut short)
  /^\$\{\{.*\}\}$/s, // ${{ secrets.X }}
  /^\$\(.*\)$/s, // $(command)
  /^\$[A-Za-z_][A-Za-z0-9_]*$/, // $VAR
  /^%[A-Za-z_][A-Za-z0-9_]*%$/, // %VAR%
  /^\{\{.*\}\}$/s, // {{ template }}
  /^\{[A-Za-z_][\w.-]*\}$/, // {name}
  /^\(\(.*\)\)$/s, // ((concourse_var))
  /^[#%]\{.*\}$/s, // #{ruby}, %{erb}
  /^@[A-Za-z_][\w.-]*@$/, // @AUTOCONF@
  /^__[A-Z][A-Z0-9_]*__$/, // __PLACEHOLDER__
  /^!(?:Ref|Sub|GetAtt|ImportValue)\b/, // CloudFormation intrinsics
  /^<[^>]*>$/, // <token>
  /^\[[^\]]*\]$/, // [your token], or one of our own [REDACTED:…] markers
  /^(.)\1+$/s, // xxxxxxxx, ********, 00000000
  /^[x*•._-]+$/i, // xxx-xxx, ***…
  /^(?:x{4,}|X{4,}|\*{4,})[-_.]/, // xxxx-…, ****-…
];

const PLACEHOLDER_WORDS =
  /changeme|change[_-]me|change[_-]?this|placeholder|example|your[_-]|yourtoken|yourkey|yoursecret|yourpass|redacted|dummy|sample|insert[_-]|replace[_-]?me|fixme|todo[_-]|notasecret|not[_-]a[_-]secret|secret[_-]?here|token[_-]?here|password[_-]?here|key[_-]?here|goes[_-]?here|\.\.\.|\u2026|\$\{|\{\{|<[A-Za-z_ -]+>|^(?:none|null|nil|undefined|true|false|empty|required|optional|string|secret|password|token)$/i;

/** True for values that are obviously not real secrets (templates, examples, masks). */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (PLACEHOLDER_SHAPES.some((re) => re.test(v))) return true;
  return hasPlaceholderWord(v) || isDocumentedExample(v) || isMasked(v);
}

/**
 * A placeholder word as a word: written in one case (`changeme`, `FIXME`,
 * `Example`) and not buried between letters and digits. A random secret
 * can spell `fIXme` by chance; a placeholder does not look like that.
 */
function hasPlaceholderWord(v: string): boolean {
  const re = new RegExp(PLACEHOLDER_WORDS.source, "gi");
  for (let m = re.exec(v); m !== null; m = re.exec(v)) {
    const word = m[0];
    if (/^[A-Za-z_-]+$/.test(word)) {
      const oneCase = word === word.toLowerCase() || word === word.toUpperCase() ||
        word === word[0].toUpperCase() + word.slice(1).toLowerCase();
      if (!oneCase) continue;
      const before = m.index > 0 ? v[m.index - 1] : "";
      const after = v[m.index + word.length] ?? "";
      if (/[A-Za-z0-9]/.test(before) && /[A-Za-z0-9]/.test(after)) continue;
    }
    return true;
  }
  return false;
}

/** Mostly x-filled or starred (`sk-xxxxxxxxxxxxxxxx`, `AKIAXXXXXXXXXXXXXXXX`, `ghp_****…`). */
export function isMasked(value: string): boolean {
  const xs = value.match(/[xX*]{4,}/g);
  return xs !== null && xs.join("").length * 10 >= value.length * 4;
}

const SEGMENT = String.raw`(?:[A-Za-z_$][a-z_$]*(?:[A-Z][a-z_$]+)*\d{0,3}|[A-Z][A-Z0-9_]*)`;

const CODE_REFERENCE_SHAPES: RegExp[] = [
  // process.env.X, os.environ["X"], Deno.env.get("X"), secrets.X, config.auth.token
  /^(?:process\.env|Deno\.env|os\.environ|os\.getenv|import\.meta|env|secrets|vars|self|this|config|settings|options|opts|args|params|props|ctx|req|request|inputs|values|matrix|github)\b[.[(]/,
  // Dotted member chain or call: each segment reads as words (camelCase,
  // snake_case or CONSTANT_CASE), digits only at its end.
  new RegExp(`^${SEGMENT}(?:\\.${SEGMENT})+(?:\\([^()]*\\))?$`),
  new RegExp(`^${SEGMENT}(?:\\.${SEGMENT})*\\(`), // a call, possibly cut at a space
  new RegExp(`^${SEGMENT}$`), // one identifier (`bundleSha256`), only for unquoted values
  /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/, // ENV_VAR_NAME
  /^v?\d+(?:\.\d+)+(?:[-+][\w.]+)?$/, // version numbers
  /^\d{4}-\d{2}-\d{2}/, // dates
  /^[a-z][a-z0-9+.-]*:\/\//i, // URLs (passwords inside URLs have their own rule)
  /^[\w.-]+\.(?:json|ya?ml|txt|pem|key|env|md|toml|ini|conf|cfg|crt|p12|pfx|jks)$/i, // file names
  /^(?:sha(?:1|256|384|512)|md5)[-:]/i, // digests and SRI integrity strings
  /^(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-[a-z0-9]{1,16}|sk-ssh-ed25519@openssh\.com)$/, // key types
  /^0x[0-9a-fA-F]{1,64}$/, // hex literals and key ids
];

const PATH_START = /^(?:\.{1,2}\/|~\/|\/|[A-Za-z]:\\)/;
const PATH_SEGMENT =
  /^(?:[a-z0-9_.@-]{1,64}|[A-Za-z][a-z]{0,63}(?:[-_.][A-Za-z0-9][a-z0-9]{0,63}){0,8})$/;

/**
 * A file path: `/run/secrets/db_password`, `./token.txt`, `~/.config/x`,
 * `C:\Users\me\key.pem`. Every segment reads as words; a base64 secret
 * may start with `/` too, but its segments mix cases and digits.
 */
export function isPathLike(value: string): boolean {
  const start = PATH_START.exec(value);
  if (!start) return false;
  const segments = value.slice(start[0].length).split(/[\/\\]/);
  if (segments.length > 32) return false;
  return segments.every((seg, i) =>
    (seg === "" && (i === segments.length - 1 || segments.length === 1)) || PATH_SEGMENT.test(seg)
  );
}

/**
 * Kubernetes and cloud resource names are lower-kebab (or dotted) words:
 * `billing-postgres-credentials`, `db-secret`, `app.tls`. A generated secret
 * almost never is. A segment may be a short number (`redis-7`) but not a
 * random mix of letters and digits.
 */
export function isResourceName(value: string): boolean {
  if (!/^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+$/.test(value) && !/^[a-z]{2,}$/.test(value)) {
    return false;
  }
  const parts = value.split(/[-_.]/);
  const word = (part: string) => /^[a-z]{1,24}$/.test(part) || /^\d{1,4}$/.test(part);
  if (parts.every(word)) return true;
  // Generated suffixes: a pod (`api-7d4b9c8f6d-x2k9p`) or a kustomize secret
  // (`db-credentials-7f8h9k2m4t`) is words plus one or two short hashes.
  const words = parts.filter(word).length;
  const hashes = parts.filter((part) => !word(part) && /^[a-z0-9]{4,10}$/.test(part)).length;
  return words >= 2 && hashes <= 2 && words + hashes === parts.length &&
    !parts.slice(0, 2).some((part) => !word(part));
}

/** How a value was introduced; stricter evidence is needed for weaker introductions. */
export type ValueContext = "quoted" | "assigned" | "spaced";

/**
 * Decides whether a value found after a secret-ish keyword is plausibly a
 * real secret: long enough, not prose, not a placeholder, not a reference to
 * a variable or a resource, and random-looking. `spaced` values (keyword,
 * then only whitespace) need the strongest evidence, because prose reads
 * like that too ("the token lives in CI"). `mayBeName` is false when the
 * key says the value is a password or token, not the name of one: then a
 * lower-kebab passphrase (`tidy-ocean-lamp-river`) counts as a secret.
 */
export function looksLikeSecretValue(
  value: string,
  context: ValueContext,
  mayBeName = true,
): boolean {
  const min = context === "spaced" ? 10 : 8;
  if (value.length < min || value.length > 1024) return false;
  if (/\s/.test(value)) return false;
  // Cheap statistics first: a keyword flood (`password=password=…`) is
  // rejected here, before any of the pattern checks below.
  const classes = charClasses(value);
  if (classes < 2 || !/[A-Za-z]/.test(value)) return false;
  const entropy = shannonEntropy(value);
  if (!randomEnough(value, context, classes, entropy, mayBeName)) return false;
  if (isPlaceholder(value)) return false;
  // Code ends statements and argument lists: `undefined);`, `getToken(),`.
  const bare = value.replace(/[;,)\]}]+$/, "");
  if (bare !== value && isPlaceholder(bare)) return false;
  // A quoted value is a literal, so only the non-code shapes apply to it.
  // So does a letters-only value that passed as random above (it has the
  // characters of one identifier, not its shape).
  const shapes = context === "quoted" || /^[A-Za-z]+$/.test(value)
    ? CODE_REFERENCE_SHAPES.slice(4)
    : CODE_REFERENCE_SHAPES;
  if (shapes.some((re) => re.test(bare)) || isPathLike(bare)) return false;
  if (!isResourceName(value)) return true;
  // After a password or token key, words are a passphrase, if there are enough of them.
  return !mayBeName && value.split(/[-_.]/).length >= 3 && value.length >= 16;
}

function randomEnough(
  value: string,
  context: ValueContext,
  classes: number,
  entropy: number,
  mayBeName: boolean,
): boolean {
  if (/^[A-Za-z]+$/.test(value)) {
    if (context === "quoted") return value.length >= 12 && entropy >= 3.5;
    // A bare identifier (`token = accessToken`) is code, not a value; but
    // after a password or token key, mixed-case letters without the word
    // shape of an identifier (its capitals start runs of lower case) are a
    // generated secret that happened to draw no digit.
    return !mayBeName && context !== "spaced" && value.length >= 16 && entropy >= 3.5 &&
      !identifierShaped(value);
  }
  if (context === "spaced") {
    // Prose: only values that mix letters with digits or symbols and look random.
    if (classes >= 3) return entropy >= 2.9;
    return /[0-9]/.test(value) && value.length >= 16 && entropy >= 3.5;
  }
  // After a secret-naming key, a value mixing three classes is a password
  // even when a character repeats. With fewer classes it must look random;
  // the entropy a random string can reach grows with its length (at most
  // log2(length)), so short values get a proportionally lower bar.
  if (classes >= 3) return entropy >= 2.5;
  return entropy >= Math.min(3.0, Math.max(2.4, Math.log2(value.length) - 1.0));
}

/**
 * `accessToken`, `DatabasePasswordFromVault`: camel or Pascal case, where a
 * capital starts a word of lower case. Random mixed-case letters put
 * capitals side by side every few letters (one pair in four positions),
 * break lower case into runs of one or two, and run out of vowels.
 */
function identifierShaped(value: string): boolean {
  const capitalPairs = value.match(/[A-Z](?=[A-Z])/g)?.length ?? 0;
  const lowerRuns = value.match(/[a-z]+/g) ?? [];
  const lowerLetters = lowerRuns.reduce((n, r) => n + r.length, 0);
  // Words keep vowels coming (`strengths` has five consonants in a row);
  // random letters seldom do for long.
  const consonants = Math.max(0, ...value.split(/[aeiouyAEIOUY]/).map((r) => r.length));
  return capitalPairs <= 1 && lowerRuns.length > 0 && lowerLetters / lowerRuns.length >= 3 &&
    consonants <= 5;
}

/** `password`, `pass`, `${PASS}`, `<pw>`…: the password part of a documented example URL. */
export function isUrlPasswordPlaceholder(value: string): boolean {
  return isPlaceholder(value) ||
    /^(?:pass(?:word)?|passwd|pwd|pw|secret|token|x-oauth-basic|x-access-token|guest|postgres|root|admin|user)$/i
      .test(value) ||
    CODE_REFERENCE_SHAPES[4].test(value);
}
