/**
 * `parseSchedule`: every rule of the manifest, each case asserting the
 * diagnostic code, a distinctive part of the message and the exact 1-based
 * line and column.
 */
import assert from "node:assert/strict";
import { parseSchedule } from "../core/manifest/parse.ts";

const KNOWN = ["coach", "optimization", "tdd-workflow"];
const FILE = "schedule.yml";

function parse(text: string) {
  return parseSchedule(text, FILE, { knownAgents: KNOWN });
}

/** `version` + `agents` with one `coach` agent whose body is `body` (4-space indented lines). */
function coach(body: string): string {
  return `version: "1"\nagents:\n  coach:\n${body}`;
}

/** A daily coach with `cron: <value>` on line 5; the value starts at column 11. */
function cron(value: string): string {
  return coach(`    cadence: daily\n    cron: ${value}\n`);
}

/** `version: "1"` plus `rest`, then a valid coach. */
function root(rest: string): string {
  return `version: "1"\n${rest}agents:\n  coach:\n    cadence: weekly\n`;
}

/** [code, line, col, distinctive message part] */
type Expected = [code: string, line: number, col: number, message: string | RegExp];

interface Case {
  name: string;
  text: string;
  /** Every diagnostic, in the order reported. */
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
  "agents:",
  "  coach:",
  "    cadence: weekly",
  "",
].join("\n");

const MANY_ALIASES = `x: &a 1\ny: [${Array(51).fill("*a").join(", ")}]\n` +
  'version: "1"\nagents:\n  coach:\n    cadence: weekly\n';

const OVERSIZED = root("") + "#" + "x".repeat(256 * 1024) + "\n";
const OVERSIZED_MULTIBYTE = root("") + "# " + "é".repeat(140 * 1024) + "\n";
const bytes = (s: string) => new TextEncoder().encode(s).length;

const CASES: Case[] = [
  // --- version -----------------------------------------------------------
  {
    name: "version missing",
    text: "agents:\n  coach:\n    cadence: weekly\n",
    expect: [["missing-key", 1, 1, `missing required key 'version' (add: version: "1")`]],
  },
  {
    name: "version as integer 1 (hint: quote it)",
    text: "version: 1\nagents:\n  coach:\n    cadence: weekly\n",
    expect: [["version-not-string", 1, 10, `not the number 1; quote it: version: "1"`]],
  },
  {
    name: 'version "2"',
    text: 'version: "2"\nagents:\n  coach:\n    cadence: weekly\n',
    expect: [["unsupported-version", 1, 10, `version must be "1", got '2'`]],
  },
  {
    name: "version as a list",
    text: "version: [1]\nagents:\n  coach:\n    cadence: weekly\n",
    expect: [["unsupported-version", 1, 10, `version must be "1", got a list`]],
  },
  {
    name: "version empty (null)",
    text: "version:\nagents:\n  coach:\n    cadence: weekly\n",
    expect: [["unsupported-version", 1, 9, "got null"]],
  },
  // --- unknown keys ------------------------------------------------------
  {
    name: "unknown root key with suggestion (timezon → timezone)",
    text: root("timezon: UTC\n"),
    expect: [["unknown-key", 2, 1, "unknown key 'timezon' (did you mean 'timezone'?)"]],
  },
  {
    name: "unknown root key without suggestion",
    text: root("owner: me\n"),
    expect: [["unknown-key", 2, 1, "unknown key 'owner'; allowed: version, timezone, agents"]],
  },
  {
    name: "unknown agent key cadance → cadence (cadence then also missing)",
    text: coach("    cadance: weekly\n"),
    expect: [
      ["missing-key", 3, 3, "agent 'coach' is missing required key 'cadence'"],
      ["unknown-key", 4, 5, "unknown key 'cadance' in agent 'coach' (did you mean 'cadence'?)"],
    ],
  },
  {
    name: "unknown agent key enabeld → enabled",
    text: coach("    cadence: weekly\n    enabeld: true\n"),
    expect: [[
      "unknown-key",
      5,
      5,
      "unknown key 'enabeld' in agent 'coach' (did you mean 'enabled'?)",
    ]],
  },
  {
    name: "unknown agent key without suggestion",
    text: coach("    cadence: weekly\n    priority: high\n"),
    expect: [[
      "unknown-key",
      5,
      5,
      "unknown key 'priority' in agent 'coach'; allowed: cadence, cron, enabled",
    ]],
  },
  {
    name: "merge key is not a manifest key",
    text: coach("    <<: {cadence: weekly}\n"),
    expect: [
      ["missing-key", 3, 3, "missing required key 'cadence'"],
      ["unknown-key", 4, 5, "unknown key '<<' in agent 'coach'"],
    ],
  },
  // --- agents ------------------------------------------------------------
  {
    name: "agents missing",
    text: 'version: "1"\ntimezone: UTC\n',
    expect: [["missing-key", 1, 1, "missing required key 'agents'"]],
  },
  {
    name: "agents empty {}",
    text: 'version: "1"\nagents: {}\n',
    expect: [["agents-empty", 2, 9, "agents is empty; list at least one agent"]],
  },
  {
    name: "agents a list",
    text: 'version: "1"\nagents:\n  - coach\n',
    expect: [[
      "agents-not-mapping",
      3,
      3,
      "agents must be a mapping of agent name to schedule, got a list",
    ]],
  },
  {
    name: "agents a scalar",
    text: 'version: "1"\nagents: coach\n',
    expect: [["agents-not-mapping", 2, 9, "got 'coach'"]],
  },
  {
    name: "agents null (nothing after the colon)",
    text: 'version: "1"\nagents:\n',
    expect: [["agents-not-mapping", 2, 8, "got null"]],
  },
  {
    name: "agents null (~)",
    text: 'version: "1"\nagents: ~\n',
    expect: [["agents-not-mapping", 2, 9, "got null"]],
  },
  {
    name: "duplicate agent key points at the second one",
    text: coach("    cadence: weekly\n  coach:\n    cadence: daily\n"),
    expect: [["duplicate-key", 5, 3, "duplicate key 'coach'"]],
  },
  {
    name: "duplicate agent key in a flow mapping",
    text: 'version: "1"\nagents: {coach: {cadence: weekly}, coach: {cadence: daily}}\n',
    expect: [["duplicate-key", 2, 36, "duplicate key 'coach'"]],
  },
  {
    name: "duplicate root key",
    text: root("") + 'version: "1"\n',
    expect: [["duplicate-key", 5, 1, "duplicate key 'version'"]],
  },
  {
    name: "duplicate key inside an agent",
    text: coach("    cadence: weekly\n    cadence: daily\n"),
    expect: [["duplicate-key", 5, 5, "duplicate key 'cadence'"]],
  },
  {
    name: "agent with no settings",
    text: 'version: "1"\nagents:\n  coach:\n',
    expect: [[
      "agent-not-mapping",
      3,
      3,
      "agent 'coach' has no settings; it needs at least 'cadence'",
    ]],
  },
  {
    name: "agent settings a scalar",
    text: 'version: "1"\nagents:\n  coach: weekly\n',
    expect: [[
      "agent-not-mapping",
      3,
      10,
      "agent 'coach' must be a mapping with cadence/cron/enabled, got 'weekly'",
    ]],
  },
  {
    name: "agent key a collection",
    text: 'version: "1"\nagents:\n  ? [a, b]\n  : cadence: weekly\n',
    expect: [["invalid-key", 3, 5, "mapping keys must be plain strings, got a list"]],
  },
  {
    name: "agent key null",
    text: 'version: "1"\nagents:\n  ~:\n    cadence: weekly\n',
    expect: [["invalid-key", 3, 3, "mapping keys must be plain strings, got null"]],
  },
  // --- cadence -----------------------------------------------------------
  {
    name: "cadence missing",
    text: coach("    enabled: true\n"),
    expect: [[
      "missing-key",
      3,
      3,
      "agent 'coach' is missing required key 'cadence' (daily, weekly, monthly)",
    ]],
  },
  {
    name: "cadence hourly (hint: daily + cron)",
    text: coach("    cadence: hourly\n"),
    expect: [[
      "invalid-cadence",
      4,
      14,
      `got 'hourly'; for hourly runs use cadence: daily with cron: "0 * * * *"`,
    ]],
  },
  {
    name: "cadence Weekly (case)",
    text: coach("    cadence: Weekly\n"),
    expect: [["invalid-cadence", 4, 14, "got 'Weekly' (did you mean 'weekly'?)"]],
  },
  {
    name: "cadence a number",
    text: coach("    cadence: 7\n"),
    expect: [[
      "invalid-cadence",
      4,
      14,
      "cadence must be one of daily, weekly, monthly, got number 7",
    ]],
  },
  {
    name: "cadence empty",
    text: coach("    cadence:\n"),
    expect: [["invalid-cadence", 4, 13, "got null"]],
  },
  // --- cron --------------------------------------------------------------
  {
    name: "cron with 4 fields",
    text: cron('"0 9 * *"'),
    expect: [[
      "invalid-cron",
      5,
      11,
      "cron must have exactly 5 fields (minute hour day-of-month month day-of-week), got 4 (in '0 9 * *')",
    ]],
  },
  {
    name: "cron with 6 fields",
    text: cron('"0 0 9 * * 1"'),
    expect: [["invalid-cron", 5, 11, "got 6 (a seconds or year field is not allowed)"]],
  },
  {
    name: "cron @reboot",
    text: cron('"@reboot"'),
    expect: [["invalid-cron", 5, 11, "cron '@reboot' is not supported"]],
  },
  {
    name: "cron @daily suggests the 5-field form",
    text: cron('"@daily"'),
    expect: [[
      "invalid-cron",
      5,
      11,
      `cron nickname '@daily' is not portable; write the 5 fields instead: "0 0 * * *"`,
    ]],
  },
  {
    name: "cron with CRON_TZ= prefix",
    text: cron('"CRON_TZ=Europe/Berlin 0 9 * * 1"'),
    expect: [[
      "invalid-cron",
      5,
      11,
      "cron must not carry a CRON_TZ= prefix; set the manifest's 'timezone' instead",
    ]],
  },
  {
    name: "cron with TZ= prefix",
    text: cron('"TZ=UTC 0 9 * * 1"'),
    expect: [["invalid-cron", 5, 11, "cron must not carry a TZ= prefix"]],
  },
  {
    name: "cron minute 60",
    text: cron('"60 9 * * *"'),
    expect: [[
      "invalid-cron",
      5,
      12,
      "cron minute value 60 is out of range 0-59 (in '60 9 * * *')",
    ]],
  },
  {
    name: "cron hour 24",
    text: cron('"0 24 * * *"'),
    expect: [["invalid-cron", 5, 14, "cron hour value 24 is out of range 0-23"]],
  },
  {
    name: "cron day-of-month 0",
    text: cron('"0 9 0 * *"'),
    expect: [["invalid-cron", 5, 16, "cron day-of-month value 0 is out of range 1-31"]],
  },
  {
    name: "cron day-of-month 32",
    text: cron('"0 9 32 * *"'),
    expect: [["invalid-cron", 5, 16, "cron day-of-month value 32 is out of range 1-31"]],
  },
  {
    name: "cron month 13",
    text: cron('"0 9 * 13 *"'),
    expect: [["invalid-cron", 5, 18, "cron month value 13 is out of range 1-12"]],
  },
  {
    name: "cron day-of-week 8",
    text: cron('"0 9 * * 8"'),
    expect: [["invalid-cron", 5, 20, "cron day-of-week value 8 is out of range 0-7"]],
  },
  {
    name: "cron backwards range",
    text: cron('"0 17-9 * * *"'),
    expect: [["invalid-cron", 5, 14, "cron hour range '17-9' runs backwards"]],
  },
  {
    name: "cron step 0",
    text: cron('"*/0 * * * *"'),
    expect: [["invalid-cron", 5, 12, "cron minute step must not be 0"]],
  },
  {
    name: "cron L extension",
    text: cron('"0 9 L * *"'),
    expect: [[
      "invalid-cron",
      5,
      16,
      "cron day-of-month field 'L' uses a non-portable extension (L, W, # or ?)",
    ]],
  },
  {
    name: "cron # extension",
    text: cron('"0 9 * * 1#2"'),
    expect: [["invalid-cron", 5, 20, "cron day-of-week field '1#2' uses a non-portable extension"]],
  },
  {
    name: "cron an unquoted number",
    text: cron("5"),
    expect: [["invalid-cron", 5, 11, "cron must be a quoted string of 5 fields, got number 5"]],
  },
  {
    name: "cron empty string",
    text: cron('""'),
    expect: [["invalid-cron", 5, 11, "cron is empty; expected 5 fields"]],
  },
  {
    name: "cron a name in the wrong field",
    text: cron('"0 9 * MON *"'),
    expect: [["invalid-cron", 5, 18, "cron month field 'MON' is not a number, name, range or '*'"]],
  },
  // --- timezone ----------------------------------------------------------
  {
    name: "timezone not an IANA zone",
    text: root("timezone: Mars/Base\n"),
    expect: [["invalid-timezone", 2, 11, "timezone 'Mars/Base' is not an IANA time zone"]],
  },
  {
    name: "timezone an offset +01:00",
    text: root("timezone: +01:00\n"),
    expect: [["invalid-timezone", 2, 11, "timezone '+01:00' is not an IANA time zone"]],
  },
  {
    name: "timezone a number",
    text: root("timezone: 1\n"),
    expect: [[
      "invalid-timezone",
      2,
      11,
      "timezone must be a string naming an IANA zone (e.g. Europe/Berlin), got number 1",
    ]],
  },
  {
    name: "timezone null",
    text: root("timezone: ~\n"),
    expect: [["invalid-timezone", 2, 11, "got null"]],
  },
  // --- enabled -----------------------------------------------------------
  {
    name: 'enabled "yes" (quoted)',
    text: coach('    cadence: weekly\n    enabled: "yes"\n'),
    expect: [[
      "invalid-enabled",
      5,
      14,
      "enabled must be a boolean (true or false), got 'yes'; write true without quotes",
    ]],
  },
  {
    name: "enabled yes (plain; YAML 1.2 reads a string)",
    text: coach("    cadence: weekly\n    enabled: yes\n"),
    expect: [["invalid-enabled", 5, 14, "got 'yes'; write true without quotes"]],
  },
  {
    name: 'enabled "true" (quoted)',
    text: coach('    cadence: weekly\n    enabled: "true"\n'),
    expect: [["invalid-enabled", 5, 14, "got 'true'; write true without quotes"]],
  },
  {
    name: "enabled off",
    text: coach("    cadence: weekly\n    enabled: off\n"),
    expect: [["invalid-enabled", 5, 14, "got 'off'; write false without quotes"]],
  },
  {
    name: "enabled 1",
    text: coach("    cadence: weekly\n    enabled: 1\n"),
    expect: [["invalid-enabled", 5, 14, "enabled must be a boolean (true or false), got number 1"]],
  },
  // --- agent names -------------------------------------------------------
  {
    name: "agent name ../x",
    text: 'version: "1"\nagents:\n  ../x:\n    cadence: weekly\n',
    expect: [["invalid-agent-name", 3, 3, "agent name '../x' must match ^[a-z0-9][a-z0-9-]*$"]],
  },
  {
    name: "agent name Coach",
    text: 'version: "1"\nagents:\n  Coach:\n    cadence: weekly\n',
    expect: [["invalid-agent-name", 3, 3, "agent name 'Coach' must match"]],
  },
  {
    name: "agent name -x",
    text: 'version: "1"\nagents:\n  "-x":\n    cadence: weekly\n',
    expect: [["invalid-agent-name", 3, 3, "agent name '-x' must match"]],
  },
  {
    name: "agent name a_b",
    text: 'version: "1"\nagents:\n  a_b:\n    cadence: weekly\n',
    expect: [[
      "invalid-agent-name",
      3,
      3,
      "agent name 'a_b' must match ^[a-z0-9][a-z0-9-]*$ (lowercase letters, digits, '-')",
    ]],
  },
  {
    name: "agent name control characters are escaped",
    text: 'version: "1"\nagents:\n  "\\e[2J":\n    cadence: weekly\n',
    expect: [["invalid-agent-name", 3, 3, "agent name '\\u001b[2J' must match"]],
  },
  {
    name: "unknown but well-formed agent lists the known agents",
    text: 'version: "1"\nagents:\n  zz:\n    cadence: weekly\n',
    expect: [[
      "unknown-agent",
      3,
      3,
      "agent 'zz' is neither installed nor packaged; known agents: coach, optimization, tdd-workflow",
    ]],
  },
  {
    name: "unknown agent one edit away gets a suggestion",
    text: 'version: "1"\nagents:\n  coac:\n    cadence: weekly\n',
    expect: [[
      "unknown-agent",
      3,
      3,
      "agent 'coac' is neither installed nor packaged (did you mean 'coach'?)",
    ]],
  },
  // --- syntax ------------------------------------------------------------
  {
    name: "syntax: unclosed flow sequence",
    text: 'version: "1"\nagents: [coach\n',
    expect: [[
      "yaml-syntax",
      3,
      1,
      "YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]],
  },
  {
    name: "syntax: bad indentation",
    text: coach("    cadence: weekly\n   enabled: true\n"),
    expect: [[
      "yaml-syntax",
      5,
      1,
      "YAML syntax error: All mapping items must start at the same column",
    ]],
  },
  {
    name: "syntax: tab indentation (each line reported)",
    text: 'version: "1"\nagents:\n\tcoach:\n\t\tcadence: weekly\n',
    expect: [
      ["yaml-syntax", 3, 1, "YAML syntax error: Tabs are not allowed as indentation"],
      ["yaml-syntax", 4, 1, "Tabs are not allowed as indentation"],
    ],
  },
  {
    name: "syntax: two documents",
    text: root("") + "---\nfoo: 1\n",
    expect: [["yaml-syntax", 5, 1, "Source contains multiple documents"]],
  },
  // --- whole file --------------------------------------------------------
  {
    name: "empty file",
    text: "",
    expect: [["empty", 1, 1, "manifest is empty; it needs at least 'version' and 'agents'"]],
  },
  {
    name: "whitespace-only file",
    text: "  \n\n\t\n",
    expect: [["empty", 1, 1, "manifest is empty"]],
  },
  {
    name: "comments-only file",
    text: "# just a comment\n\n   # another\n",
    expect: [["empty", 1, 1, "manifest is empty"]],
  },
  {
    name: "document marker only",
    text: "---\n",
    expect: [["root-not-mapping", 1, 4, "manifest root must be a mapping, got null"]],
  },
  {
    name: "root a list",
    text: '- version: "1"\n- agents: {}\n',
    expect: [["root-not-mapping", 1, 1, "manifest root must be a mapping, got a list"]],
  },
  {
    name: "root a scalar",
    text: "hello\n",
    expect: [["root-not-mapping", 1, 1, "manifest root must be a mapping, got a string"]],
  },
  {
    name: "root a number",
    text: "42\n",
    expect: [["root-not-mapping", 1, 1, "got a number"]],
  },
  {
    name: "alias bomb (billion laughs)",
    text: BILLION_LAUGHS,
    expect: [["too-many-aliases", 2, 8, "alias expansion exceeds the limit (possible alias bomb)"]],
  },
  {
    name: "alias without an anchor",
    text: 'version: "1"\nagents:\n  coach: *weekly\n',
    expect: [["yaml-syntax", 3, 10, "YAML syntax error: alias '*weekly' has no anchor '&weekly'"]],
  },
  {
    name: "more than 50 aliases",
    text: MANY_ALIASES,
    expect: [["too-many-aliases", 2, 5, "manifest uses 51 aliases; at most 50 are allowed"]],
  },
  {
    name: "file over 256 KiB",
    text: OVERSIZED,
    expect: [[
      "too-large",
      1,
      1,
      `manifest is ${bytes(OVERSIZED)} bytes; the limit is 262144 (256 KiB)`,
    ]],
  },
  {
    name: "file over 256 KiB in bytes though not in characters",
    text: OVERSIZED_MULTIBYTE,
    expect: [["too-large", 1, 1, `manifest is ${bytes(OVERSIZED_MULTIBYTE)} bytes`]],
  },
  {
    name: "CRLF line endings keep positions right",
    text: "version: 1\r\nagents:\r\n  coach:\r\n    cadence: hourly\r\n",
    expect: [
      ["version-not-string", 1, 10, "quote it"],
      ["invalid-cadence", 4, 14, "got 'hourly'"],
    ],
  },
  {
    name: "multiple errors are all reported, in line order",
    text: [
      'versoin: "1"',
      "timezone: Mars/Base",
      "agents:",
      "  coach:",
      "    cadence: hourly",
      '    cron: "61 * * * *"',
      "  Bad_Name:",
      "    cadence: daily",
      "  tdd-workflow:",
      '    enabled: "no"',
      "",
    ].join("\n"),
    expect: [
      ["unknown-key", 1, 1, "unknown key 'versoin' (did you mean 'version'?)"],
      ["missing-key", 1, 1, "missing required key 'version'"],
      ["invalid-timezone", 2, 11, "timezone 'Mars/Base'"],
      ["invalid-cadence", 5, 14, "got 'hourly'"],
      ["invalid-cron", 6, 12, "cron minute value 61 is out of range 0-59"],
      ["invalid-agent-name", 7, 3, "agent name 'Bad_Name'"],
      ["missing-key", 9, 3, "agent 'tdd-workflow' is missing required key 'cadence'"],
      ["invalid-enabled", 10, 14, "got 'no'; write false without quotes"],
    ],
  },
  {
    name: "a duplicate key hides nothing: every problem in one pass",
    text: [
      'version: "1"',
      "owner: me",
      "agents:",
      "  coach:",
      "    cadence: weekly",
      "  Coach:",
      "    cadence: daily",
      "  coach:",
      "    cadence: daily",
      "",
    ].join("\n"),
    expect: [
      ["unknown-key", 2, 1, "unknown key 'owner'; allowed: version, timezone, agents"],
      ["invalid-agent-name", 6, 3, "agent name 'Coach' must match"],
      ["duplicate-key", 8, 3, "duplicate key 'coach'"],
    ],
  },
  {
    name: "problems inside a repeated key are reported too",
    text: coach("    cadence: weekly\n  coach:\n    cadense: daily\n"),
    expect: [
      ["duplicate-key", 5, 3, "duplicate key 'coach'"],
      ["missing-key", 5, 3, "agent 'coach' is missing required key 'cadence'"],
      ["unknown-key", 6, 5, "unknown key 'cadense' in agent 'coach' (did you mean 'cadence'?)"],
    ],
  },
];

Deno.test("manifest: at least 45 rejection cases are tabled", () => {
  assert.ok(CASES.length >= 45, `only ${CASES.length} cases`);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, "case names are unique");
});

for (const c of CASES) {
  Deno.test(`manifest rejects: ${c.name}`, () => {
    const { schedule, diagnostics } = parse(c.text);
    assert.equal(schedule, undefined, "no schedule for an invalid manifest");
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

// --- messages are one safe terminal line ---------------------------------

const CONTROL_INPUTS: [string, string][] = [
  ["unknown root key", root('"\\e[31mred": 1\n')],
  ["timezone", root('timezone: "\\e]0;pwned\\a"\n')],
  ["agent name", 'version: "1"\nagents:\n  "\\e[2J":\n    cadence: weekly\n'],
  ["agent key", coach('    cadence: weekly\n    "\\e[2J": 1\n')],
  ["cadence", coach('    cadence: "\\e[2Jweekly"\n')],
  ["cron", cron('"\\e[2J 9 * * *"')],
  ["enabled", coach('    cadence: weekly\n    enabled: "\\e[2J"\n')],
  ["version", 'version: "\\e[2J"\nagents:\n  coach:\n    cadence: weekly\n'],
];

for (const [where, text] of CONTROL_INPUTS) {
  Deno.test(`manifest messages escape control characters: ${where}`, () => {
    const { diagnostics } = parse(text);
    assert.ok(diagnostics.length > 0);
    for (const d of diagnostics) {
      // deno-lint-ignore no-control-regex -- looking for raw control characters
      assert.doesNotMatch(d.message, /[\u0000-\u001f\u007f-\u009f]/, JSON.stringify(d.message));
    }
  });
}

// --- accepted manifests --------------------------------------------------

const ADR_EXAMPLE = `version: "1"
timezone: Europe/Berlin
agents:
  coach:
    cadence: weekly
    cron: "0 9 * * 1"   # optional override; default from ActivityDefinition
    enabled: true
  optimization:
    cadence: weekly
    cron: "0 10 * * 1"
    enabled: true
  tdd-workflow:
    cadence: monthly
    enabled: false
`;

Deno.test("manifest accepts the ADR-005 example", () => {
  const { schedule, diagnostics } = parse(ADR_EXAMPLE);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(schedule, {
    version: "1",
    timezone: "Europe/Berlin",
    agents: {
      coach: { cadence: "weekly", cron: "0 9 * * 1", enabled: true },
      optimization: { cadence: "weekly", cron: "0 10 * * 1", enabled: true },
      "tdd-workflow": { cadence: "monthly", enabled: false },
    },
  });
});

Deno.test("manifest accepts the shipped examples/pilot manifest", async () => {
  const text = await Deno.readTextFile(
    new URL("../examples/pilot/.kaizen/schedule.yml", import.meta.url),
  );
  const { schedule, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(Object.keys(schedule!.agents), ["coach", "optimization", "tdd-workflow"]);
});

Deno.test("manifest accepts a minimal manifest; enabled defaults to true", () => {
  const { schedule, diagnostics } = parse('version: "1"\nagents:\n  coach:\n    cadence: weekly\n');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(schedule, {
    version: "1",
    agents: { coach: { cadence: "weekly", enabled: true } },
  });
});

Deno.test("manifest without timezone yields a schedule without a timezone key", () => {
  const { schedule } = parse('version: "1"\nagents:\n  coach:\n    cadence: daily\n');
  assert.ok(schedule);
  assert.equal(Object.hasOwn(schedule, "timezone"), false);
});

Deno.test("manifest normalises whitespace inside cron", () => {
  const { schedule, diagnostics } = parse(cron('"  0   9 *\t*  1  "'));
  assert.deepEqual(diagnostics, []);
  assert.equal(schedule!.agents.coach.cron, "0 9 * * 1");
});

Deno.test("manifest accepts cron names (MON-FRI, JAN, lowercase) and day-of-week 7", () => {
  for (
    const expr of ["0 9 * JAN MON-FRI", "0 9 * jan,jul mon-fri", "0 9 * * 7", "*/15 9-17 1,15 * *"]
  ) {
    const { schedule, diagnostics } = parse(cron(`"${expr}"`));
    assert.deepEqual(diagnostics, [], expr);
    assert.equal(schedule!.agents.coach.cron, expr, expr);
  }
});

Deno.test("manifest without knownAgents accepts any well-formed agent name", () => {
  const text =
    'version: "1"\nagents:\n  zz:\n    cadence: weekly\n  my-agent-2:\n    cadence: daily\n';
  const { schedule, diagnostics } = parseSchedule(text, FILE);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(Object.keys(schedule!.agents), ["zz", "my-agent-2"]);
  // ...but the name shape is still enforced.
  const bad = parseSchedule('version: "1"\nagents:\n  ../x:\n    cadence: weekly\n', FILE);
  assert.equal(bad.diagnostics[0].code, "invalid-agent-name");
});

Deno.test("manifest accepts a few anchors and aliases", () => {
  const text = 'version: "1"\nagents:\n  coach: &w\n    cadence: weekly\n  optimization: *w\n';
  const { schedule, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(schedule!.agents.optimization, { cadence: "weekly", enabled: true });
});

Deno.test("manifest accepts exactly 256 KiB and a byte-order mark", () => {
  let text = '\uFEFFversion: "1"\nagents:\n  coach:\n    cadence: weekly\n#';
  text += "x".repeat(256 * 1024 - bytes(text) - 1) + "\n";
  assert.equal(bytes(text), 256 * 1024);
  const { schedule, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  assert.ok(schedule);
});

Deno.test("diagnostics carry the path of the offending node", () => {
  const { diagnostics } = parse(cron('"0 24 * * *"'));
  assert.deepEqual(diagnostics[0].path, ["agents", "coach", "cron"]);
});

Deno.test("diagnostics have no file when none is given", () => {
  const { diagnostics } = parseSchedule("version: 1\n");
  assert.ok(diagnostics.length > 0);
  for (const d of diagnostics) assert.equal(Object.hasOwn(d, "file"), false);
});
