/**
 * The manifest fast path (core/manifest/fast_parse.ts) against the full
 * parser: on every input, the fast path either steps aside or returns
 * exactly the schedule the full parser returns with no diagnostics. The
 * corpus mixes what `schedule init` writes, the shipped example, and tens of
 * thousands of random manifests built from YAML spellings that are easy to
 * get subtly wrong (quoting, comments, indentation, booleans, numbers,
 * flow style, anchors, tabs, CRLF, duplicate keys).
 */
import assert from "node:assert/strict";
import { fastParseSchedule } from "../core/manifest/fast_parse.ts";
import { parseSchedule } from "../core/manifest/parse.ts";
import { renderManifest } from "../core/manifest/template.ts";
import { prng } from "./_prng.ts";

const KNOWN = ["coach", "optimization", "tdd-workflow", "house-style"];

function check(text: string): "fast" | "full" {
  const fast = fastParseSchedule(text, KNOWN);
  if (fast === undefined) return "full";
  const full = parseSchedule(text, "x.yml", { knownAgents: KNOWN });
  assert.deepEqual(full.diagnostics, [], `fast path accepted an invalid manifest:\n${text}`);
  assert.deepEqual(fast, full.schedule, `fast and full parsers disagree on:\n${text}`);
  // Key order too: JSON output follows it.
  assert.equal(JSON.stringify(fast), JSON.stringify(full.schedule), text);
  return "fast";
}

Deno.test("fast path: what `schedule init` writes and the shipped example take it", async () => {
  const example = await Deno.readTextFile(
    new URL("../examples/pilot/.kaizen/schedule.yml", import.meta.url),
  );
  assert.equal(check(example), "fast");
  for (const timezone of ["Europe/Berlin", "UTC", "America/New_York", "Etc/GMT+5"]) {
    const text = renderManifest(
      {
        timezone,
        agents: [
          { name: "coach", cadence: "weekly", cron: "0 9 * * 1", enabled: true, note: "Mondays" },
          { name: "optimization", cadence: "daily", enabled: true },
          { name: "tdd-workflow", cadence: "monthly", enabled: false },
        ],
      } as Parameters<typeof renderManifest>[0],
    );
    assert.equal(check(text), "fast", text);
  }
});

const VERSIONS = [
  '"1"',
  "'1'",
  "1",
  '"2"',
  "1.0",
  '"1" # format',
  "'1'  ",
  '"1"#x',
  "",
  "~",
  '"1',
  "[1]",
];
const ZONES = [
  "Europe/Berlin",
  '"Europe/Berlin"',
  "'UTC'",
  "UTC # zone",
  "europe/berlin",
  "BST",
  "null",
  "~",
  "123",
  '"Etc/GMT+5"',
  "America/New_York#x",
  "&a UTC",
  "*a",
  '"UTC\\n"',
  "'It''s'",
  "Europe/Berlin:",
  "{UTC}",
];
const CADENCES = [
  "weekly",
  '"daily"',
  "'monthly'",
  "hourly",
  "Weekly",
  "weekly # c",
  "true",
  "",
  "[weekly]",
  "!!str weekly",
];
const CRONS = [
  '"0 9 * * 1"',
  "'30 2 * * *'",
  "0 9 * * 1",
  "0 9 * * 1 # Monday",
  '"*/15 * * * *"',
  "*/15 * * * *",
  '"0  9 * * 1"',
  '"0 9 31 2 *"',
  '"0 9 * *"',
  "'@daily'",
  '"5/15 * * * *"',
  "0 9 * * MON-FRI",
  '"0 9 * * 1" x',
  "12",
  '"0 9 * * 1\\t"',
  "? x",
  "- 0 9 * * 1",
];
const ENABLED = [
  "true",
  "false",
  "True",
  "FALSE",
  '"true"',
  "yes",
  "no",
  "1",
  "~",
  "true # on",
  "tRue",
  "on",
];
const NAMES = [
  "coach",
  "optimization",
  "tdd-workflow",
  "house-style",
  "Coach",
  "unknown-agent",
  "tdd_workflow",
  '"coach"',
  "9x",
];

function randomManifest(rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  // Mostly the valid spellings (the first `good` of each list), so that both
  // parsers see many valid manifests, and some of everything else.
  const choose = (xs: readonly string[], good: number) =>
    rand() < 0.85 ? xs[Math.floor(rand() * good)] : pick(xs);
  const maybe = (p: number) => rand() < p;
  const ind = pick([2, 2, 2, 4, 1, 3]);
  const sub = ind + pick([2, 2, 4, 1]);
  const out: string[] = [];
  const comment = () => (maybe(0.2) ? [pick(["# note", "  # indented note", "", "   "])] : []);
  const top: string[][] = [];
  if (maybe(0.98)) top.push([`version: ${choose(VERSIONS, 2)}`]);
  if (maybe(0.7)) top.push([`timezone: ${choose(ZONES, 4)}`]);
  const agents: string[] = [
    maybe(0.97) ? "agents:" : pick(["agents: {}", "agents: []", "agents: ~"]),
  ];
  const n = 1 + Math.floor(rand() * 3);
  for (let a = 0; a < n; a++) {
    agents.push(...comment(), `${" ".repeat(ind)}${choose(NAMES, 4)}:`);
    const fields: string[] = [];
    if (maybe(0.98)) fields.push(`cadence: ${choose(CADENCES, 3)}`);
    if (maybe(0.6)) fields.push(`cron: ${choose(CRONS, 5)}`);
    if (maybe(0.4)) fields.push(`enabled: ${choose(ENABLED, 4)}`);
    if (maybe(0.02)) fields.push("cadance: weekly");
    if (maybe(0.02)) fields.push("cadence: daily");
    for (const f of fields.sort(() => rand() - 0.5)) {
      const extra = maybe(0.02) ? pick([-1, 1]) : 0;
      agents.push(`${" ".repeat(Math.max(0, sub + extra))}${f}`);
    }
  }
  top.push(agents);
  if (maybe(0.03)) top.push(["extra: 1"]);
  if (maybe(0.03)) top.push(["version: '1'"]);
  for (const block of top.sort(() => rand() - 0.5)) out.push(...comment(), ...block);
  let text = out.join("\n") + (maybe(0.8) ? "\n" : "");
  if (maybe(0.03)) text = text.replaceAll("\n", "\r\n");
  if (maybe(0.03)) text = text.replace("  ", "\t");
  if (maybe(0.02)) text = "---\n" + text;
  if (maybe(0.02)) text = "\uFEFF" + text;
  return text;
}

Deno.test("fast path: never disagrees with the full parser (8,000 random manifests)", () => {
  const rand = prng(Number(Deno.env.get("KAIZEN_FAST_PARSE_SEED") ?? 7));
  const counts = { fast: 0, full: 0, validFull: 0 };
  for (let i = 0; i < 8_000; i++) {
    const text = randomManifest(rand);
    const how = check(text);
    counts[how]++;
    if (how === "full" && parseSchedule(text, "x.yml", { knownAgents: KNOWN }).schedule) {
      counts.validFull++;
    }
  }
  // The draw reaches both paths, and the fast path takes most valid manifests.
  assert.ok(counts.fast >= 1_000 && counts.full >= 1_000, JSON.stringify(counts));
  assert.ok(counts.fast > counts.validFull, JSON.stringify(counts));
});
