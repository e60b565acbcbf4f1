/**
 * The roster file (`roster.yml`, see docs/operations.md) as a spec for the
 * YAML validator (`core/yaml/validate.ts`). Whether a path is usable is the
 * resolver's call, per host: a bad path skips one repo, a malformed file is
 * refused whole.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostics.ts";
import { printable } from "../text/printable.ts";
import { validateYaml } from "../yaml/validate.ts";
import { bool, defined, entries, fields, list, str, version } from "../yaml/spec.ts";
import type { FileSpec, Place } from "../yaml/spec.ts";
import type { RosterEntry } from "./types.ts";
import { slugProblem } from "./slug.ts";
import { ANY_HOST, MAX_ROSTER_BYTES, ROSTER_FILE_VERSION } from "./roster_format.ts";

// The format's facts live beside it; re-exported for callers of this module.
export * from "./roster_format.ts";
// Slugs: the shape every roster source shares (hub answers are checked alike).
export { ROSTER_SLUG_PATTERN } from "./slug.ts";

// Hostnames as `hostname` prints them (letters, digits, '.', '-', and '_' which
// some fleets use), or `*`. Starting with a letter or digit also keeps
// `__proto__` out of the resulting object.
const HOST_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** What {@link parseRosterFile} found: the entries when valid, and every problem. */
export interface ParseRosterResult {
  /** Present only when there are no errors, in file order. */
  entries?: RosterEntry[];
  diagnostics: Diagnostic[];
}

/**
 * Parses roster file text. Never throws on bad input: every problem becomes
 * a diagnostic with a 1-based line and column, sorted by position.
 *
 * A repo's `path: P` becomes `host_paths: { "*": P }`, so the resolver reads
 * `host_paths[host] ?? host_paths["*"]` for every source alike.
 *
 * @example
 * ```ts
 * const text = 'version: "1"\nrepos:\n  - slug: a\n    path: /srv/a\n';
 * const { entries, diagnostics } = parseRosterFile(text);
 * // entries: [{ slug: "a", domain: null, host_paths: { "*": "/srv/a" } }]
 * ```
 */
export function parseRosterFile(text: string, file?: string): ParseRosterResult {
  const { value, diagnostics } = validateYaml(text, rosterSpec(), file);
  return value ? { entries: value, diagnostics } : { diagnostics };
}

const HOST = `letters, digits, '.', '-', '_'; or '${ANY_HOST}' for any host`;
const HOST_PATHS_EXPECT = "be a non-empty mapping of hostname to path";
const pathFor = (at: Place) => `the path for host '${printable(`${at.path[3]}`)}'`;
const HOST_PATHS = entries(host, str({ code: "path-not-string", subject: pathFor }), {
  code: "invalid-host-paths",
  expect: HOST_PATHS_EXPECT,
  nonEmpty: ["invalid-host-paths", `host_paths must ${HOST_PATHS_EXPECT}, got an empty mapping`],
});

function host(name: string, at: Place) {
  const msg = `host '${printable(name)}' is not a hostname (${HOST})`;
  if (name !== ANY_HOST && !HOST_RE.test(name)) at.report("invalid-host", msg);
}

const PATHS = "'path' (the same checkout on every host) or 'host_paths' (hostname: path)";
const BOTH = "use 'path' for the same checkout on every host, or 'host_paths' per host";

/** A fresh spec per file: a duplicate slug points back at the line of the first. */
function rosterSpec(): FileSpec<RosterEntry[]> {
  const slugLines = new Map<string, number>();
  const slug = (slug: string, at: Place) => {
    const problem = slugProblem(slug);
    if (problem !== undefined) return `slug ${problem}`;
    const first = slugLines.get(slug);
    if (first === undefined) return void slugLines.set(slug, at.line);
    const again = `duplicate slug '${printable(slug)}' (first listed at line ${first})`;
    at.report("duplicate-slug", `${again}; each repo is listed once`);
    return { value: slug }; // still the repo's name in other messages
  };
  const quote = (v: unknown) => /^(number|boolean)$/.test(typeof v) ? "; quote it" : "";
  const repo = fields({
    slug: str({ code: "invalid-slug", required: true, hint: quote, check: slug }),
    domain: str({
      code: "invalid-domain",
      expect: "be a non-empty string",
      pattern: /./s,
      hint: () => "; omit the key for no domain",
      default: null,
    }),
    path: str({ code: "path-not-string" }),
    host_paths: HOST_PATHS,
    kaizen_schedule_enabled: bool({ code: "invalid-enabled" }),
    // Accepted so that a roster exported from the hub reads back unchanged.
    kaizen_schedule_updated_at: str({
      code: "invalid-updated-at",
      expect: "be a string (an ISO timestamp)",
    }),
  }, {
    code: "repo-not-mapping",
    expect: "be a mapping with 'slug' and 'path' or 'host_paths'",
    rule({ slug }, at) {
      const label = slug === undefined ? `repos[${at.path[1]}]` : `repo '${printable(slug)}'`;
      const [path, hostPaths] = [at.field("path"), at.field("host_paths")];
      if (!path && !hostPaths) at.report("missing-path", `${label} needs ${PATHS}`);
      // Both: point at whichever comes second, the one to remove.
      const later = path && hostPaths && (path.offset > hostPaths.offset ? path : hostPaths);
      later?.report("path-and-host-paths", `${label} has both 'path' and 'host_paths'; ${BOTH}`);
    },
    build({ slug, domain, path, host_paths, ...flags }) {
      // The rule let exactly one of path and host_paths through.
      const hostPaths = path === undefined ? host_paths ?? {} : { [ANY_HOST]: path };
      return defined({ slug, domain, host_paths: hostPaths, ...flags });
    },
  });
  return {
    noun: "roster file",
    maxBytes: MAX_ROSTER_BYTES,
    // Aliases share host_paths; a roster is larger than a manifest, so is the cap.
    maxAliases: 1000,
    empty: `it needs 'version: "${ROSTER_FILE_VERSION}"' and 'repos'`,
    root: fields({
      version: version(ROSTER_FILE_VERSION, "invalid-version", "version-not-string"),
      repos: list(repo, {
        code: "repos-not-list",
        expect: "be a list of repos (each '- slug: ...')",
        nonEmpty: ["repos-empty", "repos is empty; list at least one repo"],
        required: "(a list of repos with 'slug' and 'path' or 'host_paths')",
      }),
    }, {
      code: "root-not-mapping",
      expect: "be a mapping with 'version' and 'repos'",
      build: ({ repos }) => repos,
    }),
  };
}
