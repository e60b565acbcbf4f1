/**
 * `.kaizen/schedule.yml` as a spec for the YAML validator
 * (`core/yaml/validate.ts`): a {@link Schedule} plus positioned diagnostics.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostics.ts";
import { didYouMean } from "../text/suggest.ts";
import { printable } from "../text/printable.ts";
import { parseCron } from "../time/cron.ts";
import { timeZoneProblem, timeZoneWarning } from "../time/timezone.ts";
import { validateYaml } from "../yaml/validate.ts";
import { bool, defined, entries, fields, oneOf, str, version } from "../yaml/spec.ts";
import type { FileSpec, Place } from "../yaml/spec.ts";
import { AGENT_NAME_RE, CADENCES, MANIFEST_VERSION, MAX_MANIFEST_BYTES } from "./constants.ts";
import type { AgentSchedule, Schedule } from "./types.ts";

/** Options for {@link parseSchedule}. */
export interface ParseScheduleOptions {
  /** Agent names that exist (installed or packaged): any other is an error. Omitted: any name. */
  knownAgents?: Iterable<string>;
}

/** What {@link parseSchedule} found: the schedule when valid, and every problem. */
export interface ParseScheduleResult {
  /** Present only when there are no errors. */
  schedule?: Schedule;
  diagnostics: Diagnostic[];
}

/**
 * Parses manifest text. Never throws on bad input: every problem becomes a
 * diagnostic with a 1-based line and column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const ok = parseSchedule('version: "1"\nagents:\n  coach:\n    cadence: weekly\n');
 * assert.deepEqual(ok.schedule?.agents, { coach: { cadence: "weekly", enabled: true } });
 * // Every problem at once, each with its code and place.
 * const bad = parseSchedule('version: "1"\nagents:\n  coach:\n    cadence: hourly\n    x: 1\n');
 * const found = bad.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);
 * assert.deepEqual(found, ["4:14 invalid-cadence", "5:5 unknown-key"]);
 * ```
 */
export function parseSchedule(
  text: string,
  file?: string,
  options: ParseScheduleOptions = {},
): ParseScheduleResult {
  const known = options.knownAgents && [...new Set(options.knownAgents)].sort();
  const { value, diagnostics } = validateYaml(text, manifestSpec(known), file);
  return value ? { schedule: value, diagnostics } : { diagnostics };
}

const HOURLY = '; for hourly runs use cadence: daily with cron: "0 * * * *"';

const AGENT = fields({
  cadence: oneOf(CADENCES, {
    code: "invalid-cadence",
    required: true,
    hint: (v) => v === "hourly" ? HOURLY : "",
  }),
  cron: str({ code: "invalid-cron", expect: "be a quoted string of 5 fields", check: cron }),
  enabled: bool({ code: "invalid-enabled", default: true }),
}, {
  code: "agent-not-mapping",
  subject: (at) => `agent '${printable(String(at.path[1]))}'`,
  expect: "be a mapping with cadence/cron/enabled",
  ifNull: `has no settings; it needs at least 'cadence' (${CADENCES.join(", ")})`,
  build: ({ cadence, cron, enabled }): AgentSchedule => defined({ cadence, enabled, cron }),
});

function manifestSpec(known: string[] | undefined): FileSpec<Schedule> {
  const agentName = (name: string, at: Place) => {
    if (!AGENT_NAME_RE.test(name)) {
      const shape = `${AGENT_NAME_RE.source} (lowercase letters, digits, '-')`;
      return at.report("invalid-agent-name", `agent name '${printable(name)}' must match ${shape}`);
    }
    if (!known || known.includes(name)) return;
    const list = `${didYouMean(name, known)}; known agents: ${known.join(", ")}`;
    at.report("unknown-agent", `agent '${name}' is neither installed nor packaged${list}`);
  };
  return {
    noun: "manifest",
    maxBytes: MAX_MANIFEST_BYTES,
    maxAliases: 50, // a manifest never needs many
    empty: "it needs at least 'version' and 'agents'",
    root: fields({
      version: version(MANIFEST_VERSION, "unsupported-version", "version-not-string"),
      timezone: str({
        code: "invalid-timezone",
        expect: "be a string naming an IANA zone (e.g. Europe/Berlin)",
        check: timezone,
      }),
      agents: entries(agentName, AGENT, {
        code: "agents-not-mapping",
        expect: "be a mapping of agent name to schedule",
        nonEmpty: ["agents-empty", "agents is empty; list at least one agent"],
        required: "(a mapping of agent name to schedule)",
      }),
    }, {
      code: "root-not-mapping",
      build: ({ version, timezone, agents }) => defined({ version, agents, timezone }),
    }),
  };
}

/** A cron problem points at its field; a valid cron reads normalised (single spaces). */
function cron(expr: string, at: Place) {
  const parsed = parseCron(expr);
  if (parsed.ok) return { value: parsed.spec.source };
  const message = `${printable(parsed.problem.message, 200)} (in '${printable(expr)}')`;
  at.report("invalid-cron", message, { column: parsed.problem.column });
}

/** An IANA zone; a fixed-offset one (`EST`) is valid but earns a warning. */
function timezone(tz: string, at: Place) {
  const [problem, warning] = [timeZoneProblem(tz), timeZoneWarning(tz)];
  if (problem !== undefined) return `timezone ${printable(problem, 300)}`;
  const msg = `timezone ${printable(warning ?? "", 300)}`;
  if (warning !== undefined) at.report("fixed-offset-timezone", msg, { severity: "warning" });
}
