/**
 * Strict 5-field cron validation.
 *
 * The schedule is consumed by an orchestrator we do not own, so we accept only
 * the portable subset every cron implementation agrees on: numbers, names
 * (JAN–DEC, SUN–SAT), `*`, ranges, steps and lists. Seconds fields, `@reboot`
 * style nicknames, `CRON_TZ=` prefixes and vendor extensions (`L`, `W`, `#`,
 * `?`) are refused with a message that says why.
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

const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Returns a one-line reason when `expr` is not a valid 5-field cron, else `undefined`. */
export function cronError(expr: string): string | undefined {
  const trimmed = expr.trim();
  if (trimmed === "") {
    return "cron is empty; expected 5 fields (minute hour day-of-month month day-of-week)";
  }
  const prefix = /^(CRON_TZ|TZ)=/i.exec(trimmed);
  if (prefix) {
    return `cron must not carry a ${
      prefix[1].toUpperCase()
    }= prefix; set the manifest's 'timezone' instead`;
  }
  if (trimmed.startsWith("@")) {
    const word = trimmed.split(/\s+/)[0].toLowerCase();
    const same = NICKNAMES[word];
    return same
      ? `cron nickname '${word}' is not portable; write the 5 fields instead: "${same}"`
      : `cron '${word}' is not supported; expected 5 fields (minute hour day-of-month month day-of-week)`;
  }
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5) {
    const extra = parts.length === 6 ? " (a seconds or year field is not allowed)" : "";
    return `cron must have exactly 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}${extra}`;
  }
  for (let i = 0; i < 5; i++) {
    const err = fieldError(parts[i], FIELDS[i]);
    if (err) return err;
  }
  return undefined;
}

function fieldError(text: string, spec: FieldSpec): string | undefined {
  for (const item of text.split(",")) {
    if (item === "") return `cron ${spec.name} field '${text}' has an empty list item`;
    const [range, step, ...rest] = item.split("/");
    if (rest.length > 0) return `cron ${spec.name} field '${item}' has more than one '/'`;
    if (step !== undefined && !/^\d+$/.test(step)) {
      return `cron ${spec.name} step '${step}' must be a positive number`;
    }
    if (step !== undefined && Number(step) === 0) return `cron ${spec.name} step must not be 0`;
    if (range === "*") continue;
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
        return `cron ${spec.name} value ${v} is out of range ${spec.min}-${spec.max}`;
      }
      values.push(v);
    }
    if (values.length === 2 && values[0] > values[1]) {
      return `cron ${spec.name} range '${range}' runs backwards`;
    }
  }
  return undefined;
}

function valueOf(token: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const idx = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (idx < 0) return undefined;
  return spec.name === "month" ? idx + 1 : idx;
}
