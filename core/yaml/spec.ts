/**
 * Field specs: what each key of a YAML config file may hold, written as data
 * and read by the one validator (`validate.ts`). A spec names a value's kind
 * (string, number, boolean, list, mapping of fields, mapping of entries), its
 * diagnostic code, and what it must be (`expect`, choices, pattern, range);
 * `check` and `rule` carry what no table can say (a cron field, a path that
 * must stay inside the repo). The builders infer each file's result type, so
 * a spec's `build` receives typed values.
 *
 * This module loads nothing at run time: a spec costs nothing until a file
 * is validated (the plugins file loads the engine, and yaml, lazily).
 *
 * @module
 */
import type { Severity } from "../diagnostics.ts";

/** Where a value sits, for checks that report more than one message. */
export interface Place {
  /** Keys and list indexes from the root. */
  readonly path: (string | number)[];
  /** The 1-based line and column of the value. */
  readonly line: number;
  readonly col: number;
  /** Reports at the value, or `column` characters into a one-line string value. */
  report(code: string, message: string, options?: { severity?: Severity; column?: number }): void;
  /** In a mapping: the place of a field's key, when the field is present. */
  field(key: string): Place | undefined;
}

/**
 * What a check says: nothing (fine), a message (an error with the spec's
 * code), `false` (not what `expect` says: the usual "must be …, got …"), or
 * the value to use instead (kept even when the check reported a problem).
 */
export type Verdict<T> = string | false | { value: T } | undefined | void;

/** What every spec may say. */
export interface Common<T> {
  /** The code of a value that is not what `expect` says (it may depend on the value). */
  code: string | ((value: unknown) => string);
  /** Follows "must": `be a string`, `match ^[a-z]+$`. */
  expect?: string;
  /** Whom messages name; by default the key, or `list[i]` for a list item. */
  subject?: string | ((at: Place) => string);
  /** Appended to the "must be …, got …" message, from the raw value. */
  hint?: (value: unknown) => string;
  /** The key must be present; a string is the hint after "missing required key 'k'". */
  required?: true | string;
  /** The value when the key is absent. */
  default?: unknown;
  /** A null value: reported at its key with this message, or read as `{ value }`. */
  ifNull?: string | { value: T };
  check?(value: T, at: Place): Verdict<T>;
}

/** A spec; `T` is what a valid value reads as. */
export interface Spec<T> extends Common<T> {
  kind: "scalar" | "string" | "number" | "boolean" | "list" | "entries" | "fields";
  choices?: readonly string[];
  pattern?: RegExp;
  integer?: boolean;
  min?: number;
  max?: number;
  /** A list's items. */
  item?: Spec<unknown>;
  /** A mapping of entries: what its keys may be (a message for `code`), and its values. */
  key?: { code: string; check(key: string, at: Place): string | void };
  value?: Spec<unknown>;
  /** A mapping of these fields, read in this order. */
  fields?: Record<string, Spec<unknown>>;
  /** An empty list or mapping is refused with this code and message. */
  nonEmpty?: [code: string, message: string];
  /** In a mapping: whom "is missing required key" names. */
  owner?(values: Record<string, unknown>, at: Place): string;
  /** In a mapping: checks across fields, after they are read; `clean` when none failed. */
  rule?(values: Record<string, unknown>, at: Place, clean: boolean): void;
  build?(values: Record<string, unknown>): T;
}

/** A whole file: its limits, what it is called, and its root mapping. */
export interface FileSpec<T> {
  /** The file in messages: `manifest`, `roster file`. */
  noun: string;
  maxBytes: number;
  /** Anchors and aliases are legal, but a few kilobytes can expand to gigabytes. */
  maxAliases: number;
  /** Follows "<noun> is empty; ". */
  empty: string;
  root: Spec<T>;
  /** Conventions of the plugins file, kept as they were: values read "nothing", "the string 'x'"; */
  words?: boolean;
  /** a null value is reported at its key; */
  nullAtKey?: boolean;
  /** a document holding only null (`---`) is empty; */
  nullRootIsEmpty?: boolean;
  /** a misspelt required key is reported once, as the misspelling. */
  typoHidesMissing?: boolean;
}

type Out<S> = S extends Spec<infer T> ? T : never;
/** What a mapping's `build` receives: required and defaulted fields are always there. */
export type Values<F> = {
  [K in keyof F]: F[K] extends { required: unknown } ? Out<F[K]>
    : F[K] extends { default: infer D } ? Out<F[K]> | D
    : Out<F[K]> | undefined;
};

type StringOpts<T> = Common<T> & { pattern?: RegExp };

/** A string, optionally matching `pattern`. */
export function str<O extends StringOpts<string>>(o: O): Spec<string> & O {
  return { kind: "string", expect: "be a string", ...o };
}

/** One of `choices`; a near miss gets a did-you-mean. */
export function oneOf<C extends string, O extends Common<C>>(
  choices: readonly C[],
  o: O,
): Spec<C> & O {
  return { kind: "string", expect: `be one of ${choices.join(", ")}`, choices, ...o };
}

/** A finite number; `integer`, `min` and `max` narrow it. */
export function num<O extends Common<number> & { integer?: boolean; min?: number; max?: number }>(
  o: O,
): Spec<number> & O {
  return { kind: "number", expect: "be a number", ...o };
}

const YAML11_BOOLEANS = ["yes", "no", "on", "off", "true", "false", "y", "n"];

/** `true` or `false`; `"yes"`, `on` and the like get a hint (YAML 1.2 reads them as strings). */
export function bool<O extends Common<boolean>>(o: O): Spec<boolean> & O {
  const hint = (v: unknown) => {
    const word = typeof v === "string" ? v.toLowerCase() : "";
    if (!YAML11_BOOLEANS.includes(word)) return "";
    return `; write ${["yes", "on", "true", "y"].includes(word) ? "true" : "false"} without quotes`;
  };
  return { kind: "boolean", expect: "be a boolean (true or false)", hint, ...o };
}

/**
 * The file format's `version`: exactly `expected`. A string version written
 * as a number (`version: 1`, the commonest slip) gets `numberCode` and a fix;
 * a number version also reads from its string.
 */
export function version<V extends string | number>(
  expected: V,
  o: { code: string; numberCode?: string },
): Spec<V> & { required: string } {
  const shown = JSON.stringify(expected);
  return {
    kind: "scalar",
    code: o.code,
    expect: `be ${shown}`,
    required: `(add: version: ${shown})`,
    check(v: unknown, at) {
      if (v === expected || (typeof expected === "number" && v === String(expected))) {
        return { value: expected };
      }
      if (!o.numberCode || typeof v !== "number" || String(v) !== expected) return false;
      at.report(
        o.numberCode,
        `version must be the string ${shown}, not the number ${v}; quote it: version: ${shown}`,
      );
    },
  };
}

/** A list of `item`s. */
export function list<T, O extends Common<T[]> & { nonEmpty?: [string, string] }>(
  item: Spec<T>,
  o: O,
): Spec<T[]> & O {
  return { kind: "list", expect: "be a list", item, ...o };
}

/** A mapping of any keys that pass `key`, each holding a `value`. */
export function entries<T, O extends Common<Record<string, T>> & { nonEmpty?: [string, string] }>(
  key: Spec<unknown>["key"],
  value: Spec<T>,
  o: O,
): Spec<Record<string, T>> & O {
  return { kind: "entries", expect: "be a mapping", key, value, ...o };
}

/** Options of a mapping of `fields`, typed by what its fields read as. */
export interface FieldsOpts<V, T> extends Common<T> {
  owner?(values: Partial<V>, at: Place): string;
  rule?(values: Partial<V>, at: Place, clean: boolean): void;
  build(values: V): T;
}

/** A mapping of exactly these fields (any other key is unknown), read into `build`. */
export function fields<F extends Record<string, Spec<unknown>>, T>(
  f: F,
  o: FieldsOpts<Values<F>, T>,
): Spec<T> {
  return { kind: "fields", expect: "be a mapping", fields: f, ...o } as Spec<T>;
}
