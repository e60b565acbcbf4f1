/**
 * Field specs: what each key of a YAML config file may hold, as data read by
 * the one validator (`validate.ts`). The builders infer a file's result type,
 * so `build` receives typed values. No run-time imports: a spec costs nothing
 * to load until a file is validated.
 *
 * @module
 */
import type { Severity } from "../diagnostics.ts";

/** A value as a check sees it. */
export interface Place {
  /** Keys and list indexes from the root. */
  readonly path: (string | number)[];
  /** Where the value is: its 1-based line, its offset in the text. */
  readonly line: number;
  readonly offset: number;
  /** Reports at the value, or `column` characters into a one-line string value. */
  report(code: string, message: string, o?: ReportOptions): void;
  /** In a mapping: the place of a present field's key. */
  field(key: string): Place | undefined;
}

/** How a check reports: an error unless a warning, at the value or a character of it. */
export type ReportOptions = { severity?: Severity; column?: number };

/**
 * What a check says: fine (nothing), an error (a message, with the spec's
 * code), `false` (the usual "must <expect>"), or the value to use (it stands
 * even after the check reported a problem).
 */
export type Verdict<T> = string | false | { value: T } | undefined | void;

/** A spec; `T` is what a valid value reads as. The builders set the fields of each kind. */
export interface Spec<T> {
  kind: "scalar" | "string" | "number" | "boolean" | "list" | "entries" | "fields";
  /** The code of a value that is not as `expect` says (it may depend on the value). */
  code: string | ((value: unknown) => string);
  /** Follows "must": `be a string`, `match ^[a-z]+$`. */
  expect: string;
  /** Whom messages name; by default the key, or `list[i]` for an item. */
  subject?: string | ((at: Place) => string);
  /** Appended to the "must …, got …" message. */
  hint?: (value: unknown) => string;
  /** The key must be there; a string is the hint after "missing required key 'k'". */
  required?: true | string;
  /** The value when the key is absent. */
  default?: unknown;
  /** A null value: refused at its key with this message, or read as `{ value }`. */
  ifNull?: string | { value: T };
  check?(value: T, at: Place): Verdict<T>;
  choices?: readonly string[];
  pattern?: RegExp;
  integer?: boolean;
  min?: number;
  max?: number;
  /** Refuses an empty list or mapping. */
  nonEmpty?: [code: string, message: string];
  item?: Spec<unknown>;
  key?: (key: string, at: Place) => void;
  value?: Spec<unknown>;
  fields?: Record<string, Spec<unknown>>;
  /** Whom "is missing required key" names. */
  owner?(values: Record<string, unknown>, at: Place): string;
  /** Checks across fields once they are read; `clean` when none failed. */
  rule?(values: Record<string, unknown>, at: Place, clean: boolean): void;
  build?(values: Record<string, unknown>): T;
}

/** What a builder takes: a spec without its kind, `expect` defaulting by kind. */
export type Opts<T> = Omit<Spec<T>, "kind" | "expect"> & { expect?: string };

/** A whole file: its name in messages, its limits, its root mapping. */
export interface FileSpec<T> {
  noun: string;
  maxBytes: number;
  /** Aliases are legal, but a few kilobytes of them can expand to gigabytes. */
  maxAliases: number;
  /** Follows "<noun> is empty; ". */
  empty: string;
  root: Spec<T>;
  /** Plugins-file conventions: values read "nothing", "the string 'x'"; null is reported at its key; */
  words?: boolean;
  nullAtKey?: boolean;
  /** a document holding only null is empty; a misspelt required key is reported once. */
  nullRootIsEmpty?: boolean;
  typoHidesMissing?: boolean;
}

type Out<S> = S extends Spec<infer T> ? T : never;
/** What `build` receives: required and defaulted fields are always there. */
export type Values<F> = {
  [K in keyof F]: F[K] extends { required: unknown } ? Out<F[K]>
    : F[K] extends { default: infer D } ? Out<F[K]> | D
    : Out<F[K]> | undefined;
};

/** A string, optionally matching `pattern`. */
export function str<O extends Opts<string>>(o: O): Spec<string> & O {
  return { kind: "string", expect: "be a string", ...o };
}

/** One of `choices`; a near miss gets a did-you-mean. */
export function oneOf<C extends string, O extends Opts<C>>(
  choices: readonly C[],
  o: O,
): Spec<C> & O {
  return { kind: "string", expect: `be one of ${choices.join(", ")}`, choices, ...o };
}

/** A finite number, an integer when asked, from `min` to `max`. */
export function num<O extends Opts<number>>(o: O): Spec<number> & O {
  return { kind: "number", expect: "be a number", ...o };
}

/** `true` or `false`; `"yes"`, `on` and the like get a hint (YAML 1.2 reads them as strings). */
export function bool<O extends Opts<boolean>>(o: O): Spec<boolean> & O {
  const hint = (v: unknown) => {
    const yes = ["yes", "on", "true", "y"].includes(String(v).toLowerCase());
    const word = yes || ["no", "off", "false", "n"].includes(String(v).toLowerCase());
    return typeof v === "string" && word ? `; write ${yes} without quotes` : "";
  };
  return { kind: "boolean", expect: "be a boolean (true or false)", hint, ...o };
}

/** The format's version, exactly `expected`; a string one written as a number gets `numberCode`. */
export function version<V extends string | number>(
  expected: V,
  code: string,
  numberCode?: string,
): Spec<V> & { required: string } {
  const shown = JSON.stringify(expected);
  const check = (v: unknown, at: Place) => {
    if (v === expected || (typeof expected === "number" && v === String(expected))) {
      return { value: expected };
    }
    if (!numberCode || typeof v !== "number" || String(v) !== expected) return false;
    const fix = `quote it: version: ${shown}`;
    at.report(numberCode, `version must be the string ${shown}, not the number ${v}; ${fix}`);
  };
  return {
    kind: "scalar",
    code,
    expect: `be ${shown}`,
    required: `(add: version: ${shown})`,
    check,
  };
}

/** A list of `item`s. */
export function list<T, O extends Opts<T[]>>(item: Spec<T>, o: O): Spec<T[]> & O {
  return { kind: "list", expect: "be a list", item, ...o };
}

/** A mapping of any keys (`key` reports a bad one), each holding a `value`. */
export function entries<T, O extends Opts<Record<string, T>>>(
  key: (key: string, at: Place) => void,
  value: Spec<T>,
  o: O,
): Spec<Record<string, T>> & O {
  return { kind: "entries", expect: "be a mapping", key, value, ...o };
}

/** Options of a mapping of fields, typed by what its fields read as. */
export interface FieldsOpts<V, T> extends Omit<Opts<T>, "owner" | "rule" | "build"> {
  owner?(values: Partial<V>, at: Place): string;
  rule?(values: Partial<V>, at: Place, clean: boolean): void;
  build(values: V): T;
}

/** A mapping of exactly these fields, read in this order (any other key is unknown). */
export function fields<F extends Record<string, Spec<unknown>>, T>(
  f: F,
  o: FieldsOpts<Values<F>, T>,
): Spec<T> {
  return { kind: "fields", expect: "be a mapping", fields: f, ...o };
}
