/**
 * IANA time zone names and formatting, on the runtime's own zone data (no
 * dependency, and the compiled binary carries the same data).
 *
 * A manifest's zone is read by an orchestrator we do not own (Python's
 * zoneinfo, Go's time package), so we accept exactly the names of the IANA tz
 * database — zones and backward-compatibility links (`US/Pacific`, `EST5EDT`,
 * `Etc/GMT+5`) — spelled exactly. `Temporal` knows that set; `Intl` does not:
 * ICU also resolves aliases of its own (`BST` → Asia/Dhaka, `SystemV/EST5`)
 * that no other implementation can load.
 *
 * @module
 */
import { KNOWN_ZONES } from "./zones.generated.ts";
import { suggest } from "../text/suggest.ts";

// Temporal also accepts UTC offsets ("+01:00"); a manifest must name a region
// so daylight-saving changes are followed.
const ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** The zone's canonical spelling per the runtime, or undefined if it knows no such zone. */
function temporalZoneId(tz: string): string | undefined {
  if (tz.length > 64 || !ZONE_SHAPE.test(tz)) return undefined;
  try {
    return new Temporal.ZonedDateTime(0n, tz).timeZoneId;
  } catch {
    return undefined;
  }
}

let known: Set<string> | undefined;

/**
 * True when `tz` names an IANA time zone or link, spelled exactly (e.g. `Europe/Berlin`, `UTC`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isValidTimeZone } from "../../mod.ts";
 *
 * assert.equal(isValidTimeZone("Europe/Berlin"), true);
 * assert.equal(isValidTimeZone("US/Pacific"), true); // a tzdata link
 * assert.equal(isValidTimeZone("europe/berlin"), false); // names are case-sensitive
 * assert.equal(isValidTimeZone("BST"), false); // an abbreviation, not a zone
 * ```
 */
export function isValidTimeZone(tz: string): boolean {
  known ??= new Set(KNOWN_ZONES);
  if (known.has(tz)) return true;
  return temporalZoneId(tz) === tz;
}

/**
 * Common abbreviations and non-IANA ids (Java's three-letter ids, ICU's
 * aliases) that people write for a zone, with the zone they most likely mean.
 * Ambiguous ones name every usual reading.
 */
const ABBREVIATIONS: Record<string, readonly string[]> = {
  ACT: ["Australia/Darwin"],
  AET: ["Australia/Sydney"],
  AEST: ["Australia/Sydney"],
  AEDT: ["Australia/Sydney"],
  ACST: ["Australia/Adelaide"],
  ACDT: ["Australia/Adelaide"],
  AWST: ["Australia/Perth"],
  AGT: ["America/Argentina/Buenos_Aires"],
  ART: ["America/Argentina/Buenos_Aires", "Africa/Cairo"],
  AKST: ["America/Anchorage"],
  AKDT: ["America/Anchorage"],
  AST: ["America/Halifax", "Asia/Riyadh"],
  ADT: ["America/Halifax"],
  BET: ["America/Sao_Paulo"],
  BRT: ["America/Sao_Paulo"],
  BST: ["Europe/London", "Asia/Dhaka"],
  CAT: ["Africa/Maputo"],
  CEST: ["Europe/Berlin", "Europe/Paris"],
  CNT: ["America/St_Johns"],
  CST: ["America/Chicago", "Asia/Shanghai"],
  CDT: ["America/Chicago"],
  CTT: ["Asia/Shanghai"],
  EAT: ["Africa/Nairobi"],
  ECT: ["Europe/Paris"],
  EDT: ["America/New_York"],
  EEST: ["Europe/Athens"],
  HKT: ["Asia/Hong_Kong"],
  IET: ["America/Indiana/Indianapolis"],
  IST: ["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"],
  JST: ["Asia/Tokyo"],
  KST: ["Asia/Seoul"],
  MDT: ["America/Denver"],
  MIT: ["Pacific/Apia"],
  MSK: ["Europe/Moscow"],
  NET: ["Asia/Yerevan"],
  NST: ["America/St_Johns", "Pacific/Auckland"],
  NZST: ["Pacific/Auckland"],
  NZDT: ["Pacific/Auckland"],
  PDT: ["America/Los_Angeles"],
  PLT: ["Asia/Karachi"],
  PKT: ["Asia/Karachi"],
  PNT: ["America/Phoenix"],
  PRT: ["America/Puerto_Rico"],
  PST: ["America/Los_Angeles"],
  PT: ["America/Los_Angeles"],
  ET: ["America/New_York"],
  CT: ["America/Chicago"],
  MT: ["America/Denver"],
  SAST: ["Africa/Johannesburg"],
  SGT: ["Asia/Singapore"],
  SST: ["Pacific/Guadalcanal", "Pacific/Pago_Pago"],
  VST: ["Asia/Ho_Chi_Minh"],
  WEST: ["Europe/Lisbon"],
  WIB: ["Asia/Jakarta"],
};

/**
 * Why `tz` is not accepted, with a did-you-mean where one is likely, or
 * `undefined` when it is a valid zone name. One line, no trailing period.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timeZoneProblem } from "../../mod.ts";
 *
 * assert.equal(
 *   timeZoneProblem("BST"),
 *   "'BST' is not an IANA time zone (an abbreviation, not a zone: did you mean Europe/London or Asia/Dhaka?)",
 * );
 * assert.equal(timeZoneProblem("Europe/London"), undefined);
 * ```
 */
export function timeZoneProblem(tz: string): string | undefined {
  if (isValidTimeZone(tz)) return undefined;
  const shown = JSON.stringify(tz).slice(1, -1).slice(0, 80);
  const head = `'${shown}' is not an IANA time zone`;
  if (/^[+-]\d/.test(tz) || /^(UTC|GMT)[+-]\d/i.test(tz)) {
    return `${head}: a fixed offset does not follow daylight saving time; name a region (e.g. Europe/Berlin), or Etc/GMT-1 for a constant UTC+1`;
  }
  const canonical = temporalZoneId(tz);
  if (canonical !== undefined && canonical !== tz) {
    return `${head} (zone names are case-sensitive: did you mean '${canonical}'?)`;
  }
  const abbrev = ABBREVIATIONS[tz.toUpperCase()];
  if (abbrev) {
    return `${head} (an abbreviation, not a zone: did you mean ${abbrev.join(" or ")}?)`;
  }
  if (/^SystemV\//i.test(tz) || tz === "US/Pacific-New") {
    return `${head} (a retired alias that tzdata no longer carries; e.g. America/New_York, UTC)`;
  }
  const close = closestZone(tz);
  return close
    ? `${head} (did you mean '${close}'?)`
    : `${head} (e.g. Europe/Berlin, America/New_York, UTC)`;
}

/** The known zone closest to a misspelt one, by whole name or by its city part. */
function closestZone(tz: string): string | undefined {
  const whole = suggest(tz, KNOWN_ZONES);
  if (whole) return whole;
  const city = tz.split("/").pop()!.replace(/ /g, "_").toLowerCase();
  if (city.length < 3) return undefined;
  const byCity = new Map<string, string>();
  for (const z of KNOWN_ZONES) {
    const c = z.split("/").pop()!.toLowerCase();
    if (!byCity.has(c)) byCity.set(c, z);
  }
  const exact = byCity.get(city);
  if (exact) return exact;
  const near = suggest(city, byCity.keys());
  return near ? byCity.get(near) : undefined;
}

/**
 * tzdata names that are one fixed offset all year but read like the region
 * people mean by them, with that region. Only these three: `Etc/GMT+5`
 * says it is an offset, `UTC`/`GMT` and friends mean offset zero, the
 * `EST5EDT` family follows US daylight saving, and fixed-offset regions
 * (`Asia/Tokyo`, `America/Phoenix`) are those regions' real clocks.
 */
const FIXED_OFFSET_LOOKALIKES: Record<string, string> = {
  EST: "America/New_York",
  MST: "America/Denver, or America/Phoenix (Arizona, which keeps UTC-7 all year)",
  HST:
    "Pacific/Honolulu (the same UTC-10 all year, as a region) or America/Adak (with daylight saving)",
};

/** `UTC-5`, `UTC+5:30`: the zone's one offset, when it has not changed since 1970; else undefined. */
function fixedOffset(tz: string): string | undefined {
  let z: Temporal.ZonedDateTime;
  try {
    z = new Temporal.ZonedDateTime(0n, tz);
  } catch {
    return undefined;
  }
  if (z.getTimeZoneTransition("next") !== null) return undefined;
  const m = /^([+-])(\d\d):(\d\d)/.exec(z.offset);
  if (!m) return undefined;
  return `UTC${m[1]}${Number(m[2])}${m[3] === "00" ? "" : `:${m[3]}`}`;
}

/**
 * A warning for a valid zone name that is probably not what its author
 * meant: `EST`, `MST` and `HST` are tzdata zones, but fixed offsets with no
 * daylight saving, so a weekly 09:00 in `EST` is 10:00 in New York all
 * summer. Whether the zone really is fixed is asked of the runtime's zone
 * data, not assumed. Undefined for every other name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timeZoneWarning } from "../../mod.ts";
 *
 * assert.equal(
 *   timeZoneWarning("EST"),
 *   "EST is a fixed UTC-5 offset with no daylight saving; did you mean America/New_York?",
 * );
 * assert.equal(timeZoneWarning("America/New_York"), undefined);
 * ```
 */
export function timeZoneWarning(tz: string): string | undefined {
  if (!Object.hasOwn(FIXED_OFFSET_LOOKALIKES, tz)) return undefined;
  const offset = fixedOffset(tz);
  if (offset === undefined) return undefined;
  return `${tz} is a fixed ${offset} offset with no daylight saving; did you mean ${
    FIXED_OFFSET_LOOKALIKES[tz]
  }?`;
}

/** Throws a `RangeError` with {@link timeZoneProblem}'s message unless `tz` is a valid zone. */
export function assertTimeZone(tz: string): void {
  const problem = timeZoneProblem(tz);
  if (problem !== undefined) throw new RangeError(problem);
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
