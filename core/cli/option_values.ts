/**
 * The value forms of the CLI's typed options: instants, durations and
 * intervals as operators write them. Each parser returns the value, or
 * `undefined` when the text is not of that form; the framework words the
 * one-line usage error, naming the option.
 *
 * @module
 */
import { parseDuration } from "../time/duration.ts";

/**
 * A plain decimal number as an operator writes one: `Number()` alone would
 * also take `""`, `0x10`, `1e3` and `Infinity`.
 */
export const DECIMAL = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;

/** A span between two instants: `--due` and `--window`. */
export interface Interval {
  start: Date;
  end: Date;
}

/** The earliest and latest year an instant may name (see {@link parseInstant}). */
export const INSTANT_YEARS = { min: 1970, max: 9998 } as const;

/**
 * An ISO 8601 date-time (`2026-11-23T08:00:00Z`, or a date, read as midnight
 * UTC). `"range"` when it is one but outside {@link INSTANT_YEARS}: zone rules
 * before 1970 are partly guesswork in tzdata, and four-digit years keep every
 * printed time a plain RFC 3339 one.
 */
export function parseInstant(text: string): Date | "range" | undefined {
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(d.getTime())) return undefined;
  const year = d.getUTCFullYear();
  return year < INSTANT_YEARS.min || year > INSTANT_YEARS.max ? "range" : d;
}

/**
 * A duration in milliseconds: ISO 8601 (`PT1H`) or short (`30m`, `7d`);
 * `0` too when `zero` is allowed.
 */
export function parseDurationValue(text: string, zero: boolean): number | undefined {
  if (zero && text === "0") return 0;
  return parseDuration(text);
}

/** `START/END` or `START/DURATION` (ISO 8601 interval forms); `undefined` when malformed. */
export function parseInterval(text: string): Interval | undefined {
  const parts = text.split("/");
  if (parts.length !== 2) return undefined;
  const start = parseInstant(parts[0]);
  if (!(start instanceof Date)) return undefined;
  const span = parseDuration(parts[1]);
  const end = span !== undefined ? new Date(start.getTime() + span) : parseInstant(parts[1]);
  return end instanceof Date ? { start, end } : undefined;
}

const UNITS = [
  [86_400_000, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
  [1_000, "second"],
] as const;

/** `604800000` → `7 days`: a bound as a person reads it. */
export function spanText(ms: number): string {
  for (const [size, unit] of UNITS) {
    if (ms % size === 0) return `${ms / size} ${unit}${ms === size ? "" : "s"}`;
  }
  return `${ms} ms`;
}
