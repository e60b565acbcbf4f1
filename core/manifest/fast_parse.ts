/**
 * A fast path for the common manifest: plain block YAML that is valid.
 *
 * Every command that reads a manifest pays for the `yaml` library: about
 * 7 ms to load and warm up in a fresh process, about 50 µs a manifest warm —
 * most of `schedule validate`'s start-up, and most of the roster resolver's
 * time over thousands of repositories. Nearly every real manifest is the same
 * simple shape (what `schedule init` writes): block mappings, one key per
 * line, plain or simply quoted scalars, comments.
 *
 * This reads exactly that shape and returns the schedule only when the text
 * is inside the shape *and* valid. Anything else — other YAML syntax (flow
 * collections, anchors, escapes, multi-line scalars, tabs, documents,
 * duplicate keys), any value whose YAML type is not plainly a string or a
 * boolean, any rule the manifest breaks, or anything that earns a warning
 * (a fixed-offset zone such as `EST`) — returns `undefined`, and the
 * caller runs the full parser, which finds the same schedule or reports the
 * positioned diagnostics. So the fast path can only agree with the full
 * parser or step aside; `tests/manifest_fast_parse_test.ts` checks that on a
 * large corpus.
 *
 * @module
 */
import {
  AGENT_KEYS,
  AGENT_NAME_RE,
  CADENCES,
  MANIFEST_VERSION,
  TOP_LEVEL_KEYS,
} from "./constants.ts";
import type { AgentSchedule, Schedule } from "./types.ts";
import { parseCron } from "../time/cron.ts";
import { isValidTimeZone, timeZoneWarning } from "../time/timezone.ts";

interface Line {
  indent: number;
  key: string;
  /** The scalar as YAML reads it, or `null` for an empty value (a nested mapping follows). */
  value: { text: string; plain: boolean } | null;
}

const KEY_LINE = /^( *)([A-Za-z0-9][A-Za-z0-9_-]*):(?: +(.*?))? *$/;
// Characters that start something other than a plain scalar in YAML.
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
// What YAML 1.2's core schema reads as null, booleans or numbers (broadly).
const NOT_A_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9][0-9_]*|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const BOOLEAN: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};

/** The scalar after `key:`, without its comment; undefined when it is not a simple one. */
function scalar(raw: string): Line["value"] | undefined {
  if (raw.startsWith('"') || raw.startsWith("'")) {
    const q = raw[0];
    const end = raw.indexOf(q, 1);
    if (end < 0) return undefined;
    const body = raw.slice(1, end);
    // Escapes (`\` in double quotes) and doubled quotes are left to the full parser.
    if (q === '"' && body.includes("\\")) return undefined;
    const rest = raw.slice(end + 1);
    if (rest !== "" && !/^ +(#.*)?$/.test(rest)) return undefined;
    return { text: body, plain: false };
  }
  if (INDICATOR.test(raw)) return undefined;
  // A comment starts at ` #`; a `: ` inside a plain scalar is not simple.
  const hash = raw.indexOf(" #");
  const text = (hash >= 0 ? raw.slice(0, hash) : raw).trimEnd();
  if (text === "" || text.includes(": ") || text.endsWith(":")) return undefined;
  return { text, plain: true };
}

function lines(text: string): Line[] | undefined {
  const out: Line[] = [];
  for (const raw of text.split("\n")) {
    if (raw.trim() === "" || /^ *#/.test(raw)) continue;
    const m = KEY_LINE.exec(raw);
    if (!m) return undefined;
    const value = m[3] === undefined || m[3] === "" || m[3].startsWith("#") ? null : scalar(m[3]);
    if (value === undefined) return undefined;
    out.push({ indent: m[1].length, key: m[2], value });
  }
  return out;
}

/** A string-typed value, or undefined when YAML would read something else. */
function str(v: Line["value"]): string | undefined {
  if (v === null) return undefined;
  if (v.plain && NOT_A_STRING.test(v.text)) return undefined;
  return v.text;
}

/**
 * A fleet's manifests repeat a handful of crons: each is parsed once.
 * (Bounded: a cache that could grow without end is a leak.)
 */
const cronCache = new Map<string, string | undefined>();

function cronSource(expr: string): string | undefined {
  if (cronCache.has(expr)) return cronCache.get(expr);
  const parsed = parseCron(expr);
  const source = parsed.ok ? parsed.spec.source : undefined;
  if (cronCache.size >= 1024) cronCache.clear();
  cronCache.set(expr, source);
  return source;
}

/**
 * The schedule, when `text` is a simple and valid manifest; `undefined`
 * means "ask the full parser".
 */
export function fastParseSchedule(
  text: string,
  knownAgents?: Iterable<string>,
): Schedule | undefined {
  // Tabs, carriage returns, BOMs, documents and directives: the full parser.
  if (/[\t\r\uFEFF]|^(?:---|\.\.\.|%)/m.test(text)) return undefined;
  const all = lines(text);
  if (!all || all.length === 0) return undefined;
  const known = knownAgents ? new Set(knownAgents) : undefined;
  let version: string | undefined;
  let timezone: string | undefined;
  let agents: Record<string, AgentSchedule> | undefined;
  const seenTop = new Set<string>();
  let i = 0;
  while (i < all.length) {
    const line = all[i];
    if (line.indent !== 0 || seenTop.has(line.key)) return undefined;
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(line.key)) return undefined;
    seenTop.add(line.key);
    i++;
    if (line.key === "version") {
      if (line.value === null || line.value.plain || line.value.text !== MANIFEST_VERSION) {
        return undefined;
      }
      version = line.value.text;
    } else if (line.key === "timezone") {
      const tz = str(line.value);
      // A zone that earns a warning (EST) steps aside too: the full parser reports it.
      if (tz === undefined || !isValidTimeZone(tz) || timeZoneWarning(tz) !== undefined) {
        return undefined;
      }
      timezone = tz;
    } else {
      if (line.value !== null) return undefined;
      const agentIndent = all[i]?.indent ?? 0;
      if (agentIndent === 0) return undefined;
      agents = {};
      while (i < all.length && all[i].indent > 0) {
        const head = all[i];
        if (head.indent !== agentIndent || head.value !== null) return undefined;
        const name = head.key;
        if (!AGENT_NAME_RE.test(name) || Object.hasOwn(agents, name)) return undefined;
        if (known && !known.has(name)) return undefined;
        i++;
        const fieldIndent = all[i]?.indent ?? 0;
        if (fieldIndent <= agentIndent) return undefined; // an agent without settings
        const fields = new Map<string, Line["value"]>();
        while (i < all.length && all[i].indent > agentIndent) {
          const f = all[i];
          if (f.indent !== fieldIndent || fields.has(f.key)) return undefined;
          if (!(AGENT_KEYS as readonly string[]).includes(f.key)) return undefined;
          fields.set(f.key, f.value);
          i++;
        }
        const cadence = str(fields.get("cadence") ?? null);
        if (cadence === undefined || !(CADENCES as readonly string[]).includes(cadence)) {
          return undefined;
        }
        const entry: AgentSchedule = {
          cadence: cadence as AgentSchedule["cadence"],
          enabled: true,
        };
        if (fields.has("enabled")) {
          const e = fields.get("enabled") ?? null;
          if (e === null || !e.plain || !(e.text in BOOLEAN)) return undefined;
          entry.enabled = BOOLEAN[e.text];
        }
        if (fields.has("cron")) {
          const c = str(fields.get("cron") ?? null);
          const source = c === undefined ? undefined : cronSource(c);
          if (source === undefined) return undefined;
          entry.cron = source;
        }
        agents[name] = entry;
      }
      if (Object.keys(agents).length === 0) return undefined;
    }
  }
  if (version === undefined || agents === undefined) return undefined;
  const schedule: Schedule = { version: version as "1", agents };
  if (timezone !== undefined) schedule.timezone = timezone;
  return schedule;
}
