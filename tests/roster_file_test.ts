/**
 * `parseRosterFile`: every rule of `roster.yml`, each rejection asserting the
 * diagnostic code, a distinctive part of the message and the exact 1-based
 * line and column; then accepted files and a seeded fuzz test.
 */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import {
  MAX_ROSTER_BYTES,
  parseRosterFile,
  ROSTER_DIAGNOSTIC_CODES,
  ROSTER_FILE_VERSION,
  ROSTER_SLUG_PATTERN,
} from "../core/roster/roster_file.ts";
import type { RosterEntry } from "../core/roster/types.ts";

const FILE = "roster.yml";

function parse(text: string) {
  return parseRosterFile(text, FILE);
}

/** `version` + `repos:` followed by `body` (repo items from line 3). */
function repos(body: string): string {
  return `version: "1"\nrepos:\n${body}`;
}

/** One repo `slug: a` (line 3, its mapping at column 5) with `body` lines (4-space indented) after it. */
function repoA(body: string): string {
  return repos(`  - slug: a\n${body}`);
}

/** A valid repo list item with `slug: <value>` on line 3; the value starts at column 11. */
function slug(value: string): string {
  return repos(`  - slug: ${value}\n    path: /srv/x\n`);
}

/** [code, line, col, distinctive message part] */
type Expected = [code: string, line: number, col: number, message: string | RegExp];

interface Case {
  name: string;
  text: string;
  /** Every diagnostic, in position order. */
  expect: Expected[];
}

const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
  'version: "1"',
  "repos:",
  "  - slug: a",
  "    path: /srv/a",
  "",
].join("\n");

const MANY_ALIASES = `x: &a 1\ny: [${Array(1001).fill("*a").join(", ")}]\n` +
  repoA("    path: /srv/a\n");

const VALID_ONE = repoA("    path: /srv/a\n");
const OVERSIZED = VALID_ONE + "#" + "x".repeat(MAX_ROSTER_BYTES) + "\n";
// Fewer characters than the cap, more bytes: 'é' is two bytes in UTF-8.
const OVERSIZED_MULTIBYTE = VALID_ONE + "# " + "é".repeat(MAX_ROSTER_BYTES / 2 + 10) + "\n";
const bytes = (s: string) => new TextEncoder().encode(s).length;

const CASES: Case[] = [
  // --- file-level ----------------------------------------------------------
  {
    name: "empty file",
    text: "",
    expect: [["empty", 1, 1, "roster file is empty; it needs 'version: \"1\"' and 'repos'"]],
  },
  {
    name: "comments and blank lines only",
    text: "# roster\n\n   # nothing yet\n",
    expect: [["empty", 1, 1, "roster file is empty"]],
  },
  {
    name: "file over 4 MiB",
    text: OVERSIZED,
    expect: [[
      "too-large",
      1,
      1,
      `roster file is ${bytes(OVERSIZED)} bytes; the limit is 4194304 (4 MiB)`,
    ]],
  },
  {
    name: "file over 4 MiB in bytes though not in characters",
    text: OVERSIZED_MULTIBYTE,
    expect: [["too-large", 1, 1, `roster file is ${bytes(OVERSIZED_MULTIBYTE)} bytes`]],
  },
  {
    name: "YAML syntax error at its position (unclosed flow sequence)",
    text: 'version: "1"\nrepos: [\n',
    expect: [["yaml-syntax", 3, 1, /^YAML syntax error: /]],
  },
  {
    name: "YAML syntax error: tab indentation",
    text: 'version: "1"\nrepos:\n\t- slug: a\n',
    expect: [["yaml-syntax", 3, 1, "YAML syntax error: Tabs are not allowed as indentation"]],
  },
  {
    name: "alias without an anchor",
    text: repos("  - slug: a\n    path: /srv/a\n  - *other\n"),
    expect: [["yaml-syntax", 5, 5, "alias '*other' has no anchor '&other' before it"]],
  },
  {
    name: "two documents",
    text: VALID_ONE + "---\n" + VALID_ONE,
    expect: [["yaml-syntax", 5, 1, "YAML syntax error: Source contains multiple documents"]],
  },
  {
    name: "alias bomb (billion laughs)",
    text: BILLION_LAUGHS,
    expect: [["too-many-aliases", 2, 8, "alias expansion exceeds the limit (possible alias bomb)"]],
  },
  {
    name: "more than 1000 aliases",
    text: MANY_ALIASES,
    expect: [["too-many-aliases", 2, 5, "roster file uses 1001 aliases; at most 1000 are allowed"]],
  },
  {
    name: "root a list",
    text: '- version: "1"\n',
    expect: [[
      "root-not-mapping",
      1,
      1,
      "roster file root must be a mapping with 'version' and 'repos', got a list",
    ]],
  },
  {
    name: "root a scalar",
    text: "roster\n",
    expect: [["root-not-mapping", 1, 1, "got a string"]],
  },
  {
    name: "document marker only",
    text: "---\n",
    expect: [["root-not-mapping", 1, 4, "got null"]],
  },
  // --- version ---------------------------------------------------------------
  {
    name: "version missing",
    text: "repos:\n  - slug: a\n    path: /srv/a\n",
    expect: [["missing-key", 1, 1, `missing required key 'version' (add: version: "1")`]],
  },
  {
    name: "version as the number 1 (hint: quote it)",
    text: "version: 1\nrepos:\n  - slug: a\n    path: /srv/a\n",
    expect: [["version-not-string", 1, 10, `not the number 1; quote it: version: "1"`]],
  },
  {
    name: 'version "2"',
    text: 'version: "2"\nrepos:\n  - slug: a\n    path: /srv/a\n',
    expect: [["invalid-version", 1, 10, `version must be "1", got '2'`]],
  },
  {
    name: "version 1.0 (a number that is not 1)",
    text: "version: 1.0\nrepos:\n  - slug: a\n    path: /srv/a\n",
    expect: [["version-not-string", 1, 10, "not the number 1"]],
  },
  {
    name: "version empty (null)",
    text: "version:\nrepos:\n  - slug: a\n    path: /srv/a\n",
    expect: [["invalid-version", 1, 9, "got null"]],
  },
  // --- root keys and repos ---------------------------------------------------
  {
    name: "unknown root key with suggestion (repo → repos), repos then also missing",
    text: 'version: "1"\nrepo:\n  - slug: a\n    path: /srv/a\n',
    expect: [
      ["missing-key", 1, 1, "missing required key 'repos'"],
      ["unknown-key", 2, 1, "unknown key 'repo' (did you mean 'repos'?); allowed: version, repos"],
    ],
  },
  {
    name: "unknown root key without suggestion",
    text: 'owner: me\nversion: "1"\nrepos:\n  - slug: a\n    path: /srv/a\n',
    expect: [["unknown-key", 1, 1, "unknown key 'owner'; allowed: version, repos"]],
  },
  {
    name: "duplicate root key",
    text: VALID_ONE + 'version: "1"\n',
    expect: [["duplicate-key", 5, 1, "duplicate key 'version'"]],
  },
  {
    name: "repos a mapping",
    text: repos("  a:\n    path: /srv/a\n"),
    expect: [[
      "repos-not-list",
      3,
      3,
      "repos must be a list of repos (each '- slug: ...'), got a mapping",
    ]],
  },
  {
    name: "repos a scalar",
    text: 'version: "1"\nrepos: kaizen\n',
    expect: [["repos-not-list", 2, 8, "got 'kaizen'"]],
  },
  {
    name: "repos null (nothing after the colon)",
    text: 'version: "1"\nrepos:\n',
    expect: [["repos-not-list", 2, 7, "got null"]],
  },
  {
    name: "repos empty []",
    text: 'version: "1"\nrepos: []\n',
    expect: [["repos-empty", 2, 8, "repos is empty; list at least one repo"]],
  },
  {
    name: "a repo that is a scalar",
    text: repos("  - kaizen\n"),
    expect: [[
      "repo-not-mapping",
      3,
      5,
      "repos[0] must be a mapping with 'slug' and 'path' or 'host_paths', got 'kaizen'",
    ]],
  },
  {
    name: "an empty list item",
    text: repos("  - slug: a\n    path: /srv/a\n  -\n"),
    expect: [["repo-not-mapping", 5, 4, "repos[1] must be a mapping"]],
  },
  // --- repo keys -------------------------------------------------------------
  {
    name: "unknown repo key with suggestion (hostpaths → host_paths)",
    text: repoA("    path: /srv/a\n    hostpaths:\n      r1: /srv/a\n"),
    expect: [[
      "unknown-key",
      5,
      5,
      "unknown key 'hostpaths' in repos[0] (did you mean 'host_paths'?); allowed: slug, domain, path, host_paths,",
    ]],
  },
  {
    name: "unknown repo key without suggestion",
    text: repoA("    path: /srv/a\n    owner: me\n"),
    expect: [["unknown-key", 5, 5, "unknown key 'owner' in repos[0]; allowed:"]],
  },
  {
    name: "duplicate key inside a repo",
    text: repoA("    path: /srv/a\n    path: /srv/b\n"),
    expect: [["duplicate-key", 5, 5, "duplicate key 'path'"]],
  },
  {
    name: "a null mapping key in a flow mapping",
    text: repos("  - {slug: a, path: /srv/a, : 1}\n"),
    expect: [["invalid-key", 3, 29, "mapping keys must be plain strings, got null"]],
  },
  {
    name: "merge key is not a roster key",
    text: repoA("    <<: {path: /srv/a}\n"),
    expect: [
      ["missing-path", 3, 5, "repo 'a' needs 'path'"],
      ["unknown-key", 4, 5, "unknown key '<<' in repos[0]"],
    ],
  },
  // --- slug ------------------------------------------------------------------
  {
    name: "slug missing",
    text: repos("  - domain: custodian\n    path: /srv/a\n"),
    expect: [["missing-key", 3, 5, "repos[0] is missing required key 'slug'"]],
  },
  {
    name: "slug with a space",
    text: slug("my repo"),
    expect: [["invalid-slug", 3, 11, `slug 'my repo' must match ${ROSTER_SLUG_PATTERN}`]],
  },
  {
    name: "slug starting with a dot",
    text: slug(".hidden"),
    expect: [["invalid-slug", 3, 11, "slug '.hidden' must match"]],
  },
  {
    name: "slug with a '..' part",
    text: slug("org/../etc"),
    expect: [["invalid-slug", 3, 11, "slug 'org/../etc' has an empty, '.' or '..' part"]],
  },
  {
    name: "slug with an empty part",
    text: slug("org//name"),
    expect: [["invalid-slug", 3, 11, "has an empty, '.' or '..' part"]],
  },
  {
    name: "slug a number (hint: quote it)",
    text: slug("2024"),
    expect: [["invalid-slug", 3, 11, "slug must be a string, got number 2024; quote it"]],
  },
  {
    name: "slug empty",
    text: slug('""'),
    expect: [["invalid-slug", 3, 11, "slug '' must match"]],
  },
  {
    name: "slug null",
    text: repos("  - slug:\n    path: /srv/x\n"),
    expect: [["invalid-slug", 3, 10, "slug must be a string, got null"]],
  },
  {
    name: "duplicate slug points at the second occurrence",
    text: repos(
      "  - slug: org/a\n    path: /srv/a\n  - slug: org/b\n    path: /srv/b\n" +
        "  - slug: org/a\n    path: /srv/c\n",
    ),
    expect: [["duplicate-slug", 7, 11, "duplicate slug 'org/a' (first listed at line 3)"]],
  },
  // --- domain ----------------------------------------------------------------
  {
    name: "domain a list",
    text: repoA("    domain: [a, b]\n    path: /srv/a\n"),
    expect: [["invalid-domain", 4, 13, "domain must be a non-empty string, got a list"]],
  },
  {
    name: "domain empty (null)",
    text: repoA("    domain:\n    path: /srv/a\n"),
    expect: [["invalid-domain", 4, 12, "got null; omit the key for no domain"]],
  },
  // --- path / host_paths -----------------------------------------------------
  {
    name: "neither path nor host_paths",
    text: repoA("    domain: custodian\n"),
    expect: [[
      "missing-path",
      3,
      5,
      "repo 'a' needs 'path' (the same checkout on every host) or 'host_paths' (hostname: path)",
    ]],
  },
  {
    name: "both path and host_paths points at the later key",
    text: repoA("    host_paths:\n      r1: /srv/a\n    path: /srv/a\n"),
    expect: [["path-and-host-paths", 6, 5, "repo 'a' has both 'path' and 'host_paths'"]],
  },
  {
    name: "path a number",
    text: repoA("    path: 42\n"),
    expect: [["path-not-string", 4, 11, "path must be a string, got number 42"]],
  },
  {
    name: "path null",
    text: repoA("    path:\n"),
    expect: [["path-not-string", 4, 10, "path must be a string, got null"]],
  },
  {
    name: "host_paths a list",
    text: repoA("    host_paths:\n      - /srv/a\n"),
    expect: [[
      "invalid-host-paths",
      5,
      7,
      "host_paths must be a non-empty mapping of hostname to path, got a list",
    ]],
  },
  {
    name: "host_paths empty {}",
    text: repoA("    host_paths: {}\n"),
    expect: [["invalid-host-paths", 4, 17, "got an empty mapping"]],
  },
  {
    name: "host_paths value a mapping",
    text: repoA("    host_paths:\n      r1:\n        path: /srv/a\n"),
    expect: [["path-not-string", 6, 9, "the path for host 'r1' must be a string, got a mapping"]],
  },
  {
    name: "host_paths with a hostname that is not one",
    text: repoA("    host_paths:\n      runner 1: /srv/a\n"),
    expect: [["invalid-host", 5, 7, "host 'runner 1' is not a hostname"]],
  },
  {
    name: "host_paths with __proto__ as a host",
    text: repoA("    host_paths:\n      __proto__: /srv/a\n"),
    expect: [["invalid-host", 5, 7, "host '__proto__' is not a hostname"]],
  },
  {
    name: "duplicate host in host_paths",
    text: repoA("    host_paths:\n      r1: /srv/a\n      r1: /srv/b\n"),
    expect: [["duplicate-key", 6, 7, "duplicate key 'r1'"]],
  },
  // --- flags -----------------------------------------------------------------
  {
    name: 'kaizen_schedule_enabled "yes" (hint: true without quotes)',
    text: repoA("    path: /srv/a\n    kaizen_schedule_enabled: yes\n"),
    expect: [[
      "invalid-enabled",
      5,
      30,
      "kaizen_schedule_enabled must be a boolean (true or false), got 'yes'; write true without quotes",
    ]],
  },
  {
    name: "kaizen_schedule_enabled a number",
    text: repoA("    path: /srv/a\n    kaizen_schedule_enabled: 1\n"),
    expect: [["invalid-enabled", 5, 30, "got number 1"]],
  },
  {
    name: "kaizen_schedule_updated_at a number",
    text: repoA("    path: /srv/a\n    kaizen_schedule_updated_at: 2026\n"),
    expect: [[
      "invalid-updated-at",
      5,
      33,
      "kaizen_schedule_updated_at must be a string (an ISO timestamp), got number 2026",
    ]],
  },
  // --- positions -------------------------------------------------------------
  {
    name: "CRLF line endings keep positions right",
    text: "version: 1\r\nrepos:\r\n  - slug: a b\r\n    path: /srv/a\r\n" +
      "  - slug: c\r\n    host_paths:\r\n      r1: 7\r\n",
    expect: [
      ["version-not-string", 1, 10, "quote it"],
      ["invalid-slug", 3, 11, "slug 'a b' must match"],
      ["path-not-string", 7, 11, "the path for host 'r1' must be a string, got number 7"],
    ],
  },
  {
    name: "flow style positions",
    text: 'version: "1"\nrepos: [{slug: a, path: /srv/a}, {slug: a, path: /srv/b}]\n',
    expect: [["duplicate-slug", 2, 41, "duplicate slug 'a' (first listed at line 2)"]],
  },
  {
    name: "multiple errors are all reported, in position order",
    text: [
      'versoin: "1"',
      "repos:",
      "  - slug: ok",
      "    path: /srv/ok",
      "  - slug: bad slug",
      "    domian: x",
      "  - slug: ok",
      "    path: /srv/again",
      "    host_paths:",
      "      r1: /srv/a",
      "  - path: /srv/noslug",
      '    kaizen_schedule_enabled: "false"',
      "",
    ].join("\n"),
    expect: [
      ["unknown-key", 1, 1, "unknown key 'versoin' (did you mean 'version'?)"],
      ["missing-key", 1, 1, "missing required key 'version'"],
      ["missing-path", 5, 5, "repos[1] needs 'path'"],
      ["invalid-slug", 5, 11, "slug 'bad slug' must match"],
      ["unknown-key", 6, 5, "unknown key 'domian' in repos[1] (did you mean 'domain'?)"],
      ["duplicate-slug", 7, 11, "duplicate slug 'ok' (first listed at line 3)"],
      ["path-and-host-paths", 9, 5, "repo 'ok' has both 'path' and 'host_paths'"],
      ["missing-key", 11, 5, "repos[3] is missing required key 'slug'"],
      ["invalid-enabled", 12, 30, "got 'false'; write false without quotes"],
    ],
  },
];

Deno.test("roster file: at least 20 rejection cases are tabled", () => {
  assert.ok(CASES.length >= 20, `only ${CASES.length} cases`);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, "case names are unique");
});

for (const c of CASES) {
  Deno.test(`roster file rejects: ${c.name}`, () => {
    const { entries, diagnostics } = parse(c.text);
    assert.equal(entries, undefined, "no entries for an invalid roster file");
    const got = diagnostics.map((d) => `${d.code} ${d.line}:${d.col} ${d.message}`);
    assert.equal(diagnostics.length, c.expect.length, `diagnostics:\n${got.join("\n")}`);
    c.expect.forEach(([code, line, col, message], i) => {
      const d = diagnostics[i];
      const where = `diagnostic ${i}: ${got[i]}`;
      assert.equal(d.code, code, where);
      assert.equal(d.severity, "error", where);
      assert.equal(`${d.line}:${d.col}`, `${line}:${col}`, where);
      assert.equal(d.file, FILE, where);
      if (typeof message === "string") assert.ok(d.message.includes(message), where);
      else assert.match(d.message, message, where);
    });
  });
}

Deno.test("roster file: every tabled code is a documented code, and most codes are tabled", () => {
  const known = new Set<string>(ROSTER_DIAGNOSTIC_CODES);
  const tabled = new Set(CASES.flatMap((c) => c.expect.map(([code]) => code)));
  for (const code of tabled) assert.ok(known.has(code), code);
  const untested = ROSTER_DIAGNOSTIC_CODES.filter((c) => !tabled.has(c));
  assert.deepEqual(untested, [], "every code has a rejection case");
});

// --- messages are one safe terminal line -----------------------------------

const CONTROL_INPUTS: [string, string][] = [
  ["unknown root key", '"\\e[31mred": 1\n' + VALID_ONE],
  ["unknown repo key", repoA('    path: /srv/a\n    "\\e[2J": 1\n')],
  ["slug", slug('"\\e]0;pwned\\a"')],
  ["duplicate slug", repos('  - slug: "a\\u202e"\n    path: /x\n  - slug: "a\\u202e"\n')],
  ["domain", repoA('    path: /srv/a\n    domain: ""\n')],
  ["host", repoA('    host_paths:\n      "\\e[2J": /srv/a\n')],
  ["enabled", repoA('    path: /srv/a\n    kaizen_schedule_enabled: "\\e[2J\\nx"\n')],
  ["version", 'version: "\\e[2J"\nrepos: []\n'],
  ["yaml syntax", 'version: "1"\nrepos: [\u001b[2J\n'],
];

for (const [where, text] of CONTROL_INPUTS) {
  Deno.test(`roster file messages escape control characters: ${where}`, () => {
    const { diagnostics } = parse(text);
    assert.ok(diagnostics.length > 0);
    for (const d of diagnostics) {
      assert.doesNotMatch(
        d.message,
        // deno-lint-ignore no-control-regex -- looking for raw control characters
        /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/,
        JSON.stringify(d.message),
      );
    }
  });
}

// --- accepted roster files ---------------------------------------------------

const EXAMPLE = `# The fleet, for hosts without a state hub.
version: "1"
repos:
  - slug: kaizen-agentic          # org/name is allowed too
    domain: custodian
    path: /srv/checkouts/kaizen
  - slug: the-custodian
    host_paths:
      runner-1: /srv/custodian
      runner-2.example.org: /home/ci/custodian
    kaizen_schedule_enabled: true
  - slug: acme/billing
    path: relative/is/the/resolver's/business
    kaizen_schedule_enabled: false
    kaizen_schedule_updated_at: "2026-11-01T08:00:00Z"
`;

Deno.test("roster file accepts both path forms and yields entries exactly", () => {
  const { entries, diagnostics } = parse(EXAMPLE);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    entries,
    [
      { slug: "kaizen-agentic", domain: "custodian", host_paths: { "*": "/srv/checkouts/kaizen" } },
      {
        slug: "the-custodian",
        domain: null,
        host_paths: { "runner-1": "/srv/custodian", "runner-2.example.org": "/home/ci/custodian" },
        kaizen_schedule_enabled: true,
      },
      {
        slug: "acme/billing",
        domain: null,
        host_paths: { "*": "relative/is/the/resolver's/business" },
        kaizen_schedule_enabled: false,
        kaizen_schedule_updated_at: "2026-11-01T08:00:00Z",
      },
    ] satisfies RosterEntry[],
  );
});

Deno.test("roster file: entries carry no optional keys the file does not set", () => {
  const { entries } = parse(VALID_ONE);
  assert.deepEqual(Object.keys(entries![0]), ["slug", "domain", "host_paths"]);
});

Deno.test("roster file accepts '*' in host_paths next to named hosts", () => {
  const { entries, diagnostics } = parse(
    repoA('    host_paths:\n      "*": /srv/a\n      runner-1: /data/a\n'),
  );
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(entries![0].host_paths, { "*": "/srv/a", "runner-1": "/data/a" });
});

Deno.test("roster file accepts flow style, anchors shared between repos, and CRLF", () => {
  const text =
    'version: "1"\r\nrepos:\r\n  - slug: a\r\n    host_paths: &h {r1: /srv/x, r2: /srv/y}\r\n' +
    "  - {slug: b, host_paths: *h, domain: d}\r\n";
  const { entries, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(entries, [
    { slug: "a", domain: null, host_paths: { r1: "/srv/x", r2: "/srv/y" } },
    { slug: "b", domain: "d", host_paths: { r1: "/srv/x", r2: "/srv/y" } },
  ]);
});

Deno.test("roster file accepts exactly 4 MiB and a byte-order mark", () => {
  let text = "\uFEFF" + VALID_ONE + "#";
  text += "x".repeat(MAX_ROSTER_BYTES - bytes(text) - 1) + "\n";
  assert.equal(bytes(text), MAX_ROSTER_BYTES);
  const { entries, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  assert.equal(entries!.length, 1);
});

Deno.test("roster file reads 10,000 repos", () => {
  const lines = ['version: "1"', "repos:"];
  for (let i = 0; i < 10_000; i++) {
    lines.push(`  - slug: org/repo-${i}`, `    domain: d${i % 7}`);
    if (i % 2) lines.push(`    path: /srv/r${i}`);
    else lines.push("    host_paths:", `      runner-1: /srv/r${i}`, `      runner-2: /data/r${i}`);
  }
  const { entries, diagnostics } = parse(lines.join("\n") + "\n");
  assert.deepEqual(diagnostics, []);
  assert.equal(entries!.length, 10_000);
  assert.deepEqual(entries![9_999], {
    slug: "org/repo-9999",
    domain: "d3",
    host_paths: { "*": "/srv/r9999" },
  });
});

Deno.test("roster file diagnostics carry the path of the offending node", () => {
  const { diagnostics } = parse(repoA("    host_paths:\n      r1: [x]\n"));
  assert.deepEqual(diagnostics[0].path, ["repos", 0, "host_paths", "r1"]);
});

Deno.test("roster file diagnostics have no file when none is given", () => {
  const { diagnostics } = parseRosterFile("version: 1\n");
  assert.ok(diagnostics.length > 0);
  for (const d of diagnostics) assert.equal(Object.hasOwn(d, "file"), false);
});

Deno.test("roster file version constant is the string the format documents", () => {
  assert.equal(ROSTER_FILE_VERSION, "1");
  assert.equal(MAX_ROSTER_BYTES, 4 * 1024 * 1024);
});

// --- fuzz --------------------------------------------------------------------

/** mulberry32: small, fast and seedable, so a failure replays with ROSTER_FUZZ_SEED. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters that mean something to YAML or to us, plus a few harmless ones.
const ALPHABET = [
  ..." :-\n\t\r\"'#&*!|>[]{},?%@`\\/.~_",
  "a",
  "Z",
  "0",
  "1",
  "é",
  "\u202e",
  "\u0000",
  "\uFEFF",
  "true",
  "null",
  "*h",
  "&h ",
  "<<: ",
  "  ",
  "    ",
  "- ",
  "path: /x",
  "host_paths:",
  "slug: a",
  '"1"',
  "---\n",
];

const SEED_TEXT = EXAMPLE +
  "  - slug: z\n    host_paths: &h {r1: /a}\n  - {slug: y, host_paths: *h}\n";

function mutate(text: string, r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  let out = text;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const lines = out.split("\n");
    const i = Math.floor(r() * (out.length + 1));
    const li = Math.floor(r() * lines.length);
    switch (Math.floor(r() * 8)) {
      case 0: // insert a token
        out = out.slice(0, i) + pick(ALPHABET) + out.slice(i);
        break;
      case 1: // delete a short run
        out = out.slice(0, i) + out.slice(i + 1 + Math.floor(r() * 6));
        break;
      case 2: // replace one character
        out = out.slice(0, i) + pick(ALPHABET) + out.slice(i + 1);
        break;
      case 3: // duplicate a line (duplicate keys and slugs)
        lines.splice(li, 0, lines[li]);
        out = lines.join("\n");
        break;
      case 4: // drop a line
        lines.splice(li, 1);
        out = lines.join("\n");
        break;
      case 5: // change indentation
        lines[li] = r() < 0.5 ? "  " + lines[li] : lines[li].replace(/^ {1,2}/, "");
        out = lines.join("\n");
        break;
      case 6: // swap two lines
        {
          const lj = Math.floor(r() * lines.length);
          [lines[li], lines[lj]] = [lines[lj], lines[li]];
          out = lines.join("\n");
        }
        break;
      default: // CRLF
        out = out.replace(/\n/g, "\r\n");
    }
  }
  return out;
}

Deno.test("roster file fuzz: mutations never throw and yield entries or an error", () => {
  const seed = Number(Deno.env.get("ROSTER_FUZZ_SEED") ?? 20261122);
  const r = rng(seed);
  const known = new Set<string>(ROSTER_DIAGNOSTIC_CODES);
  const slugRe = new RegExp(ROSTER_SLUG_PATTERN);
  let accepted = 0;
  for (let iter = 0; iter < 4000; iter++) {
    const text = mutate(SEED_TEXT, r);
    const ctx = `seed ${seed}, iteration ${iter}: ${JSON.stringify(text)}`;
    let result;
    try {
      result = parseRosterFile(text, FILE);
    } catch (e) {
      assert.fail(`threw ${e}\n${ctx}`);
    }
    const { entries, diagnostics } = result;
    const errors = diagnostics.filter((d) => d.severity === "error");
    for (const d of diagnostics) {
      assert.ok(known.has(d.code), `unknown code ${d.code}\n${ctx}`);
      assert.ok(d.line >= 1 && d.col >= 1, ctx);
      assert.equal(d.file, FILE, ctx);
      // deno-lint-ignore no-control-regex -- looking for raw control characters
      assert.doesNotMatch(d.message, /[\u0000-\u001f\u007f-\u009f]/, ctx);
    }
    for (let k = 1; k < diagnostics.length; k++) {
      const [a, b] = [diagnostics[k - 1], diagnostics[k]];
      assert.ok(a.line < b.line || (a.line === b.line && a.col <= b.col), `unsorted\n${ctx}`);
    }
    if (entries === undefined) {
      assert.ok(errors.length > 0, `neither entries nor an error\n${ctx}`);
      continue;
    }
    accepted++;
    assert.equal(errors.length, 0, ctx);
    assert.ok(entries.length > 0, ctx);
    // An independent reading of the same text agrees with the entries.
    const plain = parseYaml(text) as { repos: Record<string, unknown>[] };
    assert.equal(entries.length, plain.repos.length, ctx);
    entries.forEach((e, i) => {
      const raw = plain.repos[i];
      assert.ok(slugRe.test(e.slug), ctx);
      assert.equal(e.slug, raw.slug, ctx);
      assert.equal(e.domain, raw.domain ?? null, ctx);
      assert.deepEqual(
        e.host_paths,
        raw.path !== undefined ? { "*": raw.path } : { ...raw.host_paths as object },
        ctx,
      );
      assert.equal(new Set(entries.map((x) => x.slug)).size, entries.length, ctx);
    });
  }
  // The mutations are small, so a fair share must still be valid, or the
  // fuzz test would only ever exercise the rejection paths.
  assert.ok(accepted > 100, `only ${accepted} of 4000 mutations were accepted`);
});
