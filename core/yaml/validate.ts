/**
 * The one validator for kaizen's YAML config files (the schedule manifest,
 * roster files, plugins files). Each file is a spec (`spec.ts`): data that
 * says what every key may hold. The engine owns everything the files share:
 * the size and alias limits, YAML syntax errors, walking the syntax tree,
 * unknown and missing keys with did-you-mean, and one message shape,
 * `<subject> must <expect>, got <value>`. A new config file is a new spec,
 * not a new walker.
 *
 * It walks the YAML syntax tree rather than the plain JS value, so every
 * diagnostic carries the line and column of the offending key or value, and
 * it never stops at the first problem: a duplicate key is reported and the
 * walk goes on, so one run reports everything. zod is not used at run time:
 * it costs about 22 ms to load and its issues carry paths, not positions
 * (the zod models still generate the JSON Schemas).
 *
 * @module
 */
import { type Alias, isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter } from "yaml";
import { parseDocument, visit } from "yaml";
import type { Document, Node, Pair } from "yaml";
import type { Diagnostic, Severity } from "../diagnostics.ts";
import { printable } from "../text/printable.ts";
import { didYouMean, suggest } from "../text/suggest.ts";
import type { FileSpec, Place, Spec } from "./spec.ts";

/** What {@link validateYaml} found: the value when there is no error, and every problem. */
export interface Validated<T> {
  value?: T;
  diagnostics: Diagnostic[];
}

/**
 * Validates `text` against `spec`. Never throws on bad input: every problem
 * is a diagnostic with a 1-based line and column, sorted by position.
 *
 * @example
 * ```ts
 * import { fields, str } from "./spec.ts";
 * const spec = {
 *   noun: "greeting file",
 *   maxBytes: 1024,
 *   maxAliases: 10,
 *   empty: "it needs 'name'",
 *   root: fields({ name: str({ code: "invalid-name", required: true }) }, {
 *     code: "root-not-mapping",
 *     build: ({ name }) => name,
 *   }),
 * };
 * validateYaml("name: 7\n", spec).diagnostics[0].message; // "name must be a string, got number 7"
 * ```
 */
export function validateYaml<T>(text: string, spec: FileSpec<T>, file?: string): Validated<T> {
  const run = new Run(text, spec, file);
  const value = run.run();
  const diagnostics = run.diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  // The root spec reads as T; a value exists only when the walk found no error.
  return run.errors === 0 && value !== undefined
    ? { value: value as T, diagnostics }
    : { diagnostics };
}

/** A value being read: its path, node, where to report it, and its own key's offset. */
interface At {
  path: (string | number)[];
  node: Node | null;
  offset: number;
  keyAt?: number;
}

class Run {
  readonly lines = new LineCounter();
  readonly diagnostics: Diagnostic[] = [];
  readonly reported = new Set<string>();
  errors = 0;
  /** Paths of required keys an unknown key looked like a misspelling of. */
  readonly typos = new Set<string>();
  doc!: Document.Parsed;

  constructor(
    readonly text: string,
    readonly spec: FileSpec<unknown>,
    readonly file: string | undefined,
  ) {}

  run(): unknown {
    const { noun, maxBytes, maxAliases, root } = this.spec;
    const size = utf8Length(this.text, maxBytes);
    if (size > maxBytes) {
      const unit = maxBytes >= 1 << 20 ? `${maxBytes / (1 << 20)} MiB` : `${maxBytes / 1024} KiB`;
      return this.report(
        "too-large",
        `${noun} is ${size} bytes; the limit is ${maxBytes} (${unit})`,
      );
    }
    if (!/^\s*[^#\s]/m.test(this.text)) {
      return this.report("empty", `${noun} is empty; ${this.spec.empty}`);
    }
    const doc = this.doc = parseDocument(this.text, {
      lineCounter: this.lines,
      prettyErrors: false,
      // The library would print its own warnings (e.g. on unknown tags); we report instead.
      logLevel: "error",
      uniqueKeys: true,
      keepSourceTokens: false,
    });
    for (const e of doc.errors) {
      const dup = e.code === "DUPLICATE_KEY";
      const message = dup
        ? duplicateKeyMessage(this.text, e.pos[0])
        : `YAML syntax error: ${printable(firstLine(e.message), 200)}`;
      this.report(dup ? "duplicate-key" : "yaml-syntax", message, [], e.pos[0]);
    }
    // A duplicate key leaves a usable tree (the walk skips the repeat); a syntax error does not.
    if (doc.errors.some((e) => e.code !== "DUPLICATE_KEY")) return undefined;

    const aliases = countAliases(doc.contents);
    if (aliases.count > maxAliases) {
      const msg = `${noun} uses ${aliases.count} aliases; at most ${maxAliases} are allowed`;
      return this.report(
        "too-many-aliases",
        `${msg} (alias expansion is capped)`,
        [],
        aliases.first,
      );
    }
    // Few aliases can still nest into a huge expansion; the library's own count catches that.
    // Without aliases there is nothing to expand, and a big file is spared a second conversion.
    if (aliases.count > 0) {
      try {
        doc.toJS({ maxAliasCount: maxAliases * 10 });
      } catch (e) {
        // An alias before (or without) its anchor is a plain mistake, not a bomb.
        const lost = e instanceof ReferenceError ? unresolvedAlias(doc) : undefined;
        if (!lost) {
          const msg = "alias expansion exceeds the limit (possible alias bomb)";
          return this.report("too-many-aliases", msg, [], aliases.first);
        }
        const name = printable(lost.source);
        const msg = `YAML syntax error: alias '*${name}' has no anchor '&${name}' before it`;
        return this.report("yaml-syntax", msg, [], lost.range?.[0] ?? 0);
      }
    }

    const node = this.deref(doc.contents);
    if (this.spec.nullRootIsEmpty && isNull(node)) {
      return this.report("empty", `${noun} is empty; ${this.spec.empty}`);
    }
    if (!isMap(node)) {
      const subject = root.subject ?? `${noun} root`;
      const msg = `${subject} must ${root.expect}, got ${kindOf(node)}`;
      return this.report(code(root, undefined), msg, [], offsetOf(node));
    }
    return this.read(root, { path: [], node, offset: 0 });
  }

  /** Records a diagnostic at byte `offset`; returns undefined, the value of what failed. */
  report(
    code: string,
    message: string,
    path: (string | number)[] = [],
    offset = 0,
    severity: Severity = "error",
  ): undefined {
    const pos = this.lines.linePos(offset);
    // Before parsing (size or emptiness checks) the counter knows no lines: 1:1.
    const d: Diagnostic = {
      severity,
      code,
      message,
      path,
      line: Math.max(1, pos.line),
      col: Math.max(1, pos.col),
    };
    if (this.file !== undefined) d.file = this.file;
    // A node behind an alias is read once per alias: its problem is shown once.
    const id = `${offset} ${code} ${message}`;
    if (!this.reported.has(id)) this.diagnostics.push(d);
    this.reported.add(id);
    if (severity === "error") this.errors++;
    return undefined;
  }

  /** Reads `at.node` as `s` says; undefined when it (or anything inside it) is wrong. */
  read(s: Spec<unknown>, at: At): unknown {
    const before = this.errors;
    const node = at.node;
    if (s.ifNull !== undefined && isNull(node)) {
      if (typeof s.ifNull !== "string") return s.ifNull.value;
      return this.report(code(s, null), `${this.subject(s, at)} ${s.ifNull}`, at.path, at.keyAt);
    }
    const value = this.shape(s, at);
    if (this.errors > before) return undefined;
    if (value === undefined || !s.check) return value;
    const verdict = s.check(value, this.place(at));
    if (verdict === false) return this.mismatch(s, at);
    if (typeof verdict === "string") {
      return this.report(code(s, value), verdict, at.path, at.offset);
    }
    // A value given back stands even after a report: a duplicate slug still names its repo.
    if (verdict) return verdict.value;
    return this.errors > before ? undefined : value;
  }

  /** The value when its kind and shape are right, else a diagnostic. */
  private shape(s: Spec<unknown>, at: At): unknown {
    const node = at.node;
    const v = isScalar(node) ? node.value : undefined;
    switch (s.kind) {
      case "scalar":
        return v === undefined ? null : v;
      case "string":
        if (typeof v !== "string") return this.mismatch(s, at);
        if (s.choices?.includes(v) === false || s.pattern?.test(v) === false) {
          // The type is right, so the value is shown as it is, without "the string".
          return this.mismatch(s, at, `'${printable(v)}'`);
        }
        return v;
      case "number": {
        const ok = typeof v === "number" && Number.isFinite(v) &&
          (!s.integer || Number.isInteger(v));
        return ok && v >= (s.min ?? -Infinity) && v <= (s.max ?? Infinity)
          ? v
          : this.mismatch(s, at);
      }
      case "boolean":
        return typeof v === "boolean" ? v : this.mismatch(s, at);
      case "list":
        if (!isSeq(node)) return this.mismatch(s, at);
        if (s.nonEmpty && node.items.length === 0) {
          return this.report(...s.nonEmpty, at.path, at.offset);
        }
        return node.items.map((item, i) => {
          const n = this.deref(item);
          // An item has no key: an empty one is reported at the list's key.
          return this.read(s.item!, {
            path: [...at.path, i],
            node: n,
            offset: this.offset(n, at.keyAt),
          });
        });
      default:
        if (!isMap(node)) return this.mismatch(s, at);
        if (s.nonEmpty && node.items.length === 0) {
          return this.report(...s.nonEmpty, at.path, at.offset);
        }
        return s.kind === "entries"
          ? this.entries(s, node.items, at)
          : this.fields(s, node.items, at);
    }
  }

  /** A mapping of any keys that pass `s.key`. */
  private entries(s: Spec<unknown>, pairs: Pair[], at: At): Record<string, unknown> {
    const out: [string, unknown][] = [];
    for (const pair of pairs) {
      const k = this.keyOf(pair, at.path);
      if (k === undefined) continue;
      const keyAt = offsetOf(asNode(pair.key));
      const path = [...at.path, k];
      const problem = s.key?.check(k, this.place({ path, node: asNode(pair.key), offset: keyAt }));
      if (problem) this.report(s.key!.code, problem, path, keyAt);
      // The value is read even under a bad key: every problem is reported at once.
      const n = this.deref(pair.value);
      out.push([k, this.read(s.value!, { path, node: n, offset: this.offset(n, keyAt), keyAt })]);
    }
    // fromEntries defines own properties, so no key can reach a prototype.
    return Object.fromEntries(out);
  }

  /** A mapping of exactly `s.fields`: unknown keys, missing keys, each field, then `s.rule`. */
  private fields(s: Spec<unknown>, items: Pair[], at: At): unknown {
    const before = this.errors;
    const fields = s.fields!;
    const names = Object.keys(fields);
    const where = at.path.length > 0 || s.subject ? ` in ${this.subject(s, at)}` : "";
    const pairs = new Map<string, Pair>();
    for (const pair of items) {
      const k = this.keyOf(pair, at.path);
      // A repeated key was reported by the parser; its first occurrence counts.
      if (k === undefined || pairs.has(k)) continue;
      if (Object.hasOwn(fields, k)) {
        pairs.set(k, pair);
        continue;
      }
      const near = suggest(k, names);
      if (near !== undefined) this.typos.add(JSON.stringify([...at.path, near]));
      const mean = near === undefined ? "" : ` (did you mean '${near}'?)`;
      const msg = `unknown key '${printable(k)}'${where}${mean}; allowed: ${names.join(", ")}`;
      this.report("unknown-key", msg, [...at.path, k], offsetOf(asNode(pair.key)));
    }
    const values: Record<string, unknown> = {};
    const place = this.place(at, pairs);
    for (const [name, f] of Object.entries(fields)) {
      const pair = pairs.get(name);
      if (pair) {
        const n = this.deref(pair.value);
        const keyAt = offsetOf(asNode(pair.key));
        const child = { path: [...at.path, name], node: n, offset: this.offset(n, keyAt), keyAt };
        values[name] = this.read(f, child);
      } else if (f.required !== undefined) {
        if (this.spec.typoHidesMissing && this.typos.has(JSON.stringify([...at.path, name]))) {
          continue;
        }
        const owner = at.path.length === 0
          ? ""
          : `${s.owner?.(values, place) ?? this.subject(s, at)} is `;
        const hint = f.required !== true
          ? ` ${f.required}`
          : f.choices
          ? ` (${f.choices.join(", ")})`
          : "";
        const msg = `${owner}missing required key '${name}'${hint}`;
        this.report("missing-key", msg, at.path, at.keyAt ?? at.offset);
      } else values[name] = f.default;
    }
    s.rule?.(values, place, this.errors === before);
    return this.errors > before || !s.build ? undefined : s.build(values);
  }

  /** `<subject> must <expect>, got <value>`, with a did-you-mean among choices and the hint. */
  private mismatch(s: Spec<unknown>, at: At, got = this.describe(at.node)): undefined {
    const v = isScalar(at.node) ? at.node.value : undefined;
    const mean = s.choices && typeof v === "string" ? didYouMean(v, s.choices) : "";
    const msg = `${this.subject(s, at)} must ${s.expect}, got ${got}${mean}${s.hint?.(v) ?? ""}`;
    return this.report(code(s, v), msg, at.path, at.offset);
  }

  private subject(s: Spec<unknown>, at: At): string {
    if (typeof s.subject === "function") return s.subject(this.place(at));
    if (s.subject !== undefined) return s.subject;
    const [parent, last] = at.path.slice(-2);
    return typeof last === "number" ? `${parent}[${last}]` : String(last ?? parent);
  }

  /** What checks see of a value: its path and line, and a way to report. */
  private place(at: At, pairs?: Map<string, Pair>): Place {
    const { line, col } = this.lines.linePos(at.offset);
    return {
      path: at.path,
      line,
      col,
      report: (code, message, o = {}) => {
        const offset = o.column === undefined ? at.offset : this.inString(at, o.column);
        this.report(code, message, at.path, offset, o.severity);
      },
      field: (key) => {
        const k = asNode(pairs?.get(key)?.key);
        return k
          ? this.place({ path: [...at.path, key], node: k, offset: offsetOf(k) })
          : undefined;
      },
    };
  }

  /**
   * The offset of character `column` of a one-line string value, so a problem
   * points at its part; the value's start when the source spelling differs
   * from the value (escapes, folding).
   */
  private inString(at: At, column: number): number {
    const node = at.node;
    if (!isScalar(node) || !node.range || typeof node.value !== "string") return at.offset;
    const raw = this.text.slice(node.range[0], node.range[1]);
    const quoted = raw.startsWith('"') || raw.startsWith("'");
    const body = quoted ? raw.slice(1, -1) : raw;
    return body === node.value ? at.offset + (quoted ? 1 : 0) + column : at.offset;
  }

  /** A mapping key as a string, or a diagnostic when it is not a plain scalar. */
  private keyOf(pair: Pair, path: (string | number)[]): string | undefined {
    const k = asNode(pair.key);
    if (isScalar(k) && (typeof k.value === "string" || typeof k.value === "number")) {
      return String(k.value);
    }
    // A missing key (`: value`) has no range of its own; its value has.
    const offset = k?.range?.[0] ?? asNode(pair.value)?.range?.[0] ?? 0;
    return this.report(
      "invalid-key",
      `mapping keys must be plain strings, got ${this.describe(k)}`,
      path,
      offset,
    );
  }

  /** A value for a message: `'text'`, `number 7`, `null`, `a list`. */
  private describe(node: Node | null): string {
    if (!isScalar(node)) return kindOf(node);
    const v = node.value;
    if (v === null) return this.spec.words ? "nothing" : "null";
    if (typeof v !== "string") return `${typeof v} ${printable(String(v))}`;
    return `${this.spec.words ? "the string " : ""}'${printable(v)}'`;
  }

  /** Where a value is reported: its start, else (empty, or by convention null) its key's. */
  private offset(node: Node | null, keyAt: number | undefined): number {
    const at = node?.range?.[0];
    if (at !== undefined && !(this.spec.nullAtKey && isNull(node) && keyAt !== undefined)) {
      return at;
    }
    return keyAt ?? at ?? 0;
  }

  /** Follows aliases (at most the file's alias cap) to the node they stand for. */
  private deref(node: unknown): Node | null {
    let n = asNode(node);
    for (let i = 0; isAlias(n) && i < this.spec.maxAliases; i++) n = asNode(n.resolve(this.doc));
    return n;
  }
}

function code(s: Spec<unknown>, value: unknown): string {
  return typeof s.code === "function" ? s.code(value) : s.code;
}

function asNode(x: unknown): Node | null {
  return isNode(x) ? x : null;
}

function isNull(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

function offsetOf(node: Node | null | undefined): number {
  return node?.range?.[0] ?? 0;
}

/** `a mapping`, `a list`, `a string`, `null`, `nothing`: what a value is, without quoting it. */
function kindOf(node: Node | null): string {
  if (node === null) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isScalar(node)) return node.value === null ? "null" : `a ${typeof node.value}`;
  return "a list";
}

/** `duplicate key 'name'`, reading the key at `offset` (the parser's error position). */
function duplicateKeyMessage(text: string, offset: number): string {
  const m = /^\s*["']?([^"':\n]+)["']?\s*:/.exec(text.slice(offset));
  return m ? `duplicate key '${printable(m[1].trim())}'` : "duplicate key";
}

/** The first line of a `yaml` error message, without its own position suffix. */
function firstLine(s: string): string {
  return s.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

/** Aliases in a document and the offset of the first one (alias bombs are capped by count). */
function countAliases(root: unknown): { count: number; first: number } {
  let count = 0;
  let first = Infinity;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isAlias(n)) {
      count++;
      first = Math.min(first, n.range?.[0] ?? Infinity);
    } else if (isMap(n) || isSeq(n)) {
      for (const it of n.items as unknown[]) {
        if (isPair(it)) stack.push(it.key, it.value);
        else stack.push(it);
      }
    }
  }
  return { count, first: first === Infinity ? 0 : first };
}

/** The first alias whose anchor does not precede it, if any. */
function unresolvedAlias(doc: Document.Parsed): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias: (_, node) => {
      if (node.resolve(doc) !== undefined) return;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** The UTF-8 size of `s` without encoding it (a huge input is refused unallocated). */
function utf8Length(s: string, limit: number): number {
  // At most 3 bytes per UTF-16 unit: small inputs need no count.
  if (s.length * 3 <= limit) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
