/**
 * Strict 5-field cron parsing.
 *
 * The schedule is consumed by an orchestrator we do not own, so we accept the
 * portable core every cron implementation reads the same way: numbers, names
 * (JAN–DEC, SUN–SAT), `*`, ranges, steps and lists, plus `a/n` (read as
 * `a-<max>/n`, as croniter, robfig/cron and croner do). Seconds fields,
 * `@reboot` style nicknames, `CRON_TZ=` prefixes and vendor extensions (`L`,
 * `W`, `#`, `?`) are refused with a message that says why, and so is a cron
 * that can never fire (`0 9 31 2 *`): whatever this parser accepts, the engine
 * in `./runs.ts` can compute.
 *
 * @module
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { name: "day-of-week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

/** How many distinct values a field has; a step larger than this could only ever hit its start. */
const FIELD_WIDTH = [60, 24, 31, 12, 7];

const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A parsed cron: the set of values each field matches, and the flags the DST rules need. */
export interface CronSpec {
  /** The expression with its fields separated by single spaces. */
  readonly source: string;
  /** `minutes[m]` is true when minute `m` (0–59) matches. */
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  /** Indexed by day of month, 1–31 (index 0 unused). */
  readonly daysOfMonth: readonly boolean[];
  /** Indexed by month, 1–12 (index 0 unused). */
  readonly months: readonly boolean[];
  /** Indexed by weekday, 0 (Sunday) – 6; a `7` in the expression is folded into 0. */
  readonly daysOfWeek: readonly boolean[];
  /** The day-of-month field is exactly `*`. */
  readonly domStar: boolean;
  /** The day-of-week field is exactly `*`. */
  readonly dowStar: boolean;
  /**
   * Neither the minute nor the hour field starts with `*`: a "fixed-time" job
   * in classic cron's DST rules (runs once in a repeated hour, and right after
   * a skipped one).
   */
  readonly fixedTime: boolean;
}

/** Why an expression was refused. */
export interface CronProblem {
  message: string;
  /** 0-based index of the offending field or list item; absent when the whole expression is at fault. */
  column?: number;
}

/** The result of {@link parseCron}. */
export type CronParse = { ok: true; spec: CronSpec } | { ok: false; problem: CronProblem };

/**
 * Parses a 5-field cron expression. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCron } from "../../mod.ts";
 *
 * const r = parseCron("0 9 * * MON-FRI");
 * assert.ok(r.ok);
 * assert.equal(r.spec.daysOfWeek[1], true); // Monday
 * assert.equal(r.spec.daysOfWeek[0], false); // Sunday
 *
 * const bad = parseCron("0 25 * * *");
 * assert.ok(!bad.ok);
 * assert.match(bad.problem.message, /hour/);
 * ```
 */
export function parseCron(expr: string): CronParse {
  const fail = (message: string, column?: number): CronParse => ({
    ok: false,
    problem: { message, column },
  });
  const trimmed = expr.trim();
  if (trimmed === "") {
    return fail("cron is empty; expected 5 fields (minute hour day-of-month month day-of-week)");
  }
  const prefix = /^(CRON_TZ|TZ)=/i.exec(trimmed);
  if (prefix) {
    return fail(
      `cron must not carry a ${
        prefix[1].toUpperCase()
      }= prefix; set the manifest's 'timezone' instead`,
    );
  }
  if (trimmed.startsWith("@")) {
    const word = trimmed.split(/\s+/)[0].toLowerCase();
    const same = NICKNAMES[word];
    return fail(
      same
        ? `cron nickname '${word}' is not portable; write the 5 fields instead: "${same}"`
        : `cron '${word}' is not supported; expected 5 fields (minute hour day-of-month month day-of-week)`,
    );
  }
  const parts: { text: string; at: number }[] = [];
  for (const m of expr.matchAll(/\S+/g)) parts.push({ text: m[0], at: m.index });
  if (parts.length !== 5) {
    const extra = parts.length === 6 ? " (a seconds or year field is not allowed)" : "";
    return fail(
      `cron must have exactly 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}${extra}`,
    );
  }
  const sets: boolean[][] = [];
  for (let i = 0; i < 5; i++) {
    const r = parseField(parts[i].text, FIELDS[i], FIELD_WIDTH[i]);
    if (typeof r === "object" && "message" in r) {
      return fail(r.message, parts[i].at + r.column);
    }
    sets.push(r);
  }
  const dow = sets[4].slice(0, 7);
  if (sets[4][7]) dow[0] = true;
  const spec: CronSpec = {
    source: parts.map((p) => p.text).join(" "),
    minutes: sets[0],
    hours: sets[1],
    daysOfMonth: sets[2],
    months: sets[3],
    daysOfWeek: dow,
    domStar: parts[2].text === "*",
    dowStar: parts[4].text === "*",
    fixedTime: !parts[0].text.startsWith("*") && !parts[1].text.startsWith("*"),
  };
  const never = neverFires(spec);
  if (never) return fail(never, parts[2].at);
  return { ok: true, spec };
}

/** Returns a one-line reason when `expr` is not a valid 5-field cron, else `undefined`. */
export function cronError(expr: string): string | undefined {
  const r = parseCron(expr);
  return r.ok ? undefined : r.problem.message;
}

function parseField(
  text: string,
  spec: FieldSpec,
  width: number,
): boolean[] | { message: string; column: number } {
  const set: boolean[] = new Array(spec.max + 1).fill(false);
  let at = 0;
  for (const item of text.split(",")) {
    if (item === "") {
      return { message: `cron ${spec.name} field '${text}' has an empty list item`, column: at };
    }
    const err = applyItem(item, spec, width, set);
    if (err) return { message: err, column: at };
    at += item.length + 1;
  }
  return set;
}

/** Marks the values of one list item in `set`; returns a reason when the item is not valid. */
function applyItem(
  item: string,
  spec: FieldSpec,
  width: number,
  set: boolean[],
): string | undefined {
  const [range, step, ...rest] = item.split("/");
  if (rest.length > 0) return `cron ${spec.name} field '${item}' has more than one '/'`;
  let by = 1;
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) return `cron ${spec.name} step '${step}' must be a positive number`;
    by = Number(step);
    if (by === 0) return `cron ${spec.name} step must not be 0`;
    if (by > width) {
      return `cron ${spec.name} step ${by} is larger than the field's ${width} values; it could only ever match its first value`;
    }
  }
  let lo = spec.min;
  // `*` in day-of-week means 0-6; 7 is only an alternative spelling of Sunday.
  let hi = spec.name === "day-of-week" ? 6 : spec.max;
  if (range !== "*") {
    const bounds = range.split("-");
    if (bounds.length > 2 || bounds.some((b) => b === "")) {
      return `cron ${spec.name} field '${item}' is not a number, name, range or '*'`;
    }
    const values: number[] = [];
    for (const b of bounds) {
      const v = valueOf(b, spec);
      if (v === undefined) {
        if (/[LW#?]/i.test(b)) {
          return `cron ${spec.name} field '${item}' uses a non-portable extension (L, W, # or ?)`;
        }
        return `cron ${spec.name} field '${item}' is not a number, name, range or '*'`;
      }
      if (v < spec.min || v > spec.max) {
        return `cron ${spec.name} value ${b} is out of range ${spec.min}-${spec.max}`;
      }
      values.push(v);
    }
    if (values.length === 2 && values[0] > values[1]) {
      return `cron ${spec.name} range '${range}' runs backwards`;
    }
    lo = values[0];
    // `a/n` continues to the field's end; a plain `a` is the single value.
    hi = values.length === 2 ? values[1] : step !== undefined ? spec.max : values[0];
  }
  for (let v = lo; v <= hi; v += by) set[v] = true;
  return undefined;
}

function valueOf(token: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const idx = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (idx < 0) return undefined;
  return spec.name === "month" ? idx + 1 : idx;
}

/**
 * A reason when no calendar day can ever match. Only possible when the
 * day-of-week field is `*` (so the day-of-month field alone decides) and
 * every chosen day is past the end of every chosen month; 29 February counts,
 * as it comes back in leap years.
 */
function neverFires(spec: CronSpec): string | undefined {
  if (spec.domStar || !spec.dowStar) return undefined;
  for (let month = 1; month <= 12; month++) {
    if (!spec.months[month]) continue;
    for (let day = 1; day <= MONTH_DAYS[month - 1]; day++) {
      if (spec.daysOfMonth[day]) return undefined;
    }
  }
  const days = list(spec.daysOfMonth);
  const months = list(spec.months).map((m) => FIELDS[3].names![m - 1]);
  return `cron can never fire: ${months.join(", ")} ${
    months.length === 1 ? "has" : "have"
  } no day ${days.join(", ")}`;
}

function list(set: readonly boolean[]): number[] {
  const out: number[] = [];
  set.forEach((on, i) => {
    if (on) out.push(i);
  });
  return out;
}
