/**
 * The one validator for kaizen's YAML config files, each a spec (`spec.ts`):
 * declarative, because three hand-written walkers repeated the same moves
 * (size and alias limits, unknown and missing keys with did-you-mean,
 * "<subject> must <expect>, got <value>"), and a fourth file would have been a
 * fourth walker. It walks the syntax tree, so each diagnostic has its line and
 * column, and never stops at a problem (a duplicate key hides nothing). No zod
 * at run time: it costs ~22 ms to load and its issues carry paths, not positions.
 *
 * @module
 */
import { isAlias, isCollection, isMap, isNode, isScalar, isSeq, LineCounter } from "yaml";
import { parseDocument, visit } from "yaml";
import type { Alias, Document, Node, Pair } from "yaml";
import type { Diagnostic, Severity } from "../diagnostics.ts";
import { utf8Length } from "../bytes.ts";
import { printable } from "../text/printable.ts";
import { didYouMean, suggest } from "../text/suggest.ts";
import type { FileSpec, Place, Spec } from "./spec.ts";

/** What {@link validateYaml} found: the value when nothing failed, and every problem. */
export type Validated<T> = { value?: T; diagnostics: Diagnostic[] };

/** Validates `text` against `spec`; never throws on bad input. Diagnostics come by position. */
export function validateYaml<T>(text: string, spec: FileSpec<T>, file?: string): Validated<T> {
  const run = new Run(text, spec, file);
  const value = run.run();
  const diagnostics = run.diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  if (run.errors > 0 || value === undefined) return { diagnostics };
  // The root spec reads as T: the builders in spec.ts type it.
  return { value: value as T, diagnostics };
}

type Path = (string | number)[];

class Run {
  readonly lines = new LineCounter();
  readonly diagnostics: Diagnostic[] = [];
  readonly shown = new Set<string>();
  readonly plugins: boolean; // the plugins file's conventions (see FileSpec.style)
  errors = 0;
  doc!: Document.Parsed;

  constructor(readonly text: string, readonly spec: FileSpec<unknown>, readonly file?: string) {
    this.plugins = spec.style === "plugins";
  }

  run(): unknown {
    const { noun, maxBytes, maxAliases, root } = this.spec;
    const size = this.text.length * 3 <= maxBytes ? 0 : utf8Length(this.text);
    const unit = maxBytes >= 1 << 20 ? `${maxBytes / (1 << 20)} MiB` : `${maxBytes / 1024} KiB`;
    const large = `${noun} is ${size} bytes; the limit is ${maxBytes} (${unit})`;
    if (size > maxBytes) return this.report("too-large", large);
    const empty = `${noun} is empty; ${this.spec.empty}`;
    if (!/^\s*[^#\s]/m.test(this.text)) return this.report("empty", empty);
    // logLevel: the library would print its own warnings (on unknown tags, say).
    const options = { lineCounter: this.lines, prettyErrors: false, logLevel: "error" } as const;
    const doc = this.doc = parseDocument(this.text, { ...options, uniqueKeys: true });
    for (const { code, message, pos } of doc.errors) {
      const msg = `YAML syntax error: ${printable(message.split("\n")[0], 200)}`;
      if (code !== "DUPLICATE_KEY") this.report("yaml-syntax", msg, [], pos[0]);
      else this.report("duplicate-key", duplicateKey(this.text, pos[0]), [], pos[0]);
    }
    // After a duplicate key the tree is whole (the walk goes on), after a syntax error not.
    if (doc.errors.some((e) => e.code !== "DUPLICATE_KEY")) return undefined;
    const aliases: Alias[] = [];
    visit(doc, { Alias: (_, alias) => void aliases.push(alias) });
    const first = aliases[0]?.range?.[0];
    if (aliases.length > maxAliases) {
      const msg = `${noun} uses ${aliases.length} aliases; at most ${maxAliases} are allowed`;
      return this.report("too-many-aliases", `${msg} (alias expansion is capped)`, [], first);
    }
    try {
      // Few aliases can still nest into a huge expansion ("billion laughs"); the library counts.
      if (aliases.length > 0) doc.toJS({ maxAliasCount: maxAliases * 10 });
    } catch (e) {
      // An alias before (or without) its anchor is a plain mistake, not a bomb.
      const lost = e instanceof ReferenceError && aliases.find((a) => !a.resolve(doc));
      const bomb = "alias expansion exceeds the limit (possible alias bomb)";
      if (!lost) return this.report("too-many-aliases", bomb, [], first);
      const name = printable(lost.source);
      const msg = `YAML syntax error: alias '*${name}' has no anchor '&${name}' before it`;
      return this.report("yaml-syntax", msg, [], lost.range?.[0]);
    }
    const node = this.deref(doc.contents);
    if (this.plugins && isNull(node)) return this.report("empty", empty);
    // The root has no key: its missing keys are reported at 1:1, its kind without its value.
    return this.read(root, new Spot(this, [], node, isMap(node) ? 0 : node?.range?.[0] ?? 0));
  }

  /** Records a diagnostic at byte `offset`; returns undefined, the value of what failed. */
  report(code: string, message: string, path: Path = [], offset = 0, severity: Severity = "error") {
    const pos = this.lines.linePos(offset);
    // Before parsing (size or emptiness checks) the counter knows no lines: 1:1.
    const [line, col] = [Math.max(pos.line, 1), Math.max(pos.col, 1)];
    const d: Diagnostic = { severity, code, message, path, line, col };
    if (this.file !== undefined) d.file = this.file;
    // A node behind an alias is read once per alias; its problem is shown once.
    if (!this.shown.has(`${offset} ${code} ${message}`)) this.diagnostics.push(d);
    this.shown.add(`${offset} ${code} ${message}`);
    if (severity === "error") this.errors++;
    return undefined;
  }

  /** Reads `at.node` as `s` says; undefined when it, or anything inside it, is wrong. */
  read(s: Spec<unknown>, at: Spot): unknown {
    const before = this.errors;
    if (s.ifNull !== undefined && isNull(at.node)) {
      if (typeof s.ifNull !== "string") return s.ifNull.value;
      return this.report(code(s, null), `${this.subject(s, at)} ${s.ifNull}`, at.path, at.keyAt);
    }
    const value = this.shape(s, at);
    if (value === undefined || this.errors > before) return undefined;
    const verdict = s.check?.(value, at);
    if (verdict === false) return this.mismatch(s, at);
    if (typeof verdict === "string") return at.report(code(s, value), verdict);
    if (Array.isArray(verdict)) return at.report(...verdict);
    // A value given back stands even after a report: a duplicate slug still names its repo.
    return typeof verdict === "object" ? verdict.value : this.errors > before ? undefined : value;
  }

  private shape(s: Spec<unknown>, at: Spot): unknown {
    const node = at.node;
    const v = isScalar(node) ? node.value : undefined;
    const fits = (x: string) => s.choices?.includes(x) !== false && s.pattern?.test(x) !== false;
    if (s.kind === "scalar") return v ?? null;
    if (s.kind === "boolean") return typeof v === "boolean" ? v : this.mismatch(s, at);
    if (s.kind === "number") return Number.isFinite(v) ? v : this.mismatch(s, at);
    if (s.kind === "string") return typeof v === "string" && fits(v) ? v : this.mismatch(s, at);
    if (!isCollection(node) || isSeq(node) !== (s.kind === "list")) return this.mismatch(s, at);
    if (s.nonEmpty && node.items.length === 0) return at.report(...s.nonEmpty);
    if (isSeq(node)) return node.items.map((item, i) => this.read(s.item!, at.child(i, item)));
    return this.mapping(s, node.items, at);
  }

  /** A mapping: its `fields` (any other key is unknown), or any keys (`s.key`) with `s.value`s. */
  private mapping(s: Spec<unknown>, items: Pair[], at: Spot): unknown {
    const before = this.errors;
    const names = Object.keys(s.fields ?? {});
    const entries: [string, unknown][] = [];
    const typos: (string | undefined)[] = []; // required keys an unknown key looks like
    for (const pair of items) {
      const k = this.keyOf(pair, at.path);
      // A repeated field was reported by the parser; its first occurrence counts.
      if (k === undefined || (!s.value && at.pairs.has(k))) continue;
      const child = at.child(k, pair.value, pair.key);
      at.pairs.set(k, pair);
      if (s.value) {
        s.key?.(k, new Spot(this, child.path, asNode(pair.key), child.keyAt ?? 0));
        // The value is read even under a bad key: every problem at once.
        entries.push([k, this.read(s.value, child)]);
      } else if (!names.includes(k)) {
        typos.push(suggest(k, names));
        const where = at.path.length > 0 || s.subject ? ` in ${this.subject(s, at)}` : "";
        const msg = `unknown key '${printable(k)}'${where}${didYouMean(k, names)}`;
        this.report("unknown-key", `${msg}; allowed: ${names.join(", ")}`, child.path, child.keyAt);
      }
    }
    // fromEntries defines own properties, so no key can reach a prototype.
    if (s.value) return this.errors > before ? undefined : Object.fromEntries(entries);
    const values: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(s.fields ?? {})) {
      const pair = at.pairs.get(name);
      if (pair) values[name] = this.read(f, at.child(name, pair.value, pair.key));
      else if (f.required === undefined) values[name] = f.default;
      else if (!this.plugins || !typos.includes(name)) {
        const owner = at.path.length ? `${s.owner?.(values, at) ?? this.subject(s, at)} is ` : "";
        const choices = f.choices ? ` (${f.choices.join(", ")})` : "";
        const msg = `${owner}missing required key '${name}'`;
        const hint = f.required === true ? choices : ` ${f.required}`;
        this.report("missing-key", msg + hint, at.path, at.keyAt ?? at.offset);
      }
    }
    s.rule?.(values, at, this.errors === before);
    return this.errors > before ? undefined : s.build?.(values);
  }

  /** `<subject> must <expect>, got <value>`, with a did-you-mean among choices, and the hint. */
  private mismatch(s: Spec<unknown>, at: Spot): undefined {
    const v = isScalar(at.node) ? at.node.value : undefined;
    const got = describe(at.node, at.path.length > 0); // the root: its kind, not its value
    const mean = s.choices && typeof v === "string" ? didYouMean(v, s.choices) : "";
    const msg = `${this.subject(s, at)} must ${s.expect}, got ${got}${mean}${s.hint?.(v) ?? ""}`;
    return at.report(code(s, v), msg);
  }

  /** Whom a message names: the spec's subject, else the key, `list[i]` for an item, or the file. */
  private subject(s: Spec<unknown>, at: Spot): string {
    if (s.subject !== undefined) return typeof s.subject === "string" ? s.subject : s.subject(at);
    const [parent, last] = [at.path.at(-2), at.path.at(-1)];
    if (last === undefined) return `${this.spec.noun} root`;
    return typeof last === "number" ? `${parent}[${last}]` : String(last);
  }

  private keyOf(pair: Pair, path: Path): string | undefined {
    const k = asNode(pair.key);
    if (isScalar(k) && /^(string|number)$/.test(typeof k.value)) return String(k.value);
    // A missing key (`: value`) has no range of its own; its value has.
    const at = k?.range?.[0] ?? asNode(pair.value)?.range?.[0];
    const msg = `mapping keys must be plain strings, got ${describe(k)}`;
    return this.report("invalid-key", msg, path, at);
  }

  /** Follows aliases, at most the file's alias cap, to the node they stand for. */
  deref(node: unknown): Node | null {
    let n = asNode(node);
    for (let i = 0; isAlias(n) && i < this.spec.maxAliases; i++) n = asNode(n.resolve(this.doc));
    return n;
  }
}

/** A value being read, as a check sees it (a {@link Place}). */
class Spot implements Place {
  readonly pairs = new Map<string, Pair>(); // in a mapping: each key's pair

  /** `offset`: where the value is reported; `keyAt`: its own key's offset, when it has one. */
  constructor(
    readonly run: Run,
    readonly path: Path,
    readonly node: Node | null,
    readonly offset: number,
    readonly keyAt?: number,
  ) {}

  get line(): number {
    return this.run.lines.linePos(this.offset).line;
  }

  /** The value under `key`: reported at its start, or its key's when empty (or null, by choice). */
  child(key: string | number, value: unknown, keyNode?: unknown): Spot {
    const node = this.run.deref(value);
    const own = keyNode === undefined ? undefined : asNode(keyNode)?.range?.[0] ?? 0;
    // A list item has no key: an empty one is reported at the list's key.
    const keyAt = own ?? this.keyAt, start = node?.range?.[0];
    const nullAtKey = this.run.plugins && isNull(node) && keyAt !== undefined;
    const offset = (start === undefined || nullAtKey ? keyAt : start) ?? 0;
    return new Spot(this.run, [...this.path, key], node, offset, own);
  }

  report(code: string, message: string, o: { severity?: Severity; column?: number } = {}) {
    const at = o.column === undefined ? this.offset : this.inString(o.column);
    return this.run.report(code, message, this.path, at, o.severity);
  }

  field(key: string): Place | undefined {
    const k = asNode(this.pairs.get(key)?.key);
    return k ? new Spot(this.run, [...this.path, key], k, k.range?.[0] ?? 0) : undefined;
  }

  /** Character `column` of a one-line string value; its start when escapes or folding intervene. */
  private inString(column: number): number {
    const node = this.node;
    if (!isScalar(node) || !node.range || typeof node.value !== "string") return this.offset;
    const raw = this.run.text.slice(node.range[0], node.range[1]);
    const quoted = /^["']/.test(raw);
    const same = (quoted ? raw.slice(1, -1) : raw) === node.value;
    return same ? this.offset + (quoted ? 1 : 0) + column : this.offset;
  }
}

const code = (s: Spec<unknown>, value: unknown) =>
  typeof s.code === "string" ? s.code : s.code(value);

/** A value in a message: `'text'`, `number 7`, `null`, `a list`; without `quote`, `a string`. */
function describe(node: Node | null, quote = true): string {
  if (!isScalar(node)) return node === null ? "nothing" : isMap(node) ? "a mapping" : "a list";
  const v = node.value;
  if (v === null) return "null";
  if (!quote) return `a ${typeof v}`;
  return typeof v === "string" ? `'${printable(v)}'` : `${typeof v} ${printable(String(v))}`;
}

const asNode = (x: unknown): Node | null => isNode(x) ? x : null;
const isNull = (node: Node | null) => node === null || (isScalar(node) && node.value === null);

/** `duplicate key 'name'`, reading the key at `offset` (the parser's error position). */
function duplicateKey(text: string, offset: number): string {
  const m = /^\s*["']?([^"':\n]+)["']?\s*:/.exec(text.slice(offset));
  return m ? `duplicate key '${printable(m[1].trim())}'` : "duplicate key";
}
