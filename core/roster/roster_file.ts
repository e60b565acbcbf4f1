/**
 * Parses and validates a roster file (`roster.yml`) into {@link RosterEntry}
 * values plus positioned diagnostics, the way `parseSchedule` does for the
 * schedule manifest.
 *
 * ```yaml
 * version: "1"
 * repos:
 *   - slug: kaizen-agentic
 *     domain: custodian
 *     path: /srv/checkouts/kaizen        # the same checkout on every host, or
 *   - slug: the-custodian
 *     host_paths:                        # hostname -> checkout on that host
 *       runner-1: /srv/custodian
 *     kaizen_schedule_enabled: true
 * ```
 *
 * Validation walks the YAML syntax tree rather than the plain JS value so
 * that every problem carries the line and column of the offending key or
 * value, and so that all problems are reported at once. Whether a path is
 * usable (absolute, no `..`, reachable) is the resolver's call, per host: a
 * bad path skips one repo, while a malformed file is refused whole.
 *
 * @module
 */
import {
  type Alias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type YAMLMap,
} from "yaml";
import type { Node, Pair } from "yaml";
import {
  derefAlias,
  DiagnosticList,
  type DocPath,
  duplicateKeyMessage,
} from "../yaml/diagnostics.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { didYouMean } from "../text/suggest.ts";
import { printable } from "../text/printable.ts";
import type { RosterEntry } from "./types.ts";
import { slugProblem } from "./slug.ts";
import {
  countAliases,
  describe,
  firstLine,
  kindOf,
  offsetOf,
  readBoolean,
  versionMismatch,
} from "../yaml/nodes.ts";

/** The only roster file version this release understands. */
export const ROSTER_FILE_VERSION = "1";

/**
 * Roster files larger than this (in UTF-8 bytes) are refused before parsing.
 * 10,000 repos with `host_paths` for a few hosts stay near 1 MiB.
 */
export const MAX_ROSTER_BYTES = 4 * 1024 * 1024;

/** The host key a plain `path:` stands for: the same checkout on every host. */
export const ANY_HOST = "*";

// Slugs: the shape every roster source shares (hub answers are checked alike).
export { ROSTER_SLUG_PATTERN } from "./slug.ts";

// Hostnames as `hostname` prints them (letters, digits, '.', '-', and '_' which
// some fleets use), or `*`. Starting with a letter or digit also keeps
// `__proto__` out of the resulting object.
const HOST_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const ROSTER_TOP_KEYS = ["version", "repos"] as const;
export const ROSTER_REPO_KEYS = [
  "slug",
  "domain",
  "path",
  "host_paths",
  "kaizen_schedule_enabled",
  "kaizen_schedule_updated_at",
] as const;

/** Every code {@link parseRosterFile} can report; all are errors. */
export const ROSTER_DIAGNOSTIC_CODES = [
  "too-large",
  "empty",
  "yaml-syntax",
  "duplicate-key",
  "too-many-aliases",
  "root-not-mapping",
  "invalid-key",
  "unknown-key",
  "missing-key",
  "version-not-string",
  "invalid-version",
  "repos-not-list",
  "repos-empty",
  "repo-not-mapping",
  "invalid-slug",
  "duplicate-slug",
  "invalid-domain",
  "path-and-host-paths",
  "missing-path",
  "path-not-string",
  "invalid-host-paths",
  "invalid-host",
  "invalid-enabled",
  "invalid-updated-at",
] as const;
export type RosterDiagnosticCode = typeof ROSTER_DIAGNOSTIC_CODES[number];

/** What {@link parseRosterFile} found: the entries when valid, and every problem. */
export interface ParseRosterResult {
  /** Present only when there are no errors, in file order. */
  entries?: RosterEntry[];
  diagnostics: Diagnostic[];
}

// Anchors and aliases are legal YAML and handy for sharing host_paths among
// repos, but a few kilobytes of nested aliases can expand to gigabytes
// ("billion laughs"). A roster is larger than a manifest, so the cap is too.
const MAX_ALIASES = 1000;

type Doc = ReturnType<typeof parseDocument>;

/**
 * Parses roster file text. Never throws on bad input: every problem becomes
 * a diagnostic with a 1-based line and column, sorted by position.
 *
 * A repo's `path: P` becomes `host_paths: { "*": P }`, so the resolver reads
 * `host_paths[host] ?? host_paths["*"]` for every source alike.
 *
 * @example
 * ```ts
 * const { entries, diagnostics } = parseRosterFile('version: "1"\nrepos:\n  - slug: a\n    path: /srv/a\n');
 * // entries: [{ slug: "a", domain: null, host_paths: { "*": "/srv/a" } }]
 * ```
 */
export function parseRosterFile(text: string, file?: string): ParseRosterResult {
  return new Walker(text, file).run();
}

class Walker {
  readonly lines = new LineCounter();
  readonly diagnostics: DiagnosticList;
  doc!: Doc;

  constructor(readonly text: string, readonly file: string | undefined) {
    this.diagnostics = new DiagnosticList(this.lines, file);
  }

  run(): ParseRosterResult {
    const size = utf8Length(this.text);
    if (size > MAX_ROSTER_BYTES) {
      this.report(
        "too-large",
        `roster file is ${size} bytes; the limit is ${MAX_ROSTER_BYTES} (4 MiB)`,
        [],
        0,
      );
      return this.result();
    }
    if (!/^\s*[^#\s]/m.test(this.text)) {
      this.report(
        "empty",
        `roster file is empty; it needs 'version: "${ROSTER_FILE_VERSION}"' and 'repos'`,
        [],
        0,
      );
      return this.result();
    }
    const doc = parseDocument(this.text, {
      lineCounter: this.lines,
      prettyErrors: false,
      // The library would print its own warnings (e.g. on unknown tags); we report instead.
      logLevel: "error",
      uniqueKeys: true,
      keepSourceTokens: false,
    });
    this.doc = doc;
    for (const e of doc.errors) {
      const dup = e.code === "DUPLICATE_KEY";
      this.report(
        dup ? "duplicate-key" : "yaml-syntax",
        dup
          ? duplicateKeyMessage(this.text, e.pos[0])
          : `YAML syntax error: ${printable(firstLine(e.message), 200)}`,
        [],
        e.pos[0],
      );
    }
    if (doc.errors.length > 0) return this.result();

    const aliases = countAliases(doc.contents as Node | null);
    if (aliases.count > MAX_ALIASES) {
      this.report(
        "too-many-aliases",
        `roster file uses ${aliases.count} aliases; at most ${MAX_ALIASES} are allowed (alias expansion is capped)`,
        [],
        aliases.first ?? 0,
      );
      return this.result();
    }
    // Few aliases can still nest into a huge expansion; the library's own
    // count catches that. Without aliases there is nothing to expand, and a
    // big roster is spared a second full conversion.
    if (aliases.count > 0) {
      try {
        doc.toJS({ maxAliasCount: MAX_ALIASES * 10 });
      } catch (e) {
        // An alias before (or without) its anchor is a plain mistake, not a bomb.
        const unresolved = e instanceof ReferenceError ? this.unresolvedAlias(doc) : undefined;
        if (unresolved) {
          this.report(
            "yaml-syntax",
            `YAML syntax error: alias '*${printable(unresolved.source)}' has no anchor '&${
              printable(unresolved.source)
            }' before it`,
            [],
            unresolved.range?.[0] ?? 0,
          );
        } else {
          this.report(
            "too-many-aliases",
            "alias expansion exceeds the limit (possible alias bomb)",
            [],
            aliases.first ?? 0,
          );
        }
        return this.result();
      }
    }

    const root = this.deref(doc.contents as Node | null);
    if (!isMap(root)) {
      this.report(
        "root-not-mapping",
        `roster file root must be a mapping with 'version' and 'repos', got ${kindOf(root)}`,
        [],
        offsetOf(root),
      );
      return this.result();
    }
    return this.result(this.walkRoot(root));
  }

  /** The first alias whose anchor does not precede it, if any. */
  private unresolvedAlias(doc: Doc): Alias | undefined {
    let found: Alias | undefined;
    visit(doc, {
      Alias: (_, node) => {
        if (node.resolve(doc) === undefined) {
          found = node;
          return visit.BREAK;
        }
      },
    });
    return found;
  }

  private result(entries?: RosterEntry[]): ParseRosterResult {
    const diagnostics = this.diagnostics.sorted();
    return this.diagnostics.errorCount === 0 && entries
      ? { entries, diagnostics }
      : { diagnostics };
  }

  private report(code: RosterDiagnosticCode, message: string, path: DocPath, offset: number) {
    this.diagnostics.report(code, message, path, offset);
  }

  private deref(node: Node | null | undefined): Node | null {
    return derefAlias(node, this.doc, MAX_ALIASES);
  }

  /**
   * The pairs of a mapping by key, reporting keys outside `allowed`.
   * Duplicates never reach here: the parser reports them (uniqueKeys).
   */
  private fields(
    map: YAMLMap,
    allowed: readonly string[],
    path: DocPath,
    where: string,
  ): { fields: Map<string, Pair<unknown, unknown>>; ok: boolean } {
    const fields = new Map<string, Pair<unknown, unknown>>();
    let ok = true;
    for (const pair of map.items) {
      const key = this.keyOf(pair, path);
      if (key === undefined) {
        ok = false;
        continue;
      }
      if (!allowed.includes(key)) {
        this.report(
          "unknown-key",
          `unknown key '${printable(key)}'${where}${didYouMean(key, allowed)}; allowed: ${
            allowed.join(", ")
          }`,
          [...path, key],
          offsetOf(pair.key as Node),
        );
        ok = false;
        continue;
      }
      fields.set(key, pair);
    }
    return { fields, ok };
  }

  private walkRoot(root: YAMLMap): RosterEntry[] | undefined {
    const { fields } = this.fields(root, ROSTER_TOP_KEYS, [], "");

    let versionOk = false;
    const vPair = fields.get("version");
    if (!vPair) {
      this.report(
        "missing-key",
        `missing required key 'version' (add: version: "${ROSTER_FILE_VERSION}")`,
        [],
        0,
      );
    } else {
      const v = this.deref(vPair.value as Node);
      const bad = versionMismatch(v, ROSTER_FILE_VERSION);
      if (!bad) versionOk = true;
      else {
        const code = bad.numeric ? "version-not-string" : "invalid-version";
        this.report(code, bad.message, ["version"], offsetOf(v, vPair));
      }
    }

    let entries: RosterEntry[] | undefined;
    const rPair = fields.get("repos");
    if (!rPair) {
      this.report(
        "missing-key",
        "missing required key 'repos' (a list of repos with 'slug' and 'path' or 'host_paths')",
        [],
        0,
      );
    } else {
      entries = this.walkRepos(this.deref(rPair.value as Node), rPair);
    }
    // Unknown root keys were reported; result() withholds entries on any error.
    return versionOk ? entries : undefined;
  }

  private walkRepos(node: Node | null, pair: Pair<unknown, unknown>): RosterEntry[] | undefined {
    if (!isSeq(node)) {
      this.report(
        "repos-not-list",
        `repos must be a list of repos (each '- slug: ...'), got ${describe(node)}`,
        ["repos"],
        offsetOf(node, pair),
      );
      return undefined;
    }
    if (node.items.length === 0) {
      this.report(
        "repos-empty",
        "repos is empty; list at least one repo",
        ["repos"],
        offsetOf(node, pair),
      );
      return undefined;
    }
    const out: RosterEntry[] = [];
    // First occurrence of each slug, to point a duplicate back at it.
    const firstAt = new Map<string, number>();
    let ok = true;
    node.items.forEach((item, i) => {
      const entry = this.walkRepo(this.deref(item as Node), i, offsetOf(item as Node), firstAt);
      if (entry) out.push(entry);
      else ok = false;
    });
    return ok ? out : undefined;
  }

  private walkRepo(
    node: Node | null,
    index: number,
    itemOffset: number,
    firstAt: Map<string, number>,
  ): RosterEntry | undefined {
    const path: DocPath = ["repos", index];
    if (!isMap(node)) {
      this.report(
        "repo-not-mapping",
        `repos[${index}] must be a mapping with 'slug' and 'path' or 'host_paths', got ${
          describe(node)
        }`,
        path,
        node?.range ? node.range[0] : itemOffset,
      );
      return undefined;
    }
    const start = offsetOf(node);
    let { fields, ok } = this.fields(node, ROSTER_REPO_KEYS, path, ` in repos[${index}]`);

    let slug: string | undefined;
    const sPair = fields.get("slug");
    if (!sPair) {
      this.report(
        "missing-key",
        `repos[${index}] is missing required key 'slug'`,
        path,
        start,
      );
      ok = false;
    } else {
      const s = this.deref(sPair.value as Node);
      const at = offsetOf(s, sPair);
      const value = isScalar(s) ? s.value : undefined;
      const problem = typeof value === "string"
        ? slugProblem(value)
        : `must be a string, got ${describe(s)}${
          typeof value === "number" || typeof value === "boolean" ? "; quote it" : ""
        }`;
      if (problem !== undefined) {
        this.report("invalid-slug", `slug ${problem}`, [...path, "slug"], at);
        ok = false;
      } else {
        slug = value as string;
        const first = firstAt.get(slug);
        if (first !== undefined) {
          this.report(
            "duplicate-slug",
            `duplicate slug '${printable(slug)}' (first listed at line ${
              this.lines.linePos(first).line
            }); each repo is listed once`,
            [...path, "slug"],
            at,
          );
          ok = false;
        } else {
          firstAt.set(slug, at);
        }
      }
    }
    const label = slug === undefined ? `repos[${index}]` : `repo '${printable(slug)}'`;

    let domain: string | null = null;
    const dPair = fields.get("domain");
    if (dPair) {
      const d = this.deref(dPair.value as Node);
      if (isScalar(d) && typeof d.value === "string" && d.value !== "") {
        domain = d.value;
      } else {
        this.report(
          "invalid-domain",
          `domain must be a non-empty string, got ${describe(d)}; omit the key for no domain`,
          [...path, "domain"],
          offsetOf(d, dPair),
        );
        ok = false;
      }
    }

    let hostPaths: Record<string, string> | undefined;
    const pPair = fields.get("path");
    const hPair = fields.get("host_paths");
    if (pPair && hPair) {
      // Point at whichever comes second: that is the one to remove.
      const later = offsetOf(pPair.key as Node) > offsetOf(hPair.key as Node) ? pPair : hPair;
      this.report(
        "path-and-host-paths",
        `${label} has both 'path' and 'host_paths'; use 'path' for the same checkout on every host, or 'host_paths' per host`,
        [...path, String((later.key as Node & { value: unknown }).value)],
        offsetOf(later.key as Node),
      );
      ok = false;
    } else if (!pPair && !hPair) {
      this.report(
        "missing-path",
        `${label} needs 'path' (the same checkout on every host) or 'host_paths' (hostname: path)`,
        path,
        start,
      );
      ok = false;
    } else if (pPair) {
      const p = this.deref(pPair.value as Node);
      if (isScalar(p) && typeof p.value === "string") {
        hostPaths = { [ANY_HOST]: p.value };
      } else {
        this.report(
          "path-not-string",
          `path must be a string, got ${describe(p)}`,
          [...path, "path"],
          offsetOf(p, pPair),
        );
        ok = false;
      }
    } else if (hPair) {
      hostPaths = this.walkHostPaths(this.deref(hPair.value as Node), hPair, [
        ...path,
        "host_paths",
      ]);
      if (!hostPaths) ok = false;
    }

    let enabled: boolean | undefined;
    const ePair = fields.get("kaizen_schedule_enabled");
    if (ePair) {
      const e = this.deref(ePair.value as Node);
      const b = readBoolean(e, "kaizen_schedule_enabled");
      if (b.ok) {
        enabled = b.value;
      } else {
        this.report(
          "invalid-enabled",
          b.message,
          [...path, "kaizen_schedule_enabled"],
          offsetOf(e, ePair),
        );
        ok = false;
      }
    }

    // Accepted so that a roster exported from the hub reads back unchanged.
    let updatedAt: string | undefined;
    const uPair = fields.get("kaizen_schedule_updated_at");
    if (uPair) {
      const u = this.deref(uPair.value as Node);
      if (isScalar(u) && typeof u.value === "string") {
        updatedAt = u.value;
      } else {
        this.report(
          "invalid-updated-at",
          `kaizen_schedule_updated_at must be a string (an ISO timestamp), got ${describe(u)}`,
          [...path, "kaizen_schedule_updated_at"],
          offsetOf(u, uPair),
        );
        ok = false;
      }
    }

    if (!ok || slug === undefined || hostPaths === undefined) return undefined;
    const entry: RosterEntry = { slug, domain, host_paths: hostPaths };
    if (enabled !== undefined) entry.kaizen_schedule_enabled = enabled;
    if (updatedAt !== undefined) entry.kaizen_schedule_updated_at = updatedAt;
    return entry;
  }

  private walkHostPaths(
    node: Node | null,
    pair: Pair<unknown, unknown>,
    path: DocPath,
  ): Record<string, string> | undefined {
    if (!isMap(node) || node.items.length === 0) {
      this.report(
        "invalid-host-paths",
        `host_paths must be a non-empty mapping of hostname to path, got ${
          isMap(node) ? "an empty mapping" : describe(node)
        }`,
        path,
        offsetOf(node, pair),
      );
      return undefined;
    }
    const entries: [string, string][] = [];
    let ok = true;
    for (const item of node.items) {
      const host = this.keyOf(item, path);
      if (host === undefined) {
        ok = false;
        continue;
      }
      if (host !== ANY_HOST && !HOST_RE.test(host)) {
        this.report(
          "invalid-host",
          `host '${
            printable(host)
          }' is not a hostname (letters, digits, '.', '-', '_'; or '${ANY_HOST}' for any host)`,
          [...path, host],
          offsetOf(item.key as Node),
        );
        ok = false;
        continue;
      }
      const p = this.deref(item.value as Node);
      if (isScalar(p) && typeof p.value === "string") {
        entries.push([host, p.value]);
      } else {
        this.report(
          "path-not-string",
          `the path for host '${printable(host)}' must be a string, got ${describe(p)}`,
          [...path, host],
          offsetOf(p, item),
        );
        ok = false;
      }
    }
    // fromEntries defines own properties, so no key can reach a prototype.
    return ok ? Object.fromEntries(entries) : undefined;
  }

  /** A mapping key as a string, or a diagnostic when it is not a plain scalar. */
  private keyOf(pair: Pair<unknown, unknown>, path: DocPath): string | undefined {
    const k = pair.key as Node | null;
    if (isScalar(k) && (typeof k.value === "string" || typeof k.value === "number")) {
      return String(k.value);
    }
    this.report(
      "invalid-key",
      `mapping keys must be plain strings, got ${describe(k)}`,
      path,
      // A missing key (`: value`) has no range of its own; its value has.
      k?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? 0,
    );
    return undefined;
  }
}

/** The UTF-8 size of `s` without encoding it (a huge input is refused unallocated). */
function utf8Length(s: string): number {
  // At most 3 bytes per UTF-16 unit: small inputs need no count.
  if (s.length * 3 <= MAX_ROSTER_BYTES) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
