/**
 * A small declarative command tree: parsing, help, did-you-mean, exit codes.
 *
 * Why not commander: it is CommonJS and loads Deno's Node compatibility layer
 * (`node:events`, `node:child_process`, ...), which alone costs more start-up
 * than our whole 3× budget for `schedule validate`, and it cannot be bundled
 * for the lean browser-platform bundle we ship. This module covers what we
 * use — nested commands, typed options with choices, positional arguments,
 * generated help and suggestions — and nothing else.
 *
 * Options are typed twice over, from one declaration: the parser turns each
 * value into its kind (a number, a `Date`, milliseconds) and refuses one out
 * of range with a one-line usage error naming the option; and
 * {@link TypedInvocation} gives a command's `inv.opts` the same types, with
 * choices narrowed to their union and options that always have a value
 * (a default, `required`, a boolean flag) non-optional. A command reads
 * `inv.opts.x` as it is: no guards, no casts, no second range check.
 *
 * @module
 */
import { CommandLineError } from "../errors.ts";
import { didYouMean } from "../text/suggest.ts";
import { printable } from "../text/printable.ts";
import {
  DECIMAL,
  INSTANT_YEARS,
  type Interval,
  parseDurationValue,
  parseInstant,
  parseInterval,
  spanText,
} from "./option_values.ts";

export type { Interval } from "./option_values.ts";

/** What an option looks like on the command line (`-h`, `--target`). */
const OPTION_SHAPE = /^--?[A-Za-z]/;

/** What every option declares, whatever its kind. */
interface OptionBase {
  /** Long name without dashes, e.g. `target`. */
  readonly name: string;
  readonly short?: string;
  readonly description: string;
  /** Placeholder in help, e.g. `PATH`. */
  readonly valueName?: string;
  /** Refused when absent (`missing option '--time <SECONDS>'`), so never undefined. */
  readonly required?: boolean;
}

/** A flag without a value: `true` when given, `false` when not. */
export interface BooleanOption extends OptionBase {
  readonly type: "boolean";
}

/** Text, or one of `choices` (then typed as their union). */
export interface StringOption extends OptionBase {
  readonly type: "string";
  readonly choices?: readonly string[];
  /** Shown in help; applied when the option is absent. */
  readonly default?: string;
  /**
   * May be given more than once; the values are joined with commas, so
   * `--sink a --sink b` reads as `--sink a,b`.
   */
  readonly repeatable?: boolean;
}

/** A plain decimal number (`0.75`), delivered as a `number`, within `min`..`max`. */
export interface NumberOption extends OptionBase {
  readonly type: "number" | "integer";
  readonly min?: number;
  readonly max?: number;
  readonly default?: number;
}

/**
 * An ISO 8601 date-time (`2026-11-23T08:00:00Z`), delivered as a `Date`,
 * in the years 1970 to 9998.
 */
export interface InstantOption extends OptionBase {
  readonly type: "instant";
}

/**
 * A duration (`30m`, `2h`, `7d`, `PT1H`), delivered in milliseconds. A zero
 * length is refused unless `zero` says what it means (`"no limit"`): then
 * `0` is accepted too, and the error message says so.
 */
export interface DurationOption extends OptionBase {
  readonly type: "duration";
  /** The longest accepted, in milliseconds. */
  readonly max?: number;
  readonly zero?: string;
  /** As written on the command line (`6h`); shown in help, parsed like a given value. */
  readonly default?: string;
}

/**
 * `START/END` or `START/DURATION` (`2026-11-23T08:00:00Z/PT1H`), delivered
 * as an {@link Interval} that ends after it starts and spans at most `max`
 * milliseconds.
 */
export interface IntervalOption extends OptionBase {
  readonly type: "interval";
  readonly max: number;
}

/** One `--flag`, of one kind. */
export type OptionSpec =
  | BooleanOption
  | StringOption
  | NumberOption
  | InstantOption
  | DurationOption
  | IntervalOption;

/** `--name`: a flag, `true` when given (the commonest kind, declared in one line). */
export function flag<const N extends string>(name: N, description: string) {
  return { name, type: "boolean", description } as const satisfies BooleanOption;
}

/** `--name <VALUE>`: free text, absent unless given. */
export function text<const N extends string>(name: N, valueName: string, description: string) {
  return { name, type: "string", valueName, description } as const satisfies StringOption;
}

/** `--name <N>`: a whole number within `range`, and its default if it has one. */
export function integer<
  const N extends string,
  const R extends Pick<NumberOption, "min" | "max" | "default">,
>(name: N, valueName: string, description: string, range: R) {
  return { name, type: "integer", valueName, description, ...range } as const;
}

/** Any parsed option value. */
export type OptionValue = string | number | boolean | Date | Interval;

/** The choices a string option offers, if any (help and completions list them). */
export function choicesOf(o: OptionSpec): readonly string[] | undefined {
  return o.type === "string" ? o.choices : undefined;
}

/** Whether the option takes a value (every kind but `boolean`). */
export function takesValue(o: OptionSpec): boolean {
  return o.type !== "boolean";
}

/** The placeholder for the option's value in help and messages. */
export function valueName(o: OptionSpec): string {
  if (o.valueName !== undefined) return o.valueName;
  const choices = choicesOf(o);
  if (choices) return choices.join("|");
  return VALUE_NAMES[o.type];
}

const VALUE_NAMES: Record<OptionSpec["type"], string> = {
  boolean: "",
  string: "VALUE",
  number: "N",
  integer: "N",
  instant: "ISO",
  duration: "DURATION",
  interval: "START/END",
};

/** The value as a message quotes it: printable, and short. */
function shown(value: string): string {
  return printable(value, 40);
}

/** A numeric option's value, or a usage error naming its kind and range. */
function toNumber(spec: NumberOption, value: string, path: string[]): number {
  const integer = spec.type === "integer";
  const x = Number(value);
  const ok = DECIMAL.test(value) && Number.isFinite(x) && (!integer || Number.isSafeInteger(x)) &&
    (spec.min === undefined || x >= spec.min) && (spec.max === undefined || x <= spec.max);
  if (ok) return x;
  const range = spec.min !== undefined && spec.max !== undefined
    ? ` from ${spec.min} to ${spec.max}`
    : spec.min !== undefined
    ? ` of at least ${spec.min}`
    : spec.max !== undefined
    ? ` of at most ${spec.max}`
    : "";
  throw new UsageError(
    `option '--${spec.name}' must be ${integer ? "a whole number" : "a number"}${range}, got '${
      shown(value)
    }'`,
    path,
  );
}

function toInstant(spec: InstantOption, value: string, path: string[]): Date {
  const d = parseInstant(value);
  if (d instanceof Date) return d;
  throw new UsageError(
    d === "range"
      ? `--${spec.name} '${
        printable(value)
      }' must be between ${INSTANT_YEARS.min} and ${INSTANT_YEARS.max}`
      : `--${spec.name} '${
        printable(value)
      }' is not an ISO 8601 date-time (e.g. 2026-11-23T08:00:00Z)`,
    path,
  );
}

function toDuration(spec: DurationOption, value: string, path: string[]): number {
  const ms = parseDurationValue(value, spec.zero !== undefined);
  const max = spec.max ?? Number.POSITIVE_INFINITY;
  if (ms !== undefined && (ms > 0 || spec.zero !== undefined) && ms <= max) return ms;
  const problem = ms === undefined
    ? ` such as 30m, 2h, 7d or PT1H${spec.zero !== undefined ? ` (0 for ${spec.zero})` : ""}`
    : ms > max
    ? ` of at most ${spanText(max)}`
    : " longer than 0";
  throw new UsageError(
    `option '--${spec.name}' must be a duration${problem}, got '${shown(value)}'`,
    path,
  );
}

function toInterval(spec: IntervalOption, value: string, path: string[]): Interval {
  const span = parseInterval(value);
  const length = span === undefined ? undefined : span.end.getTime() - span.start.getTime();
  if (span !== undefined && length !== undefined && length > 0 && length <= spec.max) return span;
  const problem = length === undefined
    ? "must be START/END or START/DURATION (e.g. 2026-11-23T08:00:00Z/PT1H)"
    : length <= 0
    ? "ends before it starts"
    : `is longer than ${spanText(spec.max)}`;
  throw new UsageError(`--${spec.name} '${printable(value)}' ${problem}`, path);
}

/** `value` as the option's kind, range-checked; a usage error names the option. */
function convert(spec: OptionSpec, value: string, path: string[]): OptionValue {
  switch (spec.type) {
    case "boolean":
      return true;
    case "string":
      if (spec.choices && !spec.choices.includes(value)) {
        throw new UsageError(
          `option '--${spec.name}' must be one of ${spec.choices.join(", ")}, got '${
            shown(value)
          }'${didYouMean(value, spec.choices)}`,
          path,
        );
      }
      return value;
    case "number":
    case "integer":
      return toNumber(spec, value, path);
    case "instant":
      return toInstant(spec, value, path);
    case "duration":
      return toDuration(spec, value, path);
    case "interval":
      return toInterval(spec, value, path);
  }
}

/** One positional argument. */
export interface ArgSpec {
  name: string;
  description: string;
  required: boolean;
}

/** Parsed options, keyed by name, as the parser fills them. */
export type ParsedOptions = Readonly<Record<string, OptionValue | undefined>>;

/** Parsed input handed to a command's `run`. */
export interface Invocation {
  args: string[];
  opts: ParsedOptions;
  /** The command path, e.g. `["schedule", "validate"]`. */
  path: string[];
}

/** The type of one option's parsed value: choices narrowed to their union. */
export type ValueOf<S extends OptionSpec> = S extends BooleanOption ? boolean
  : S extends NumberOption | DurationOption ? number
  : S extends InstantOption ? Date
  : S extends IntervalOption ? Interval
  : S extends { readonly choices: readonly (infer C extends string)[] } ? C
  : string;

/** Options that always have a value: booleans, and those with a default or `required`. */
type Present<S> = S extends
  BooleanOption | { readonly default: unknown } | { readonly required: true } ? true
  : false;

/** A command's parsed options, keyed by the names its option specs declare. */
export type OptionsOf<O extends readonly OptionSpec[]> =
  & { readonly [S in O[number] as Present<S> extends true ? S["name"] : never]: ValueOf<S> }
  & { readonly [S in O[number] as Present<S> extends true ? never : S["name"]]?: ValueOf<S> };

/**
 * The invocation of a command whose options are `O` (declared `as const`):
 * each option typed by its kind, and reading one the command does not
 * declare does not compile.
 */
export interface TypedInvocation<O extends readonly OptionSpec[]> {
  args: string[];
  opts: OptionsOf<O>;
  path: string[];
}

/**
 * `inv` typed by `options`. The parser fills exactly the declared names with
 * values of the declared kinds (and defaults), so this is a view of the same
 * object, not a conversion.
 */
export function typed<O extends readonly OptionSpec[]>(
  inv: Invocation,
  _options: O,
): TypedInvocation<O> {
  return inv as unknown as TypedInvocation<O>;
}

/** A command or a group of commands. */
export interface CommandSpec {
  name: string;
  description: string;
  /** Extra lines shown at the end of `--help`. */
  epilog?: string;
  args?: ArgSpec[];
  options?: readonly OptionSpec[];
  subcommands?: CommandSpec[];
  /** Returns the exit code. Absent on pure groups. */
  run?: (inv: Invocation) => Promise<number>;
}

/** Every property any kind of option may declare. */
type SpecKey =
  | keyof BooleanOption
  | keyof StringOption
  | keyof NumberOption
  | keyof InstantOption
  | keyof DurationOption
  | keyof IntervalOption;

/**
 * `O`, with any property no option kind declares typed `never`: a misspelt
 * `choises` inside `defineCommand` fails to compile, as it would under
 * `satisfies OptionSpec` (inference alone does not check excess properties).
 */
type Checked<O extends readonly OptionSpec[]> =
  & O
  & { readonly [K in keyof O]: { readonly [P in Exclude<keyof O[K], SpecKey>]: never } };

/** A leaf command as {@link defineCommand} takes it: `run` reads `options` typed. */
export interface LeafSpec<O extends readonly OptionSpec[]> {
  name: string;
  description: string;
  epilog?: string;
  args?: ArgSpec[];
  options: Checked<O>;
  run: (inv: TypedInvocation<O>) => Promise<number>;
}

/**
 * A leaf command whose options are declared once, where it is: `run`
 * receives `inv.opts` typed from them (literal types inferred, no `as
 * const`), so the declaration and what the command reads cannot drift.
 *
 * @example
 * ```ts
 * const hello = defineCommand({
 *   name: "hello",
 *   description: "Greet",
 *   options: [{ name: "times", type: "integer", min: 1, default: 1, description: "How often" }],
 *   run: (inv) => Promise.resolve(inv.opts.times > 1 ? 0 : 1),
 * });
 * ```
 */
export function defineCommand<const O extends readonly OptionSpec[]>(
  spec: LeafSpec<O>,
): CommandSpec {
  const options: O = spec.options;
  return { ...spec, options, run: (inv) => spec.run(typed(inv, options)) };
}

/** Raised for bad command-line input; rendered as one line, exit 2. */
export class UsageError extends CommandLineError {
  constructor(message: string, override readonly helpPath: string[] = []) {
    super(message);
    this.name = "UsageError";
  }
}

/** What {@link parseArgv} decided to do. */
export type ParseOutcome =
  | { kind: "run"; command: CommandSpec; invocation: Invocation }
  | { kind: "help"; command: CommandSpec; path: string[] }
  | { kind: "version" };

const HELP: OptionSpec = {
  name: "help",
  short: "h",
  type: "boolean",
  description: "Show help for this command",
};

/**
 * Resolves `argv` against the tree rooted at `root`. Throws {@link UsageError}
 * with a suggestion for unknown commands and options.
 */
export function parseArgv(
  root: CommandSpec,
  argv: readonly string[],
  rootOptions: OptionSpec[] = [],
): ParseOutcome {
  let cmd = root;
  const path: string[] = [];
  let i = 0;
  // Walk down the command groups; global flags may come before the command.
  while (cmd.subcommands && i < argv.length) {
    const tok = argv[i];
    if (tok === "--help" || tok === "-h") return { kind: "help", command: cmd, path };
    if (cmd === root && (tok === "--version" || tok === "-V")) return { kind: "version" };
    if (tok === "help" && cmd === root) return helpFor(root, argv.slice(i + 1));
    if (tok.startsWith("-")) {
      throw new UsageError(`unknown option '${tok}' for '${[root.name, ...path].join(" ")}'`, path);
    }
    const next = cmd.subcommands.find((c) => c.name === tok);
    if (!next) {
      const names = cmd.subcommands.map((c) => c.name);
      throw new UsageError(
        `unknown command '${tok}'${didYouMean(tok, names)}; expected one of: ${names.join(", ")}`,
        path,
      );
    }
    cmd = next;
    path.push(tok);
    i++;
  }
  if (cmd.subcommands) return { kind: "help", command: cmd, path };

  const specs = [...(cmd.options ?? []), ...rootOptions];
  const opts: Record<string, OptionValue | undefined> = {};
  const args: string[] = [];
  for (; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === "--") {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (tok === "--help" || tok === "-h") return { kind: "help", command: cmd, path };
    // Only `-x` / `--name` shapes are options: a note such as "- learned x"
    // or a number such as "-5" is an argument.
    if (!OPTION_SHAPE.test(tok)) {
      args.push(tok);
      continue;
    }
    const eq = tok.indexOf("=");
    const flag = eq > 0 ? tok.slice(0, eq) : tok;
    const spec = tok.startsWith("--")
      ? specs.find((o) => `--${o.name}` === flag)
      : specs.find((o) => o.short !== undefined && `-${o.short}` === flag);
    if (!spec) {
      const names = [...specs.map((o) => `--${o.name}`), "--help"];
      throw new UsageError(`unknown option '${flag}'${didYouMean(flag, names)}`, path);
    }
    if (spec.type === "boolean") {
      if (eq > 0) throw new UsageError(`option '--${spec.name}' takes no value`, path);
      opts[spec.name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = tok.slice(eq + 1);
    else if (i + 1 < argv.length && !OPTION_SHAPE.test(argv[i + 1])) {
      value = argv[++i];
    }
    if (value === undefined) {
      throw new UsageError(`option '--${spec.name}' needs a value (${valueName(spec)})`, path);
    }
    const parsed = convert(spec, value, path);
    const before = opts[spec.name];
    opts[spec.name] = spec.type === "string" && spec.repeatable && typeof before === "string"
      ? `${before},${parsed}`
      : parsed;
  }
  for (const spec of specs) fillAbsent(spec, opts, path);
  const declared = cmd.args ?? [];
  const required = declared.filter((a) => a.required).length;
  if (args.length < required) {
    const missing = declared.filter((a) => a.required)[args.length];
    throw new UsageError(`missing argument <${missing.name}>`, path);
  }
  if (args.length > declared.length) {
    throw new UsageError(`unexpected argument '${args[declared.length]}'`, path);
  }
  return { kind: "run", command: cmd, invocation: { args, opts, path } };
}

/**
 * An option not given: `false` for a flag, its default (parsed like a given
 * value, so a duration's `6h` arrives in milliseconds), or a usage error when
 * it is required.
 */
function fillAbsent(
  spec: OptionSpec,
  opts: Record<string, OptionValue | undefined>,
  path: string[],
): void {
  if (opts[spec.name] !== undefined) return;
  if (spec.type === "boolean") opts[spec.name] = false;
  else if ("default" in spec && spec.default !== undefined) {
    opts[spec.name] = typeof spec.default === "number"
      ? spec.default
      : convert(spec, spec.default, path);
  } else if (spec.required) {
    throw new UsageError(`missing option '--${spec.name} <${valueName(spec)}>'`, path);
  }
}

function helpFor(root: CommandSpec, names: readonly string[]): ParseOutcome {
  let cmd = root;
  const path: string[] = [];
  for (const n of names) {
    const next = cmd.subcommands?.find((c) => c.name === n);
    if (!next) {
      const known = (cmd.subcommands ?? []).map((c) => c.name);
      throw new UsageError(`unknown command '${n}'${didYouMean(n, known)}`, path);
    }
    cmd = next;
    path.push(n);
  }
  return { kind: "help", command: cmd, path };
}

/** Renders `--help` for `cmd` reached via `path` under program `prog`. */
export function renderHelp(
  prog: string,
  cmd: CommandSpec,
  path: string[],
  rootOptions: OptionSpec[] = [],
): string {
  const full = [prog, ...path].join(" ");
  const lines: string[] = [];
  const argsUsage = (cmd.args ?? []).map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)).join(
    " ",
  );
  if (cmd.subcommands) {
    lines.push(`Usage: ${full} <command> [options]`, "", cmd.description, "", "Commands:");
    const w = Math.max(...cmd.subcommands.map((c) => c.name.length)) + 2;
    for (const c of cmd.subcommands) lines.push(`  ${c.name.padEnd(w)}${c.description}`);
  } else {
    lines.push(`Usage: ${full}${argsUsage ? " " + argsUsage : ""} [options]`, "", cmd.description);
    if (cmd.args?.length) {
      lines.push("", "Arguments:");
      const w = Math.max(...cmd.args.map((a) => a.name.length)) + 2;
      for (const a of cmd.args) lines.push(`  ${a.name.padEnd(w)}${a.description}`);
    }
  }
  const opts = [...(cmd.subcommands ? [] : cmd.options ?? []), ...rootOptions, HELP];
  if (path.length === 0) {
    opts.splice(opts.length - 1, 0, {
      name: "version",
      short: "V",
      type: "boolean",
      description: "Print the version",
    });
  }
  lines.push("", "Options:");
  const cells = opts.map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${o.name}${
      takesValue(o) ? ` <${valueName(o)}>` : ""
    }`;
    const def = "default" in o && o.default !== undefined ? ` (default: ${o.default})` : "";
    return [flag, o.description + def + (o.required ? " (required)" : "")] as const;
  });
  const w = Math.max(...cells.map(([f]) => f.length)) + 2;
  for (const [f, d] of cells) lines.push(`  ${f.padEnd(w)}${d}`);
  if (cmd.epilog) lines.push("", cmd.epilog);
  if (cmd.subcommands) lines.push("", `Run '${full} <command> --help' for a command's options.`);
  return lines.join("\n") + "\n";
}
