/**
 * The published JSON Schema, the zod model and the positional validator must
 * agree; the version constant must match deno.json.
 */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { ScheduleModel } from "../core/manifest/model.ts";
import { parseSchedule } from "../core/manifest/parse.ts";
import { VERSION } from "../core/version.ts";
import { generatedSchemas } from "../scripts/schemas.ts";

Deno.test("schemas/schedule.schema.json is up to date", async () => {
  const committed = await Deno.readTextFile(
    new URL("../schemas/schedule.schema.json", import.meta.url),
  );
  const generated = generatedSchemas()["schedule.schema.json"];
  assert.ok(generated, "generatedSchemas() has schedule.schema.json");
  assert.equal(
    committed,
    generated,
    "schemas/schedule.schema.json is stale: run `deno task schema`",
  );
});

Deno.test("every generated schema in schemas/ is up to date (bundle.schema.json too)", async () => {
  const generated = generatedSchemas();
  assert.deepEqual(Object.keys(generated).sort(), [
    "bundle.schema.json",
    "doctor.schema.json",
    "events-tail.schema.json",
    "events/kaizen.agent.installed.schema.json",
    "events/kaizen.metrics.recorded.schema.json",
    "events/kaizen.schedule.prepared.schema.json",
    "fleet-roster.schema.json",
    "fleet-status.schema.json",
    "metrics-show.schema.json",
    "roster-discover.schema.json",
    "schedule-list.schema.json",
    "schedule-validate.schema.json",
    "schedule.schema.json",
  ]);
  for (const [file, text] of Object.entries(generated)) {
    const committed = await Deno.readTextFile(new URL(`../schemas/${file}`, import.meta.url));
    assert.equal(committed, text, `schemas/${file} is stale: run \`deno task schema\``);
  }
});

Deno.test("the schema is a JSON Schema describing the three top-level keys", async () => {
  const schema = JSON.parse(
    await Deno.readTextFile(new URL("../schemas/schedule.schema.json", import.meta.url)),
  );
  assert.match(String(schema.$schema), /json-schema\.org/);
  assert.deepEqual(Object.keys(schema.properties).sort(), ["agents", "timezone", "version"]);
  assert.deepEqual([...schema.required].sort(), ["agents", "version"]);
  assert.equal(schema.additionalProperties, false);
});

Deno.test("core/version.ts VERSION equals deno.json version", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.equal(VERSION, config.version);
});

// --- zod model ⇔ parseSchedule ------------------------------------------------
//
// Only rules both can express: the zod model (and so the JSON Schema) does not
// check cron value ranges, IANA zone names or installed agents; those cases are
// covered in manifest_test.ts and left out here.

const agent = (body: string) => `version: "1"\nagents:\n  coach:\n${body}`;

const VALID: Record<string, string> = {
  "ADR example": `version: "1"
timezone: Europe/Berlin
agents:
  coach:
    cadence: weekly
    cron: "0 9 * * 1"
    enabled: true
  optimization:
    cadence: weekly
    cron: "0 10 * * 1"
    enabled: true
  tdd-workflow:
    cadence: monthly
    enabled: false
`,
  "minimal": agent("    cadence: weekly\n"),
  "timezone UTC": 'version: "1"\ntimezone: UTC\nagents:\n  coach:\n    cadence: daily\n',
  "cron override": agent('    cadence: daily\n    cron: "0 * * * *"\n'),
  "cron with names": agent('    cadence: daily\n    cron: "0 9 * JAN MON-FRI"\n'),
  "disabled": agent("    cadence: monthly\n    enabled: false\n"),
  "flow style": '{version: "1", agents: {coach: {cadence: daily, enabled: true}}}\n',
  "anchors": 'version: "1"\nagents:\n  coach: &w\n    cadence: weekly\n  optimization: *w\n',
  "comments": '# header\nversion: "1" # v\nagents: # a\n  coach: # c\n    cadence: weekly # w\n',
  "all three agents":
    'version: "1"\nagents:\n  coach: {cadence: daily}\n  optimization: {cadence: weekly}\n  tdd-workflow: {cadence: monthly}\n',
};

const INVALID: Record<string, string> = {
  "version missing": "agents:\n  coach:\n    cadence: weekly\n",
  "version integer": "version: 1\nagents:\n  coach:\n    cadence: weekly\n",
  'version "2"': 'version: "2"\nagents:\n  coach:\n    cadence: weekly\n',
  "version list": "version: [1]\nagents:\n  coach:\n    cadence: weekly\n",
  "unknown root key": 'version: "1"\ntimezon: UTC\nagents:\n  coach:\n    cadence: weekly\n',
  "unknown agent key": agent("    cadence: weekly\n    enabeld: true\n"),
  "agents missing": 'version: "1"\n',
  "agents empty": 'version: "1"\nagents: {}\n',
  "agents list": 'version: "1"\nagents:\n  - coach\n',
  "agents scalar": 'version: "1"\nagents: coach\n',
  "agents null": 'version: "1"\nagents:\n',
  "agent null": 'version: "1"\nagents:\n  coach:\n',
  "duplicate agent": agent("    cadence: weekly\n  coach:\n    cadence: daily\n"),
  "duplicate root key": agent("    cadence: weekly\n") + 'version: "1"\n',
  "cadence missing": agent("    enabled: true\n"),
  "cadence hourly": agent("    cadence: hourly\n"),
  "cadence Weekly": agent("    cadence: Weekly\n"),
  "cadence number": agent("    cadence: 7\n"),
  "cron number": agent("    cadence: daily\n    cron: 5\n"),
  "cron null": agent("    cadence: daily\n    cron:\n"),
  "cron 4 fields": agent('    cadence: daily\n    cron: "0 9 * *"\n'),
  "cron 6 fields": agent('    cadence: daily\n    cron: "0 0 9 * * 1"\n'),
  "cron @daily": agent('    cadence: daily\n    cron: "@daily"\n'),
  "cron TZ= prefix (6 tokens)": agent('    cadence: daily\n    cron: "TZ=UTC 0 9 * * 1"\n'),
  "timezone number": 'version: "1"\ntimezone: 1\nagents:\n  coach:\n    cadence: weekly\n',
  "timezone null": 'version: "1"\ntimezone: ~\nagents:\n  coach:\n    cadence: weekly\n',
  'enabled "yes"': agent('    cadence: weekly\n    enabled: "yes"\n'),
  "enabled 1": agent("    cadence: weekly\n    enabled: 1\n"),
  "enabled null": agent("    cadence: weekly\n    enabled:\n"),
  "name ../x": 'version: "1"\nagents:\n  ../x:\n    cadence: weekly\n',
  "name Coach": 'version: "1"\nagents:\n  Coach:\n    cadence: weekly\n',
  "name a_b": 'version: "1"\nagents:\n  a_b:\n    cadence: weekly\n',
  "name -x": 'version: "1"\nagents:\n  "-x":\n    cadence: weekly\n',
  "empty file": "",
  "comments only": "# nothing here\n",
  "root list": '- version: "1"\n',
  "root scalar": "hello\n",
  "syntax error": 'version: "1"\nagents: [coach\n',
  "tab indentation": 'version: "1"\nagents:\n\tcoach:\n\t\tcadence: weekly\n',
  "alias bomb": [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
    'version: "1"',
    "agents:",
    "  coach:",
    "    cadence: weekly",
    "",
  ].join("\n"),
};

function zodParse(text: string): { success: boolean; data?: unknown } {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch {
    return { success: false }; // syntax errors, duplicate keys, alias limits
  }
  const r = ScheduleModel.safeParse(value);
  return r.success ? { success: true, data: r.data } : { success: false };
}

Deno.test("agreement corpus has at least 25 manifests, valid and invalid", () => {
  assert.ok(Object.keys(VALID).length + Object.keys(INVALID).length >= 25);
  assert.ok(Object.keys(VALID).length >= 5 && Object.keys(INVALID).length >= 20);
});

for (const [name, text] of Object.entries(VALID)) {
  Deno.test(`zod model and parseSchedule agree (valid): ${name}`, () => {
    const mine = parseSchedule(text, "schedule.yml");
    const zod = zodParse(text);
    assert.deepEqual(mine.diagnostics, [], "parseSchedule finds no errors");
    assert.equal(zod.success, true, "zod accepts it");
    assert.deepEqual(mine.schedule, zod.data);
  });
}

for (const [name, text] of Object.entries(INVALID)) {
  Deno.test(`zod model and parseSchedule agree (invalid): ${name}`, () => {
    const mine = parseSchedule(text, "schedule.yml");
    const zod = zodParse(text);
    assert.ok(
      mine.diagnostics.some((d) => d.severity === "error"),
      "parseSchedule reports an error",
    );
    assert.equal(mine.schedule, undefined);
    assert.equal(zod.success, false, "zod rejects it");
  });
}
