/**
 * Structured section data (`sections[].data`): bounded, plain, and redacted
 * string by string.
 *
 * Data comes from files in an untrusted repo (`summary.json`) and from
 * plugins, so its shape is input too: a 48 KB file nested 8,000 levels deep
 * must not crash the run, and 5,000 levels must not turn into 50 MB of
 * indented JSON. {@link boundData} copies it as plain JSON values with a
 * depth, count and size cap; {@link redactData} then sends every string, keys
 * included, through the redactor, so data keeps its shape with only the
 * secrets replaced.
 *
 * @module
 */
import { stripControl } from "../text/printable.ts";
import { byteLength } from "./hash.ts";
import { redactAll, type Redactor } from "./scan.ts";

/** Caps on one section's data. */
export interface DataLimits {
  /** Deepest nesting of arrays/objects kept; deeper values are replaced by a note. */
  maxDepth: number;
  /** Most values (of any kind) kept; the rest are left out. */
  maxValues: number;
  /** Largest compact-JSON size kept; bigger data is left out as a whole. */
  maxBytes: number;
}

/** The caps `prepare` applies. */
export const DATA_LIMITS: DataLimits = { maxDepth: 32, maxValues: 10_000, maxBytes: 256 * 1024 };

/** {@link boundData}'s result: the copy, and what was cut (empty when nothing). */
export interface BoundedData {
  value: unknown;
  problems: string[];
}

/**
 * Copies `value` as plain JSON (what `JSON.stringify` would keep), with
 * control characters stripped from every string and the caps applied. Never
 * throws; recursion is bounded by `maxDepth`, which also stops cycles.
 */
export function boundData(value: unknown, limits: DataLimits = DATA_LIMITS): BoundedData {
  let values = 0;
  let tooDeep = false;
  let tooMany = false;
  const deepNote = `[kaizen: nested deeper than ${limits.maxDepth} levels; left out]`;

  const copy = (v: unknown, depth: number): unknown => {
    if (
      v !== null && typeof v === "object" &&
      typeof (v as { toJSON?: unknown }).toJSON === "function"
    ) {
      try {
        v = (v as { toJSON: () => unknown }).toJSON();
      } catch {
        return null;
      }
    }
    if (v === null || typeof v === "boolean") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : null;
    if (typeof v === "string") return stripControl(v);
    if (typeof v !== "object") return undefined; // functions, symbols, bigint, undefined
    if (depth >= limits.maxDepth) {
      tooDeep = true;
      return deepNote;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const item of v) {
        if (++values > limits.maxValues) {
          tooMany = true;
          break;
        }
        const c = copy(item, depth + 1);
        out.push(c === undefined ? null : c);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      if (++values > limits.maxValues) {
        tooMany = true;
        break;
      }
      let item: unknown;
      try {
        item = (v as Record<string, unknown>)[key];
      } catch {
        continue; // a throwing getter
      }
      const c = copy(item, depth + 1);
      if (c !== undefined) out[stripControl(key)] = c;
    }
    return out;
  };

  const problems: string[] = [];
  let out = copy(value, 0);
  if (tooDeep) {
    problems.push(`nested deeper than ${limits.maxDepth} levels; the deeper part is left out`);
  }
  if (tooMany) problems.push(`holds more than ${limits.maxValues} values; the rest are left out`);
  const size = out === undefined ? 0 : byteLength(JSON.stringify(out));
  if (size > limits.maxBytes) {
    problems.push(`is ${size} bytes as JSON, over the ${limits.maxBytes}-byte cap; left out`);
    out = { withheld: true, note: "structured data over the size cap was left out" };
  }
  return { value: out, problems };
}

/**
 * Redacts every string in `value` (keys and values), in place where it can,
 * and returns the result and how many secrets were found. A value is scanned together with its key
 * (`db_password: <value>`), since many secrets are recognised only next to
 * their name; only the value part is kept afterwards. `value` must be what
 * {@link boundData} returned (plain, bounded).
 */
export async function redactData(
  value: unknown,
  redact: Redactor,
): Promise<{ value: unknown; count: number }> {
  const texts: string[] = [];
  const setters: ((redacted: string) => void)[] = [];

  const visit = (v: unknown, key: string, assign: (s: string) => void) => {
    if (typeof v === "string") {
      const prefix = key === "" ? "" : `${key}: `;
      texts.push(prefix + v);
      // If a marker swallowed the key too, keep the whole redacted line.
      setters.push((r) => assign(r.startsWith(prefix) ? r.slice(prefix.length) : r));
      return;
    }
    if (v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, key, (s) => (v[i] = s)));
      return;
    }
    const obj = v as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      visit(obj[k], k, (s) => (obj[k] = s));
      texts.push(k);
      setters.push((r) => {
        if (r === k) return;
        // Keys can be secrets too; keep the position and order of the entry.
        const entries = Object.entries(obj).map(([ek, ev]) => [ek === k ? r : ek, ev] as const);
        for (const ek of Object.keys(obj)) delete obj[ek];
        for (const [ek, ev] of entries) obj[ek] = ev;
      });
    }
  };

  let root = value;
  visit(value, "", (s) => (root = s));
  if (texts.length === 0) return { value, count: 0 };
  const scanned = await redactAll(redact, texts);
  // A key's setter was pushed after its value's, so the value is stored under
  // the old key before the key itself is renamed.
  scanned.texts.forEach((t, i) => setters[i](t));
  return { value: root, count: scanned.counts.reduce((a, b) => a + b, 0) };
}
