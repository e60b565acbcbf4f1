/**
 * Field specs: what each key of a YAML config file may hold, as data for the
 * validator (`validate.ts`). The builders type what `build` receives. Nothing
 * is imported at run time: a spec costs nothing until a file is validated.
 *
 * @module
 */
import type { Severity } from "../diagnostics.ts";

/** A value as a check sees it: its path from the root, 1-based line, offset in the text. */
export interface Place {
  readonly path: (string | number)[];
  readonly line: number;
  readonly offset: number;
  /** Reports an error (or warning) at the value, or `column` characters into a one-line string. */
  report(code: string, message: string, o?: { severity?: Severity; column?: number }): void;
  /** In a mapping: the place of a present field's key. */
  field(key: string): Place | undefined;
}

/** A spec: `T` is what a valid value reads as, `V` a mapping's fields; builders fill it in. */
export interface Spec<T, V = Record<string, unknown>> {
  kind: "scalar" | "string" | "number" | "boolean" | "list" | "entries" | "fields";
  /** For a value not as `expect` says; it may depend on the value. */
  code: string | ((value: unknown) => string);
  /** Follows "must" (builders set it: `be a string`); `subject` (the key, `list[i]`) precedes. */
  expect?: string;
  subject?: string | ((at: Place) => string);
  /** Appended to the "must …, got …" message. */
  hint?: (value: unknown) => string;
  /** The key must be there; a string is the hint after "missing required key 'k'". */
  required?: true | string;
  default?: unknown;
  /** A null value: refused at its key with this message, or read as `{ value }`. */
  ifNull?: string | { value: T };
  /**
   * What else is wrong: a message (with `code`), or a code and a message,
   * `false` (the usual "must <expect>"; `true` is fine), or the value to use
   * instead (it stands even after a report: a duplicate still names its entry).
   */
  check?(value: T, at: Place): string | [string, string] | boolean | { value: T } | void;
  choices?: readonly string[];
  pattern?: RegExp;
  /** Refuses an empty list or mapping. */
  nonEmpty?: [code: string, message: string];
  item?: Spec<unknown>;
  /** A mapping of any keys: `key` reports a bad one, each holds a `value`. */
  key?: (key: string, at: Place) => void;
  value?: Spec<unknown>;
  /** A mapping of these fields, read in this order; `owner` is whom "is missing …" names. */
  fields?: Record<string, Spec<unknown>>;
  owner?(values: Partial<V>, at: Place): string;
  /** Checks across fields once they are read; `clean` when none failed. */
  rule?(values: Partial<V>, at: Place, clean: boolean): void;
  build?(values: V): T;
}

/** What a builder takes: a spec without its kind, `expect` defaulting by kind. */
export type Opts<T, V = Record<string, unknown>> = Omit<Spec<T, V>, "kind">;

/**
 * A whole file: its name in messages, its limits (aliases are legal, but a
 * few kilobytes of them can expand to gigabytes), what follows "<noun> is
 * empty; ", its root mapping. `style: "plugins"` keeps that file's own
 * conventions: a null value is reported at its key, a document holding only
 * null is empty, and a misspelt required key is reported once.
 */
export interface FileSpec<T> {
  noun: string;
  maxBytes: number;
  maxAliases: number;
  empty: string;
  root: Spec<T>;
  style?: "plugins";
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

/** One of `values`; a near miss gets a did-you-mean. */
export function oneOf<C extends string, O extends Opts<C>>(
  values: readonly C[],
  o: O,
): Spec<C> & O {
  return { kind: "string", expect: `be one of ${values.join(", ")}`, choices: values, ...o };
}

/** A finite number; a `check` can ask for more (an integer, a range). */
export function num<O extends Opts<number>>(o: O): Spec<number> & O {
  return { kind: "number", expect: "be a number", ...o };
}

/** `true` or `false`; `"yes"`, `on` and the like get a hint (YAML 1.2 reads them as strings). */
export function bool<O extends Opts<boolean>>(o: O): Spec<boolean> & O {
  const hint = (v: unknown) => {
    const [yes, no] = [/^(yes|on|true|y)$/i, /^(no|off|false|n)$/i].map((re) => re.test(`${v}`));
    return typeof v === "string" && (yes || no) ? `; write ${yes} without quotes` : "";
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
    if (v === null || String(v) !== String(expected)) return false;
    if (typeof v === typeof expected || typeof expected === "number") return { value: expected };
    const msg = `version must be the string ${shown}, not the number ${v}`;
    at.report(numberCode ?? code, `${msg}; quote it: version: ${shown}`);
  };
  const required = `(add: version: ${shown})`;
  return { kind: "scalar", code, expect: `be ${shown}`, required, check };
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

/** A mapping of exactly these fields, read in this order (any other key is unknown). */
export function fields<F extends Record<string, Spec<unknown>>, T>(
  f: F,
  o: Opts<T, Values<F>> & { build(values: Values<F>): T },
): Spec<T> {
  return { kind: "fields", expect: "be a mapping", fields: f, ...o };
}

/** `o` without its undefined values: what `build` returns has no key its file does not set. */
export function defined<T extends object>(o: T): T {
  for (const [k, v] of Object.entries(o)) if (v === undefined) Reflect.deleteProperty(o, k);
  return o;
}
