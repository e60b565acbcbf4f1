/**
 * IANA time zone checks and formatting, on the runtime's own ICU data (no
 * dependency, and the compiled binary carries the same data).
 *
 * @module
 */
import { KNOWN_ZONES } from "./zones.generated.ts";

// V8 also accepts offsets such as "+01:00"; a manifest must name a region so
// daylight-saving changes are followed.
const ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

// Every IANA name segment starts with a capital (Europe/Berlin, Etc/GMT+1,
// UTC, EST5EDT); V8 matches case-insensitively, but the orchestrator's zone
// database (Python, Go) does not, so we insist on the real spelling.
const SEGMENT_CASE = /^[A-Z]/;

function resolvedZone(tz: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

let known: Set<string> | undefined;

/** True when `tz` names an IANA time zone, spelled exactly (e.g. `Europe/Berlin`, `UTC`). */
export function isValidTimeZone(tz: string): boolean {
  // Fast path: ICU's time-zone data costs ~20 ms to initialise on first use.
  known ??= new Set(KNOWN_ZONES);
  if (known.has(tz)) return true;
  if (!ZONE_SHAPE.test(tz) || !tz.split("/").every((seg) => SEGMENT_CASE.test(seg))) return false;
  const resolved = resolvedZone(tz);
  if (resolved === undefined) return false;
  // Same letters, other case: "America/new_york" resolves to "America/New_York".
  return !(resolved !== tz && resolved.toLowerCase() === tz.toLowerCase());
}

/** The correctly spelled zone for a miscased one (`europe/berlin` → `Europe/Berlin`), if any. */
export function canonicalTimeZone(tz: string): string | undefined {
  if (!ZONE_SHAPE.test(tz)) return undefined;
  const resolved = resolvedZone(tz);
  return resolved !== undefined && resolved !== tz && isValidTimeZone(resolved)
    ? resolved
    : undefined;
}

/** The host's zone, if the runtime knows a valid IANA name for it. */
export function hostTimeZone(): string | undefined {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return tz && isValidTimeZone(tz) ? tz : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `date` as local wall time in `tz` with its UTC offset: `2026-11-23T09:00:00+01:00`. */
export function formatInZone(date: Date, tz: string): string {
  let fmt = formatters.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, fmt);
  }
  const p: Record<string, string> = {};
  for (const part of fmt.formatToParts(date)) p[part.type] = part.value;
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const offsetMin = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60000);
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  const off = offsetMin === 0
    ? "Z"
    : `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${
      String(abs % 60).padStart(2, "0")
    }`;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${off}`;
}

/** `date` in UTC without milliseconds: `2026-11-23T08:00:00Z`. */
export function formatUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
