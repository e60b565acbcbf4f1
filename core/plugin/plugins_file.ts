/**
 * The plugins-file format: strict, positional parsing of the YAML that
 * declares external-command plugins. Like the schedule manifest, an unknown
 * key, a bad name or a missing command is an error at `file:line:col`, and
 * every problem is reported at once. Discovery and trust (which files are
 * read at all) live in `config.ts`.
 *
 * @module
 */
import type { Document, Node, Pair, YAMLMap } from "yaml";
import type { Diagnostic } from "../diagnostics.ts";
import { derefAlias, DiagnosticList, duplicateKeyMessage } from "../yaml/diagnostics.ts";
import { dirname, isInside, normalize } from "../fs/paths.ts";
import { printable } from "../text/printable.ts";
import { didYouMean, suggest } from "../text/suggest.ts";
import {
  type ExternalPluginDecl,
  type ExternalSectionDecl,
  type ExternalSinkDecl,
  resolveCommand,
} from "./external.ts";

/** The plugins file format version this release reads. */
export const PLUGINS_FILE_VERSION = 1;

/** Plugins files are small; anything bigger is a mistake or an attack. */
export const MAX_PLUGINS_FILE_BYTES = 256 * 1024;

/** Bounds for `timeout_ms`. */
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 600_000;

const NAME_RE = /^[a-z0-9][a-z0-9-]*$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_ALIASES = 50;

const TOP_KEYS = ["version", "plugins"] as const;
const PLUGIN_KEYS = [
  "name",
  "command",
  "timeout_ms",
  "env_passthrough",
  "sections",
  "sinks",
] as const;
const SECTION_KEYS = ["id", "title", "order", "priority"] as const;
const SINK_KEYS = ["name"] as const;

/** What {@link parsePluginsFile} found: declarations when valid, and every problem. */
export interface ParsedPluginsFile {
  decls: ExternalPluginDecl[];
  diagnostics: Diagnostic[];
}

/** Options for {@link parsePluginsFile}. */
export interface ParsePluginsFileOptions {
  /** When set, a relative command must resolve inside this folder (repo files). */
  confineTo?: string;
}

/**
 * Parses plugins-file text. Never throws on bad input: every problem is a
 * diagnostic with a 1-based line and column, and `decls` is empty unless
 * the whole file is valid. Relative commands come back resolved against the
 * file's folder.
 *
 * @example
 * ```ts
 * const { decls, diagnostics } = await parsePluginsFile(
 *   'version: 1\nplugins:\n  - name: hi\n    command: ["./hi"]\n    sinks: [{ name: hi }]\n',
 *   "/etc/kaizen/plugins.yml",
 * );
 * ```
 */
export async function parsePluginsFile(
  text: string,
  file: string,
  options: ParsePluginsFileOptions = {},
): Promise<ParsedPluginsFile> {
  // The walker takes the module as a value; this module is itself imported
  // lazily (only when plugins are set up), so yaml costs nothing extra here.
  const yaml = await import("yaml");
  const w = new Walker(yaml, file, options);
  return w.run(text);
}

type Yaml = typeof import("yaml");
type Path = (string | number)[];

class Walker {
  readonly diagnostics: DiagnosticList;
  /** Keys an unknown key looked like a typo of: their absence is not reported twice. */
  readonly typos = new Set<string>();
  readonly lines: InstanceType<Yaml["LineCounter"]>;
  doc!: Document.Parsed;

  constructor(
    readonly yaml: Yaml,
    readonly file: string,
    readonly options: ParsePluginsFileOptions,
  ) {
    this.lines = new yaml.LineCounter();
    this.diagnostics = new DiagnosticList(this.lines, file);
  }

  run(text: string): ParsedPluginsFile {
    const size = new TextEncoder().encode(text).length;
    if (size > MAX_PLUGINS_FILE_BYTES) {
      this.report(
        "too-large",
        `file is ${size} bytes; the limit is ${MAX_PLUGINS_FILE_BYTES}`,
        [],
        0,
      );
      return this.result([]);
    }
    this.doc = this.yaml.parseDocument(text, {
      lineCounter: this.lines,
      prettyErrors: false,
      uniqueKeys: true,
    });
    for (const e of this.doc.errors) {
      const msg = e.code === "DUPLICATE_KEY"
        ? duplicateKeyMessage(text, e.pos[0])
        : `YAML syntax error: ${e.message.split("\n")[0]}`;
      this.report(e.code === "DUPLICATE_KEY" ? "duplicate-key" : "yaml-syntax", msg, [], e.pos[0]);
    }
    if (this.doc.errors.length > 0) return this.result([]);
    try {
      this.doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch {
      this.report("too-many-aliases", "alias expansion exceeds the limit", [], 0);
      return this.result([]);
    }
    const root = this.deref(this.doc.contents as Node | null);
    if (root === null || (this.yaml.isScalar(root) && root.value === null)) {
      this.report("empty", "plugins file is empty; it needs 'version: 1' and 'plugins'", [], 0);
      return this.result([]);
    }
    const fields = this.fields(root, [], TOP_KEYS, "the file");
    if (!fields) return this.result([]);

    const v = fields.get("version");
    if (!v) {
      this.missing(
        [],
        "version",
        `missing required key 'version' (add: version: ${PLUGINS_FILE_VERSION})`,
        0,
      );
    } else {
      const node = this.deref(v.value as Node);
      const value = this.yaml.isScalar(node) ? node.value : undefined;
      if (value !== PLUGINS_FILE_VERSION && value !== String(PLUGINS_FILE_VERSION)) {
        this.report(
          "unsupported-version",
          `version must be ${PLUGINS_FILE_VERSION}, got ${this.describe(node)}`,
          ["version"],
          this.offset(node, v),
        );
      }
    }

    const decls: ExternalPluginDecl[] = [];
    const p = fields.get("plugins");
    if (!p) {
      this.missing([], "plugins", "missing required key 'plugins' (a list of plugins)", 0);
    } else {
      const list = this.deref(p.value as Node);
      if (this.yaml.isScalar(list) && list.value === null) {
        // `plugins:` with nothing under it: no plugins, which is fine.
      } else if (!this.yaml.isSeq(list)) {
        this.report(
          "not-a-list",
          `plugins must be a list, got ${this.describe(list)}`,
          ["plugins"],
          this.offset(list, p),
        );
      } else {
        const seen = {
          plugins: new Map<string, true>(),
          sections: new Map<string, string>(),
          sinks: new Map<string, string>(),
        };
        list.items.forEach((item, i) => {
          const decl = this.plugin(this.deref(item as Node), ["plugins", i], seen);
          if (decl) decls.push(decl);
        });
      }
    }
    return this.result(decls);
  }

  private plugin(
    node: Node | null,
    path: Path,
    seen: { plugins: Map<string, true>; sections: Map<string, string>; sinks: Map<string, string> },
  ): ExternalPluginDecl | undefined {
    const before = this.errorCount();
    const f = this.fields(node, path, PLUGIN_KEYS, "a plugin");
    if (!f) return undefined;

    const name = this.name(f.get("name"), node, path, "name", "plugin");
    if (name !== undefined) {
      if (seen.plugins.has(name)) {
        this.report(
          "duplicate-plugin",
          `plugin '${name}' is declared twice`,
          [...path, "name"],
          this.offset(f.get("name")!.value as Node),
        );
      }
      seen.plugins.set(name, true);
    }
    const label = name ?? `#${(path[1] as number) + 1}`;

    let command: string[] | undefined;
    const c = f.get("command");
    if (!c) {
      this.missing(
        path,
        "command",
        `plugin '${label}' is missing required key 'command' (an argv list, e.g. ["/usr/local/bin/my-plugin"])`,
        this.offset(node),
      );
    } else {
      command = this.command(this.deref(c.value as Node), c, [...path, "command"]);
    }

    let timeout: number | undefined;
    const t = f.get("timeout_ms");
    if (t) {
      const n = this.deref(t.value as Node);
      const value = this.yaml.isScalar(n) ? n.value : undefined;
      if (
        typeof value !== "number" || !Number.isInteger(value) || value < MIN_TIMEOUT_MS ||
        value > MAX_TIMEOUT_MS
      ) {
        this.report(
          "invalid-timeout",
          `timeout_ms must be an integer from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS} (milliseconds), got ${
            this.describe(n)
          }`,
          [...path, "timeout_ms"],
          this.offset(n, t),
        );
      } else timeout = value;
    }

    let passthrough: string[] | undefined;
    const e = f.get("env_passthrough");
    if (e) {
      passthrough = this.stringList(
        this.deref(e.value as Node),
        e,
        [...path, "env_passthrough"],
        (s) =>
          ENV_NAME_RE.test(s) ? undefined : `'${printable(s)}' is not an environment variable name`,
      );
    }

    const sections: ExternalSectionDecl[] = [];
    const s = f.get("sections");
    if (s) {
      for (const [item, i] of this.list(s, [...path, "sections"])) {
        const sec = this.section(item, [...path, "sections", i], label, seen.sections);
        if (sec) sections.push(sec);
      }
    }
    const sinks: ExternalSinkDecl[] = [];
    const k = f.get("sinks");
    if (k) {
      for (const [item, i] of this.list(k, [...path, "sinks"])) {
        const sf = this.fields(item, [...path, "sinks", i], SINK_KEYS, "a sink");
        if (!sf) continue;
        const sinkName = this.name(sf.get("name"), item, [...path, "sinks", i], "name", "sink");
        if (sinkName === undefined) continue;
        const owner = seen.sinks.get(sinkName);
        if (owner !== undefined) {
          this.report(
            "duplicate-sink",
            `sink '${sinkName}' is already declared by plugin '${owner}'`,
            [...path, "sinks", i],
            this.offset(item),
          );
        }
        seen.sinks.set(sinkName, label);
        sinks.push({ name: sinkName });
      }
    }
    if (sections.length === 0 && sinks.length === 0 && this.errorCount() === before) {
      this.report(
        "no-hooks",
        `plugin '${label}' declares no sections and no sinks; add at least one`,
        path,
        this.offset(node),
      );
    }

    if (this.errorCount() > before || name === undefined || command === undefined) return undefined;
    const decl: ExternalPluginDecl = { name, command };
    if (timeout !== undefined) decl.timeout_ms = timeout;
    if (passthrough !== undefined) decl.env_passthrough = passthrough;
    if (sections.length > 0) decl.sections = sections;
    if (sinks.length > 0) decl.sinks = sinks;
    return decl;
  }

  private section(
    node: Node | null,
    path: Path,
    plugin: string,
    seen: Map<string, string>,
  ): ExternalSectionDecl | undefined {
    const before = this.errorCount();
    const f = this.fields(node, path, SECTION_KEYS, "a section");
    if (!f) return undefined;
    const id = this.name(f.get("id"), node, path, "id", "section");
    if (id !== undefined) {
      const owner = seen.get(id);
      if (owner !== undefined) {
        this.report(
          "duplicate-section",
          `section '${id}' is already declared by plugin '${owner}'`,
          [...path, "id"],
          this.offset(f.get("id")!.value as Node),
        );
      }
      seen.set(id, plugin);
    }
    let title: string | undefined;
    const t = f.get("title");
    if (!t) {
      this.missing(
        path,
        "title",
        `section '${id ?? "?"}' is missing required key 'title'`,
        this.offset(node),
      );
    } else {
      const n = this.deref(t.value as Node);
      if (this.yaml.isScalar(n) && typeof n.value === "string" && n.value.trim() !== "") {
        title = n.value;
      } else {this.report(
          "invalid-title",
          `title must be a non-empty string, got ${this.describe(n)}`,
          [...path, "title"],
          this.offset(n, t),
        );}
    }
    const order = this.number(f.get("order"), node, path, "order", true);
    const priority = this.number(f.get("priority"), node, path, "priority", false);
    if (
      this.errorCount() > before || id === undefined || title === undefined || order === undefined
    ) return undefined;
    const out: ExternalSectionDecl = { id, title, order };
    if (priority !== undefined) out.priority = priority;
    return out;
  }

  private command(
    node: Node | null,
    pair: Pair<unknown, unknown>,
    path: Path,
  ): string[] | undefined {
    if (this.yaml.isScalar(node) && typeof node.value === "string") {
      this.report(
        "command-not-list",
        `command must be a list (argv, no shell), e.g. [${
          JSON.stringify(node.value.split(/\s+/)[0] ?? "")
        }]`,
        path,
        this.offset(node),
      );
      return undefined;
    }
    const argv = this.stringList(
      node,
      pair,
      path,
      (s) => (s === "" ? "an argument must not be empty" : undefined),
    );
    if (argv === undefined) return undefined;
    if (argv.length === 0) {
      this.report(
        "empty-command",
        "command must name a program: it is an empty list",
        path,
        this.offset(node, pair),
      );
      return undefined;
    }
    const resolved = resolveCommand(argv, this.file);
    const confine = this.options.confineTo;
    const outside = confine !== undefined && resolved[0] !== argv[0]
      ? escapesFolder(confine, resolved[0])
      : undefined;
    if (outside !== undefined) {
      this.report(
        "command-outside-repo",
        `command '${printable(argv[0])}' resolves outside the repository (${
          printable(outside, 200)
        })`,
        path,
        this.offset(node, pair),
      );
      return undefined;
    }
    return resolved;
  }

  private stringList(
    node: Node | null,
    pair: Pair<unknown, unknown>,
    path: Path,
    check: (s: string) => string | undefined,
  ): string[] | undefined {
    if (!this.yaml.isSeq(node)) {
      this.report(
        "not-a-list",
        `${path[path.length - 1]} must be a list of strings, got ${this.describe(node)}`,
        path,
        this.offset(node, pair),
      );
      return undefined;
    }
    const out: string[] = [];
    let ok = true;
    node.items.forEach((item, i) => {
      const n = this.deref(item as Node);
      if (!this.yaml.isScalar(n) || typeof n.value !== "string") {
        this.report(
          "not-a-string",
          `${path[path.length - 1]}[${i}] must be a string, got ${this.describe(n)}`,
          [...path, i],
          this.offset(n, pair),
        );
        ok = false;
        return;
      }
      const problem = check(n.value);
      if (problem) {
        this.report("invalid-value", problem, [...path, i], this.offset(n));
        ok = false;
        return;
      }
      out.push(n.value);
    });
    return ok ? out : undefined;
  }

  private list(pair: Pair<unknown, unknown>, path: Path): [Node | null, number][] {
    const node = this.deref(pair.value as Node);
    if (!this.yaml.isSeq(node)) {
      this.report(
        "not-a-list",
        `${path[path.length - 1]} must be a list, got ${this.describe(node)}`,
        path,
        this.offset(node, pair),
      );
      return [];
    }
    return node.items.map((item, i) => [this.deref(item as Node), i]);
  }

  private name(
    pair: Pair<unknown, unknown> | undefined,
    owner: Node | null,
    path: Path,
    key: string,
    what: string,
  ): string | undefined {
    if (!pair) {
      this.missing(path, key, `${what} is missing required key '${key}'`, this.offset(owner));
      return undefined;
    }
    const n = this.deref(pair.value as Node);
    if (!this.yaml.isScalar(n) || typeof n.value !== "string" || !NAME_RE.test(n.value)) {
      const got = this.yaml.isScalar(n) && typeof n.value === "string"
        ? `'${printable(n.value)}'`
        : this.describe(n);
      this.report(
        "invalid-name",
        `${what} ${key} must match ^[a-z0-9][a-z0-9-]*$ (lowercase letters, digits, '-'), got ${got}`,
        [...path, key],
        this.offset(n, pair),
      );
      return undefined;
    }
    return n.value;
  }

  private number(
    pair: Pair<unknown, unknown> | undefined,
    owner: Node | null,
    path: Path,
    key: string,
    required: boolean,
  ): number | undefined {
    if (!pair) {
      if (required) {
        this.missing(
          path,
          key,
          `section is missing required key '${key}' (a number; built-ins use 100-900)`,
          this.offset(owner),
        );
      }
      return undefined;
    }
    const n = this.deref(pair.value as Node);
    if (!this.yaml.isScalar(n) || typeof n.value !== "number" || !Number.isFinite(n.value)) {
      this.report(`invalid-${key}`, `${key} must be a number, got ${this.describe(n)}`, [
        ...path,
        key,
      ], this.offset(n, pair));
      return undefined;
    }
    return n.value;
  }

  /** Checks `node` is a mapping with only `allowed` keys; returns its pairs by key. */
  private fields(
    node: Node | null,
    path: Path,
    allowed: readonly string[],
    what: string,
  ): Map<string, Pair<unknown, unknown>> | undefined {
    if (!this.yaml.isMap(node)) {
      this.report(
        "not-a-mapping",
        `${what} must be a mapping, got ${this.describe(node)}`,
        path,
        this.offset(node),
      );
      return undefined;
    }
    const out = new Map<string, Pair<unknown, unknown>>();
    for (const pair of (node as YAMLMap).items) {
      const k = pair.key as Node | null;
      if (!this.yaml.isScalar(k) || typeof k.value !== "string") {
        this.report(
          "invalid-key",
          `keys must be plain strings, got ${this.describe(k)}`,
          path,
          this.offset(k),
        );
        continue;
      }
      if (!allowed.includes(k.value)) {
        const near = suggest(k.value, allowed);
        if (near !== undefined) this.typos.add(JSON.stringify([...path, near]));
        this.report(
          "unknown-key",
          `unknown key '${printable(k.value)}' in ${what}${
            didYouMean(k.value, allowed)
          }; allowed: ${allowed.join(", ")}`,
          [...path, k.value],
          this.offset(k),
        );
        continue;
      }
      out.set(k.value, pair);
    }
    return out;
  }

  private deref(node: Node | null | undefined): Node | null {
    return derefAlias(node, this.doc, MAX_ALIASES);
  }

  /** Offset of `node`, else of the pair's key (for `key:` with no value). */
  private offset(node: Node | null | undefined, pair?: Pair<unknown, unknown>): number {
    const at = node?.range?.[0];
    if (at !== undefined && !(this.yaml.isScalar(node) && node.value === null && pair)) return at;
    return (pair?.key as Node | undefined)?.range?.[0] ?? at ?? 0;
  }

  private describe(node: Node | null): string {
    if (node === null) return "nothing";
    if (this.yaml.isMap(node)) return "a mapping";
    if (this.yaml.isSeq(node)) return "a list";
    if (this.yaml.isScalar(node)) {
      const v = node.value;
      if (v === null) return "nothing";
      if (typeof v === "string") return `the string '${printable(v, 60)}'`;
      return `${typeof v} ${String(v)}`;
    }
    return "an unsupported value";
  }

  private errorCount(): number {
    return this.diagnostics.errorCount;
  }

  /** Reports a missing required key, unless a misspelling of it was already reported. */
  private missing(path: Path, key: string, message: string, offset: number) {
    if (this.typos.has(JSON.stringify([...path, key]))) return;
    this.report("missing-key", message, path, offset);
  }

  private report(code: string, message: string, path: Path, offset: number) {
    this.diagnostics.report(code, message, path, offset);
  }

  private result(decls: ExternalPluginDecl[]): ParsedPluginsFile {
    const diagnostics = this.diagnostics.sorted();
    return { decls: diagnostics.length > 0 ? [] : decls, diagnostics };
  }
}

/**
 * Where `path` really leads when that is outside `folder`, else undefined.
 * A string check is not enough: `.kaizen/tools` may be a committed symlink to
 * `/usr/bin`, so real paths are compared. A command that does not exist yet
 * is judged by its nearest existing ancestor (it fails later, when run).
 */
function escapesFolder(folder: string, path: string): string | undefined {
  if (!isInside(folder, path)) return path;
  let realFolder: string;
  try {
    realFolder = Deno.realPathSync(folder);
  } catch {
    return folder;
  }
  for (let p = path; isInside(folder, p); p = dirname(p)) {
    let real: string;
    try {
      real = Deno.realPathSync(p);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
        // A dangling symlink still says where it points.
        try {
          const link = Deno.readLinkSync(p);
          const target = normalize(link.startsWith("/") ? link : `${dirname(p)}/${link}`);
          if (!isInside(realFolder, target) && !isInside(folder, target)) return target;
        } catch { /* not a symlink */ }
        continue;
      }
      return p;
    }
    return isInside(realFolder, real) ? undefined : real;
  }
  return undefined;
}
